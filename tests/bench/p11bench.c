/* The measuring half of `make bench` (tests/bench/run drives it).  It loads
 * a PKCS#11 module the way an application does, so the same code measures
 * SoftHSM2 directly, p11-kit's client -> p11-kit server -> SoftHSM2, and our
 * module -> agent -> HTTPS -> bakq-server -> SoftHSM2.
 *
 *   sign MODULE LABEL PIN|- THREADS SECONDS
 *       C_SignInit + C_Sign (SHA256-RSA-PKCS or ECDSA-SHA256 by key type) in
 *       THREADS threads, each with its own session, for SECONDS; every
 *       signature verified afterwards against the certificate that shares
 *       the key's CKA_ID (none: an error).  Prints ops, p50/p90 latency,
 *       ops/s, verified/failed.
 *   count MODULE LABEL PIN|- AGENT_SOCKET N
 *       N signatures (each with a size query first) through a relay that
 *       counts the module's requests to the agent; the agent's STATS before
 *       and after give the new TLS handshakes and HTTP requests.
 *   start MODULE
 *       the browser start path in this fresh process: dlopen, C_Initialize,
 *       slot and token info, find every object, read its attributes,
 *       C_Finalize.  Prints its duration.
 *   memory MODULE AGENT_SOCKET
 *       a find cycle and an attribute read, repeated, through the counting
 *       relay: time per call and requests to the agent (must be none).
 *   stats AGENT_SOCKET
 *       the agent's counters (PROTOCOL.md STATS). */
#include "../pkcs11/p11util.h"
#include "tv_buf.h"
#include "tv_err.h"
#include "tv_io.h"
#include "tv_proto.h"

#include <errno.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static struct p11 p;

/* Several threads call the module: say so.  A NULL argument promises
 * single-threaded use, and SoftHSM2 then turns its mutexes off, so the
 * 2-thread runs of SoftHSM2 direct raced inside it. */
static CK_C_INITIALIZE_ARGS init_threads = { .flags = CKF_OS_LOCKING_OK };

/* ---- the agent's STATS ------------------------------------------------------------ */

static long long stat_value(const char *socket_path, const char *name)
{
    tv_buf req, reply;
    tv_reader body;
    uint32_t n = 0;
    long long value = -1;
    int fd = -1;

    tv_buf_init(&req, 4096);
    tv_buf_init(&reply, TV_FRAME_MAX + 8);
    if (tv_unix_connect(socket_path, 1000, &fd) < 0)
        goto out_free;
    tv_frame_begin(&req, TV_MSG_HELLO);
    tv_buf_put_u32(&req, TV_PROTOCOL_VERSION);
    tv_buf_put_u32(&req, (uint32_t)getpid());
    tv_buf_put_string(&req, "p11bench");
    if (tv_frame_end(&req) < 0 || tv_call(fd, &req, &reply, 2000, &body, NULL, 0) < 0)
        goto out_close;
    tv_frame_begin(&req, 10 /* STATS */);
    if (tv_frame_end(&req) < 0 || tv_call(fd, &req, &reply, 2000, &body, NULL, 0) < 0 ||
        tv_get_u32(&body, &n) < 0)
        goto out_close;
    for (uint32_t i = 0; i < n; i++) {
        char key[64];
        uint64_t v;
        if (tv_get_string(&body, key, sizeof key) < 0 || tv_get_u64(&body, &v) < 0)
            break;
        if (strcmp(key, name) == 0)
            value = (long long)v;
    }
out_close:
    close(fd);
out_free:
    tv_buf_free(&req);
    tv_buf_free(&reply);
    return value;
}

/* ---- a relay that counts the module's requests ---------------------------------------- */

struct relay {
    char path[108];
    char upstream[108];
    int listen_fd;
    pthread_mutex_t mu;
    unsigned long requests[16];          /* by message type */
};

static struct relay relay;

struct pump {
    int client, agent;
    uint8_t header[8];
    size_t have;                         /* header bytes gathered */
    uint64_t left;                       /* body bytes of the current frame to pass */
};

/* Count the frames in bytes going from the module to the agent. */
static void count_frames(struct pump *pu, const uint8_t *bytes, size_t n)
{
    while (n > 0) {
        if (pu->left > 0) {
            size_t take = n < pu->left ? n : (size_t)pu->left;
            pu->left -= take;
            bytes += take;
            n -= take;
            continue;
        }
        pu->header[pu->have++] = *bytes++;
        n--;
        if (pu->have == 8) {
            uint32_t len = tv_load_u32(pu->header), type = tv_load_u32(pu->header + 4);
            pthread_mutex_lock(&relay.mu);
            relay.requests[type < 16 ? type : 0]++;
            pthread_mutex_unlock(&relay.mu);
            pu->left = len >= 4 ? len - 4 : 0;
            pu->have = 0;
        }
    }
}

static void *pump_main(void *arg)
{
    struct pump *pu = arg;
    uint8_t buf[65536];

    for (;;) {
        struct pollfd f[2] = { { pu->client, POLLIN, 0 }, { pu->agent, POLLIN, 0 } };
        if (poll(f, 2, -1) < 0 && errno == EINTR)
            continue;
        for (int i = 0; i < 2; i++) {
            if (!f[i].revents)
                continue;
            ssize_t r = read(f[i].fd, buf, sizeof buf);
            if (r <= 0)
                goto out_close;
            if (i == 0)
                count_frames(pu, buf, (size_t)r);
            if (tv_send_all(i == 0 ? pu->agent : pu->client, buf, (size_t)r, 5000) < 0)
                goto out_close;
        }
    }
out_close:
    close(pu->client);
    close(pu->agent);
    free(pu);
    return NULL;
}

static void *relay_main(void *arg)
{
    for (;;) {
        int c = accept4(relay.listen_fd, NULL, NULL, SOCK_CLOEXEC);
        struct pump *pu;
        pthread_t th;
        if (c < 0)
            continue;
        pu = calloc(1, sizeof *pu);
        pu->client = c;
        if (tv_unix_connect(relay.upstream, 1000, &pu->agent) < 0) {
            close(c);
            free(pu);
            continue;
        }
        pthread_create(&th, NULL, pump_main, pu);
        pthread_detach(th);
    }
    return arg;
}

static void relay_start(const char *upstream)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    pthread_t th;

    snprintf(relay.upstream, sizeof relay.upstream, "%s", upstream);
    snprintf(relay.path, sizeof relay.path, "%s.relay-%d", upstream, (int)getpid());
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", relay.path);
    unlink(relay.path);
    pthread_mutex_init(&relay.mu, NULL);
    relay.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (bind(relay.listen_fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(relay.listen_fd, 16) != 0) {
        perror("relay");
        exit(2);
    }
    pthread_create(&th, NULL, relay_main, NULL);
    pthread_detach(th);
    setenv("TARJETA_AGENT_SOCKET", relay.path, 1);
}

static unsigned long relay_count(uint32_t type)
{
    unsigned long n;

    pthread_mutex_lock(&relay.mu);
    n = type == 0 ? 0 : relay.requests[type];
    if (type == 0)
        for (int i = 0; i < 16; i++)
            n += relay.requests[i];
    pthread_mutex_unlock(&relay.mu);
    return n;
}

/* ---- signing -------------------------------------------------------------------------- */

struct key {
    CK_OBJECT_HANDLE priv;
    CK_MECHANISM_TYPE mech;
    EVP_PKEY *pub;
};

static struct key find_key(CK_SESSION_HANDLE h, const char *label)
{
    struct key k;

    k.priv = p11_find(&p, h, CKO_PRIVATE_KEY, label);
    if (k.priv == CK_INVALID_HANDLE) {
        fprintf(stderr, "no private key labelled %s\n", label);
        exit(2);
    }
    /* EC: the application hashes and signs with CKM_ECDSA, as TLS stacks do
     * (SoftHSM2 2.6 has no CKM_ECDSA_SHA256) */
    k.mech = p11_attr_ulong(&p, h, k.priv, CKA_KEY_TYPE) == CKK_EC ? CKM_ECDSA : CKM_SHA256_RSA_PKCS;
    k.pub = p11_key_pubkey(&p, h, k.priv);
    if (k.pub == NULL) {                      /* every signature is verified against it */
        fprintf(stderr, "no certificate with the CKA_ID of the key labelled %s\n", label);
        exit(2);
    }
    return k;
}

struct worker {
    struct key key;
    const char *label;
    int seconds;
    long ops;
    long cap;
    int32_t *lat_us;
    uint8_t (*sigs)[512];
    CK_ULONG *sig_len;
    CK_RV error;
};

/* The i-th input of a worker: a message, or its SHA-256 for CKM_ECDSA. */
static size_t input(uint8_t *out, size_t n, const struct worker *w, long i)
{
    int len = snprintf((char *)out, n, "bench message %p %ld", (const void *)w, i);

    if (w->key.mech != CKM_ECDSA)
        return (size_t)len;
    SHA256(out, (size_t)len, out);
    return 32;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    CK_SESSION_HANDLE h;
    CK_MECHANISM m = { w->key.mech, NULL, 0 };
    uint8_t msg[64];
    size_t msg_len;
    int64_t end;

    p11_must(p.f->C_OpenSession(p11_first_slot(&p), CKF_SERIAL_SESSION, NULL, NULL, &h), "C_OpenSession");
    for (int i = 0; i < 5; i++) {                         /* warm up: connections, caches */
        CK_ULONG len = 512;
        uint8_t sig[512];
        p.f->C_SignInit(h, &m, w->key.priv);
        msg_len = input(msg, sizeof msg, w, -1);
        p.f->C_Sign(h, msg, msg_len, sig, &len);
    }
    end = p11_now_us() + (int64_t)w->seconds * 1000000;
    while (p11_now_us() < end && w->ops < w->cap) {
        int64_t t0 = p11_now_us();
        CK_ULONG len = 512;
        CK_RV rv;
        msg_len = input(msg, sizeof msg, w, w->ops);
        rv = p.f->C_SignInit(h, &m, w->key.priv);
        if (rv == CKR_OK)
            rv = p.f->C_Sign(h, msg, msg_len, w->sigs[w->ops], &len);
        if (rv != CKR_OK) {
            w->error = rv;
            break;
        }
        w->lat_us[w->ops] = (int32_t)(p11_now_us() - t0);
        w->sig_len[w->ops++] = len;
    }
    p.f->C_CloseSession(h);
    return NULL;
}

static int64_t cpu_us(const struct rusage *r)
{
    return (int64_t)(r->ru_utime.tv_sec + r->ru_stime.tv_sec) * 1000000 + r->ru_utime.tv_usec +
           r->ru_stime.tv_usec;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

/* The session stays open: the login lasts while one does. */
static CK_SESSION_HANDLE login(const char *pin)
{
    CK_SESSION_HANDLE h;
    CK_RV rv;

    p11_must(p.f->C_OpenSession(p11_first_slot(&p), CKF_SERIAL_SESSION, NULL, NULL, &h), "C_OpenSession");
    rv = p11_login(&p, h, pin);
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
        p11_must(rv, "C_Login");
    return h;
}

static int cmd_sign(const char *label, const char *pin, int threads, int seconds)
{
    struct worker w[16];
    pthread_t th[16];
    long total = 0, verified = 0, failed = 0;
    int32_t *all;
    int64_t t0, took;

    CK_SESSION_HANDLE h;
    struct key key;

    p11_must(p.f->C_Initialize(&init_threads), "C_Initialize");
    h = login(pin);
    key = find_key(h, label);                 /* once: handles hold across sessions */
    for (int i = 0; i < threads; i++) {
        w[i] = (struct worker){ .key = key, .label = label, .seconds = seconds, .cap = 200000 };
        w[i].lat_us = calloc((size_t)w[i].cap, sizeof *w[i].lat_us);
        w[i].sigs = calloc((size_t)w[i].cap, sizeof *w[i].sigs);
        w[i].sig_len = calloc((size_t)w[i].cap, sizeof *w[i].sig_len);
    }
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    t0 = p11_now_us();
    for (int i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    took = p11_now_us() - t0;
    getrusage(RUSAGE_SELF, &ru1);
    all = calloc(1, sizeof *all);
    for (int i = 0; i < threads; i++) {
        all = realloc(all, (size_t)(total + w[i].ops + 1) * sizeof *all);
        memcpy(all + total, w[i].lat_us, (size_t)w[i].ops * sizeof *all);
        total += w[i].ops;
        for (long j = 0; j < w[i].ops; j++) {
            uint8_t msg[64];
            size_t msg_len = input(msg, sizeof msg, &w[i], j);
            if (p11_verify(w[i].key.pub, w[i].key.mech, msg, msg_len, w[i].sigs[j], w[i].sig_len[j]))
                verified++;
            else
                failed++;
        }
        if (w[i].error != CKR_OK)
            fprintf(stderr, "thread %d stopped: %s\n", i, p11_rv_name(w[i].error));
    }
    qsort(all, (size_t)total, sizeof *all, cmp_i32);
    printf("ops=%ld p50_us=%d p90_us=%d ops_per_s=%.1f verified=%ld failed=%ld client_cpu_us=%.0f\n",
           total, total ? all[total / 2] : 0, total ? all[total * 9 / 10] : 0,
           (double)total * 1e6 / (double)(took > 0 ? took : 1), verified, failed,
           total ? (double)(cpu_us(&ru1) - cpu_us(&ru0)) / (double)total : 0.0);
    p.f->C_Finalize(NULL);
    return failed == 0 && total > 0 ? 0 : 1;
}

static int cmd_count(const char *label, const char *pin, const char *agent, int n)
{
    CK_SESSION_HANDLE h;
    struct key k;
    CK_MECHANISM m;
    unsigned long signs, all;
    long long tls0, tls1, http0, http1;
    int failed = 0;

    relay_start(agent);
    p11_must(p.f->C_Initialize(NULL), "C_Initialize");
    h = login(pin);
    k = find_key(h, label);
    m = (CK_MECHANISM){ k.mech, NULL, 0 };
    p.f->C_SignInit(h, &m, k.priv);                       /* the first one opens the connections */
    { CK_ULONG len = 512; uint8_t sig[512]; p.f->C_Sign(h, (CK_BYTE_PTR) "x", 1, sig, &len); }
    tls0 = stat_value(agent, "tls_handshakes");
    http0 = stat_value(agent, "http_requests");
    signs = relay_count(TV_MSG_SIGN);
    all = relay_count(0);
    for (int i = 0; i < n; i++) {
        uint8_t sig[512], msg[32];
        CK_ULONG len = 0;
        size_t msg_len = 7;
        memcpy(msg, "counted", 7);
        if (k.mech == CKM_ECDSA) {
            SHA256(msg, 7, msg);
            msg_len = 32;
        }
        p.f->C_SignInit(h, &m, k.priv);
        p.f->C_Sign(h, msg, msg_len, NULL, &len);                      /* size query: local */
        if (p.f->C_Sign(h, msg, msg_len, sig, &len) != CKR_OK ||
            !p11_verify(k.pub, m.mechanism, msg, msg_len, sig, len))
            failed++;
    }
    signs = relay_count(TV_MSG_SIGN) - signs;
    all = relay_count(0) - all;
    tls1 = stat_value(agent, "tls_handshakes");
    http1 = stat_value(agent, "http_requests");
    printf("signatures=%d failed=%d sign_requests=%lu agent_requests=%lu tls_handshakes=%lld "
           "http_requests=%lld\n", n, failed, signs, all, tls1 - tls0, http1 - http0);
    p.f->C_Finalize(NULL);
    return failed ? 1 : 0;
}

/* ---- the browser start path --------------------------------------------------------------- */

static const CK_ATTRIBUTE_TYPE start_attrs[] = {
    CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_LABEL, CKA_ID, CKA_VALUE, CKA_SUBJECT, CKA_ISSUER,
    CKA_SERIAL_NUMBER, CKA_CERTIFICATE_TYPE, CKA_KEY_TYPE, CKA_MODULUS, CKA_EC_PARAMS,
};

/* What a browser does when it loads a module: read everything public. */
static void read_all(CK_SESSION_HANDLE h, CK_ULONG *objects, CK_ULONG *attrs)
{
    CK_OBJECT_HANDLE o[64];
    CK_ULONG n = 0;

    p.f->C_FindObjectsInit(h, NULL, 0);
    p.f->C_FindObjects(h, o, 64, &n);
    p.f->C_FindObjectsFinal(h);
    for (CK_ULONG i = 0; i < n; i++)
        for (size_t a = 0; a < sizeof start_attrs / sizeof start_attrs[0]; a++) {
            CK_ULONG len = 0;
            uint8_t *v = p11_attr(&p, h, o[i], start_attrs[a], &len);
            *attrs += v != NULL;
            free(v);
        }
    *objects = n;
}

static int cmd_start(const char *module)
{
    int64_t t0 = p11_now_us();
    CK_SLOT_ID slots[8];
    CK_ULONG n = 8, objects = 0, attrs = 0;
    CK_SLOT_INFO si;
    CK_TOKEN_INFO ti;
    CK_SESSION_HANDLE h;

    p11_load(&p, module);
    p11_must(p.f->C_Initialize(NULL), "C_Initialize");
    p11_must(p.f->C_GetSlotList(CK_FALSE, slots, &n), "C_GetSlotList");
    for (CK_ULONG i = 0; i < n; i++) {
        p.f->C_GetSlotInfo(slots[i], &si);
        if (!(si.flags & CKF_TOKEN_PRESENT) || p.f->C_GetTokenInfo(slots[i], &ti) != CKR_OK ||
            !(ti.flags & CKF_TOKEN_INITIALIZED) ||
            p.f->C_OpenSession(slots[i], CKF_SERIAL_SESSION, NULL, NULL, &h) != CKR_OK)
            continue;
        read_all(h, &objects, &attrs);
        p.f->C_CloseSession(h);
    }
    p.f->C_Finalize(NULL);
    p11_unload(&p);
    printf("start_us=%lld objects=%lu attributes=%lu\n", (long long)(p11_now_us() - t0), objects, attrs);
    return objects > 0 ? 0 : 1;
}

static int cmd_memory(const char *agent)
{
    CK_SESSION_HANDLE h;
    CK_OBJECT_HANDLE o[64], cert;
    CK_ULONG n, before, after;
    CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
    CK_ATTRIBUTE by_class = { CKA_CLASS, &cls, sizeof cls };
    uint8_t value[4096];
    CK_ATTRIBUTE a = { CKA_VALUE, value, sizeof value };
    const int rounds = 20000;
    int64_t t0, find_ns, attr_ns;

    relay_start(agent);
    p11_must(p.f->C_Initialize(NULL), "C_Initialize");
    p11_must(p.f->C_OpenSession(p11_first_slot(&p), CKF_SERIAL_SESSION, NULL, NULL, &h), "C_OpenSession");
    cert = p11_find(&p, h, CKO_CERTIFICATE, NULL);
    usleep(200000);                  /* let the relay pass on the WAIT_EVENT C_Initialize left */
    unsigned long by_type[16];
    for (uint32_t t = 1; t < 16; t++)
        by_type[t] = relay_count(t);
    before = relay_count(0);
    t0 = p11_now_us();
    for (int i = 0; i < rounds; i++) {
        p.f->C_FindObjectsInit(h, &by_class, 1);
        p.f->C_FindObjects(h, o, 64, &n);
        p.f->C_FindObjectsFinal(h);
    }
    find_ns = (p11_now_us() - t0) * 1000 / rounds;
    t0 = p11_now_us();
    for (int i = 0; i < rounds; i++) {
        a.ulValueLen = sizeof value;
        p.f->C_GetAttributeValue(h, cert, &a, 1);
    }
    attr_ns = (p11_now_us() - t0) * 1000 / rounds;
    after = relay_count(0);
    printf("find_cycle_ns=%lld attribute_read_ns=%lld agent_requests=%lu", (long long)find_ns,
           (long long)attr_ns, after - before);
    for (uint32_t t = 1; t < 16; t++)
        if (relay_count(t) != by_type[t])
            printf(" %s=%lu", tv_msg_name(t), relay_count(t) - by_type[t]);
    printf("\n");
    p.f->C_Finalize(NULL);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "stats")) {
        printf("tls_handshakes=%lld http_requests=%lld\n", stat_value(argv[2], "tls_handshakes"),
               stat_value(argv[2], "http_requests"));
        return 0;
    }
    if (argc >= 3 && !strcmp(argv[1], "start"))
        return cmd_start(argv[2]);
    if (argc < 4) {
        fprintf(stderr, "usage: see tests/bench/p11bench.c\n");
        return 2;
    }
    p11_load(&p, argv[2]);
    if (!strcmp(argv[1], "sign") && argc == 7)
        return cmd_sign(argv[3], strcmp(argv[4], "-") ? argv[4] : NULL, atoi(argv[5]), atoi(argv[6]));
    if (!strcmp(argv[1], "count") && argc == 7)
        return cmd_count(argv[3], strcmp(argv[4], "-") ? argv[4] : NULL, argv[5], atoi(argv[6]));
    if (!strcmp(argv[1], "memory"))
        return cmd_memory(argv[3]);
    fprintf(stderr, "p11bench: bad arguments\n");
    return 2;
}
