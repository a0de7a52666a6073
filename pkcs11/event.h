/* C_WaitForSlotEvent.  Events: the token appears or disappears, and the
 * agent's state changes (login, logout, new certificates).
 *
 * CKF_DONT_BLOCK answers from the cheap refresh.  The blocking form waits
 * on its own agent connection with WAIT_EVENT (or retries the agent every
 * half second while it is down) and on an eventfd that C_Finalize signals:
 * a blocked wait then returns CKR_CRYPTOKI_NOT_INITIALIZED, as the standard
 * asks.  No thread is created. */
#ifndef TV_EVENT_H
#define TV_EVENT_H

#include "tv_pkcs11.h"

struct tv_waiter {
    int wake_fd;                  /* eventfd written by C_Finalize */
    struct tv_waiter *next;
};

CK_RV tv_wait_for_slot_event(CK_FLAGS flags, CK_SLOT_ID_PTR slot, CK_VOID_PTR reserved);
/* Lock held: wake every blocked wait (C_Finalize). */
void tv_event_wake_all(void);

#define TV_WAIT_RETRY_MS 500
#define TV_WAIT_EVENT_MS 60000u

#endif
