/* The prompt protocol core: state set by the agent's commands, the command
 * dispatcher, and the replies.  It knows nothing of GTK or terminals: a
 * front end shows the dialogs (tv_prompt_frontend), so this file is unit-
 * tested without a display.  Contract: docs/PROMPT-PROTOCOL.md. */
#ifndef TV_PROMPT_H
#define TV_PROMPT_H

#include "assuan.h"

#include <stdbool.h>
#include <stddef.h>

/* Every string the agent can set.  Values are checked UTF-8, unescaped,
 * at most one line long; "" when unset. */
typedef enum {
    TV_F_TITLE, TV_F_DESC, TV_F_PROMPT, TV_F_ERROR, TV_F_OK, TV_F_CANCEL, TV_F_NOTOK,
    TV_F_LC_CTYPE, TV_F_LC_MESSAGES, TV_F_TTYNAME, TV_F_TTYTYPE, TV_F_DISPLAY,
    TV_F_DIALOG, TV_F_DNI, TV_F_PHONE, TV_F_CODE_LIFETIME, TV_F_POSITION, TV_F_ATTEMPTS,
    TV_F_PROGRAM, TV_F_PID, TV_F_CREDENTIAL, TV_F_HASH, TV_F_COUNT, TV_F_SECOND_FACTOR,
    TV_F_NOTICE, TV_F_DAYS,
    TV_F_COUNT_
} tv_prompt_field;

/* What a dialog asks for. */
typedef enum { TV_ASK_PIN, TV_ASK_CONFIRM, TV_ASK_MESSAGE } tv_prompt_ask;

/* How a dialog ended (a front end that could not show it returns < 0). */
typedef enum {
    TV_OUTCOME_OK,          /* OK / Sign / Enter (for GETPIN: the secret was sent) */
    TV_OUTCOME_CANCELLED,   /* Cancel, Escape, window closed */
    TV_OUTCOME_NOTOK,       /* the third button (SETNOTOK, "Resend code") */
    TV_OUTCOME_TIMEOUT,     /* SETTIMEOUT elapsed */
} tv_prompt_outcome;

typedef struct tv_prompt tv_prompt;

typedef struct tv_prompt_frontend {
    /* Shows one dialog.  For TV_ASK_PIN and TV_OUTCOME_OK the front end
     * calls tv_prompt_send_secret() straight from its secure buffer, then
     * wipes that buffer.  Returns 0, or a negative TV_ERR_* when it cannot
     * show a dialog at all (message for people in tv_prompt_set_failure). */
    int (*show)(void *ctx, tv_prompt *p, tv_prompt_ask ask, tv_prompt_outcome *outcome);
    /* "gtk", "tty", ... for GETINFO flavor (may change after the first show). */
    const char *(*flavor)(void *ctx);
    void *ctx;
} tv_prompt_frontend;

/* Where replies go: returns 0 or a negative TV_ERR_*. */
typedef int (*tv_prompt_write_fn)(void *ctx, const char *p, size_t n);

tv_prompt *tv_prompt_new(const tv_prompt_frontend *fe, tv_prompt_write_fn write, void *write_ctx);
void tv_prompt_free(tv_prompt *p);

/* The greeting line ("OK Pleased to meet you"). */
int tv_prompt_greet(tv_prompt *p);
/* One command line (as tv_line_fn: 0 = go on, 1 = BYE, < 0 = cannot write). */
int tv_prompt_handle_line(void *prompt, char *line, int err);

const char *tv_prompt_get(const tv_prompt *p, tv_prompt_field f);
bool tv_prompt_has(const tv_prompt *p, tv_prompt_field f);
/* Numeric option value, or def when unset. */
long tv_prompt_get_long(const tv_prompt *p, tv_prompt_field f, long def);
/* SETTIMEOUT seconds, 0 = none. */
unsigned tv_prompt_timeout(const tv_prompt *p);

/* Writes "D <escaped secret>" from secure scratch memory, wiped after. */
int tv_prompt_send_secret(tv_prompt *p, const char *secret, size_t len);
/* A front end that cannot show anything says why (shown in the ERR line). */
void tv_prompt_set_failure(tv_prompt *p, const char *text);

#endif
