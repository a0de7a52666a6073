#include "dispatch.h"

#include "tv_err.h"
#include "tv_log.h"
#include "tv_proto.h"
#include "tv_secmem.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SIG_MAX 1024

static void client_program(tv_client *cl)
{
    char path[64], name[64] = "";
    ssize_t n = -1;
    int fd;

    snprintf(path, sizeof path, "/proc/%d/comm", (int)cl->pid);
    if (cl->pid > 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
        n = read(fd, name, sizeof name - 1);
        close(fd);
    }
    if (n > 0) {
        name[n] = '\0';
        name[strcspn(name, "\n")] = '\0';
        snprintf(cl->program, sizeof cl->program, "%s", name);
    }
}

void tv_conn_init(tv_conn *c, tv_agent *a, int fd, pid_t peer_pid)
{
    memset(c, 0, sizeof *c);
    c->agent = a;
    c->fd = fd;
    c->client.pid = peer_pid;
    snprintf(c->client.program, sizeof c->client.program, "unknown program");
    client_program(&c->client);
}

static int handle_hello(tv_conn *c, tv_reader *r, tv_buf *out, tv_outcome *o)
{
    uint32_t version, pid;
    char name[TV_STRING_MAX + 1];

    if (tv_get_u32(r, &version) < 0 || tv_get_u32(r, &pid) < 0 || tv_get_string(r, name, sizeof name) < 0)
        return tv_outcome_set(o, TV_ERR_PROTOCOL, "malformed HELLO");
    if (version != TV_PROTOCOL_VERSION)
        return tv_outcome_set(o, TV_ERR_VERSION, "protocol version %u is not supported (this agent "
                              "speaks %d): update Tarjeta virtual", version, TV_PROTOCOL_VERSION);
    if (c->client.pid <= 0 || strcmp(c->client.program, "unknown program") == 0)
        snprintf(c->client.program, sizeof c->client.program, "%.63s", name);
    c->client.is_cli = strcmp(name, "tarjeta") == 0 && strcmp(c->client.program, "tarjeta") == 0;
    c->hello_done = true;
    tv_buf_put_u32(out, TV_PROTOCOL_VERSION);
    tv_buf_put_string(out, "tarjeta-agent " TV_VERSION);
    return 0;
}

static uint32_t flags_locked(const tv_agent *a)
{
    uint32_t flags = 0;

    if (a->creds != NULL && strcmp(a->creds->dni, a->cfg.user) == 0 && tv_creds_present(a->creds))
        flags |= TV_SNAP_TOKEN_PRESENT;
    if (tv_session_valid_locked(a, time(NULL)))
        flags |= TV_SNAP_SESSION_ACTIVE;
    return flags;
}

static int handle_snapshot(tv_conn *c, tv_reader *r, tv_buf *out, tv_outcome *o)
{
    tv_agent *a = c->agent;
    uint32_t flags;

    pthread_mutex_lock(&a->lock);
    flags = flags_locked(a);
    tv_buf_put_u64(out, a->generation);
    tv_buf_put_u32(out, flags);
    tv_buf_put_string(out, a->cfg.user);
    if (flags & TV_SNAP_TOKEN_PRESENT) {
        tv_buf_put_raw(out, a->creds->cred_records.data, a->creds->cred_records.len);
        tv_buf_put_raw(out, a->creds->ca_records.data, a->creds->ca_records.len);
    } else {
        tv_buf_put_u32(out, 0);
        tv_buf_put_u32(out, 0);
    }
    pthread_mutex_unlock(&a->lock);
    return 0;
}

static int handle_login(tv_conn *c, tv_reader *r, tv_buf *out, tv_outcome *o)
{
    uint32_t flags;
    const uint8_t *pin;
    size_t pin_len;
    tv_secret *secret = NULL;
    bool was_active = false;
    int rc;

    if (tv_get_u32(r, &flags) < 0 || tv_get_bytes(r, TV_STRING_MAX, &pin, &pin_len) < 0)
        return tv_outcome_set(o, TV_ERR_PROTOCOL, "malformed LOGIN");
    if ((flags & TV_LOGIN_PIN_GIVEN) && (secret = tv_secret_new((const char *)pin, pin_len)) == NULL)
        return tv_outcome_set(o, TV_ERR_NOMEM, "out of memory");
    rc = tv_login(c->agent, &c->client, secret, &was_active, o);
    tv_secret_unref(secret);
    if (rc == 0)
        tv_buf_put_u32(out, was_active ? TV_LOGIN_WAS_ACTIVE : 0);
    return rc;
}

static int handle_logout(tv_conn *c, tv_reader *r, tv_buf *out, tv_outcome *o)
{
    tv_session_end(c->agent, "logout requested");
    return 0;
}

static int handle_sign(tv_conn *c, tv_reader *r, tv_buf *out, tv_outcome *o)
{
    tv_sign_request req = { 0 };
    uint8_t sig[SIG_MAX];
    size_t sig_len = sizeof sig;
    int rc;

    if (tv_get_bytes(r, 256, &req.ckaid, &req.ckaid_len) < 0 || tv_get_u32(r, &req.mechanism) < 0 ||
        tv_get_u32(r, &req.pss_hash) < 0 || tv_get_u32(r, &req.pss_mgf) < 0 ||
        tv_get_u32(r, &req.pss_salt) < 0 || tv_get_u32(r, &req.input_kind) < 0 ||
        tv_get_bytes(r, TV_FRAME_MAX, &req.input, &req.input_len) < 0)
        return tv_outcome_set(o, TV_ERR_PROTOCOL, "malformed SIGN");
    rc = tv_sign(c->agent, &c->client, &req, sig, &sig_len, o);
    if (rc == 0)
        tv_buf_put_bytes(out, sig, sig_len);
    return rc;
}

/* Has the client gone away (closed its end)? */
static bool client_gone(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN | POLLRDHUP };

    return fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static int handle_wait_event(tv_conn *c, tv_reader *r, tv_buf *out, tv_outcome *o)
{
    tv_agent *a = c->agent;
    uint64_t known, gen;
    uint32_t timeout_ms;
    struct timespec deadline, step;

    if (tv_get_u64(r, &known) < 0 || tv_get_u32(r, &timeout_ms) < 0)
        return tv_outcome_set(o, TV_ERR_PROTOCOL, "malformed WAIT_EVENT");
    if (c->fd < 0)
        timeout_ms = 0;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&a->lock);
    while (a->generation == known && !a->stopping && !client_gone(c->fd)) {
        clock_gettime(CLOCK_MONOTONIC, &step);
        if (step.tv_sec > deadline.tv_sec || (step.tv_sec == deadline.tv_sec && step.tv_nsec >= deadline.tv_nsec))
            break;
        step.tv_sec += 1;            /* wake each second to notice a client that left */
        if (step.tv_sec > deadline.tv_sec || (step.tv_sec == deadline.tv_sec && step.tv_nsec > deadline.tv_nsec))
            step = deadline;
        pthread_cond_timedwait(&a->changed, &a->lock, &step);
    }
    gen = a->generation;
    pthread_mutex_unlock(&a->lock);
    tv_buf_put_u64(out, gen);
    return 0;
}

static void status_credentials(const tv_creds *cr, tv_buf *out)
{
    tv_buf_put_u32(out, cr ? (uint32_t)cr->n : 0);
    for (size_t i = 0; cr != NULL && i < cr->n; i++) {
        const tv_cred *c = &cr->cred[i];
        tv_buf_put_bytes(out, c->ckaid, TV_CKAID_LEN);
        tv_buf_put_string(out, c->label);
        tv_buf_put_u32(out, c->usage);
        tv_buf_put_u32(out, c->status == TV_CERT_VALID && c->not_after < (uint64_t)time(NULL)
                                ? TV_CERT_EXPIRED : c->status);
        tv_buf_put_u64(out, c->not_before);
        tv_buf_put_u64(out, c->not_after);
        tv_buf_put_string(out, c->subject);
    }
}

static int handle_status(tv_conn *c, tv_reader *r, tv_buf *out, tv_outcome *o)
{
    tv_agent *a = c->agent;
    bool valid;

    pthread_mutex_lock(&a->lock);
    valid = tv_session_valid_locked(a, time(NULL));
    tv_buf_put_string(out, a->cfg.user);
    tv_buf_put_string(out, a->cfg.server);
    tv_buf_put_u32(out, flags_locked(a));
    tv_buf_put_u32(out, valid ? a->session.sad_left : 0);
    tv_buf_put_u64(out, valid ? (uint64_t)a->session.expires : 0);
    status_credentials(a->creds != NULL && strcmp(a->creds->dni, a->cfg.user) == 0 ? a->creds : NULL, out);
    tv_buf_put_string(out, a->config_error[0] ? a->config_error : a->notice);
    pthread_mutex_unlock(&a->lock);
    return 0;
}

static int handle_reload(tv_conn *c, tv_reader *r, tv_buf *out, tv_outcome *o)
{
    if (tv_agent_reload(c->agent) < 0)
        return tv_outcome_set(o, TV_ERR_CONFIG, "%s", c->agent->config_error);
    return 0;
}

static int handle_account(tv_conn *c, tv_reader *r, tv_buf *out, tv_outcome *o)
{
    return tv_account_request(c->agent, &c->client, r, out, o);
}

static void put_stat(tv_buf *out, const char *name, uint64_t v)
{
    tv_buf_put_string(out, name);
    tv_buf_put_u64(out, v);
}

static int handle_stats(tv_conn *c, tv_reader *r, tv_buf *out, tv_outcome *o)
{
    tv_agent *a = c->agent;
    tv_http_stats hs = { 0 };
    tv_http *http = tv_agent_http(a);

    if (http != NULL)
        tv_http_stats_get(http, &hs);
    tv_http_unref(http);
    tv_buf_put_u32(out, 7);
    put_stat(out, "tls_handshakes", hs.handshakes);
    put_stat(out, "http_requests", hs.requests);
    put_stat(out, "http_failures", hs.failures);
    put_stat(out, "signatures", __atomic_load_n(&a->signatures, __ATOMIC_RELAXED));
    put_stat(out, "dialogs", __atomic_load_n(&a->prompts, __ATOMIC_RELAXED));
    put_stat(out, "connections", (uint64_t)__atomic_load_n(&a->active_connections, __ATOMIC_RELAXED));
    pthread_mutex_lock(&a->lock);
    put_stat(out, "generation", a->generation);
    pthread_mutex_unlock(&a->lock);
    return 0;
}

typedef int (*handler_fn)(tv_conn *c, tv_reader *r, tv_buf *out, tv_outcome *o);

static handler_fn handler_for(uint32_t type)
{
    switch (type) {
    case TV_MSG_HELLO: return handle_hello;
    case TV_MSG_SNAPSHOT: return handle_snapshot;
    case TV_MSG_LOGIN: return handle_login;
    case TV_MSG_LOGOUT: return handle_logout;
    case TV_MSG_SIGN: return handle_sign;
    case TV_MSG_WAIT_EVENT: return handle_wait_event;
    case TV_MSG_STATUS: return handle_status;
    case TV_MSG_RELOAD: return handle_reload;
    case TV_MSG_ACCOUNT: return handle_account;
    case TV_MSG_STATS: return handle_stats;
    default: return NULL;
    }
}

static int reply_error(tv_buf *reply, int code, const char *msg)
{
    if (tv_frame_error(reply, code, msg) < 0)
        tv_frame_error(reply, TV_ERR_INTERNAL, "internal error");
    return code;
}

int tv_dispatch_frame(tv_conn *c, const uint8_t *frame, size_t len, tv_buf *reply)
{
    uint32_t type = 0;
    tv_reader body;
    handler_fn fn;
    tv_outcome o;
    int rc = tv_frame_open(frame, len, &type, &body);

    if (rc < 0)
        return reply_error(reply, rc, rc == TV_ERR_UNKNOWN_MESSAGE ? "unknown message type"
                                                                   : "malformed message");
    if ((type & TV_MSG_REPLY) || type == TV_MSG_ERROR || (fn = handler_for(type)) == NULL)
        return reply_error(reply, TV_ERR_PROTOCOL, "a reply or error frame is not a request");
    if (!c->hello_done && type != TV_MSG_HELLO)
        return reply_error(reply, TV_ERR_VERSION, "the first message must be HELLO");
    tv_outcome_clear(&o);
    tv_frame_begin(reply, type | TV_MSG_REPLY);
    rc = fn(c, &body, reply, &o);
    if (rc == 0 && (rc = tv_frame_end(reply)) == 0)
        return 0;
    if (rc == TV_ERR_VERSION || rc == TV_ERR_PROTOCOL) {
        reply_error(reply, rc, o.msg[0] ? o.msg : tv_strerror(rc));
        return rc;
    }
    reply_error(reply, rc, o.msg[0] ? o.msg : tv_strerror(rc));
    return 0;
}
