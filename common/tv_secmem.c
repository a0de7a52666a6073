#include "tv_secmem.h"

#include "tv_err.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

void tv_wipe(void *p, size_t n)
{
    if (p != NULL && n > 0)
        explicit_bzero(p, n);
}

/* Each allocation is its own mapping; the first 64 bytes hold its size so the
 * pointer handed out stays aligned for any type. */
#define SECMEM_HEADER 64

void *tv_secure_alloc(size_t n)
{
    size_t total;
    uint8_t *base;

    if (n == 0 || n > (1u << 20))
        return NULL;
    total = n + SECMEM_HEADER;
    base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    (void)mlock(base, total);               /* best effort: RLIMIT_MEMLOCK may refuse */
    (void)madvise(base, total, MADV_DONTDUMP);
    (void)madvise(base, total, MADV_WIPEONFORK);
    memcpy(base, &total, sizeof total);
    return base + SECMEM_HEADER;
}

void tv_secure_free(void *p)
{
    uint8_t *base;
    size_t total;

    if (p == NULL)
        return;
    base = (uint8_t *)p - SECMEM_HEADER;
    memcpy(&total, base, sizeof total);
    explicit_bzero(base, total);
    (void)munlock(base, total);
    (void)munmap(base, total);
}

char *tv_secure_strndup(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    char *copy = tv_secure_alloc(n + 1);

    if (copy == NULL)
        return NULL;
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

int tv_harden_process(void)
{
    struct rlimit none = { 0, 0 };
    int rc = 0;

    if (setrlimit(RLIMIT_CORE, &none) != 0)
        rc = TV_ERR_IO;
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        rc = TV_ERR_IO;
    return rc;
}
