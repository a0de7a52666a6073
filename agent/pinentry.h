/* The prompt program client: one process per dialog, speaking the pinentry
 * (Assuan) line protocol of docs/PROMPT-PROTOCOL.md.  Any pinentry can stand
 * in for tarjeta-prompt: the tarjeta-* options are sent first and an ERR
 * answer to them is ignored, and SETDESC/SETPROMPT always carry the whole
 * story. */
#ifndef TV_AGENT_PINENTRY_H
#define TV_AGENT_PINENTRY_H

#include "secret.h"

#define TV_DIALOG_OPTIONS 16
/* tv_pinentry_run() result when the third button ("Resend code") was pressed. */
#define TV_PINENTRY_NOTOK 1

typedef enum { TV_DIALOG_GETPIN, TV_DIALOG_CONFIRM, TV_DIALOG_MESSAGE } tv_dialog_action;

typedef struct tv_dialog {
    tv_dialog_action action;
    const char *title, *desc, *prompt, *error;
    const char *ok, *cancel, *notok;          /* button labels, NULL = default */
    char options[TV_DIALOG_OPTIONS][256];     /* "tarjeta-key=value" */
    unsigned n_options;
    unsigned timeout;                         /* seconds */
} tv_dialog;

void tv_dialog_init(tv_dialog *d, tv_dialog_action action, const char *kind, unsigned timeout);
void tv_dialog_option(tv_dialog *d, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Run one dialog with `program`.  GETPIN: *value receives the answer (secure
 * memory).  Returns 0, TV_PINENTRY_NOTOK, TV_ERR_CANCELLED (cancel, window
 * closed, timeout) or TV_ERR_PROMPT (the program could not run or broke the
 * protocol). */
int tv_pinentry_run(const char *program, const tv_dialog *d, tv_secret **value);

/* Ask every prompt this process is running to close (SIGTERM): their
 * dialogs end as failed.  For an agent that stops. */
void tv_pinentry_close_all(void);

/* Percent-escape for an Assuan line (%, CR, LF); 0 or TV_ERR_TOO_LARGE. */
int tv_assuan_escape(const char *in, char *out, size_t out_size);

#endif
