/* Bounded byte buffers for building messages, and readers for parsing them.
 *
 * tv_buf grows up to a fixed limit; any failed put (limit reached, out of
 * memory) records a sticky error, so encoders check once at the end.
 * Memory is wiped whenever it is released or moved, because message buffers
 * may carry a PIN.
 *
 * tv_reader reads big-endian integers and length-prefixed fields.  Every get
 * either succeeds completely or fails and consumes nothing. */
#ifndef TV_BUF_H
#define TV_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tv_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    size_t limit;
    int err;              /* sticky: 0, TV_ERR_TOO_LARGE or TV_ERR_NOMEM */
} tv_buf;

void tv_buf_init(tv_buf *b, size_t limit);
void tv_buf_reset(tv_buf *b);              /* wipe contents, keep memory, clear error */
void tv_buf_free(tv_buf *b);               /* wipe and release; NULL is fine */
bool tv_buf_ok(const tv_buf *b);
int tv_buf_error(const tv_buf *b);         /* 0 or the sticky error */

void tv_buf_put_raw(tv_buf *b, const void *p, size_t n);
void tv_buf_put_u32(tv_buf *b, uint32_t v);
void tv_buf_put_u64(tv_buf *b, uint64_t v);
void tv_buf_put_bytes(tv_buf *b, const void *p, size_t n);   /* u32 length + bytes */
void tv_buf_put_string(tv_buf *b, const char *s);            /* u32 length + bytes; NULL = "" */
void tv_buf_set_u32(tv_buf *b, size_t offset, uint32_t v);   /* overwrite 4 bytes in place */
/* Drop the first n bytes (a consumed frame), moving the rest to the front. */
void tv_buf_consume(tv_buf *b, size_t n);

typedef struct tv_reader {
    const uint8_t *data;
    size_t len;
    size_t pos;
} tv_reader;

void tv_reader_init(tv_reader *r, const void *data, size_t len);
size_t tv_reader_left(const tv_reader *r);

/* Each returns 0, or TV_ERR_TRUNCATED / TV_ERR_TOO_LARGE / TV_ERR_PROTOCOL
 * having consumed nothing and left *out untouched. */
int tv_get_u32(tv_reader *r, uint32_t *out);
int tv_get_u64(tv_reader *r, uint64_t *out);
/* Length-prefixed bytes, returned in place (no copy); at most max bytes. */
int tv_get_bytes(tv_reader *r, size_t max, const uint8_t **p, size_t *n);
/* Length-prefixed string copied into out (NUL-terminated); fails with
 * TV_ERR_TOO_LARGE if it does not fit, TV_ERR_PROTOCOL on an embedded NUL. */
int tv_get_string(tv_reader *r, char *out, size_t outsz);

uint32_t tv_load_u32(const uint8_t *p);
void tv_store_u32(uint8_t *p, uint32_t v);

#endif
