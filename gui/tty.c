#include "tty.h"

#include "dialog_text.h"
#include "i18n.h"
#include "tv_err.h"
#include "tv_secmem.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define KEY_CTRL_C 0x03
#define KEY_CTRL_D 0x04
#define KEY_BACKSPACE 0x08
#define KEY_CTRL_R 0x12
#define KEY_CTRL_U 0x15
#define KEY_ESC 0x1b
#define KEY_DEL 0x7f
#define ESC_SEQUENCE_MS 40

/* The terminal to restore if a signal ends us in raw mode. */
static int raw_fd = -1;
static struct termios raw_saved;

typedef struct tty_session {
    int fd;
    bool raw;
    struct termios saved;
    struct timespec deadline;   /* tv_sec 0 = none */
} tty_session;

typedef enum { READ_KEY, READ_TIMEOUT, READ_FAILED } read_status;

static void put(const tty_session *s, const char *text)
{
    (void)tv_write_all(s->fd, text, strlen(text));
}

static void put_line(const tty_session *s, const char *prefix, const char *text)
{
    if (text[0] == '\0')
        return;
    put(s, prefix);
    put(s, text);
    put(s, "\r\n");
}

static void restore_on_signal(int sig)
{
    if (raw_fd >= 0)
        (void)tcsetattr(raw_fd, TCSAFLUSH, &raw_saved);
    signal(sig, SIG_DFL);
    raise(sig);
}

static int enter_raw(tty_session *s)
{
    struct termios raw;

    if (tcgetattr(s->fd, &s->saved) != 0)
        return TV_ERR_IO;
    raw = s->saved;
    raw.c_lflag &= ~(tcflag_t)(ECHO | ICANON | ISIG | IEXTEN);
    raw.c_iflag &= ~(tcflag_t)(ICRNL | IXON);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    raw_saved = s->saved;
    raw_fd = s->fd;
    signal(SIGTERM, restore_on_signal);
    signal(SIGHUP, restore_on_signal);
    signal(SIGINT, restore_on_signal);
    if (tcsetattr(s->fd, TCSAFLUSH, &raw) != 0)
        return TV_ERR_IO;
    s->raw = true;
    return 0;
}

static void leave_raw(tty_session *s)
{
    if (s->raw)
        (void)tcsetattr(s->fd, TCSAFLUSH, &s->saved);
    s->raw = false;
    raw_fd = -1;
}

static int remaining_ms(const tty_session *s)
{
    struct timespec now;
    long long ms;

    if (s->deadline.tv_sec == 0)
        return -1;
    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = (long long)(s->deadline.tv_sec - now.tv_sec) * 1000 +
         (s->deadline.tv_nsec - now.tv_nsec) / 1000000;
    return ms < 0 ? 0 : (int)(ms > 86400000 ? 86400000 : ms);
}

static read_status read_key(const tty_session *s, int timeout_ms, unsigned char *key)
{
    struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
    int n;

    for (;;) {
        n = poll(&pfd, 1, timeout_ms);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            return READ_TIMEOUT;
        if (n < 0 || read(s->fd, key, 1) != 1)
            return READ_FAILED;
        return READ_KEY;
    }
}

/* Escape alone cancels; an escape sequence (arrow keys...) is skipped. */
static bool lone_escape(const tty_session *s)
{
    unsigned char c;
    bool lone = true;

    while (read_key(s, ESC_SEQUENCE_MS, &c) == READ_KEY)
        lone = false;
    return lone;
}

/* Reads one key; TIMEOUT/FAILED/cancel keys are mapped to an outcome. */
static bool next_key(const tty_session *s, const tv_dialog_text *t, unsigned char *c,
                     tv_prompt_outcome *outcome)
{
    read_status st = read_key(s, remaining_ms(s), c);

    if (st == READ_TIMEOUT) {
        *outcome = TV_OUTCOME_TIMEOUT;
        return false;
    }
    if (st == READ_FAILED || *c == KEY_CTRL_C || *c == KEY_CTRL_D ||
        (*c == KEY_ESC && lone_escape(s))) {
        *outcome = TV_OUTCOME_CANCELLED;
        return false;
    }
    if (*c == KEY_CTRL_R && t->notok[0] != '\0') {
        *outcome = TV_OUTCOME_NOTOK;
        return false;
    }
    return true;
}

typedef struct secret_line {
    char *buf;          /* secure memory */
    size_t len, cap;
    unsigned chars;
} secret_line;

static void secret_backspace(const tty_session *s, secret_line *l)
{
    if (l->len == 0)
        return;
    while (l->len > 0 && ((unsigned char)l->buf[--l->len] & 0xc0) == 0x80)
        l->buf[l->len] = '\0';
    l->buf[l->len] = '\0';
    l->chars--;
    put(s, "\b \b");
}

static void secret_add(const tty_session *s, const tv_dialog_text *t, secret_line *l,
                       unsigned char c)
{
    bool continuation = (c & 0xc0) == 0x80;

    if (t->entry == TV_ENTRY_DIGITS && (c < '0' || c > '9'))
        return;
    if (c < 0x20 || (!continuation && l->chars >= t->entry_max) || l->len + 1 >= l->cap)
        return;
    l->buf[l->len++] = (char)c;
    if (!continuation) {
        l->chars++;
        put(s, "*");
    }
}

static bool secret_complete(const tv_dialog_text *t, const secret_line *l)
{
    return l->chars >= t->entry_min && l->chars <= t->entry_max;
}

static void read_secret(const tty_session *s, const tv_dialog_text *t, secret_line *l,
                        tv_prompt_outcome *outcome)
{
    unsigned char c;

    while (next_key(s, t, &c, outcome)) {
        if (c == '\r' || c == '\n') {
            if (secret_complete(t, l)) {
                *outcome = TV_OUTCOME_OK;
                break;
            }
            put(s, "\a");
        } else if (c == KEY_DEL || c == KEY_BACKSPACE) {
            secret_backspace(s, l);
        } else if (c == KEY_CTRL_U) {
            while (l->len > 0)
                secret_backspace(s, l);
        } else {
            secret_add(s, t, l, c);
        }
    }
    tv_wipe(&c, sizeof c);                       /* the last key typed */
}

static int ask_secret(tv_prompt *p, const tty_session *s, const tv_dialog_text *t,
                      tv_prompt_outcome *outcome)
{
    char label[256];
    secret_line l = { .cap = (size_t)t->entry_max * 4 + 1 };
    int rc = 0;

    l.buf = tv_secure_alloc(l.cap);
    if (l.buf == NULL)
        return TV_ERR_NOMEM;
    tv_strip_mnemonic(t->prompt, label, sizeof label);
    put(s, label);
    if (t->placeholder[0] != '\0') {
        put(s, " (");
        put(s, t->placeholder);
        put(s, ")");
    }
    put(s, ": ");
    read_secret(s, t, &l, outcome);
    put(s, "\r\n");
    if (*outcome == TV_OUTCOME_OK)
        rc = tv_prompt_send_secret(p, l.buf, l.len);
    tv_secure_free(l.buf);                       /* wipes */
    return rc;
}

static void ask_button(const tty_session *s, const tv_dialog_text *t, tv_prompt_outcome *outcome)
{
    unsigned char c;

    while (next_key(s, t, &c, outcome)) {
        if (c == '\r' || c == '\n') {
            *outcome = TV_OUTCOME_OK;
            return;
        }
    }
}

static void show_keys(const tty_session *s, const tv_dialog_text *t)
{
    char ok[128], cancel[128], notok[128], line[512];

    tv_strip_mnemonic(t->ok, ok, sizeof ok);
    tv_strip_mnemonic(t->cancel, cancel, sizeof cancel);
    tv_strip_mnemonic(t->notok, notok, sizeof notok);
    snprintf(line, sizeof line, _("[Enter] %s"), ok);
    put(s, line);
    if (t->cancel[0] != '\0') {
        snprintf(line, sizeof line, _("   [Esc] %s"), cancel);
        put(s, line);
    }
    if (t->notok[0] != '\0') {
        snprintf(line, sizeof line, _("   [Ctrl-R] %s"), notok);
        put(s, line);
    }
    put(s, "\r\n");
}

/* Writes text, turning each LF into CR LF (the terminal is in raw mode). */
static void put_text(const tty_session *s, const char *prefix, const char *text)
{
    char line[TV_TEXT_MAX];
    const char *nl;

    while (text[0] != '\0') {
        nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);
        snprintf(line, sizeof line, "%.*s", (int)n, text);
        put_line(s, prefix, line);
        text += nl ? n + 1 : n;
    }
}

static void show_texts(const tty_session *s, const tv_dialog_text *t)
{
    char line[TV_TEXT_MAX + 160];

    put(s, "\r\n");
    put_line(s, "== ", t->window_title);
    put_line(s, "", t->heading);
    for (int i = 0; i < t->n_rows; i++) {
        snprintf(line, sizeof line, "%s: ", t->rows[i].caption);
        put_text(s, line, t->rows[i].value);
    }
    put_text(s, "", t->description);
    put_line(s, ">> ", t->big);
    if (t->code_lifetime > 0) {
        tv_dialog_time_left(t->code_lifetime, line, sizeof line);
        put_line(s, "", line);
    }
    put_text(s, "!! ", t->error);
    put_text(s, "! ", t->warning);
    put_text(s, "", t->hint);
    put_line(s, "    ", t->command);
    show_keys(s, t);
}

static int open_terminal(tv_prompt *p, tty_session *s)
{
    const char *name = tv_prompt_has(p, TV_F_TTYNAME) ? tv_prompt_get(p, TV_F_TTYNAME) : "/dev/tty";

    s->fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s->fd < 0 || !isatty(s->fd) || enter_raw(s) < 0) {
        if (s->fd >= 0)
            close(s->fd);
        s->fd = -1;
        tv_prompt_set_failure(p, "No display (DISPLAY or WAYLAND_DISPLAY) and no terminal "
                                 "(OPTION ttyname) to show the dialog");
        return TV_ERR_PROMPT;
    }
    return 0;
}

int tv_tty_show(tv_prompt *p, tv_prompt_ask ask, tv_prompt_outcome *outcome)
{
    tty_session s = { .fd = -1 };
    tv_dialog_text *t = calloc(1, sizeof *t);
    int rc;

    if (t == NULL)
        return TV_ERR_NOMEM;
    rc = open_terminal(p, &s);
    if (rc < 0)
        goto free_text;
    tv_dialog_text_build(p, ask, t);
    if (tv_prompt_timeout(p) > 0) {
        clock_gettime(CLOCK_MONOTONIC, &s.deadline);
        s.deadline.tv_sec += tv_prompt_timeout(p);
    }
    show_texts(&s, t);
    if (t->entry != TV_ENTRY_NONE)
        rc = ask_secret(p, &s, t, outcome);
    else
        ask_button(&s, t, outcome);
    leave_raw(&s);
    close(s.fd);
free_text:
    free(t);
    return rc;
}
