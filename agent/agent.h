/* The agent's state: configuration, credentials, the session, and the locks
 * that let many connections work at once.
 *
 * Locking: `lock` guards every field below it for short reads and swaps (never
 * held across network or dialog waits).  `dialog_lock` serializes everything
 * that may show a dialog (login, signature confirmation, notices), so one
 * dialog is on screen at a time while signatures that need none go on in
 * parallel.  `extend_lock` lets one thread at a time renew the SAD. */
#ifndef TV_AGENT_AGENT_H
#define TV_AGENT_AGENT_H

#include "agent_config.h"
#include "creds.h"
#include "agent_http.h"
#include "outcome.h"
#include "secret.h"
#include "tv_buf.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

typedef struct tv_session {
    bool active;
    tv_secret *token;             /* bearer token */
    tv_secret *password;          /* for signature-credential authorizations */
    tv_secret *sad;               /* authentication credential SAD */
    uint32_t sad_total;           /* signatures one SAD covers */
    uint32_t sad_left;            /* not yet reserved */
    uint32_t inflight;            /* signHash requests under way with this SAD */
    time_t sad_expires;
    time_t expires;               /* end of the session (lifetime or token) */
    uint64_t serial;              /* changes with every login / new SAD */
} tv_session;

typedef struct tv_agent {
    pthread_mutex_t lock;
    pthread_cond_t changed;       /* generation moved, or housekeeping wakes */
    uint64_t generation;
    tv_config cfg;
    char config_error[600];       /* why the configuration is unusable, or "" */
    tv_http *http;                /* NULL when not configured */
    tv_creds *creds;              /* NULL before the first list */
    tv_session session;
    char notice[512];             /* e.g. renewal due, for STATUS */
    time_t next_refresh;
    bool stopping;

    pthread_cond_t inflight_done;  /* the SAD's last in-flight signature finished */
    pthread_mutex_t dialog_lock;
    pthread_mutex_t extend_lock;
    uint64_t signatures;          /* statistics (atomic) */
    uint64_t prompts;
    int active_connections;
} tv_agent;

/* The requesting program, for dialogs. */
typedef struct tv_client {
    pid_t pid;                    /* from SO_PEERCRED */
    char program[64];             /* from /proc/<pid>/comm, else HELLO */
    bool is_cli;                  /* the tarjeta CLI (no notice dialogs) */
} tv_client;

int tv_agent_init(tv_agent *a);
void tv_agent_destroy(tv_agent *a);
/* (Re)read the configuration; bumps the generation.  A bad configuration
 * leaves the agent running with config_error set. */
int tv_agent_reload(tv_agent *a);
void tv_agent_bump_locked(tv_agent *a);
/* References to the current HTTP pool / credentials (may be NULL). */
tv_http *tv_agent_http(tv_agent *a);
tv_creds *tv_agent_creds(tv_agent *a);
void tv_agent_set_creds(tv_agent *a, tv_creds *c);      /* takes the reference */

/* Session (session.c) */
bool tv_session_valid_locked(const tv_agent *a, time_t now);
void tv_session_end_locked(tv_agent *a, const char *why);
void tv_session_end(tv_agent *a, const char *why);
/* Wipe an expired session; the time of the next deadline to wake for. */
time_t tv_session_housekeep(tv_agent *a, time_t now);

/* Login (login.c): make sure a session exists, prompting as needed.
 * pin: the application's password or NULL.  *was_active: no dialog needed. */
int tv_login(tv_agent *a, const tv_client *cl, const tv_secret *pin, bool *was_active, tv_outcome *o);
/* The same, for a caller that already holds dialog_lock. */
int tv_login_locked(tv_agent *a, const tv_client *cl, const tv_secret *pin, bool *was_active,
                    tv_outcome *o);
/* Fetch the credential list with a valid token and install it. */
int tv_refresh_credentials(tv_agent *a, const tv_secret *token, tv_outcome *o);
/* Show a notice dialog (blocked, expired, ...) unless the client is the CLI. */
void tv_notice_for(tv_agent *a, const tv_client *cl, const tv_outcome *o);

/* Signing (sign.c) */
typedef struct tv_sign_request {
    const uint8_t *ckaid;
    size_t ckaid_len;
    uint32_t mechanism, pss_hash, pss_mgf, pss_salt, input_kind;
    const uint8_t *input;
    size_t input_len;
} tv_sign_request;

int tv_sign(tv_agent *a, const tv_client *cl, const tv_sign_request *req, uint8_t *sig, size_t *sig_len,
            tv_outcome *o);

/* Dialog helpers (dialogs.c) */
int tv_dialog_password(tv_agent *a, const char *error, int attempts, tv_secret **pw);
/* position "" = SMS.  TV_PINENTRY_NOTOK = resend asked. */
int tv_dialog_second_factor(tv_agent *a, const tv_cred *cr, const char *position, const char *error,
                            int attempts, tv_secret **otp);
int tv_dialog_confirm_signature(tv_agent *a, const tv_client *cl, const tv_cred *cr, const char *position,
                                const uint8_t *hash, size_t hash_len, const char *error, tv_secret **otp);
void tv_dialog_notice(tv_agent *a, const char *kind, const char *title, const char *text, int days);
/* A dialog that gave no answer (rc from the helpers above), as the outcome
 * of the operation `what` ("Login"): no display, a broken prompt program,
 * anything else is a cancellation.  Returns the error set. */
int tv_dialog_failed(tv_outcome *o, int rc, const char *what);

#endif
