/* Secrets: wiping, non-pageable non-dumpable storage, process hardening. */
#ifndef TV_SECMEM_H
#define TV_SECMEM_H

#include <stddef.h>

/* Overwrite with zeros in a way the compiler cannot elide. NULL is fine. */
void tv_wipe(void *p, size_t n);

/* Memory for secrets: page-backed, locked in RAM where the limit allows,
 * excluded from core dumps, wiped on fork in the child and on free.
 * Returns NULL on failure.  tv_secure_free(NULL) is fine. */
void *tv_secure_alloc(size_t n);
void tv_secure_free(void *p);

/* Copy at most max bytes of s into secure memory, NUL-terminated. */
char *tv_secure_strndup(const char *s, size_t max);

/* No core dumps, no ptrace by other processes of the same user.
 * Returns 0 or TV_ERR_IO (the caller decides whether that is fatal). */
int tv_harden_process(void);

#endif
