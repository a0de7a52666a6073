#include "tv_buf.h"

#include "tv_err.h"
#include "tv_secmem.h"

#include <stdlib.h>
#include <string.h>

uint32_t tv_load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void tv_store_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void tv_buf_init(tv_buf *b, size_t limit)
{
    memset(b, 0, sizeof *b);
    b->limit = limit;
}

void tv_buf_reset(tv_buf *b)
{
    tv_wipe(b->data, b->len);
    b->len = 0;
    b->err = 0;
}

void tv_buf_free(tv_buf *b)
{
    if (b == NULL)
        return;
    tv_wipe(b->data, b->cap);
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->err = 0;
}

bool tv_buf_ok(const tv_buf *b)
{
    return b->err == 0;
}

int tv_buf_error(const tv_buf *b)
{
    return b->err;
}

/* Make room for n more bytes; never realloc(), so old memory can be wiped. */
static bool buf_reserve(tv_buf *b, size_t n)
{
    size_t want, cap;
    uint8_t *bigger;

    if (b->err)
        return false;
    if (n > b->limit || b->len > b->limit - n) {
        b->err = TV_ERR_TOO_LARGE;
        return false;
    }
    want = b->len + n;
    if (want <= b->cap)
        return true;
    cap = b->cap ? b->cap : 256;
    while (cap < want)
        cap = cap > b->limit / 2 ? b->limit : cap * 2;
    bigger = malloc(cap);
    if (bigger == NULL) {
        b->err = TV_ERR_NOMEM;
        return false;
    }
    if (b->len > 0)
        memcpy(bigger, b->data, b->len);
    tv_wipe(b->data, b->cap);
    free(b->data);
    b->data = bigger;
    b->cap = cap;
    return true;
}

void tv_buf_put_raw(tv_buf *b, const void *p, size_t n)
{
    if (n == 0 || !buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void tv_buf_put_u32(tv_buf *b, uint32_t v)
{
    uint8_t be[4];

    tv_store_u32(be, v);
    tv_buf_put_raw(b, be, sizeof be);
}

void tv_buf_put_u64(tv_buf *b, uint64_t v)
{
    tv_buf_put_u32(b, (uint32_t)(v >> 32));
    tv_buf_put_u32(b, (uint32_t)v);
}

void tv_buf_put_bytes(tv_buf *b, const void *p, size_t n)
{
    if (n > UINT32_MAX) {
        b->err = b->err ? b->err : TV_ERR_TOO_LARGE;
        return;
    }
    if (!buf_reserve(b, 4 + n))
        return;
    tv_buf_put_u32(b, (uint32_t)n);
    tv_buf_put_raw(b, p, n);
}

void tv_buf_put_string(tv_buf *b, const char *s)
{
    tv_buf_put_bytes(b, s ? s : "", s ? strlen(s) : 0);
}

void tv_buf_set_u32(tv_buf *b, size_t offset, uint32_t v)
{
    if (b->err)
        return;
    if (offset > b->len || b->len - offset < 4) {
        b->err = TV_ERR_TOO_LARGE;
        return;
    }
    tv_store_u32(b->data + offset, v);
}

void tv_buf_consume(tv_buf *b, size_t n)
{
    if (n >= b->len) {
        tv_wipe(b->data, b->len);
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    tv_wipe(b->data + b->len - n, n);
    b->len -= n;
}

void tv_reader_init(tv_reader *r, const void *data, size_t len)
{
    r->data = data;
    r->len = len;
    r->pos = 0;
}

size_t tv_reader_left(const tv_reader *r)
{
    return r->len - r->pos;
}

int tv_get_u32(tv_reader *r, uint32_t *out)
{
    if (tv_reader_left(r) < 4)
        return TV_ERR_TRUNCATED;
    *out = tv_load_u32(r->data + r->pos);
    r->pos += 4;
    return 0;
}

int tv_get_u64(tv_reader *r, uint64_t *out)
{
    if (tv_reader_left(r) < 8)
        return TV_ERR_TRUNCATED;
    *out = (uint64_t)tv_load_u32(r->data + r->pos) << 32 | tv_load_u32(r->data + r->pos + 4);
    r->pos += 8;
    return 0;
}

int tv_get_bytes(tv_reader *r, size_t max, const uint8_t **p, size_t *n)
{
    size_t left = tv_reader_left(r);
    uint32_t len;

    if (left < 4)
        return TV_ERR_TRUNCATED;
    len = tv_load_u32(r->data + r->pos);
    if (len > max)
        return TV_ERR_TOO_LARGE;
    if (len > left - 4)
        return TV_ERR_TRUNCATED;
    *p = r->data + r->pos + 4;
    *n = len;
    r->pos += 4 + (size_t)len;
    return 0;
}

int tv_get_string(tv_reader *r, char *out, size_t outsz)
{
    tv_reader probe = *r;
    const uint8_t *p;
    size_t n;
    int rc;

    if (outsz == 0)
        return TV_ERR_TOO_LARGE;
    rc = tv_get_bytes(&probe, outsz - 1, &p, &n);
    if (rc < 0)
        return rc;
    if (memchr(p, '\0', n) != NULL)
        return TV_ERR_PROTOCOL;
    memcpy(out, p, n);
    out[n] = '\0';
    *r = probe;
    return 0;
}
