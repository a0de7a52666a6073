/* The ceiling beside `make bench`'s ratios: the signature SoftHSM2 makes
 * directly, made instead behind the two hops Tarjeta's chain crosses, with
 * nothing else on the way.  tests/bench/run measures it in the same rounds as
 * the three systems, so a ratio can be read against what the hops alone cost
 * on this machine.
 *
 *   hopfloor MODULE LABEL PIN THREADS SECONDS
 *
 * Each thread's request goes over a Unix socket to a relay process, which
 * passes it over TCP loopback to a signer process; the signer signs with the
 * key labelled LABEL in MODULE (C_SignInit + C_Sign, as p11bench does) and
 * the answer comes back the same way.  That is the shape of module -> agent
 * -> bakq-server, with the sizes our messages have, but no TLS, HTTP, JSON,
 * session or SAD.  Prints ops, p50/p90 latency and ops/s as p11bench does. */
#include "../pkcs11/p11util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Sizes on the wire for one C_Sign with RSA-2048 (strace of the agent): the
 * module's SIGN frame and the agent's answer; the agent's TLS record to
 * bakq-server and the server's answer (headers and body records). */
enum { UNIX_REQUEST = 88, UNIX_REPLY = 268, TCP_REQUEST = 547, TCP_REPLY = 541, MESSAGE_MAX = 1024 };
enum { THREADS_MAX = 16, ROUND_TRIPS_MAX = 200000 };

static bool read_full(int fd, uint8_t *buf, size_t n)
{
    size_t got = 0;

    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);

        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

static bool write_full(int fd, const uint8_t *buf, size_t n)
{
    size_t done = 0;

    while (done < n) {
        ssize_t w = write(fd, buf + done, n - done);

        if (w <= 0)
            return false;
        done += (size_t)w;
    }
    return true;
}

/* fork(), or give up: a missing process would leave the others waiting. */
static bool in_child(void)
{
    pid_t pid = fork();

    if (pid < 0) {
        perror("hopfloor: fork");
        exit(2);
    }
    return pid == 0;
}

struct signer {
    struct p11 p;
    CK_SESSION_HANDLE session;
    CK_OBJECT_HANDLE key;
    CK_MECHANISM mech;
};

/* In the signer process: load the module, log in, find the key. */
static void signer_open(struct signer *s, const char *module, const char *label, const char *pin)
{
    p11_load(&s->p, module);
    p11_must(s->p.f->C_Initialize(NULL), "C_Initialize");
    p11_must(s->p.f->C_OpenSession(p11_first_slot(&s->p), CKF_SERIAL_SESSION, NULL, NULL, &s->session),
             "C_OpenSession");
    p11_must(p11_login(&s->p, s->session, pin), "C_Login");
    s->key = p11_find(&s->p, s->session, CKO_PRIVATE_KEY, label);
    if (s->key == CK_INVALID_HANDLE) {
        fprintf(stderr, "hopfloor: no private key labelled %s\n", label);
        exit(2);
    }
    s->mech.mechanism = p11_attr_ulong(&s->p, s->session, s->key, CKA_KEY_TYPE) == CKK_EC
                      ? CKM_ECDSA : CKM_SHA256_RSA_PKCS;
}

/* Sign the first 32 bytes of each request; the signature goes back in the answer. */
static void serve_signatures(int fd, struct signer *s)
{
    uint8_t buf[MESSAGE_MAX] = { 0 };

    uint8_t sig[MESSAGE_MAX] = { 0 };

    while (read_full(fd, buf, TCP_REQUEST)) {
        CK_ULONG len = TCP_REPLY;

        p11_must(s->p.f->C_SignInit(s->session, &s->mech, s->key), "C_SignInit");
        p11_must(s->p.f->C_Sign(s->session, buf, 32, sig, &len), "C_Sign");
        if (!write_full(fd, sig, TCP_REPLY))
            break;
    }
}

static void relay(int client, int signer)
{
    uint8_t buf[MESSAGE_MAX] = { 0 };

    while (read_full(client, buf, UNIX_REQUEST) && write_full(signer, buf, TCP_REQUEST) &&
           read_full(signer, buf, TCP_REPLY) && write_full(client, buf, UNIX_REPLY))
        ;
}

static int tcp_listener(struct sockaddr_in *addr)
{
    socklen_t len = sizeof *addr;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    addr->sin_family = AF_INET;
    addr->sin_port = 0;
    addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)addr, sizeof *addr) != 0 || listen(fd, 1) != 0 ||
        getsockname(fd, (struct sockaddr *)addr, &len) != 0) {
        perror("hopfloor: TCP listener on 127.0.0.1");
        exit(2);
    }
    return fd;
}

static void no_delay(int fd)
{
    int one = 1;

    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* The clients' ends of the chains started so far: a later chain's processes
 * close them, or a client's relay would not see EOF when the client closes. */
static int client_fds[THREADS_MAX];
static int n_clients;

static void close_clients(void)
{
    for (int i = 0; i < n_clients; i++)
        close(client_fds[i]);
}

/* A relay and a signer for one more client; returns the client's end of its socket. */
static int start_chain(char **argv)
{
    struct sockaddr_in addr;
    struct signer s = { 0 };
    int sv[2], listener = tcp_listener(&addr), conn;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        perror("hopfloor: socketpair");
        exit(2);
    }
    if (in_child()) {
        close_clients();
        close(sv[0]);
        close(sv[1]);
        signer_open(&s, argv[1], argv[2], argv[3]);
        conn = accept(listener, NULL, NULL);
        no_delay(conn);
        serve_signatures(conn, &s);
        _exit(0);
    }
    if (in_child()) {
        close_clients();
        close(sv[0]);
        close(listener);                    /* the signer's alone: if it dies, connect fails */
        conn = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(conn, (struct sockaddr *)&addr, sizeof addr) != 0)
            _exit(1);
        no_delay(conn);
        relay(sv[1], conn);
        _exit(0);
    }
    close(listener);
    close(sv[1]);
    client_fds[n_clients++] = sv[0];
    return sv[0];
}

struct client {
    int fd;
    int seconds;
    long ops;
    int32_t *lat_us;
    bool broken;
};

static bool round_trip(struct client *c)
{
    uint8_t buf[MESSAGE_MAX];

    snprintf((char *)buf, sizeof buf, "hopfloor %p %ld", (void *)c, c->ops);
    return write_full(c->fd, buf, UNIX_REQUEST) && read_full(c->fd, buf, UNIX_REPLY);
}

static void *client_main(void *arg)
{
    struct client *c = arg;
    int64_t end;

    end = p11_now_us() + (int64_t)c->seconds * 1000000;
    while (!c->broken && p11_now_us() < end && c->ops < ROUND_TRIPS_MAX) {
        int64_t t0 = p11_now_us();

        c->broken = !round_trip(c);
        if (!c->broken)
            c->lat_us[c->ops++] = (int32_t)(p11_now_us() - t0);
    }
    close(c->fd);                                   /* the relay and the signer see EOF */
    return NULL;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    struct client c[THREADS_MAX] = { 0 };
    pthread_t th[THREADS_MAX];
    int threads = argc == 6 ? atoi(argv[4]) : 0, seconds = argc == 6 ? atoi(argv[5]) : 0;
    int32_t *all = calloc((size_t)THREADS_MAX * ROUND_TRIPS_MAX, sizeof *all);
    long total = 0;
    bool broken = false;
    int64_t t0, took;

    if (threads < 1 || threads > THREADS_MAX || seconds < 1 || seconds > 60 || all == NULL) {
        fprintf(stderr, "usage: hopfloor MODULE LABEL PIN THREADS(1-16) SECONDS(1-60)\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);                   /* a process gone is an error from write() */
    alarm((unsigned)seconds + 60);              /* last resort; the others then see EOF */
    for (int i = 0; i < threads; i++) {         /* every fork before the first thread */
        c[i] = (struct client){ .fd = start_chain(argv), .seconds = seconds,
                                .lat_us = all + (size_t)i * ROUND_TRIPS_MAX };
        for (int k = 0; k < 5; k++)             /* warm up: the signer logs in first */
            c[i].broken |= !round_trip(&c[i]);
    }
    t0 = p11_now_us();
    for (int i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, client_main, &c[i]);
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    took = p11_now_us() - t0;
    while (wait(NULL) > 0)
        ;
    for (int i = 0; i < threads; i++) {
        memmove(all + total, c[i].lat_us, (size_t)c[i].ops * sizeof *all);
        total += c[i].ops;
        broken |= c[i].broken;
    }
    qsort(all, (size_t)total, sizeof *all, cmp_i32);
    printf("ops=%ld p50_us=%d p90_us=%d ops_per_s=%.1f failed=%d\n", total, total ? all[total / 2] : 0,
           total ? all[total * 9 / 10] : 0, (double)total * 1e6 / (double)(took > 0 ? took : 1), broken);
    free(all);
    return broken || total == 0 ? 1 : 0;
}
