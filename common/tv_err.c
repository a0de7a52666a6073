#include "tv_err.h"

#include <stddef.h>

struct tv_err_entry {
    int value;
    const char *name;
    const char *text;
};

static const struct tv_err_entry tv_err_table[] = {
#define TV_ERR_ROW(name, value, text) { value, #name, text },
    TV_ERR_LIST(TV_ERR_ROW)
#undef TV_ERR_ROW
};

static const struct tv_err_entry *tv_err_find(int err)
{
    for (size_t i = 0; i < sizeof tv_err_table / sizeof tv_err_table[0]; i++)
        if (tv_err_table[i].value == err)
            return &tv_err_table[i];
    return NULL;
}

const char *tv_strerror(int err)
{
    const struct tv_err_entry *e = tv_err_find(err);
    return e ? e->text : "unknown error";
}

const char *tv_errname(int err)
{
    const struct tv_err_entry *e = tv_err_find(err);
    return e ? e->name : "TV_ERR_UNKNOWN";
}
