#include "agent.h"

#include "module.h"
#include "lock.h"
#include "tv_err.h"
#include "tv_io.h"
#include "tv_log.h"
#include "tv_proto.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FD_REGISTRY_SIZE 64

static int fd_registry[FD_REGISTRY_SIZE];
static bool fd_registry_ready;

int64_t tv_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fd_registry_setup(void)
{
    if (__atomic_exchange_n(&fd_registry_ready, true, __ATOMIC_ACQ_REL))
        return;
    for (int i = 0; i < FD_REGISTRY_SIZE; i++)
        __atomic_store_n(&fd_registry[i], -1, __ATOMIC_RELEASE);
}

void tv_fd_register(int fd)
{
    fd_registry_setup();
    for (int i = 0; i < FD_REGISTRY_SIZE; i++) {
        int expected = -1;
        if (__atomic_compare_exchange_n(&fd_registry[i], &expected, fd, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return;
    }
}

void tv_fd_unregister(int fd)
{
    for (int i = 0; fd_registry_ready && i < FD_REGISTRY_SIZE; i++) {
        int expected = fd;
        if (__atomic_compare_exchange_n(&fd_registry[i], &expected, -1, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return;
    }
}

void tv_fd_close_inherited(void)
{
    for (int i = 0; fd_registry_ready && i < FD_REGISTRY_SIZE; i++) {
        int fd = __atomic_exchange_n(&fd_registry[i], -1, __ATOMIC_ACQ_REL);
        if (fd >= 0)
            close(fd);                /* our copy only: the parent keeps its own */
    }
}

void tv_agent_init(struct tv_agent *a)
{
    memset(a, 0, sizeof *a);
    a->path_err = tv_agent_socket_path(a->path, sizeof a->path);
    if (a->path_err < 0)
        a->path[0] = '\0';
}

void tv_conn_close(struct tv_conn *c)
{
    if (c == NULL)
        return;
    if (c->fd >= 0) {
        tv_fd_unregister(c->fd);
        close(c->fd);
    }
    tv_buf_free(&c->buf);
    free(c);
}

static void close_list(struct tv_conn *c)
{
    while (c != NULL) {
        struct tv_conn *next = c->next;
        tv_conn_close(c);
        c = next;
    }
}

void tv_agent_cleanup(struct tv_agent *a)
{
    close_list(a->idle);
    a->idle = NULL;
    a->nidle = 0;
    tv_conn_close(a->ctl);
    a->ctl = NULL;
    a->ctl_waiting = false;
    /* a->active belong to threads still inside; C_Finalize waited for them */
}

void tv_agent_abort_active(struct tv_agent *a)
{
    for (struct tv_conn *c = a->active; c != NULL; c = c->next)
        shutdown(c->fd, SHUT_RDWR);
}

static int say_hello(struct tv_conn *c, int timeout_ms)
{
    tv_buf req;
    tv_reader body;
    int rc;

    tv_buf_init(&req, 4096);
    tv_frame_begin(&req, TV_MSG_HELLO);
    tv_buf_put_u32(&req, TV_PROTOCOL_VERSION);
    tv_buf_put_u32(&req, (uint32_t)getpid());
    tv_buf_put_string(&req, tv_mod.cfg.program);
    rc = tv_frame_end(&req);
    if (rc == 0)
        rc = tv_conn_call(c, &req, timeout_ms, &body);
    tv_buf_free(&req);
    return rc;
}

int tv_conn_open(const char *path, int timeout_ms, struct tv_conn **out)
{
    struct tv_conn *c;
    int rc;

    if (path == NULL || path[0] == '\0')
        return TV_ERR_CONFIG;
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return TV_ERR_NOMEM;
    tv_buf_init(&c->buf, TV_FRAME_MAX + TV_FRAME_HEADER);
    rc = tv_unix_connect(path, timeout_ms, &c->fd);
    if (rc < 0) {
        c->fd = -1;
        tv_conn_close(c);
        return rc;
    }
    tv_fd_register(c->fd);
    rc = say_hello(c, TV_QUICK_TIMEOUT_MS);      /* a busy agent may take a moment */
    if (rc < 0) {
        tv_debug("HELLO failed: %s", tv_strerror(rc));
        tv_conn_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

bool tv_conn_stale(const struct tv_conn *c)
{
    struct pollfd p = { .fd = c->fd, .events = POLLIN };

    return poll(&p, 1, 0) != 0;
}

int tv_conn_call(struct tv_conn *c, const tv_buf *request, int timeout_ms, tv_reader *body)
{
    char msg[256] = "";
    int rc = tv_call(c->fd, request, &c->buf, timeout_ms, body, msg, sizeof msg);

    if (rc < 0 && msg[0] != '\0')
        tv_info("agent: %s (%s)", msg, tv_errname(rc));
    return rc;
}

bool tv_err_transport(int rc)
{
    return rc == TV_ERR_CLOSED || rc == TV_ERR_IO || rc == TV_ERR_TIMEOUT ||
           rc == TV_ERR_PROTOCOL || rc == TV_ERR_TOO_LARGE || rc == TV_ERR_TRUNCATED ||
           rc == TV_ERR_UNKNOWN_MESSAGE || rc == TV_ERR_NOMEM;
}

static void active_remove(struct tv_agent *a, struct tv_conn *c)
{
    for (struct tv_conn **pp = &a->active; *pp != NULL; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    c->next = NULL;
}

/* Pop a live idle connection; stale ones (agent restarted) are dropped.
 * Lock held. */
static struct tv_conn *pop_idle(struct tv_agent *a)
{
    while (a->idle != NULL) {
        struct tv_conn *c = a->idle;
        a->idle = c->next;
        a->nidle--;
        c->next = NULL;
        if (!tv_conn_stale(c))
            return c;
        tv_conn_close(c);
    }
    return NULL;
}

int tv_agent_acquire(struct tv_conn **out)
{
    struct tv_agent *a = &tv_mod.agent;
    struct tv_conn *c;
    char path[sizeof a->path];
    int rc;

    tv_lock();
    c = pop_idle(a);
    memcpy(path, a->path, sizeof path);
    tv_unlock();
    if (c == NULL && (rc = tv_conn_open(path, TV_CONNECT_TIMEOUT_MS, &c)) < 0)
        return rc;
    tv_lock();
    if (tv_mod.finalizing) {          /* C_Finalize already shut the others down */
        tv_unlock();
        tv_conn_close(c);
        return TV_ERR_CLOSED;
    }
    c->next = a->active;
    a->active = c;
    tv_unlock();
    *out = c;
    return 0;
}

void tv_agent_release(struct tv_conn *c, bool keep)
{
    struct tv_agent *a = &tv_mod.agent;

    if (c == NULL)
        return;
    tv_lock();
    active_remove(a, c);
    if (!keep)
        a->suspect = true;
    if (keep && !tv_mod.finalizing && a->nidle < TV_POOL_IDLE_MAX) {
        tv_buf_reset(&c->buf);
        c->next = a->idle;
        a->idle = c;
        a->nidle++;
        c = NULL;
    }
    tv_unlock();
    tv_conn_close(c);
}
