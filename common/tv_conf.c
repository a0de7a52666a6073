#include "tv_conf.h"

#include "tv_err.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *trim(char *s)
{
    char *end;

    while (*s == ' ' || *s == '\t')
        s++;
    end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        *--end = '\0';
    return s;
}

static bool key_valid(const char *key)
{
    if (*key == '\0')
        return false;
    for (const char *p = key; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
            return false;
    return true;
}

/* Split one line in place; *key is NULL for a blank or comment line. */
static int split_line(char *line, char **key, char **value, const char **why)
{
    char *s = trim(line), *eq;
    size_t n;

    *key = NULL;
    if (*s == '\0' || *s == '#')
        return 0;
    eq = strchr(s, '=');
    if (eq == NULL) {
        *key = s;
        *why = "expected \"key = value\"";
        return TV_ERR_CONFIG;
    }
    *eq = '\0';
    *key = trim(s);
    *value = trim(eq + 1);
    if (!key_valid(*key)) {
        *why = "not a valid key name";
        return TV_ERR_CONFIG;
    }
    n = strlen(*value);
    if (n >= 2 && (*value)[0] == '"' && (*value)[n - 1] == '"') {
        (*value)[n - 1] = '\0';
        (*value)++;
    }
    return 0;
}

static int parse_line(const char *name, unsigned lineno, char *line, tv_conf_fn fn, void *ctx,
                      char *err, size_t err_size)
{
    char *key = NULL, *value = NULL;
    const char *fixed = NULL;
    char why[512] = "";
    int rc = split_line(line, &key, &value, &fixed);

    if (rc == 0 && key != NULL)
        rc = fn(ctx, key, value, why, sizeof why);
    if (rc == 0)
        return 0;
    if (fixed != NULL)
        snprintf(why, sizeof why, "%s", fixed);
    if (err != NULL)
        snprintf(err, err_size, "%s:%u: %.64s: %s", name, lineno, key ? key : "", why);
    return TV_ERR_CONFIG;
}

int tv_conf_parse_text(const char *name, const char *text, tv_conf_fn fn, void *ctx,
                       char *err, size_t err_size)
{
    char line[TV_CONF_LINE_MAX];
    unsigned lineno = 0;

    while (*text) {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);
        lineno++;
        if (n >= sizeof line) {
            if (err != NULL)
                snprintf(err, err_size, "%s:%u: line too long", name, lineno);
            return TV_ERR_CONFIG;
        }
        memcpy(line, text, n);
        line[n] = '\0';
        if (parse_line(name, lineno, line, fn, ctx, err, err_size) < 0)
            return TV_ERR_CONFIG;
        text += n + (nl ? 1 : 0);
    }
    return 0;
}

int tv_conf_parse_file(const char *path, tv_conf_fn fn, void *ctx, char *err, size_t err_size)
{
    char text[65536];
    size_t n;
    FILE *f = fopen(path, "re");

    if (f == NULL) {
        if (errno == ENOENT)
            return TV_ERR_NOT_FOUND;
        if (err != NULL)
            snprintf(err, err_size, "%s: cannot read: %s", path, strerror(errno));
        return TV_ERR_IO;
    }
    n = fread(text, 1, sizeof text - 1, f);
    if (ferror(f) || !feof(f)) {
        fclose(f);
        if (err != NULL)
            snprintf(err, err_size, "%s: cannot read (or larger than 64 KiB)", path);
        return TV_ERR_IO;
    }
    fclose(f);
    text[n] = '\0';
    if (memchr(text, '\0', n) != NULL) {
        if (err != NULL)
            snprintf(err, err_size, "%s: not a text file", path);
        return TV_ERR_CONFIG;
    }
    return tv_conf_parse_text(path, text, fn, ctx, err, err_size);
}

int tv_conf_uint(const char *value, unsigned min, unsigned max, unsigned *out, char *why, size_t why_size)
{
    char *end = NULL;
    unsigned long v;

    errno = 0;
    if (!isdigit((unsigned char)value[0]))
        goto bad;
    v = strtoul(value, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        goto bad;
    *out = (unsigned)v;
    return 0;
bad:
    snprintf(why, why_size, "expected a whole number from %u to %u, got \"%.64s\"", min, max, value);
    return TV_ERR_CONFIG;
}

int tv_conf_duration(const char *value, unsigned min, unsigned max, unsigned *out, char *why,
                     size_t why_size)
{
    char *end = NULL;
    unsigned long v, unit = 1;

    errno = 0;
    if (!isdigit((unsigned char)value[0]))
        goto bad;
    v = strtoul(value, &end, 10);
    if (errno != 0)
        goto bad;
    if (*end != '\0') {
        const char *units = "smhd";
        const unsigned long mult[] = { 1, 60, 3600, 86400 };
        const char *u = end[1] == '\0' ? strchr(units, *end) : NULL;
        if (u == NULL || *end == '\0')
            goto bad;
        unit = mult[u - units];
    }
    if (v > max / unit || v * unit < min || v * unit > max)
        goto bad;
    *out = (unsigned)(v * unit);
    return 0;
bad:
    snprintf(why, why_size, "expected a duration from %us to %us (e.g. 90s, 30m, 8h), got \"%.64s\"",
             min, max, value);
    return TV_ERR_CONFIG;
}

int tv_conf_bool(const char *value, bool *out, char *why, size_t why_size)
{
    if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0 || strcmp(value, "1") == 0) {
        *out = true;
        return 0;
    }
    if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0 || strcmp(value, "0") == 0) {
        *out = false;
        return 0;
    }
    snprintf(why, why_size, "expected yes or no, got \"%.64s\"", value);
    return TV_ERR_CONFIG;
}

int tv_conf_string(const char *value, char *out, size_t out_size, char *why, size_t why_size)
{
    size_t n = strlen(value);

    if (n >= out_size) {
        snprintf(why, why_size, "value too long (at most %zu characters)", out_size - 1);
        return TV_ERR_CONFIG;
    }
    memcpy(out, value, n + 1);
    return 0;
}
