/* Configuration files: "key = value" lines, '#' comments on their own line,
 * blank lines ignored, optional double quotes around a value.
 *
 * The parser only splits lines; the caller's callback knows the keys.  Every
 * error names the file, the line and the key:
 *   /home/ane/.config/tarjeta-virtual/agent.conf:3: session-lifetime: not a duration ("soon")
 * Libc only: the PKCS#11 module may read the same files. */
#ifndef TV_CONF_H
#define TV_CONF_H

#include <stdbool.h>
#include <stddef.h>

#define TV_CONF_LINE_MAX 4096

/* Called once per "key = value".  Returns 0, or a negative TV_ERR_* after
 * writing a short reason (without file, line or key) into why. */
typedef int (*tv_conf_fn)(void *ctx, const char *key, const char *value, char *why, size_t why_size);

/* TV_ERR_NOT_FOUND when the file does not exist (err untouched), TV_ERR_IO
 * when it cannot be read, TV_ERR_CONFIG on a bad line or a value the callback
 * refused; err then holds "file:line: key: reason". */
int tv_conf_parse_file(const char *path, tv_conf_fn fn, void *ctx, char *err, size_t err_size);
/* The same over a string (for tests); `name` stands for the file name. */
int tv_conf_parse_text(const char *name, const char *text, tv_conf_fn fn, void *ctx,
                       char *err, size_t err_size);

/* Value parsers for callbacks: 0 or TV_ERR_CONFIG with a reason in why. */
int tv_conf_uint(const char *value, unsigned min, unsigned max, unsigned *out, char *why, size_t why_size);
/* A duration: a number with an optional unit s, m, h or d (default seconds). */
int tv_conf_duration(const char *value, unsigned min, unsigned max, unsigned *out, char *why,
                     size_t why_size);
int tv_conf_bool(const char *value, bool *out, char *why, size_t why_size);
/* Copy a string value; TV_ERR_CONFIG when it does not fit. */
int tv_conf_string(const char *value, char *out, size_t out_size, char *why, size_t why_size);

#endif
