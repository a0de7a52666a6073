#include "b64.h"

#include "tv_err.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *tv_b64_encode(const uint8_t *p, size_t n)
{
    size_t outlen = 4 * ((n + 2) / 3);
    char *out = malloc(outlen + 1);
    size_t i, j = 0;

    if (out == NULL)
        return NULL;
    for (i = 0; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[j++] = alphabet[v >> 18];
        out[j++] = alphabet[(v >> 12) & 63];
        out[j++] = alphabet[(v >> 6) & 63];
        out[j++] = alphabet[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        out[j++] = alphabet[v >> 18];
        out[j++] = alphabet[(v >> 12) & 63];
        out[j++] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        out[j++] = '=';
    }
    out[j] = '\0';
    return out;
}

static int b64_value(char c)
{
    const char *p;

    if (c == '\0')
        return -1;
    p = strchr(alphabet, c);
    return p ? (int)(p - alphabet) : -1;
}

/* Decode one 4-character group; pad = number of '=' allowed (only in the last). */
static int b64_group(const char *g, bool last, uint8_t *out, size_t *n)
{
    int v[4];
    int pad = 0;

    for (int k = 0; k < 4; k++) {
        if (last && g[k] == '=' && k >= 2 && (k == 3 || g[3] == '=')) {
            v[k] = 0;
            pad++;
            continue;
        }
        v[k] = b64_value(g[k]);
        if (v[k] < 0 || pad > 0)
            return TV_ERR_INVALID;
    }
    if ((pad == 1 && (v[2] & 3)) || (pad == 2 && (v[1] & 15)))
        return TV_ERR_INVALID;                      /* non-canonical trailing bits */
    out[0] = (uint8_t)(v[0] << 2 | v[1] >> 4);
    out[1] = (uint8_t)(v[1] << 4 | v[2] >> 2);
    out[2] = (uint8_t)(v[2] << 6 | v[3]);
    *n = 3 - (size_t)pad;
    return 0;
}

int tv_b64_decode(const char *s, size_t slen, size_t max, uint8_t **out, size_t *outlen)
{
    uint8_t *buf;
    size_t len = 0;

    if (slen % 4 != 0)
        return TV_ERR_INVALID;
    if (slen / 4 * 3 > max + 2)
        return TV_ERR_TOO_LARGE;
    buf = malloc(slen / 4 * 3 + 1);
    if (buf == NULL)
        return TV_ERR_NOMEM;
    for (size_t i = 0; i < slen; i += 4) {
        size_t n;

        if (b64_group(s + i, i + 4 == slen, buf + len, &n) < 0) {
            free(buf);
            return TV_ERR_INVALID;
        }
        len += n;
    }
    if (len > max) {
        free(buf);
        return TV_ERR_TOO_LARGE;
    }
    *out = buf;
    *outlen = len;
    return 0;
}
