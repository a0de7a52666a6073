#include "json.h"

#include "tv_secmem.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

static void *json_alloc(size_t n)
{
    return malloc(n);
}

static void json_release(void *p)
{
    if (p == NULL)
        return;
    tv_wipe(p, malloc_usable_size(p));
    free(p);
}

void tv_json_init(void)
{
    json_set_alloc_funcs(json_alloc, json_release);
}

json_t *tv_json_parse_object(const void *data, size_t len)
{
    json_error_t error;
    json_t *j;

    if (data == NULL || len == 0 || len > TV_JSON_MAX)
        return NULL;
    j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &error);
    if (j != NULL && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

char *tv_json_dump(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT);
}

void tv_json_free_string(char *s)
{
    json_release(s);
}

const char *tv_json_str(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

long long tv_json_int(const json_t *obj, const char *key, long long def)
{
    json_t *v = json_object_get(obj, key);
    char *end = NULL;
    long long n;

    if (json_is_integer(v))
        return json_integer_value(v);
    if (!json_is_string(v))
        return def;
    n = strtoll(json_string_value(v), &end, 10);
    return (end != NULL && *end == '\0' && end != json_string_value(v)) ? n : def;
}

json_t *tv_json_array(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    return json_is_array(v) ? v : NULL;
}

json_t *tv_json_object(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    return json_is_object(v) ? v : NULL;
}
