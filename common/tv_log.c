#include "tv_log.h"

#include "tv_err.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

enum tv_log_sink { SINK_NONE, SINK_FD, SINK_SYSLOG };

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static enum tv_log_sink log_sink = SINK_NONE;
static int log_fd = -1;
static bool log_fd_owned;
static int log_max = -1;
static char log_program[32] = "tarjeta";

static const char *const level_names[] = { "error", "warning", "info", "debug" };

static void log_reset_locked(void)
{
    if (log_sink == SINK_SYSLOG)
        closelog();
    if (log_fd_owned && log_fd >= 0)
        close(log_fd);
    log_sink = SINK_NONE;
    log_fd = -1;
    log_fd_owned = false;
    log_max = -1;
}

static int log_open_target(const char *target, enum tv_log_sink *sink, int *fd, bool *owned)
{
    if (target == NULL || strcmp(target, "stderr") == 0) {
        *sink = SINK_FD;
        *fd = STDERR_FILENO;
        *owned = false;
        return 0;
    }
    if (strcmp(target, "syslog") == 0) {
        *sink = SINK_SYSLOG;
        *fd = -1;
        *owned = false;
        return 0;
    }
    *fd = open(target, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (*fd < 0)
        return TV_ERR_IO;
    *sink = SINK_FD;
    *owned = true;
    return 0;
}

int tv_log_open(const char *program, tv_log_level max_level, const char *target)
{
    enum tv_log_sink sink;
    int fd;
    bool owned;
    int rc = log_open_target(target, &sink, &fd, &owned);

    if (rc < 0)
        return rc;
    pthread_mutex_lock(&log_lock);
    log_reset_locked();
    snprintf(log_program, sizeof log_program, "%s", program ? program : "tarjeta");
    log_sink = sink;
    log_fd = fd;
    log_fd_owned = owned;
    log_max = (int)max_level;
    if (sink == SINK_SYSLOG)
        openlog(log_program, LOG_PID, LOG_USER);
    pthread_mutex_unlock(&log_lock);
    return 0;
}

void tv_log_close(void)
{
    pthread_mutex_lock(&log_lock);
    log_reset_locked();
    pthread_mutex_unlock(&log_lock);
}

bool tv_log_enabled(tv_log_level level)
{
    return (int)level <= __atomic_load_n(&log_max, __ATOMIC_RELAXED);
}

static int syslog_priority(tv_log_level level)
{
    static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
    return prio[level];
}

static void write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

void tv_log_write(tv_log_level level, const char *func, const char *fmt, ...)
{
    char msg[1024];
    char line[1200];
    struct timespec ts;
    struct tm tm;
    va_list ap;
    int saved_errno = errno;

    if (level > TV_LOG_DEBUG || !tv_log_enabled(level))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    pthread_mutex_lock(&log_lock);
    if (log_sink == SINK_SYSLOG) {
        syslog(syslog_priority(level), "%s: %s: %s", level_names[level], func, msg);
    } else if (log_sink == SINK_FD) {
        clock_gettime(CLOCK_REALTIME, &ts);
        localtime_r(&ts.tv_sec, &tm);
        int n = snprintf(line, sizeof line, "%02d:%02d:%02d.%03ld %s[%ld]: %s: %s: %s\n",
                         tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L, log_program,
                         (long)getpid(), level_names[level], func, msg);
        if (n >= (int)sizeof line) {
            n = (int)sizeof line - 1;
            line[n - 1] = '\n';
        }
        if (n > 0)
            write_all(log_fd, line, (size_t)n);
    }
    pthread_mutex_unlock(&log_lock);
    errno = saved_errno;
}
