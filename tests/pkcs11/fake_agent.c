#include "fake_agent.h"

#include "../../pkcs11/der.h"
#include "testdata.h"
#include "tv_buf.h"
#include "tv_err.h"
#include "tv_io.h"
#include "tv_mech.h"
#include "tv_proto.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 64

struct client {
    int fd;
    pthread_t thread;
    bool used;
    bool done;
    struct fake_agent *fa;
};

struct fake_agent {
    char dir[64];
    char path[108];
    int listen_fd;
    int stop_pipe[2];
    pthread_t acceptor;
    bool acceptor_running;
    pthread_mutex_t mu;
    pthread_cond_t changed;
    struct client clients[MAX_CLIENTS];
    bool stopping;
    bool rsa_only;
    bool present;
    bool session;
    bool mute;
    uint64_t generation;
    int login_err, login_delay;
    int sign_err, sign_delay;
    unsigned counts[16];
    unsigned connections;
    unsigned signing, max_signing;
    struct fa_sign last_sign;
    uint32_t last_login_flags;
    char last_pin[64];
};

/* ---- the certificates' parts, read the way the agent would -------------- */

struct cert_parts {
    tv_der cert, serial, issuer, subject, spki_alg_params, spki_key;
};

static int next(tv_der *in, uint8_t *tag, tv_der *c, tv_der *whole)
{
    return tv_der_next(in, tag, c, whole);
}

static void cert_parts(const uint8_t *der, size_t len, struct cert_parts *p)
{
    tv_der all = { der, len }, cert, tbs, x, alg, spki;
    uint8_t tag;

    memset(p, 0, sizeof *p);
    p->cert = all;
    next(&all, &tag, &cert, NULL);
    next(&cert, &tag, &tbs, NULL);
    if (tbs.p[0] == 0xa0)
        next(&tbs, &tag, &x, NULL);
    next(&tbs, &tag, &x, &p->serial);
    next(&tbs, &tag, &x, NULL);              /* signature algorithm */
    next(&tbs, &tag, &x, &p->issuer);
    next(&tbs, &tag, &x, NULL);              /* validity */
    next(&tbs, &tag, &x, &p->subject);
    next(&tbs, &tag, &spki, NULL);
    next(&spki, &tag, &alg, NULL);
    next(&alg, &tag, &x, NULL);              /* algorithm OID */
    if (alg.len > 0)
        next(&alg, &tag, &x, &p->spki_alg_params);
    next(&spki, &tag, &p->spki_key, NULL);   /* BIT STRING */
    p->spki_key.p++;                         /* unused-bits byte */
    p->spki_key.len--;
}

static void put_rsa_key(tv_buf *b, const struct cert_parts *p)
{
    tv_der key = p->spki_key, seq, n, e;
    uint8_t tag;

    next(&key, &tag, &seq, NULL);
    next(&seq, &tag, &n, NULL);
    next(&seq, &tag, &e, NULL);
    tv_buf_put_bytes(b, n.p, n.len);
    tv_buf_put_bytes(b, e.p, e.len);
    tv_buf_put_bytes(b, NULL, 0);
    tv_buf_put_bytes(b, NULL, 0);
}

static void put_ec_key(tv_buf *b, const struct cert_parts *p)
{
    uint8_t point[2 + 133];

    point[0] = 0x04;
    point[1] = (uint8_t)p->spki_key.len;
    memcpy(point + 2, p->spki_key.p, p->spki_key.len);
    tv_buf_put_bytes(b, NULL, 0);
    tv_buf_put_bytes(b, NULL, 0);
    tv_buf_put_bytes(b, p->spki_alg_params.p, p->spki_alg_params.len);
    tv_buf_put_bytes(b, point, 2 + p->spki_key.len);
}

static void put_cred(tv_buf *b, uint8_t id, const char *label, uint32_t usage, bool ec)
{
    struct cert_parts p;

    if (ec)
        cert_parts(test_ec_cert_der, sizeof test_ec_cert_der, &p);
    else
        cert_parts(test_rsa_cert_der, sizeof test_rsa_cert_der, &p);
    tv_buf_put_bytes(b, &id, 1);
    tv_buf_put_string(b, label);
    tv_buf_put_u32(b, usage);
    tv_buf_put_u32(b, ec ? TV_KEY_EC : TV_KEY_RSA);
    tv_buf_put_u32(b, ec ? 256 : 2048);
    tv_buf_put_bytes(b, p.cert.p, p.cert.len);
    tv_buf_put_bytes(b, p.subject.p, p.subject.len);
    tv_buf_put_bytes(b, p.issuer.p, p.issuer.len);
    tv_buf_put_bytes(b, p.serial.p, p.serial.len);
    if (ec)
        put_ec_key(b, &p);
    else
        put_rsa_key(b, &p);
    tv_buf_put_u64(b, 1700000000);
    tv_buf_put_u64(b, 2000000000);
}

static void put_snapshot_fields(tv_buf *b, bool rsa_only, bool present, uint64_t generation,
                                bool session)
{
    struct cert_parts ca;
    uint8_t ca_id[] = { 0xca, 0x01 };

    cert_parts(test_ca_cert_der, sizeof test_ca_cert_der, &ca);
    tv_buf_put_u64(b, generation);
    tv_buf_put_u32(b, (present ? TV_SNAP_TOKEN_PRESENT : 0) | (session ? TV_SNAP_SESSION_ACTIVE : 0));
    tv_buf_put_string(b, present ? "12345678Z" : "");
    tv_buf_put_u32(b, present ? (rsa_only ? 1 : 2) : 0);
    if (present) {
        put_cred(b, 0x01, "ANE GARCIA (autenticación)", TV_USAGE_AUTHENTICATION, false);
        if (!rsa_only)
            put_cred(b, 0x02, "ANE GARCIA (firma)", TV_USAGE_SIGNATURE, true);
    }
    tv_buf_put_u32(b, present ? 1 : 0);
    if (present) {
        tv_buf_put_bytes(b, ca_id, sizeof ca_id);
        tv_buf_put_string(b, "BakQ Test CA");
        tv_buf_put_bytes(b, ca.cert.p, ca.cert.len);
        tv_buf_put_bytes(b, ca.subject.p, ca.subject.len);
        tv_buf_put_bytes(b, ca.issuer.p, ca.issuer.len);
        tv_buf_put_bytes(b, ca.serial.p, ca.serial.len);
    }
}

static void put_snapshot(struct fake_agent *fa, tv_buf *b)
{
    put_snapshot_fields(b, fa->rsa_only, fa->present, fa->generation, fa->session);
}

int fa_snapshot_frame(tv_buf *out, bool rsa_only, bool present, uint64_t generation, bool session)
{
    tv_frame_begin(out, TV_MSG_SNAPSHOT | TV_MSG_REPLY);
    put_snapshot_fields(out, rsa_only, present, generation, session);
    return tv_frame_end(out);
}

/* ---- requests ------------------------------------------------------------- */

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int on_login(struct fake_agent *fa, tv_reader *r, tv_buf *out)
{
    uint32_t flags = 0;
    const uint8_t *pin;
    size_t n;
    int err, delay;
    bool was;

    tv_get_u32(r, &flags);
    tv_get_bytes(r, 4096, &pin, &n);
    pthread_mutex_lock(&fa->mu);
    fa->last_login_flags = flags;
    snprintf(fa->last_pin, sizeof fa->last_pin, "%.*s", (int)n, (const char *)pin);
    err = fa->login_err;
    delay = fa->login_delay;
    was = fa->session;
    pthread_mutex_unlock(&fa->mu);
    if (!was)
        sleep_ms(delay);
    if (err != 0)
        return err;
    pthread_mutex_lock(&fa->mu);
    if (!fa->session) {
        fa->session = true;
        fa->generation++;
        pthread_cond_broadcast(&fa->changed);
    }
    pthread_mutex_unlock(&fa->mu);
    tv_buf_put_u32(out, was ? TV_LOGIN_WAS_ACTIVE : 0);
    return 0;
}

static int on_sign(struct fake_agent *fa, tv_reader *r, tv_buf *out)
{
    struct fa_sign s;
    const uint8_t *p;
    size_t n, sig_len;
    uint8_t sig[512];
    int err, delay;
    bool session;

    memset(&s, 0, sizeof s);
    tv_get_bytes(r, 64, &p, &n);
    memcpy(s.key_id, p, n);
    s.key_id_len = n;
    tv_get_u32(r, &s.mech);
    tv_get_u32(r, &s.pss_hash);
    tv_get_u32(r, &s.pss_mgf);
    tv_get_u32(r, &s.pss_salt);
    tv_get_u32(r, &s.kind);
    if (tv_get_bytes(r, sizeof s.input, &p, &n) < 0)
        return TV_ERR_DATA_INVALID;
    memcpy(s.input, p, n);
    s.input_len = n;
    pthread_mutex_lock(&fa->mu);
    fa->last_sign = s;
    err = fa->sign_err;
    delay = fa->sign_delay;
    session = fa->session;
    if (++fa->signing > fa->max_signing)
        fa->max_signing = fa->signing;
    pthread_mutex_unlock(&fa->mu);
    sleep_ms(delay);
    pthread_mutex_lock(&fa->mu);
    fa->signing--;
    pthread_mutex_unlock(&fa->mu);
    if (err != 0)
        return err;
    if (!session)
        return TV_ERR_NOT_LOGGED_IN;
    sig_len = s.key_id[0] == 0x02 ? 64 : 256;
    for (size_t i = 0; i < sig_len; i++)
        sig[i] = (uint8_t)(i + s.mech + s.input_len);
    tv_buf_put_bytes(out, sig, sig_len);
    return 0;
}

/* Block until the generation moves away from `known` or the timeout. */
static int on_wait(struct fake_agent *fa, tv_reader *r, tv_buf *out)
{
    uint64_t known = 0;
    uint32_t timeout_ms = 0;
    struct timespec deadline;

    tv_get_u64(r, &known);
    tv_get_u32(r, &timeout_ms);
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&fa->mu);
    while (fa->generation == known && !fa->stopping && fa->listen_fd >= 0)
        if (pthread_cond_timedwait(&fa->changed, &fa->mu, &deadline) == ETIMEDOUT)
            break;
    tv_buf_put_u64(out, fa->generation);
    pthread_mutex_unlock(&fa->mu);
    return 0;
}

static int dispatch(struct fake_agent *fa, uint32_t type, tv_reader *r, tv_buf *out)
{
    switch (type) {
    case TV_MSG_HELLO:
        tv_buf_put_u32(out, TV_PROTOCOL_VERSION);
        tv_buf_put_string(out, "fake-agent");
        return 0;
    case TV_MSG_SNAPSHOT:
        pthread_mutex_lock(&fa->mu);
        put_snapshot(fa, out);
        pthread_mutex_unlock(&fa->mu);
        return 0;
    case TV_MSG_LOGIN:
        return on_login(fa, r, out);
    case TV_MSG_LOGOUT:
        fa_set_session(fa, false);
        return 0;
    case TV_MSG_SIGN:
        return on_sign(fa, r, out);
    case TV_MSG_WAIT_EVENT:
        return on_wait(fa, r, out);
    default:
        return TV_ERR_UNKNOWN_MESSAGE;
    }
}

static void *client_main(void *arg)
{
    struct client *c = arg;
    struct fake_agent *fa = c->fa;
    tv_buf in, out;
    tv_reader body;
    uint32_t type;

    tv_buf_init(&in, TV_FRAME_MAX + 8);
    tv_buf_init(&out, TV_FRAME_MAX + 8);
    while (tv_recv_frame(c->fd, &in, -1, &type, &body) == 0) {
        int rc;
        pthread_mutex_lock(&fa->mu);
        if (type < 16)
            fa->counts[type]++;
        bool mute = fa->mute;
        pthread_mutex_unlock(&fa->mu);
        if (mute)
            continue;
        tv_frame_begin(&out, type | TV_MSG_REPLY);
        rc = dispatch(fa, type, &body, &out);
        if (rc == 0)
            rc = tv_frame_end(&out);
        if (rc < 0)
            tv_frame_error(&out, rc, "fake agent says no");
        if (tv_send_all(c->fd, out.data, out.len, 5000) < 0)
            break;
    }
    tv_buf_free(&in);
    tv_buf_free(&out);
    pthread_mutex_lock(&fa->mu);
    c->done = true;
    pthread_mutex_unlock(&fa->mu);
    return NULL;
}

/* Lock held: join the threads of connections that ended. */
static void reap_clients(struct fake_agent *fa)
{
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (fa->clients[i].used && fa->clients[i].done) {
            pthread_join(fa->clients[i].thread, NULL);
            close(fa->clients[i].fd);
            fa->clients[i].used = false;
        }
}

static void add_client(struct fake_agent *fa, int fd)
{
    pthread_mutex_lock(&fa->mu);
    reap_clients(fa);
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (!fa->clients[i].used) {
            fa->clients[i] = (struct client){ .fd = fd, .used = true, .fa = fa };
            fa->connections++;
            pthread_create(&fa->clients[i].thread, NULL, client_main, &fa->clients[i]);
            pthread_mutex_unlock(&fa->mu);
            return;
        }
    pthread_mutex_unlock(&fa->mu);
    close(fd);
}

static void *acceptor_main(void *arg)
{
    struct fake_agent *fa = arg;

    for (;;) {
        struct pollfd p[2] = { { fa->listen_fd, POLLIN, 0 }, { fa->stop_pipe[0], POLLIN, 0 } };
        if (poll(p, 2, -1) < 0 && errno == EINTR)
            continue;
        if (p[1].revents)
            return NULL;
        int fd = accept4(fa->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0)
            add_client(fa, fd);
    }
}

static void listen_now(struct fake_agent *fa)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", fa->path);
    unlink(fa->path);
    fa->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bind(fa->listen_fd, (struct sockaddr *)&addr, sizeof addr);
    listen(fa->listen_fd, 64);
    if (pipe(fa->stop_pipe) != 0)
        abort();
    pthread_create(&fa->acceptor, NULL, acceptor_main, fa);
    fa->acceptor_running = true;
}

struct fake_agent *fa_start(bool rsa_only)
{
    struct fake_agent *fa = calloc(1, sizeof *fa);

    snprintf(fa->dir, sizeof fa->dir, "/tmp/tv-fake-agent.XXXXXX");
    if (mkdtemp(fa->dir) == NULL)
        abort();
    snprintf(fa->path, sizeof fa->path, "%s/agent.sock", fa->dir);
    pthread_mutex_init(&fa->mu, NULL);
    pthread_cond_init(&fa->changed, NULL);
    fa->rsa_only = rsa_only;
    fa->present = true;
    fa->generation = 1;
    listen_now(fa);
    setenv("TARJETA_AGENT_SOCKET", fa->path, 1);
    return fa;
}

void fa_kill(struct fake_agent *fa)
{
    char one = 1;

    if (!fa->acceptor_running)
        return;
    if (write(fa->stop_pipe[1], &one, 1) != 1)
        abort();
    pthread_join(fa->acceptor, NULL);
    fa->acceptor_running = false;
    close(fa->stop_pipe[0]);
    close(fa->stop_pipe[1]);
    pthread_mutex_lock(&fa->mu);
    close(fa->listen_fd);
    fa->listen_fd = -1;
    unlink(fa->path);
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (fa->clients[i].used)
            shutdown(fa->clients[i].fd, SHUT_RDWR);
    pthread_cond_broadcast(&fa->changed);
    pthread_mutex_unlock(&fa->mu);
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (fa->clients[i].used) {
            pthread_join(fa->clients[i].thread, NULL);
            close(fa->clients[i].fd);
            fa->clients[i].used = false;
        }
    fa->session = false;           /* a new agent holds no session */
}

void fa_revive(struct fake_agent *fa)
{
    if (!fa->acceptor_running)
        listen_now(fa);
}

void fa_stop(struct fake_agent *fa)
{
    if (fa == NULL)
        return;
    pthread_mutex_lock(&fa->mu);
    fa->stopping = true;
    pthread_mutex_unlock(&fa->mu);
    fa_kill(fa);
    rmdir(fa->dir);
    pthread_mutex_destroy(&fa->mu);
    pthread_cond_destroy(&fa->changed);
    free(fa);
}

const char *fa_socket(const struct fake_agent *fa)
{
    return fa->path;
}

#define SETTER(name, body)                 \
    void name                              \
    {                                      \
        pthread_mutex_lock(&fa->mu);       \
        body;                              \
        pthread_mutex_unlock(&fa->mu);     \
    }

static void bump_locked(struct fake_agent *fa)
{
    fa->generation++;
    pthread_cond_broadcast(&fa->changed);
}

SETTER(fa_set_present(struct fake_agent *fa, bool present), fa->present = present; bump_locked(fa))
SETTER(fa_set_session(struct fake_agent *fa, bool active), fa->session = active; bump_locked(fa))
SETTER(fa_bump(struct fake_agent *fa), bump_locked(fa))
SETTER(fa_end_session_unseen(struct fake_agent *fa), fa->session = false)
SETTER(fa_set_login(struct fake_agent *fa, int err, int delay_ms), fa->login_err = err; fa->login_delay = delay_ms)
SETTER(fa_set_sign(struct fake_agent *fa, int err, int delay_ms), fa->sign_err = err; fa->sign_delay = delay_ms)
SETTER(fa_set_mute(struct fake_agent *fa, bool mute), fa->mute = mute)
SETTER(fa_reset_counts(struct fake_agent *fa), memset(fa->counts, 0, sizeof fa->counts); fa->connections = 0; fa->max_signing = 0)
SETTER(fa_set_rsa_only(struct fake_agent *fa, bool rsa_only), fa->rsa_only = rsa_only; bump_locked(fa))

#define GETTER(type, name, expr)           \
    type name                              \
    {                                      \
        type v;                            \
        pthread_mutex_lock(&fa->mu);       \
        v = (expr);                        \
        pthread_mutex_unlock(&fa->mu);     \
        return v;                          \
    }

GETTER(bool, fa_session(struct fake_agent *fa), fa->session)
GETTER(unsigned, fa_count(struct fake_agent *fa, uint32_t type), type < 16 ? fa->counts[type] : 0)
GETTER(struct fa_sign, fa_last_sign(struct fake_agent *fa), fa->last_sign)
GETTER(uint32_t, fa_last_login_flags(struct fake_agent *fa), fa->last_login_flags)
GETTER(bool, fa_last_pin_is(struct fake_agent *fa, const char *pin), strcmp(fa->last_pin, pin) == 0)
GETTER(unsigned, fa_connections(struct fake_agent *fa), fa->connections)
GETTER(unsigned, fa_max_parallel_signs(struct fake_agent *fa), fa->max_signing)
