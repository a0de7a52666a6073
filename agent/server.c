#include "server.h"

#include "dispatch.h"
#include "pinentry.h"
#include "tv_err.h"
#include "tv_io.h"
#include "tv_log.h"
#include "tv_paths.h"
#include "tv_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_CONNECTIONS 512
#define IDLE_TIMEOUT_MS (24 * 3600 * 1000)
#define SEND_TIMEOUT_MS 30000
/* How long stopping waits for requests in progress (a signature, a dialog). */
#define STOP_WAIT_MS 3000

/* ---- listening socket ---- */

static int socket_activated(tv_listener *l)
{
    const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");

    if (pid == NULL || fds == NULL || atol(pid) != (long)getpid() || atoi(fds) < 1)
        return 0;
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    l->fd = 3;
    l->activated = true;
    fcntl(l->fd, F_SETFD, FD_CLOEXEC);
    return 1;
}

static int private_dir(const char *dir, char *err, size_t n)
{
    struct stat st;

    if (tv_mkdir_p(dir, 0700) < 0 || lstat(dir, &st) != 0) {
        snprintf(err, n, "cannot create the socket folder %s: %s", dir, strerror(errno));
        return TV_ERR_IO;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != getuid()) {
        snprintf(err, n, "%s is not a folder owned by you: remove it", dir);
        return TV_ERR_CONFIG;
    }
    if ((st.st_mode & 077) != 0 && chmod(dir, 0700) != 0) {
        snprintf(err, n, "cannot make %s private (mode 0700): %s", dir, strerror(errno));
        return TV_ERR_IO;
    }
    return 0;
}

static int take_lock(tv_listener *l, char *err, size_t n)
{
    char lock_path[PATH_MAX + 8];

    snprintf(lock_path, sizeof lock_path, "%s.lock", l->path);
    l->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (l->lock_fd < 0) {
        snprintf(err, n, "cannot open %s: %s", lock_path, strerror(errno));
        return TV_ERR_IO;
    }
    if (flock(l->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(err, n, "another tarjeta-agent is already running on %s", l->path);
        return TV_ERR_CLOSED;
    }
    return 0;
}

static int bind_socket(tv_listener *l, char *err, size_t n)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    mode_t old;

    if (strlen(l->path) >= sizeof addr.sun_path) {
        snprintf(err, n, "socket path too long: %s", l->path);
        return TV_ERR_CONFIG;
    }
    memcpy(addr.sun_path, l->path, strlen(l->path) + 1);
    unlink(l->path);                   /* stale: the lock says no agent owns it */
    l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    old = umask(0177);
    int rc = l->fd < 0 ? -1 : bind(l->fd, (struct sockaddr *)&addr, sizeof addr);
    umask(old);
    if (rc != 0 || chmod(l->path, 0600) != 0 || listen(l->fd, 128) != 0) {
        snprintf(err, n, "cannot listen on %s: %s", l->path, strerror(errno));
        return TV_ERR_IO;
    }
    l->owns_path = true;
    return 0;
}

int tv_listener_open(tv_listener *l, char *err, size_t err_size)
{
    char dir[PATH_MAX];
    int rc;

    memset(l, 0, sizeof *l);
    l->fd = l->lock_fd = -1;
    if (socket_activated(l))
        return 0;
    if (tv_agent_socket_path(l->path, sizeof l->path) < 0) {
        snprintf(err, err_size, "no socket location: set XDG_RUNTIME_DIR (or TARJETA_AGENT_SOCKET)");
        return TV_ERR_CONFIG;
    }
    snprintf(dir, sizeof dir, "%s", l->path);
    if ((rc = private_dir(dirname(dir), err, err_size)) < 0)
        return rc;
    if ((rc = take_lock(l, err, err_size)) < 0)
        return rc;
    return bind_socket(l, err, err_size);
}

void tv_listener_close(tv_listener *l)
{
    struct stat st;

    if (l->fd >= 0 && !l->activated)
        close(l->fd);
    if (l->owns_path && lstat(l->path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(l->path);
    if (l->lock_fd >= 0)
        close(l->lock_fd);
    l->fd = l->lock_fd = -1;
}

/* ---- connections ---- */

typedef struct conn_arg {
    tv_agent *agent;
    int fd;
    pid_t pid;
} conn_arg;

/* The open connections, so that stopping can end them: their threads are
 * detached and use the agent, which must outlive them.  The agent's
 * active_connections (for STATS and for stopping) is their number. */
static struct {
    pthread_mutex_t lock;
    int fds[MAX_CONNECTIONS];
    size_t n;
} open_conns = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* false when MAX_CONNECTIONS are open already. */
static bool conn_register(tv_agent *a, int fd)
{
    bool room;

    pthread_mutex_lock(&open_conns.lock);
    room = open_conns.n < MAX_CONNECTIONS;
    if (room) {
        open_conns.fds[open_conns.n++] = fd;
        __atomic_store_n(&a->active_connections, (int)open_conns.n, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&open_conns.lock);
    return room;
}

/* Before the fd is closed, so that conns_shutdown never touches a reused number. */
static void conn_unregister(tv_agent *a, int fd)
{
    pthread_mutex_lock(&open_conns.lock);
    for (size_t i = 0; i < open_conns.n; i++)
        if (open_conns.fds[i] == fd) {
            open_conns.fds[i] = open_conns.fds[--open_conns.n];
            break;
        }
    __atomic_store_n(&a->active_connections, (int)open_conns.n, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&open_conns.lock);
}

/* Wake every connection thread waiting for its client: its next read ends. */
static void conns_shutdown(void)
{
    pthread_mutex_lock(&open_conns.lock);
    for (size_t i = 0; i < open_conns.n; i++)
        shutdown(open_conns.fds[i], SHUT_RDWR);
    pthread_mutex_unlock(&open_conns.lock);
}

/* true when every connection thread has finished within ms. */
static bool conns_wait(tv_agent *a, int ms)
{
    for (int waited = 0; __atomic_load_n(&a->active_connections, __ATOMIC_ACQUIRE) > 0; waited += 10) {
        if (waited >= ms)
            return false;
        poll(NULL, 0, 10);
    }
    return true;
}

/* Read one frame: the length is checked against the cap before anything
 * else is buffered. */
static int read_frame(int fd, tv_buf *in)
{
    uint32_t type;
    tv_reader body;
    int rc = tv_recv_frame(fd, in, IDLE_TIMEOUT_MS, &type, &body);

    /* tv_recv_frame validates too; the dispatcher re-validates and answers. */
    if (rc == TV_ERR_PROTOCOL || rc == TV_ERR_UNKNOWN_MESSAGE)
        return 0;
    return rc;
}

static void *conn_main(void *p)
{
    conn_arg *arg = p;
    tv_conn c;
    tv_buf in, out;
    int rc;

    tv_conn_init(&c, arg->agent, arg->fd, arg->pid);
    tv_buf_init(&in, TV_FRAME_MAX + 4);
    tv_buf_init(&out, TV_FRAME_MAX + 4);
    for (;;) {
        if ((rc = read_frame(arg->fd, &in)) < 0) {
            if (rc == TV_ERR_TOO_LARGE) {
                tv_frame_error(&out, TV_ERR_TOO_LARGE, "frame larger than 1 MiB");
                tv_send_all(arg->fd, out.data, out.len, SEND_TIMEOUT_MS);
            }
            break;
        }
        rc = tv_dispatch_frame(&c, in.data, in.len, &out);
        if (tv_send_all(arg->fd, out.data, out.len, SEND_TIMEOUT_MS) < 0 || rc < 0)
            break;
    }
    tv_buf_free(&in);
    tv_buf_free(&out);
    conn_unregister(arg->agent, arg->fd);
    close(arg->fd);
    free(arg);
    return NULL;
}

static void accept_one(tv_agent *a, int lfd)
{
    pthread_attr_t attr;
    pthread_t th;
    pid_t pid = 0;
    conn_arg *arg;
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

    if (fd < 0)
        return;
    if (tv_peer_check(fd, getuid(), &pid) < 0) {
        tv_warn("refused a connection from another user");
        close(fd);
        return;
    }
    if ((arg = malloc(sizeof *arg)) == NULL || !conn_register(a, fd)) {
        tv_warn("too many connections: refusing one");
        free(arg);
        close(fd);
        return;
    }
    *arg = (conn_arg){ .agent = a, .fd = fd, .pid = pid };
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    if (pthread_create(&th, &attr, conn_main, arg) != 0) {
        conn_unregister(a, fd);
        close(fd);
        free(arg);
    }
    pthread_attr_destroy(&attr);
}

/* ---- housekeeping: session expiry, periodic credential refresh ---- */

static void *housekeeping_main(void *p)
{
    tv_agent *a = p;

    pthread_mutex_lock(&a->lock);
    while (!a->stopping) {
        pthread_mutex_unlock(&a->lock);
        time_t now = time(NULL), next = tv_session_housekeep(a, now);
        tv_secret *token = NULL;
        pthread_mutex_lock(&a->lock);
        if (tv_session_valid_locked(a, now) && a->next_refresh != 0 && now >= a->next_refresh)
            token = tv_secret_ref(a->session.token);
        pthread_mutex_unlock(&a->lock);
        if (token != NULL) {
            tv_outcome o;
            tv_outcome_clear(&o);
            if (tv_refresh_credentials(a, token, &o) < 0)
                tv_warn("periodic credential refresh failed: %s", o.msg);
            tv_secret_unref(token);
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += (next - now) < 1 ? 1 : (next - now) > 60 ? 60 : (next - now);
        pthread_mutex_lock(&a->lock);
        if (!a->stopping)
            pthread_cond_timedwait(&a->changed, &a->lock, &ts);
    }
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

static bool handle_signal(tv_agent *a, int signal_fd)
{
    struct signalfd_siginfo si;

    if (read(signal_fd, &si, sizeof si) != sizeof si)
        return false;
    if (si.ssi_signo == SIGHUP) {
        tv_info("SIGHUP: reloading the configuration");
        tv_agent_reload(a);
        return false;
    }
    tv_info("signal %u: stopping", si.ssi_signo);
    return true;
}

int tv_server_run(tv_agent *a, tv_listener *l, int signal_fd)
{
    pthread_t hk;
    struct pollfd p[2] = { { .fd = l->fd, .events = POLLIN }, { .fd = signal_fd, .events = POLLIN } };
    bool stop = false;

    if (pthread_create(&hk, NULL, housekeeping_main, a) != 0)
        return TV_ERR_INTERNAL;
    tv_info("listening on %s", l->activated ? "the socket from systemd" : l->path);
    while (!stop) {
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (p[1].revents & POLLIN)
            stop = handle_signal(a, signal_fd);
        if (p[0].revents & POLLIN)
            accept_one(a, l->fd);
    }
    pthread_mutex_lock(&a->lock);
    a->stopping = true;
    pthread_cond_broadcast(&a->changed);
    pthread_mutex_unlock(&a->lock);
    pthread_join(hk, NULL);
    conns_shutdown();
    tv_pinentry_close_all();
    if (!conns_wait(a, STOP_WAIT_MS)) {
        tv_warn("%d connections still busy after %d ms",
                __atomic_load_n(&a->active_connections, __ATOMIC_ACQUIRE), STOP_WAIT_MS);
        return TV_ERR_TIMEOUT;
    }
    return 0;
}
