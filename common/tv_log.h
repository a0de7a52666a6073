/* Diagnostic logging shared by every component.
 *
 * Lines carry the program, the level and the function name:
 *   tarjeta-agent[1234]: error: tv_csc_login: server unreachable (...)
 * Logging is off until tv_log_open(); the PKCS#11 module only opens it when
 * TARJETA_DEBUG is set.  Never pass a secret to these functions. */
#ifndef TV_LOG_H
#define TV_LOG_H

#include <stdbool.h>

typedef enum {
    TV_LOG_ERROR = 0,
    TV_LOG_WARN = 1,
    TV_LOG_INFO = 2,
    TV_LOG_DEBUG = 3,
} tv_log_level;

/* target: NULL or "stderr", "syslog", or a file path (appended, mode 0600).
 * Returns 0 or a negative TV_ERR_*; on failure logging stays as it was. */
int tv_log_open(const char *program, tv_log_level max_level, const char *target);
void tv_log_close(void);
bool tv_log_enabled(tv_log_level level);

void tv_log_write(tv_log_level level, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define tv_error(...) tv_log_write(TV_LOG_ERROR, __func__, __VA_ARGS__)
#define tv_warn(...)  tv_log_write(TV_LOG_WARN, __func__, __VA_ARGS__)
#define tv_info(...)  tv_log_write(TV_LOG_INFO, __func__, __VA_ARGS__)
#define tv_debug(...) tv_log_write(TV_LOG_DEBUG, __func__, __VA_ARGS__)

#endif
