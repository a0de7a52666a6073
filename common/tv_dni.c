#include "tv_dni.h"

#include "tv_err.h"

#include <ctype.h>
#include <string.h>

static const char dni_letters[] = "TRWAGMYFPDXBNJZSQVHLCKE";

char tv_dni_letter(uint32_t number)
{
    if (number >= 100000000u)
        return '\0';
    return dni_letters[number % 23];
}

/* Copy in to buf in upper case, dropping one separator before the letter. */
static bool dni_compact(const char *in, char buf[TV_DNI_LEN + 1])
{
    size_t len = strnlen(in, TV_DNI_LEN + 2);
    size_t j = 0;

    if (len == TV_DNI_LEN + 1 && (in[len - 2] == '-' || in[len - 2] == ' ')) {
        memcpy(buf, in, len - 2);
        buf[len - 2] = in[len - 1];
        j = len - 1;
    } else if (len == TV_DNI_LEN) {
        memcpy(buf, in, len);
        j = len;
    } else {
        return false;
    }
    buf[j] = '\0';
    for (size_t i = 0; i < j; i++)
        buf[i] = (char)toupper((unsigned char)buf[i]);
    return true;
}

static int nie_prefix_value(char c)
{
    switch (c) {
    case 'X': return 0;
    case 'Y': return 1;
    case 'Z': return 2;
    default: return -1;
    }
}

int tv_dni_normalize(const char *in, char out[TV_DNI_LEN + 1])
{
    char buf[TV_DNI_LEN + 1];
    uint32_t number;
    int prefix;

    if (in == NULL || !dni_compact(in, buf))
        return TV_ERR_BAD_DNI;
    prefix = nie_prefix_value(buf[0]);
    number = prefix >= 0 ? (uint32_t)prefix : 0;
    for (size_t i = prefix >= 0 ? 1 : 0; i < TV_DNI_LEN - 1; i++) {
        if (!isdigit((unsigned char)buf[i]))
            return TV_ERR_BAD_DNI;
        number = number * 10 + (uint32_t)(buf[i] - '0');
    }
    if (buf[TV_DNI_LEN - 1] != tv_dni_letter(number))
        return TV_ERR_BAD_DNI;
    memcpy(out, buf, sizeof buf);
    return 0;
}

bool tv_dni_valid(const char *in)
{
    char out[TV_DNI_LEN + 1];
    return tv_dni_normalize(in, out) == 0;
}
