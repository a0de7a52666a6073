/* Spanish DNI / NIE numbers.
 *
 * DNI: 8 digits and a check letter.  NIE: X, Y or Z (standing for 0, 1, 2),
 * 7 digits and a check letter.  The letter is "TRWAGMYFPDXBNJZSQVHLCKE"
 * indexed by the number modulo 23. */
#ifndef TV_DNI_H
#define TV_DNI_H

#include <stdbool.h>
#include <stdint.h>

#define TV_DNI_LEN 9

/* Validate and write the canonical form (upper case, no separator) into out,
 * which holds TV_DNI_LEN + 1 bytes.  Accepts lower case and one '-' or ' '
 * before the letter.  Returns 0 or TV_ERR_BAD_DNI (out untouched then). */
int tv_dni_normalize(const char *in, char out[TV_DNI_LEN + 1]);

bool tv_dni_valid(const char *in);

/* The check letter for a number below 100000000; '\0' otherwise. */
char tv_dni_letter(uint32_t number);

#endif
