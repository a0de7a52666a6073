/* One client connection's protocol state, and the dispatcher: a whole frame
 * in, a whole reply frame out.  Used by the connection threads and, without a
 * socket, by the fuzz target. */
#ifndef TV_AGENT_DISPATCH_H
#define TV_AGENT_DISPATCH_H

#include "agent.h"
#include "tv_buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tv_conn {
    tv_agent *agent;
    int fd;                       /* -1 without a socket (fuzzing) */
    bool hello_done;
    tv_client client;
} tv_conn;

void tv_conn_init(tv_conn *c, tv_agent *a, int fd, pid_t peer_pid);
/* Handle one complete frame; the reply (or ERROR) frame goes to reply.
 * Returns 0 to go on, or a negative TV_ERR_* when the connection must close
 * after the reply is sent. */
int tv_dispatch_frame(tv_conn *c, const uint8_t *frame, size_t len, tv_buf *reply);

/* CLI management requests (account.c): ACCOUNT request body -> reply. */
int tv_account_request(tv_agent *a, const tv_client *cl, tv_reader *body, tv_buf *reply, tv_outcome *o);

#endif
