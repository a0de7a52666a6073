/* The token as the agent describes it: fetching snapshots, noticing changes
 * without a round trip, and the token appearing and disappearing.
 * All functions run with the module lock held. */
#ifndef TV_TOKEN_H
#define TV_TOKEN_H

#include <stdbool.h>

/* Cheap: one poll() on the pending WAIT_EVENT when the agent is up; when it is
 * down, at most one connection attempt every TV_RETRY_MS (TV_HUNG_RETRY_MS
 * after an agent that accepted but did not answer in time) (and an autostart
 * at most every TV_RESPAWN_MS). */
void tv_token_refresh(void);
/* Talk to the agent now (a WAIT_EVENT reply said the generation moved). */
void tv_token_sync(void);
/* At C_Initialize: connect, starting the agent (and waiting a little for
 * it) when nothing listens and autostart is on. */
void tv_token_connect(void);
/* The token went away (agent gone, identity removed or replaced): close the
 * sessions, forget the login, free the objects. */
void tv_token_drop(void);

#define TV_RETRY_MS 100
#define TV_HUNG_RETRY_MS 15000
#define TV_RESPAWN_MS 10000
#define TV_AUTOSTART_WAIT_MS 1500
#define TV_WATCH_TIMEOUT_MS 3600000u

#endif
