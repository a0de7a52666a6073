#include "secret.h"

#include "tv_secmem.h"

#include <string.h>

struct tv_secret {
    int refs;
    size_t len;
    char value[];
};

tv_secret *tv_secret_new(const char *value, size_t len)
{
    tv_secret *s;

    if (len > 65536)
        return NULL;
    s = tv_secure_alloc(sizeof *s + len + 1);
    if (s == NULL)
        return NULL;
    s->refs = 1;
    s->len = len;
    memcpy(s->value, value, len);
    s->value[len] = '\0';
    return s;
}

tv_secret *tv_secret_ref(tv_secret *s)
{
    if (s != NULL)
        __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
    return s;
}

void tv_secret_unref(tv_secret *s)
{
    if (s != NULL && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
        tv_secure_free(s);
}

const char *tv_secret_str(const tv_secret *s)
{
    return s ? s->value : "";
}

size_t tv_secret_len(const tv_secret *s)
{
    return s ? s->len : 0;
}
