/* Standard base64 (RFC 4648 §4, with padding), strict: the decoder refuses
 * whitespace, URL-safe letters, missing padding and non-zero trailing bits. */
#ifndef TV_SRV_B64_H
#define TV_SRV_B64_H

#include <stddef.h>
#include <stdint.h>

/* malloc'd NUL-terminated text, NULL on allocation failure. */
char *tv_b64_encode(const uint8_t *p, size_t n);
/* Decode at most max output bytes into a malloc'd buffer (never NULL on
 * success, even for ""). Returns 0, TV_ERR_INVALID or TV_ERR_TOO_LARGE. */
int tv_b64_decode(const char *s, size_t slen, size_t max, uint8_t **out, size_t *outlen);

#endif
