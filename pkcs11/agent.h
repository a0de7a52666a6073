/* Connections to the agent (PROTOCOL.md).
 *
 * A connection is connected, uid-checked and greeted with HELLO before
 * first use.  The module keeps:
 *   - a pool of idle connections for LOGIN and SIGN, which run outside the
 *     module lock so that several threads sign in parallel, each on its own
 *     connection;
 *   - a control connection, used only under the module lock, for SNAPSHOT;
 *     between snapshots a WAIT_EVENT is left pending on it: when the agent's
 *     generation changes (or the agent goes away) it becomes readable, so
 *     "has anything changed?" costs one poll() and no round trip.
 * Every descriptor is close-on-exec and registered, so that a forked child
 * closes its copies in C_Initialize instead of using them. */
#ifndef TV_AGENT_H
#define TV_AGENT_H

#include "tv_buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TV_CONNECT_TIMEOUT_MS 250     /* connect (refused at once when no agent runs) */
#define TV_QUICK_TIMEOUT_MS 1000      /* HELLO, SNAPSHOT: answered from memory */
#define TV_HUMAN_TIMEOUT_MS 600000    /* LOGIN, SIGN: a person may be typing */
#define TV_POOL_IDLE_MAX 8

struct tv_conn {
    int fd;
    tv_buf buf;                       /* replies are read into it */
    struct tv_conn *next;
};

struct tv_agent {
    char path[108];                   /* socket path; empty when unknown */
    int path_err;
    struct tv_conn *idle;
    unsigned nidle;
    struct tv_conn *active;           /* in use outside the lock */
    struct tv_conn *ctl;
    bool ctl_waiting;                 /* a WAIT_EVENT is pending on ctl */
    bool suspect;                     /* a call failed on its connection: re-check at once */
    int64_t last_try_ms;              /* last failed attempt to reach the agent */
    int retry_ms;                     /* how long to wait before the next one */
    int64_t last_spawn_ms;
};

int64_t tv_now_ms(void);

/* Work out the socket path (lock held, at C_Initialize). */
void tv_agent_init(struct tv_agent *a);
/* Close every connection (lock held, or no other thread inside). */
void tv_agent_cleanup(struct tv_agent *a);
/* Shut down connections in use by other threads so their calls return. */
void tv_agent_abort_active(struct tv_agent *a);

/* Connect, check the peer and say HELLO.  TV_ERR_NO_AGENT when nothing
 * listens. */
int tv_conn_open(const char *path, int timeout_ms, struct tv_conn **out);
void tv_conn_close(struct tv_conn *c);
/* Readable with nothing asked: the agent closed it (or misbehaves). */
bool tv_conn_stale(const struct tv_conn *c);
/* One request/reply; an ERROR reply is returned as its code. */
int tv_conn_call(struct tv_conn *c, const tv_buf *request, int timeout_ms, tv_reader *body);

/* Errors after which a connection is in an unknown state (close it). */
bool tv_err_transport(int rc);

/* A pooled connection for a call made outside the lock (lock NOT held). */
int tv_agent_acquire(struct tv_conn **out);
/* Give it back; keep=false closes it after a connection error, and makes
 * the next refresh talk to the agent instead of trusting the watch (which
 * may not have seen the agent's death yet). Lock NOT held. */
void tv_agent_release(struct tv_conn *c, bool keep);

/* Descriptor registry for fork safety. */
void tv_fd_register(int fd);
void tv_fd_unregister(int fd);
/* In a forked child: close every registered descriptor (inherited copies). */
void tv_fd_close_inherited(void);

#endif
