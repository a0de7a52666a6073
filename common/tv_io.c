#include "tv_io.h"

#include "tv_err.h"
#include "tv_proto.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int tv_agent_socket_path(char *out, size_t outsz)
{
    const char *explicit_path = getenv("TARJETA_AGENT_SOCKET");
    const char *runtime = getenv("XDG_RUNTIME_DIR");
    int n;

    if (explicit_path != NULL && explicit_path[0] != '\0')
        n = snprintf(out, outsz, "%s", explicit_path);
    else if (runtime != NULL && runtime[0] == '/')
        n = snprintf(out, outsz, "%s/tarjeta-virtual/agent.sock", runtime);
    else
        return TV_ERR_CONFIG;
    if (n < 0 || (size_t)n >= outsz)
        return TV_ERR_TOO_LARGE;
    return 0;
}

int tv_peer_check(int fd, uid_t expected, pid_t *pid_out)
{
    struct ucred cred;
    socklen_t len = sizeof cred;

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred)
        return TV_ERR_IO;
    if (cred.uid != expected)
        return TV_ERR_PEER_UID;
    if (pid_out != NULL)
        *pid_out = cred.pid;
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for fd to become ready for `events` before the deadline (-1: none). */
static int wait_fd(int fd, short events, int64_t deadline)
{
    struct pollfd p = { .fd = fd, .events = events };

    for (;;) {
        int timeout = -1;
        if (deadline >= 0) {
            int64_t left = deadline - now_ms();
            if (left <= 0)
                return TV_ERR_TIMEOUT;
            timeout = left > 60000 ? 60000 : (int)left;
        }
        int n = poll(&p, 1, timeout);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return TV_ERR_IO;
    }
}

static int64_t deadline_after(int timeout_ms)
{
    return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

static int connect_nonblocking(int fd, const struct sockaddr_un *addr, int timeout_ms)
{
    int err = 0;
    socklen_t len = sizeof err;

    if (connect(fd, (const struct sockaddr *)addr, sizeof *addr) == 0)
        return 0;
    if (errno == ENOENT || errno == ECONNREFUSED)
        return TV_ERR_NO_AGENT;
    if (errno != EINPROGRESS && errno != EAGAIN)
        return TV_ERR_IO;
    if (wait_fd(fd, POLLOUT, deadline_after(timeout_ms)) < 0)
        return TV_ERR_TIMEOUT;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        return TV_ERR_IO;
    if (err == ECONNREFUSED || err == ENOENT)
        return TV_ERR_NO_AGENT;
    return err == 0 ? 0 : TV_ERR_IO;
}

int tv_unix_connect(const char *path, int timeout_ms, int *fd_out)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd, rc;

    if (strlen(path) >= sizeof addr.sun_path)
        return TV_ERR_TOO_LARGE;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return TV_ERR_IO;
    rc = connect_nonblocking(fd, &addr, timeout_ms);
    if (rc == 0)
        rc = tv_peer_check(fd, getuid(), NULL);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    *fd_out = fd;
    return 0;
}

int tv_send_all(int fd, const void *p, size_t n, int timeout_ms)
{
    const uint8_t *at = p;
    int64_t deadline = deadline_after(timeout_ms);

    while (n > 0) {
        ssize_t w = send(fd, at, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
            at += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int rc = wait_fd(fd, POLLOUT, deadline);
            if (rc < 0)
                return rc;
            continue;
        }
        return (w < 0 && (errno == EPIPE || errno == ECONNRESET)) ? TV_ERR_CLOSED : TV_ERR_IO;
    }
    return 0;
}

/* Append up to `want` bytes from fd to b. */
static int recv_some(int fd, tv_buf *b, size_t want, int64_t deadline)
{
    uint8_t chunk[16384];

    for (;;) {
        size_t ask = want < sizeof chunk ? want : sizeof chunk;
        ssize_t r = recv(fd, chunk, ask, MSG_DONTWAIT);
        if (r > 0) {
            tv_buf_put_raw(b, chunk, (size_t)r);
            explicit_bzero(chunk, (size_t)r);
            return tv_buf_error(b);
        }
        if (r == 0)
            return TV_ERR_CLOSED;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return errno == ECONNRESET ? TV_ERR_CLOSED : TV_ERR_IO;
        int rc = wait_fd(fd, POLLIN, deadline);
        if (rc < 0)
            return rc;
    }
}

int tv_recv_frame(int fd, tv_buf *b, int timeout_ms, uint32_t *frame_type, tv_reader *body)
{
    int64_t deadline = deadline_after(timeout_ms);
    size_t frame_len = 0;
    int rc;

    tv_buf_reset(b);
    while (b->len < 4)
        if ((rc = recv_some(fd, b, 4 - b->len, deadline)) < 0)
            return rc;
    if ((rc = tv_frame_peek(b->data, b->len, &frame_len)) < 0)
        return rc;
    while (b->len < frame_len)
        if ((rc = recv_some(fd, b, frame_len - b->len, deadline)) < 0)
            return rc;
    return tv_frame_open(b->data, b->len, frame_type, body);
}

int tv_call(int fd, const tv_buf *request, tv_buf *reply, int timeout_ms, tv_reader *body,
            char *errmsg, size_t errmsg_size)
{
    uint32_t sent_type, type = 0;
    int code, rc;

    if (request->len < TV_FRAME_HEADER || !tv_buf_ok(request))
        return TV_ERR_INVALID;
    sent_type = tv_load_u32(request->data + 4);
    if ((rc = tv_send_all(fd, request->data, request->len, timeout_ms)) < 0)
        return rc;
    if ((rc = tv_recv_frame(fd, reply, timeout_ms, &type, body)) < 0)
        return rc;
    if (type == TV_MSG_ERROR) {
        if (tv_frame_read_error(body, &code, errmsg, errmsg_size) < 0)
            return TV_ERR_PROTOCOL;
        return code;
    }
    return type == (sent_type | TV_MSG_REPLY) ? 0 : TV_ERR_PROTOCOL;
}
