/* The module's state and the rules every entry point follows.
 *
 * One lock (lock.h) protects everything below.  Calls that wait for the
 * agent (C_Login, C_Sign*, C_WaitForSlotEvent) do the waiting without it and
 * count themselves in `busy`, so that C_Finalize can make them return and
 * wait for them before freeing anything.
 *
 * Fork: a pthread_atfork child handler bumps tv_fork_epoch; a state
 * initialised in another epoch is not initialised for this process, so
 * every call in a child returns CKR_CRYPTOKI_NOT_INITIALIZED until the
 * child calls C_Initialize, which drops the parent's state without using
 * its connections. */
#ifndef TV_MODULE_H
#define TV_MODULE_H

#include "agent.h"
#include "config.h"
#include "login.h"
#include "object.h"
#include "tv_pkcs11.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define TV_SLOT_ID 0UL

struct tv_session;

struct tv_module {
    bool initialized;
    unsigned fork_epoch;
    pid_t pid;
    struct tv_modcfg cfg;
    bool protected_path;           /* CKF_PROTECTED_AUTHENTICATION_PATH, decided at init */

    /* the token, as the last snapshot showed it (token.c) */
    struct tv_token *token;        /* NULL: no token in the slot */
    uint64_t generation;
    uint32_t agent_flags;
    bool agent_up;
    uint32_t instance;             /* changes when the token goes or is replaced */
    bool event_pending;            /* for C_WaitForSlotEvent */

    /* PKCS#11 login state of this application: with TV_SNAP_SESSION_ACTIVE
     * in agent_flags, it gives the session states (login.h) */
    struct tv_login login;

    /* sessions (session.c) */
    struct tv_session **sessions;
    size_t session_cap;
    size_t session_count;
    size_t rw_count;
    uint32_t session_seq;

    struct tv_agent agent;

    unsigned busy;                 /* calls waiting outside the lock */
    bool finalizing;
    struct tv_waiter *waiters;     /* blocked C_WaitForSlotEvent calls (event.c) */
};

extern struct tv_module tv_mod;
extern struct tv_module tv_inherited;
extern volatile unsigned tv_fork_epoch;

/* Initialised in this process: take the lock and return CKR_OK, else
 * CKR_CRYPTOKI_NOT_INITIALIZED (lock not taken). */
CK_RV tv_enter(void);
void tv_leave(void);

/* Around a wait outside the lock: tv_busy_begin() with the lock held, then
 * tv_leave(); afterwards tv_busy_end() takes the lock again (always) and
 * returns CKR_CRYPTOKI_NOT_INITIALIZED if C_Finalize is waiting: the caller
 * then only releases what it holds and leaves. */
void tv_busy_begin(void);
CK_RV tv_busy_end(void);

#endif
