#include "prompt.h"

#include "prompt_options.h"
#include "tv_err.h"
#include "tv_secmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TIMEOUT_MAX 86400u
/* "D " + escaped bytes + LF within one Assuan line; never split a %XX. */
#define DATA_LINE_ROOM (TV_ASSUAN_LINE_MAX - 4)

struct tv_prompt {
    tv_prompt_frontend fe;
    tv_prompt_write_fn write;
    void *write_ctx;
    unsigned timeout;
    bool write_failed;
    const char *reply_text;              /* text of the next ERR line */
    char failure[256];                   /* why the front end could not show a dialog */
    char fields[TV_F_COUNT_][TV_ASSUAN_LINE_MAX];
};

typedef unsigned long (*command_fn)(tv_prompt *p, char *args);

tv_prompt *tv_prompt_new(const tv_prompt_frontend *fe, tv_prompt_write_fn write, void *write_ctx)
{
    tv_prompt *p = calloc(1, sizeof *p);

    if (p == NULL)
        return NULL;
    p->fe = *fe;
    p->write = write;
    p->write_ctx = write_ctx;
    return p;
}

void tv_prompt_free(tv_prompt *p)
{
    free(p);
}

const char *tv_prompt_get(const tv_prompt *p, tv_prompt_field f)
{
    return (unsigned)f < TV_F_COUNT_ ? p->fields[f] : "";
}

bool tv_prompt_has(const tv_prompt *p, tv_prompt_field f)
{
    return tv_prompt_get(p, f)[0] != '\0';
}

long tv_prompt_get_long(const tv_prompt *p, tv_prompt_field f, long def)
{
    const char *s = tv_prompt_get(p, f);

    return s[0] != '\0' ? strtol(s, NULL, 10) : def;   /* checked digits on entry */
}

unsigned tv_prompt_timeout(const tv_prompt *p)
{
    return p->timeout;
}

void tv_prompt_set_failure(tv_prompt *p, const char *text)
{
    snprintf(p->failure, sizeof p->failure, "%s", text);
}

void tv_prompt_set_field(tv_prompt *p, tv_prompt_field f, const char *value)
{
    if ((unsigned)f < TV_F_COUNT_)
        snprintf(p->fields[f], sizeof p->fields[f], "%s", value);
}

static int emit(tv_prompt *p, const char *s, size_t n)
{
    if (p->write_failed)
        return TV_ERR_IO;
    if (p->write(p->write_ctx, s, n) < 0) {
        p->write_failed = true;
        return TV_ERR_IO;
    }
    return 0;
}

static int emit_line(tv_prompt *p, const char *text)
{
    char line[TV_ASSUAN_LINE_MAX + 1];
    int n = snprintf(line, sizeof line, "%s\n", text);

    if (n < 0 || n >= (int)sizeof line) {       /* cut, keeping the LF */
        n = (int)sizeof line - 1;
        line[n - 1] = '\n';
    }
    return emit(p, line, (size_t)n);
}

static int emit_err(tv_prompt *p, unsigned long code, const char *text)
{
    char line[TV_ASSUAN_LINE_MAX];
    char safe[TV_ASSUAN_LINE_MAX - 40];

    /* ERR text is free text on one line: escape anything the agent's reader
     * could take for a line end. */
    if (tv_assuan_escape(text, strlen(text), safe, sizeof safe) < 0)
        snprintf(safe, sizeof safe, "error");
    snprintf(line, sizeof line, "ERR %lu %s <Pinentry>", code, safe);
    return emit_line(p, line);
}

int tv_prompt_greet(tv_prompt *p)
{
    char line[64];

    snprintf(line, sizeof line, "OK Pleased to meet you, process %ld", (long)getpid());
    return emit_line(p, line);
}

/* The escaped secret is built in secure memory, one data line at a time. */
int tv_prompt_send_secret(tv_prompt *p, const char *secret, size_t len)
{
    char *line = tv_secure_alloc(TV_ASSUAN_LINE_MAX + 1);
    size_t i = 0;
    int rc = 0;

    if (line == NULL)
        return TV_ERR_NOMEM;
    while (i < len && rc == 0) {
        size_t o = 2;
        memcpy(line, "D ", 2);
        while (i < len && o + 3 < DATA_LINE_ROOM) {
            int w = tv_assuan_escape(secret + i, 1, line + o, TV_ASSUAN_LINE_MAX + 1 - o);
            o += (size_t)w;                    /* one byte always fits: w is 1 or 3 */
            i++;
        }
        line[o++] = '\n';
        rc = emit(p, line, o);
    }
    tv_secure_free(line);                      /* wipes */
    return rc;
}

/* ---- commands ---------------------------------------------------------- */

static unsigned long set_text_field(tv_prompt *p, tv_prompt_field f, char *args)
{
    if (tv_assuan_unescape(args) < 0) {
        p->reply_text = "Invalid percent escape";
        return TV_ASSUAN_SYNTAX;
    }
    if (!tv_text_is_printable_utf8(args)) {
        p->reply_text = "Text must be UTF-8 without control characters";
        return TV_ASSUAN_PARAMETER;
    }
    tv_prompt_set_field(p, f, args);
    return 0;
}

#define SETTER(fn, field) \
    static unsigned long fn(tv_prompt *p, char *args) { return set_text_field(p, field, args); }
SETTER(cmd_settitle, TV_F_TITLE)
SETTER(cmd_setdesc, TV_F_DESC)
SETTER(cmd_setprompt, TV_F_PROMPT)
SETTER(cmd_seterror, TV_F_ERROR)
SETTER(cmd_setok, TV_F_OK)
SETTER(cmd_setcancel, TV_F_CANCEL)
SETTER(cmd_setnotok, TV_F_NOTOK)
#undef SETTER

static unsigned long cmd_settimeout(tv_prompt *p, char *args)
{
    char *end = NULL;
    unsigned long v;

    if (args[0] < '0' || args[0] > '9') {
        p->reply_text = "SETTIMEOUT needs a number of seconds";
        return TV_ASSUAN_PARAMETER;
    }
    v = strtoul(args, &end, 10);
    if (*end != '\0') {
        p->reply_text = "SETTIMEOUT needs a number of seconds";
        return TV_ASSUAN_PARAMETER;
    }
    p->timeout = v > TIMEOUT_MAX ? TIMEOUT_MAX : (unsigned)v;
    return 0;
}

static unsigned long cmd_option(tv_prompt *p, char *args)
{
    return tv_prompt_option(p, args, &p->reply_text);
}

static unsigned long cmd_ignored(tv_prompt *p, char *args)
{
    return 0;
}

static unsigned long cmd_nop(tv_prompt *p, char *args)
{
    return 0;
}

static unsigned long cmd_reset(tv_prompt *p, char *args)
{
    for (int f = TV_F_TITLE; f <= TV_F_NOTOK; f++)
        p->fields[f][0] = '\0';
    p->timeout = 0;
    return 0;
}

static unsigned long outcome_code(tv_prompt *p, tv_prompt_outcome outcome, tv_prompt_ask ask)
{
    switch (outcome) {
    case TV_OUTCOME_OK:
        return 0;
    case TV_OUTCOME_NOTOK:
        if (ask != TV_ASK_MESSAGE) {
            p->reply_text = "Not confirmed";
            return TV_ASSUAN_NOT_CONFIRMED;
        }
        return 0;
    case TV_OUTCOME_TIMEOUT:
        p->reply_text = "Timeout";
        return TV_ASSUAN_TIMEOUT;
    case TV_OUTCOME_CANCELLED:
    default:
        p->reply_text = "Operation cancelled";
        return TV_ASSUAN_CANCELLED;
    }
}

static unsigned long run_dialog(tv_prompt *p, tv_prompt_ask ask)
{
    tv_prompt_outcome outcome = TV_OUTCOME_CANCELLED;
    int rc;

    p->failure[0] = '\0';
    rc = p->fe.show(p->fe.ctx, p, ask, &outcome);
    p->fields[TV_F_ERROR][0] = '\0';          /* an error line is shown once */
    if (p->write_failed)
        return TV_ASSUAN_GENERAL;
    if (rc < 0) {
        p->reply_text = p->failure[0] ? p->failure : "Cannot show the dialog";
        return TV_ASSUAN_NO_PIN_ENTRY;
    }
    return outcome_code(p, outcome, ask);
}

static unsigned long cmd_getpin(tv_prompt *p, char *args)
{
    return run_dialog(p, TV_ASK_PIN);
}

static unsigned long cmd_confirm(tv_prompt *p, char *args)
{
    if (strcmp(args, "--one-button") == 0)
        return run_dialog(p, TV_ASK_MESSAGE);
    if (args[0] != '\0') {
        p->reply_text = "CONFIRM takes no argument but --one-button";
        return TV_ASSUAN_PARAMETER;
    }
    return run_dialog(p, TV_ASK_CONFIRM);
}

static unsigned long cmd_message(tv_prompt *p, char *args)
{
    return run_dialog(p, TV_ASK_MESSAGE);
}

static unsigned long send_data(tv_prompt *p, const char *value)
{
    char esc[TV_ASSUAN_LINE_MAX - 4];
    char line[TV_ASSUAN_LINE_MAX];

    if (tv_assuan_escape(value, strlen(value), esc, sizeof esc) < 0)
        return TV_ASSUAN_GENERAL;
    snprintf(line, sizeof line, "D %s", esc);
    (void)emit_line(p, line);
    return 0;
}

static unsigned long cmd_getinfo(tv_prompt *p, char *args)
{
    char value[TV_ASSUAN_LINE_MAX];

    if (strcmp(args, "version") == 0)
        return send_data(p, TV_VERSION);
    if (strcmp(args, "pid") == 0) {
        snprintf(value, sizeof value, "%ld", (long)getpid());
        return send_data(p, value);
    }
    if (strcmp(args, "flavor") == 0)
        return send_data(p, p->fe.flavor ? p->fe.flavor(p->fe.ctx) : "tarjeta");
    if (strcmp(args, "ttyinfo") == 0) {
        snprintf(value, sizeof value, "%.300s %.300s %.300s",
                 tv_prompt_has(p, TV_F_TTYNAME) ? p->fields[TV_F_TTYNAME] : "-",
                 tv_prompt_has(p, TV_F_TTYTYPE) ? p->fields[TV_F_TTYTYPE] : "-",
                 tv_prompt_has(p, TV_F_DISPLAY) ? p->fields[TV_F_DISPLAY] : "-");
        return send_data(p, value);
    }
    p->reply_text = "GETINFO knows version, pid, flavor and ttyinfo";
    return TV_ASSUAN_PARAMETER;
}

static const struct {
    const char *name;
    command_fn fn;
} commands[] = {
    { "OPTION", cmd_option },         { "SETTITLE", cmd_settitle },
    { "SETDESC", cmd_setdesc },       { "SETPROMPT", cmd_setprompt },
    { "SETERROR", cmd_seterror },     { "SETOK", cmd_setok },
    { "SETCANCEL", cmd_setcancel },   { "SETNOTOK", cmd_setnotok },
    { "SETTIMEOUT", cmd_settimeout }, { "GETPIN", cmd_getpin },
    { "CONFIRM", cmd_confirm },       { "MESSAGE", cmd_message },
    { "GETINFO", cmd_getinfo },       { "RESET", cmd_reset },
    { "NOP", cmd_nop },
    /* standard pinentry settings this helper accepts and does not use */
    { "SETKEYINFO", cmd_ignored },    { "SETQUALITYBAR", cmd_ignored },
    { "SETQUALITYBAR_TT", cmd_ignored }, { "SETGENPIN", cmd_ignored },
    { "SETGENPIN_TT", cmd_ignored },  { "CLEARPASSPHRASE", cmd_ignored },
};

static command_fn find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return commands[i].fn;
    return NULL;
}

static int reply(tv_prompt *p, unsigned long code)
{
    if (code == 0)
        return emit_line(p, "OK");
    return emit_err(p, code, p->reply_text ? p->reply_text : "Error");
}

static int handle_bad_line(tv_prompt *p, int err)
{
    if (err == TV_ERR_TOO_LARGE)
        return emit_err(p, TV_ASSUAN_LINE_TOO_LONG, "Line too long");
    return emit_err(p, TV_ASSUAN_SYNTAX, "Invalid line (NUL byte)");
}

int tv_prompt_handle_line(void *prompt, char *line, int err)
{
    tv_prompt *p = prompt;
    char *cmd, *args;
    command_fn fn;

    p->reply_text = NULL;
    if (line == NULL)
        return handle_bad_line(p, err) < 0 ? TV_ERR_IO : 0;
    tv_assuan_split(line, &cmd, &args);
    if (cmd[0] == '#')                        /* Assuan comment: no reply */
        return 0;
    if (cmd[0] == '\0') {
        p->reply_text = "Empty line";
        return reply(p, TV_ASSUAN_SYNTAX) < 0 ? TV_ERR_IO : 0;
    }
    if (strcmp(cmd, "BYE") == 0)
        return emit_line(p, "OK closing connection") < 0 ? TV_ERR_IO : 1;
    fn = find_command(cmd);
    if (fn == NULL) {
        p->reply_text = "Unknown IPC command";
        return reply(p, TV_ASSUAN_UNKNOWN_CMD) < 0 ? TV_ERR_IO : 0;
    }
    return reply(p, fn(p, args)) < 0 || p->write_failed ? TV_ERR_IO : 0;
}
