/* A secret string (password, bearer token, SAD, one-time code) in locked,
 * non-dumpable memory, shared by reference count: the session holds one
 * reference, each request that uses it takes another, and the bytes are wiped
 * when the last reference goes (logout, expiry, replacement). */
#ifndef TV_AGENT_SECRET_H
#define TV_AGENT_SECRET_H

#include <stddef.h>

typedef struct tv_secret tv_secret;

/* NULL on failure (out of memory, or longer than 64 KiB). */
tv_secret *tv_secret_new(const char *value, size_t len);
tv_secret *tv_secret_ref(tv_secret *s);          /* NULL is fine */
void tv_secret_unref(tv_secret *s);              /* NULL is fine */
const char *tv_secret_str(const tv_secret *s);   /* NUL-terminated */
size_t tv_secret_len(const tv_secret *s);

#endif
