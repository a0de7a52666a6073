#include "token.h"

#include "login.h"
#include "module.h"
#include "session.h"
#include "snapshot.h"
#include "spawn.h"
#include "tv_err.h"
#include "tv_io.h"
#include "tv_log.h"
#include "tv_proto.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <time.h>

static int snapshot_call(struct tv_conn *c, struct tv_snapshot **out)
{
    tv_buf req;
    tv_reader body;
    int rc;

    tv_buf_init(&req, 64);
    tv_frame_begin(&req, TV_MSG_SNAPSHOT);
    rc = tv_frame_end(&req);
    if (rc == 0)
        rc = tv_conn_call(c, &req, TV_QUICK_TIMEOUT_MS, &body);
    tv_buf_free(&req);
    if (rc == 0)
        rc = tv_snapshot_parse(&c->buf, body, out);
    return rc;
}

static void ctl_close(struct tv_agent *a)
{
    tv_conn_close(a->ctl);
    a->ctl = NULL;
    a->ctl_waiting = false;
}

/* The control connection, idle: a pending WAIT_EVENT whose answer is there
 * is read; one still pending is abandoned with its connection (rare: the
 * common change arrives as that answer). */
static int ctl_ready(struct tv_agent *a)
{
    struct pollfd p;
    uint32_t type;
    tv_reader body;

    if (a->ctl != NULL && a->ctl_waiting) {
        p = (struct pollfd){ .fd = a->ctl->fd, .events = POLLIN };
        if (poll(&p, 1, 0) == 1 &&
            tv_recv_frame(a->ctl->fd, &a->ctl->buf, TV_QUICK_TIMEOUT_MS, &type, &body) == 0)
            a->ctl_waiting = false;
        else
            ctl_close(a);
    } else if (a->ctl != NULL && tv_conn_stale(a->ctl)) {
        ctl_close(a);
    }
    if (a->ctl == NULL)
        return tv_conn_open(a->path, TV_CONNECT_TIMEOUT_MS, &a->ctl);
    return 0;
}

/* One retry on a fresh connection when the old one turns out dead (the
 * agent restarted since). */
static int fetch_snapshot(struct tv_snapshot **out)
{
    struct tv_agent *a = &tv_mod.agent;
    int rc;

    for (int attempt = 0; attempt < 2; attempt++) {
        if ((rc = ctl_ready(a)) < 0)
            return a->path_err < 0 ? a->path_err : rc;
        rc = snapshot_call(a->ctl, out);
        if (rc != TV_ERR_CLOSED && rc != TV_ERR_IO)
            return rc;
        ctl_close(a);
    }
    return rc;
}

/* Leave a WAIT_EVENT pending on the control connection: when the agent's
 * generation moves (or the agent goes away) it becomes readable. */
static int arm_watch(void)
{
    struct tv_agent *a = &tv_mod.agent;
    tv_buf req;
    int rc;

    if ((rc = ctl_ready(a)) < 0)
        return rc;
    tv_buf_init(&req, 64);
    tv_frame_begin(&req, TV_MSG_WAIT_EVENT);
    tv_buf_put_u64(&req, tv_mod.generation);
    tv_buf_put_u32(&req, TV_WATCH_TIMEOUT_MS);
    rc = tv_frame_end(&req);
    if (rc == 0)
        rc = tv_send_all(a->ctl->fd, req.data, req.len, TV_QUICK_TIMEOUT_MS);
    tv_buf_free(&req);
    if (rc < 0)
        ctl_close(a);
    else
        a->ctl_waiting = true;
    return rc;
}

/* 1: the pending WAIT_EVENT was answered (*gen), 0: nothing yet, <0: the
 * connection failed (the agent went away). */
static int watch_poll(uint64_t *gen)
{
    struct tv_conn *w = tv_mod.agent.ctl;
    struct pollfd p = { .fd = w->fd, .events = POLLIN };
    uint32_t type = 0;
    tv_reader body;
    int rc;

    if (poll(&p, 1, 0) == 0)
        return 0;
    tv_mod.agent.ctl_waiting = false;
    rc = tv_recv_frame(w->fd, &w->buf, TV_QUICK_TIMEOUT_MS, &type, &body);
    if (rc < 0)
        return rc;
    if (type != (TV_MSG_WAIT_EVENT | TV_MSG_REPLY) || tv_get_u64(&body, gen) < 0)
        return TV_ERR_PROTOCOL;
    return 1;
}

void tv_token_drop(void)
{
    if (tv_mod.token == NULL)
        return;
    tv_session_close_all();
    tv_login_reset(&tv_mod.login);
    tv_token_free(tv_mod.token);
    tv_mod.token = NULL;
    tv_mod.instance++;
    tv_mod.event_pending = true;
    tv_info("token removed");
}

static void agent_lost(int rc)
{
    struct tv_agent *a = &tv_mod.agent;

    if (tv_mod.agent_up)
        tv_info("agent unreachable: %s", tv_strerror(rc));
    tv_mod.agent_up = false;
    a->last_try_ms = tv_now_ms();
    /* an agent that accepts but does not answer is not asked again soon:
     * every try would block the caller for TV_QUICK_TIMEOUT_MS */
    a->retry_ms = rc == TV_ERR_TIMEOUT ? TV_HUNG_RETRY_MS : TV_RETRY_MS;
    ctl_close(a);
    tv_token_drop();
}

/* Take in a snapshot: the same token keeps its objects and sessions; another
 * one replaces it (sessions closed, as when a card is swapped). */
static void apply(struct tv_snapshot *snap)
{
    struct tv_token *t = tv_mod.token;
    bool present = tv_snapshot_has_token(snap);
    bool same = t != NULL && present &&
                memcmp(t->snap->fingerprint, snap->fingerprint, sizeof snap->fingerprint) == 0;

    if (snap->generation != tv_mod.generation || snap->flags != tv_mod.agent_flags)
        tv_mod.event_pending = true;
    tv_agent_session_set((snap->flags & TV_SNAP_SESSION_ACTIVE) != 0);
    tv_mod.generation = snap->generation;
    tv_mod.agent_flags = snap->flags;
    tv_mod.agent_up = true;
    if (same) {
        tv_snapshot_free(snap);
        return;
    }
    tv_token_drop();
    if (!present) {
        tv_snapshot_free(snap);
        return;
    }
    if (tv_token_build(snap, &tv_mod.token) < 0)
        return;
    tv_mod.instance++;
    tv_mod.event_pending = true;
    tv_info("token present: BakQ %s, %zu objects", tv_mod.token->snap->dni, tv_mod.token->nobjects);
}

/* true when the agent was started now */
static bool maybe_spawn(int rc)
{
    struct tv_agent *a = &tv_mod.agent;
    char program[PATH_MAX];
    int64_t now = tv_now_ms();

    if (rc != TV_ERR_NO_AGENT || !tv_mod.cfg.autostart || a->path[0] == '\0')
        return false;
    if (a->last_spawn_ms != 0 && now - a->last_spawn_ms < TV_RESPAWN_MS)
        return false;
    a->last_spawn_ms = now;
    if (tv_spawn_find_agent(&tv_mod.cfg, program, sizeof program) < 0) {
        tv_warn("tarjeta-agent not found: set agent-program in pkcs11.conf");
        return false;
    }
    return tv_spawn_agent(program) == 0;
}

static int sync_now(void)
{
    struct tv_snapshot *snap = NULL;
    int rc = fetch_snapshot(&snap);

    if (rc < 0) {
        agent_lost(rc);
        return rc;
    }
    apply(snap);
    if (arm_watch() < 0) {
        tv_mod.agent.last_try_ms = tv_now_ms();
        tv_mod.agent.retry_ms = TV_RETRY_MS;
    }
    return 0;
}

void tv_token_sync(void)
{
    (void)maybe_spawn(sync_now());
}

void tv_token_refresh(void)
{
    struct tv_agent *a = &tv_mod.agent;
    uint64_t gen = 0;
    int rc;

    if (a->suspect) {
        a->suspect = false;
        if (a->ctl != NULL) {
            tv_token_sync();
            return;
        }
    }
    if (a->ctl != NULL && a->ctl_waiting) {
        rc = watch_poll(&gen);
        if (rc == 0)
            return;                   /* the common case: nothing changed */
        if (rc > 0 && gen == tv_mod.generation && arm_watch() == 0)
            return;                   /* the wait timed out; nothing changed */
        if (rc < 0)
            ctl_close(a);
    } else if (a->ctl == NULL && tv_now_ms() - a->last_try_ms < a->retry_ms) {
        return;
    }
    tv_token_sync();
}

static void sleep_ms(int ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

void tv_token_connect(void)
{
    int64_t deadline;
    int rc = sync_now();

    if (!maybe_spawn(rc))
        return;
    deadline = tv_now_ms() + TV_AUTOSTART_WAIT_MS;
    while (rc == TV_ERR_NO_AGENT && tv_now_ms() < deadline) {
        sleep_ms(10);
        rc = sync_now();
    }
}
