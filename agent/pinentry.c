#include "pinentry.h"

#include "tv_err.h"
#include "tv_log.h"
#include "tv_secmem.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define LINE_MAX_ASSUAN 1002
#define GPG_ERR_CANCELED 83886179
#define GPG_ERR_NOT_CONFIRMED 83886194
#define GPG_ERR_NO_PIN_ENTRY 83886166
#define GPG_ERR_TIMEOUT 83886142

typedef struct prompt_proc {
    pid_t pid;
    int to, from;              /* our ends: write commands, read answers */
    char buf[4096];
    size_t len;
    struct timespec deadline;
} prompt_proc;

void tv_dialog_init(tv_dialog *d, tv_dialog_action action, const char *kind, unsigned timeout)
{
    memset(d, 0, sizeof *d);
    d->action = action;
    d->timeout = timeout ? timeout : 120;
    tv_dialog_option(d, "tarjeta-dialog", "%s", kind);
}

void tv_dialog_option(tv_dialog *d, const char *key, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (d->n_options >= TV_DIALOG_OPTIONS)
        return;
    n = snprintf(d->options[d->n_options], sizeof d->options[0], "%s=", key);
    va_start(ap, fmt);
    vsnprintf(d->options[d->n_options] + n, sizeof d->options[0] - (size_t)n, fmt, ap);
    va_end(ap);
    d->n_options++;
}

int tv_assuan_escape(const char *in, char *out, size_t out_size)
{
    size_t o = 0;

    for (; *in; in++) {
        if (o + 4 > out_size)
            return TV_ERR_TOO_LARGE;
        if (*in == '%' || *in == '\r' || *in == '\n') {
            snprintf(out + o, 4, "%%%02X", (unsigned char)*in);
            o += 3;
        } else {
            out[o++] = *in;
        }
    }
    out[o] = '\0';
    return 0;
}

static int ms_left(const struct timespec *deadline)
{
    struct timespec now;
    long long ms;

    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
    return ms <= 0 ? 0 : ms > 60000 ? 60000 : (int)ms;
}

/* The environment a prompt gets: only what a dialog needs to appear. */
static void prompt_env(char **env, size_t max)
{
    static const char *const keep[] = {
        "PATH", "HOME", "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "XDG_RUNTIME_DIR",
        "DBUS_SESSION_BUS_ADDRESS", "LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "LANGUAGE",
    };
    size_t n = 0;

    for (char **e = environ; *e != NULL && n + 1 < max; e++)
        for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++) {
            size_t kl = strlen(keep[k]);
            if (strncmp(*e, keep[k], kl) == 0 && (*e)[kl] == '=') {
                env[n++] = *e;
                break;
            }
        }
    env[n] = NULL;
}

/* The agent blocks SIGTERM/SIGINT/SIGHUP (it reads them from a signalfd) and
 * ignores SIGPIPE; a prompt must start with neither, or it could not be
 * stopped and would outlive the agent. */
static void prompt_spawnattr(posix_spawnattr_t *attr)
{
    sigset_t none, defaults;

    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_init(attr);
    posix_spawnattr_setsigmask(attr, &none);
    posix_spawnattr_setsigdefault(attr, &defaults);
    posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
}

/* The prompts running now, so that a stopping agent can close them. */
static struct {
    pthread_mutex_t lock;
    pid_t pid[8];
} running = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void running_set(pid_t old, pid_t new)
{
    pthread_mutex_lock(&running.lock);
    for (size_t i = 0; i < sizeof running.pid / sizeof running.pid[0]; i++)
        if (running.pid[i] == old) {
            running.pid[i] = new;
            break;
        }
    pthread_mutex_unlock(&running.lock);
}

void tv_pinentry_close_all(void)
{
    pthread_mutex_lock(&running.lock);
    for (size_t i = 0; i < sizeof running.pid / sizeof running.pid[0]; i++)
        if (running.pid[i] > 0)
            kill(running.pid[i], SIGTERM);    /* not reaped yet: the pid is still this prompt's */
    pthread_mutex_unlock(&running.lock);
}

static int prompt_start(const char *program, prompt_proc *p)
{
    int in[2] = { -1, -1 }, out[2] = { -1, -1 };
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    char *argv[] = { (char *)program, NULL };
    char *env[16];
    int rc;

    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        close(in[0]); close(in[1]);
        return TV_ERR_PROMPT;
    }
    prompt_env(env, sizeof env / sizeof env[0]);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
    prompt_spawnattr(&attr);
    rc = strchr(program, '/') ? posix_spawn(&p->pid, program, &fa, &attr, argv, env)
                              : posix_spawnp(&p->pid, program, &fa, &attr, argv, env);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    p->to = in[1];
    p->from = out[0];
    p->len = 0;
    if (rc != 0) {
        tv_error("cannot start the prompt program %s: %s", program, strerror(rc));
        close(p->to);
        close(p->from);
        return TV_ERR_PROMPT;
    }
    running_set(0, p->pid);
    return 0;
}

static void prompt_stop(prompt_proc *p)
{
    int status;

    running_set(p->pid, 0);
    close(p->to);
    close(p->from);
    for (int i = 0; i < 50; i++) {
        if (waitpid(p->pid, &status, WNOHANG) != 0)
            goto wiped;
        usleep(10000);
    }
    kill(p->pid, SIGKILL);
    waitpid(p->pid, &status, 0);
wiped:
    tv_wipe(p->buf, sizeof p->buf);
}

/* Read one line (without the LF) into line; TV_ERR_TIMEOUT / TV_ERR_PROMPT. */
static int read_line(prompt_proc *p, char *line, size_t size)
{
    for (;;) {
        char *nl = memchr(p->buf, '\n', p->len);
        if (nl != NULL) {
            size_t n = (size_t)(nl - p->buf);
            if (n >= size)
                return TV_ERR_PROMPT;
            memcpy(line, p->buf, n);
            line[n] = '\0';
            memmove(p->buf, nl + 1, p->len - n - 1);
            p->len -= n + 1;
            tv_wipe(p->buf + p->len, n + 1);
            return 0;
        }
        if (p->len >= sizeof p->buf)
            return TV_ERR_PROMPT;
        struct pollfd pf = { .fd = p->from, .events = POLLIN };
        int left = ms_left(&p->deadline), r;
        if (left == 0)
            return TV_ERR_TIMEOUT;
        r = poll(&pf, 1, left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue;
        ssize_t got = read(p->from, p->buf + p->len, sizeof p->buf - p->len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return TV_ERR_PROMPT;
        p->len += (size_t)got;
    }
}

/* Send a command and read its final answer: 0 for OK, the ERR code (> 0),
 * or a negative TV_ERR_*.  A "D" line goes into *data when data != NULL. */
static int command(prompt_proc *p, const char *cmd, const char *arg, tv_secret **data)
{
    char line[LINE_MAX_ASSUAN + 64], esc[LINE_MAX_ASSUAN];
    int rc;

    if (arg != NULL && tv_assuan_escape(arg, esc, sizeof esc) < 0)
        return TV_ERR_TOO_LARGE;
    snprintf(line, sizeof line, "%s%s%s\n", cmd, arg ? " " : "", arg ? esc : "");
    if (write(p->to, line, strlen(line)) != (ssize_t)strlen(line))
        return TV_ERR_PROMPT;
    for (;;) {
        if ((rc = read_line(p, line, sizeof line)) < 0)
            break;
        if (strncmp(line, "OK", 2) == 0 && (line[2] == '\0' || line[2] == ' '))
            break;
        if (strncmp(line, "ERR ", 4) == 0) {
            rc = atoi(line + 4);
            rc = rc > 0 ? rc : 1;
            break;
        }
        if (strncmp(line, "D ", 2) == 0 && data != NULL) {
            tv_secret_unref(*data);
            *data = NULL;
            size_t o = 0;
            for (size_t i = 2; line[i]; i++, o++) {
                unsigned int v;
                if (line[i] == '%' && sscanf(line + i + 1, "%2x", &v) == 1) {
                    line[o] = (char)v;
                    i += 2;
                } else {
                    line[o] = line[i];
                }
            }
            *data = tv_secret_new(line, o);
        }
        /* S status lines, # comments and INQUIRE are not used by our dialogs. */
        if (strncmp(line, "INQUIRE", 7) == 0 && write(p->to, "END\n", 4) != 4)
            rc = TV_ERR_PROMPT;
    }
    tv_wipe(line, sizeof line);
    return rc;
}

static int send_setup(prompt_proc *p, const tv_dialog *d)
{
    char opt[300], timeout[16];
    const char *lc = getenv("LC_ALL");

    for (unsigned i = 0; i < d->n_options; i++)
        if (command(p, "OPTION", d->options[i], NULL) < 0)     /* ERR from a plain pinentry is fine */
            return TV_ERR_PROMPT;
    if (lc == NULL || *lc == '\0')
        lc = getenv("LANG");
    if (lc != NULL && *lc != '\0') {
        snprintf(opt, sizeof opt, "lc-ctype=%s", lc);
        (void)command(p, "OPTION", opt, NULL);
        snprintf(opt, sizeof opt, "lc-messages=%s", lc);
        (void)command(p, "OPTION", opt, NULL);
    }
    if (isatty(STDIN_FILENO) && ttyname_r(STDIN_FILENO, opt + 8, sizeof opt - 8) == 0) {
        memcpy(opt, "ttyname=", 8);              /* a terminal pinentry shows up there */
        (void)command(p, "OPTION", opt, NULL);
        if (getenv("TERM") != NULL) {
            snprintf(opt, sizeof opt, "ttytype=%s", getenv("TERM"));
            (void)command(p, "OPTION", opt, NULL);
        }
    }
    if (getenv("DISPLAY") != NULL) {
        snprintf(opt, sizeof opt, "display=%s", getenv("DISPLAY"));
        (void)command(p, "OPTION", opt, NULL);
    }
    snprintf(timeout, sizeof timeout, "%u", d->timeout);
    (void)command(p, "SETTIMEOUT", timeout, NULL);
    return 0;
}

static int send_texts(prompt_proc *p, const tv_dialog *d)
{
    const char *cmds[] = { "SETTITLE", "SETDESC", "SETPROMPT", "SETERROR", "SETOK", "SETCANCEL",
                           "SETNOTOK" };
    const char *vals[] = { d->title, d->desc, d->prompt, d->error, d->ok, d->cancel, d->notok };

    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (vals[i] != NULL && vals[i][0] != '\0' && command(p, cmds[i], vals[i], NULL) < 0)
            return TV_ERR_PROMPT;
    return 0;
}

static int map_result(int rc)
{
    if (rc == 0)
        return 0;
    if (rc == TV_ERR_TIMEOUT || rc == GPG_ERR_CANCELED || rc == GPG_ERR_TIMEOUT)
        return TV_ERR_CANCELLED;
    if (rc == GPG_ERR_NOT_CONFIRMED)
        return TV_PINENTRY_NOTOK;
    if (rc == GPG_ERR_NO_PIN_ENTRY)
        return TV_ERR_NO_DISPLAY;
    if (rc > 0)
        return TV_ERR_CANCELLED;       /* any other ERR: the dialog failed, nothing was entered */
    return TV_ERR_PROMPT;
}

int tv_pinentry_run(const char *program, const tv_dialog *d, tv_secret **value)
{
    prompt_proc p = { .pid = -1 };
    tv_secret *answer = NULL;
    char greeting[LINE_MAX_ASSUAN];
    int rc;

    clock_gettime(CLOCK_MONOTONIC, &p.deadline);
    p.deadline.tv_sec += d->timeout + 5;
    if (prompt_start(program, &p) < 0)
        return TV_ERR_PROMPT;
    rc = read_line(&p, greeting, sizeof greeting);
    if (rc == 0 && strncmp(greeting, "OK", 2) != 0)
        rc = TV_ERR_PROMPT;
    if (rc == 0)
        rc = send_setup(&p, d);
    if (rc == 0)
        rc = send_texts(&p, d);
    if (rc == 0)
        rc = command(&p, d->action == TV_DIALOG_GETPIN ? "GETPIN" : d->action == TV_DIALOG_CONFIRM
                     ? "CONFIRM" : "MESSAGE", NULL, d->action == TV_DIALOG_GETPIN ? &answer : NULL);
    if (rc == 0 && d->action == TV_DIALOG_GETPIN && answer == NULL)
        answer = tv_secret_new("", 0);
    (void)command(&p, "BYE", NULL, NULL);
    prompt_stop(&p);
    rc = map_result(rc);
    if (rc == TV_ERR_PROMPT)
        tv_error("the prompt program %s failed", program);
    if (rc == 0 && value != NULL)
        *value = answer;
    else
        tv_secret_unref(answer);
    return rc;
}
