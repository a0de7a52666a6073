#include "event.h"

#include "agent.h"
#include "module.h"
#include "token.h"
#include "tv_err.h"
#include "tv_io.h"
#include "tv_log.h"
#include "tv_proto.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

void tv_event_wake_all(void)
{
    uint64_t one = 1;

    for (struct tv_waiter *w = tv_mod.waiters; w != NULL; w = w->next)
        if (write(w->wake_fd, &one, sizeof one) < 0)
            tv_debug("eventfd write: %d", errno);
}

static void waiter_remove(struct tv_waiter *w)
{
    for (struct tv_waiter **pp = &tv_mod.waiters; *pp != NULL; pp = &(*pp)->next)
        if (*pp == w) {
            *pp = w->next;
            return;
        }
}

/* Lock held: an event since the last answer? */
static bool take_event(CK_SLOT_ID_PTR slot)
{
    if (!tv_mod.event_pending)
        return false;
    tv_mod.event_pending = false;
    *slot = TV_SLOT_ID;
    return true;
}

static int send_wait(struct tv_conn *c, uint64_t gen)
{
    tv_buf req;
    int rc;

    tv_buf_init(&req, 64);
    tv_frame_begin(&req, TV_MSG_WAIT_EVENT);
    tv_buf_put_u64(&req, gen);
    tv_buf_put_u32(&req, TV_WAIT_EVENT_MS);
    rc = tv_frame_end(&req);
    if (rc == 0)
        rc = tv_send_all(c->fd, req.data, req.len, TV_QUICK_TIMEOUT_MS);
    tv_buf_free(&req);
    return rc;
}

/* Outside the lock: block until the agent answers WAIT_EVENT, the agent
 * goes away, the retry delay passes (agent down) or C_Finalize wakes us.
 * Returns false when woken by C_Finalize. */
static bool block_once(struct tv_waiter *w, struct tv_conn **conn, const char *path, uint64_t gen)
{
    struct pollfd p[2] = { { .fd = w->wake_fd, .events = POLLIN }, { .fd = -1, .events = POLLIN } };
    uint32_t type;
    tv_reader body;
    int n;

    if (*conn == NULL && tv_conn_open(path, TV_CONNECT_TIMEOUT_MS, conn) < 0)
        *conn = NULL;
    if (*conn != NULL && send_wait(*conn, gen) < 0) {
        tv_conn_close(*conn);
        *conn = NULL;
    }
    p[1].fd = *conn != NULL ? (*conn)->fd : -1;
    do
        n = poll(p, 2, *conn != NULL ? (int)TV_WAIT_EVENT_MS + 5000 : TV_WAIT_RETRY_MS);
    while (n < 0 && errno == EINTR);
    if (p[0].revents)
        return false;
    if (p[1].revents && tv_recv_frame((*conn)->fd, &(*conn)->buf, TV_QUICK_TIMEOUT_MS, &type, &body) < 0) {
        tv_conn_close(*conn);
        *conn = NULL;
    }
    return true;
}

static CK_RV wait_blocking(struct tv_waiter *w, CK_SLOT_ID_PTR slot)
{
    struct tv_conn *conn = NULL;
    char path[sizeof tv_mod.agent.path];
    CK_RV rv = CKR_OK;
    bool woken = false;

    for (;;) {
        uint64_t gen = tv_mod.generation;
        memcpy(path, tv_mod.agent.path, sizeof path);
        tv_busy_begin();
        tv_leave();
        woken = !block_once(w, &conn, path, gen);
        if ((rv = tv_busy_end()) != CKR_OK || woken) {
            rv = CKR_CRYPTOKI_NOT_INITIALIZED;
            break;
        }
        tv_token_sync();
        if (take_event(slot))
            break;
    }
    tv_conn_close(conn);
    return rv;
}

CK_RV tv_wait_for_slot_event(CK_FLAGS flags, CK_SLOT_ID_PTR slot, CK_VOID_PTR reserved)
{
    struct tv_waiter w = { .wake_fd = -1 };
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    tv_token_refresh();
    if (slot == NULL || reserved != NULL)
        rv = CKR_ARGUMENTS_BAD;
    else if (take_event(slot))
        rv = CKR_OK;
    else if (flags & CKF_DONT_BLOCK)
        rv = CKR_NO_EVENT;
    else if ((w.wake_fd = eventfd(0, EFD_CLOEXEC)) < 0)
        rv = CKR_HOST_MEMORY;
    else {
        w.next = tv_mod.waiters;
        tv_mod.waiters = &w;
        rv = wait_blocking(&w, slot);
        waiter_remove(&w);
        close(w.wake_fd);
    }
    tv_leave();
    return rv;
}
