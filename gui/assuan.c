#include "assuan.h"

#include "tv_err.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int tv_assuan_unescape(char *s)
{
    char *out = s;

    while (*s != '\0') {
        if (*s != '%') {
            *out++ = *s++;
            continue;
        }
        int hi = hex_value(s[1]);
        int lo = hi < 0 ? -1 : hex_value(s[2]);
        if (lo < 0 || (hi == 0 && lo == 0))
            return TV_ERR_PROTOCOL;
        *out++ = (char)(hi << 4 | lo);
        s += 3;
    }
    *out = '\0';
    return 0;
}

static bool needs_escape(unsigned char c)
{
    return c == '%' || c < 0x20 || c == 0x7f;
}

int tv_assuan_escape(const char *src, size_t n, char *out, size_t outsz)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;

    if (outsz == 0)
        return TV_ERR_TOO_LARGE;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        size_t need = needs_escape(c) ? 3 : 1;
        if (need >= outsz - o) {
            out[0] = '\0';
            return TV_ERR_TOO_LARGE;
        }
        if (need == 1) {
            out[o++] = (char)c;
        } else {
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return (int)o;
}

void tv_assuan_split(char *line, char **cmd, char **args)
{
    char *p = line;

    while (*p == ' ' || *p == '\t')
        p++;
    *cmd = p;
    while (*p != '\0' && *p != ' ' && *p != '\t') {
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
        p++;
    }
    if (*p != '\0')
        *p++ = '\0';
    while (*p == ' ' || *p == '\t')
        p++;
    *args = p;
}

/* Length of the UTF-8 sequence starting with byte c, 0 if c cannot start one. */
static int utf8_lead_length(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return 2;
    if (c >= 0xe0 && c <= 0xef)
        return 3;
    if (c >= 0xf0 && c <= 0xf4)
        return 4;
    return 0;
}

static bool utf8_sequence_ok(const unsigned char *s, int len)
{
    unsigned long cp = s[0] & (0x7f >> len);

    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return false;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return false;                       /* overlong or out of range */
    return !(cp >= 0xd800 && cp <= 0xdfff);  /* no surrogates */
}

bool tv_text_is_printable_utf8(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;

    while (*s != '\0') {
        int len = utf8_lead_length(*s);
        if (len == 0)
            return false;
        if (len == 1 && (*s == 0x7f || (*s < 0x20 && *s != '\n' && *s != '\t')))
            return false;
        if (len > 1 && !utf8_sequence_ok(s, len))
            return false;
        s += len;
    }
    return true;
}

void tv_line_reader_init(tv_line_reader *r)
{
    r->len = 0;
    r->overlong = false;
}

static int line_complete(tv_line_reader *r, tv_line_fn fn, void *ctx)
{
    bool overlong = r->overlong;
    size_t len = r->len;

    r->len = 0;
    r->overlong = false;
    if (overlong)
        return fn(ctx, NULL, TV_ERR_TOO_LARGE);
    if (len > 0 && r->buf[len - 1] == '\r')
        len--;
    r->buf[len] = '\0';
    if (memchr(r->buf, '\0', len) != NULL)
        return fn(ctx, NULL, TV_ERR_PROTOCOL);
    return fn(ctx, r->buf, 0);
}

int tv_line_feed(tv_line_reader *r, const char *data, size_t n, tv_line_fn fn, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        if (data[i] == '\n') {
            int rc = line_complete(r, fn, ctx);
            if (rc != 0)
                return rc;
        } else if (r->overlong) {
            continue;
        } else if (r->len + 1 >= sizeof r->buf) {   /* the LF must fit too */
            r->overlong = true;
            r->len = 0;
        } else {
            r->buf[r->len++] = data[i];
        }
    }
    return 0;
}

int tv_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return errno == EPIPE ? TV_ERR_CLOSED : TV_ERR_IO;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}
