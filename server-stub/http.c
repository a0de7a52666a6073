#include "http.h"

#include "api.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_secmem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

struct tv_http {
    struct MHD_Daemon *daemon;
    struct bakq *b;
    char *key_pem;
    char *cert_pem;
    int fd;
};

struct upload {
    uint8_t *data;
    size_t len;
    size_t cap;
    bool too_large;          /* over TV_BODY_MAX: the rest is read and dropped */
    bool answered;           /* refused before reading the body */
};

/* Bodies up to this size are read (and dropped) before answering 413, so
 * the client sees the answer instead of a reset; larger ones are refused
 * at once and the connection closed. */
#define DRAIN_MAX (1024 * 1024)

static void upload_free(struct upload *u)
{
    if (u == NULL)
        return;
    if (u->data)
        tv_wipe(u->data, u->cap);
    free(u->data);
    free(u);
}

static void upload_append(struct upload *u, const char *data, size_t n)
{
    if (u->too_large || n > TV_BODY_MAX - u->len) {
        u->too_large = true;
        return;
    }
    if (u->len + n > u->cap) {
        size_t cap = u->cap ? u->cap : 1024;
        uint8_t *p;

        while (cap < u->len + n)
            cap *= 2;
        p = malloc(cap);
        if (p == NULL) {
            u->too_large = true;
            return;
        }
        if (u->len)
            memcpy(p, u->data, u->len);
        if (u->data)
            tv_wipe(u->data, u->cap);
        free(u->data);
        u->data = p;
        u->cap = cap;
    }
    memcpy(u->data + u->len, data, n);
    u->len += n;
}

static void wipe_free(void *p)
{
    if (p != NULL)
        explicit_bzero(p, malloc_usable_size(p));
    free(p);
}

static const char *query_arg(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result send_response(struct MHD_Connection *c, struct tv_http_response *rs)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;

    if (rs->body != NULL)
        resp = MHD_create_response_from_buffer_with_free_callback(rs->body_len, rs->body, wipe_free);
    else
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (resp == NULL) {
        tv_http_response_free(rs);
        return MHD_NO;
    }
    rs->body = NULL;                        /* owned by the response now */
    if (rs->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rs->content_type);
    if (rs->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rs->allow);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    ret = MHD_queue_response(c, rs->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result dispatch(struct tv_http *h, struct MHD_Connection *c, const char *url,
                                const char *method, struct upload *u)
{
    struct tv_http_request rq = {
        .method = method, .path = url,
        .content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
        .authorization = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
        .body = u->data, .body_len = u->len, .body_too_large = u->too_large,
        .arg = query_arg, .arg_ctx = c,
    };
    struct tv_http_response rs;

    tv_api_handle(h->b, &rq, &rs);
    tv_debug("%s %s -> %u", method, url, rs.status);
    return send_response(c, &rs);
}

/* The declared body length is over max. */
static bool declared_over(struct MHD_Connection *c, unsigned long long max)
{
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    char *end = NULL;
    unsigned long long n;

    if (cl == NULL)
        return false;
    errno = 0;
    n = strtoull(cl, &end, 10);
    return errno != 0 || end == cl || n > max;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *data, size_t *data_size, void **con_cls)
{
    struct tv_http *h = cls;
    struct upload *u = *con_cls;

    if (u == NULL) {
        u = calloc(1, sizeof *u);
        if (u == NULL)
            return MHD_NO;
        *con_cls = u;
        if (!declared_over(c, DRAIN_MAX))
            return MHD_YES;
        u->too_large = u->answered = true;
        return dispatch(h, c, url, method, u);
    }
    if (*data_size > 0) {
        upload_append(u, data, *data_size);
        *data_size = 0;
        return MHD_YES;
    }
    if (u->answered)
        return MHD_YES;
    return dispatch(h, c, url, method, u);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    upload_free(*con_cls);
    *con_cls = NULL;
}

__attribute__((format(printf, 2, 0)))
static void on_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];

    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    tv_debug("libmicrohttpd: %s", line);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "re");
    char *buf = NULL;
    long n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n < (1 << 20) && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = calloc(1, (size_t)n + 1)) != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static int listen_socket(const char *listen_addr, int *port)
{
    char host[64];
    const char *colon = strrchr(listen_addr, ':');
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t len = sizeof sa;
    int one = 1, fd;
    long p;

    if (colon == NULL || (size_t)(colon - listen_addr) >= sizeof host)
        return TV_ERR_CONFIG;
    memcpy(host, listen_addr, (size_t)(colon - listen_addr));
    host[colon - listen_addr] = '\0';
    p = strtol(colon + 1, NULL, 10);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || p < 0 || p > 65535) {
        tv_error("--listen wants IPV4:PORT, e.g. 127.0.0.1:0 (got \"%s\")", listen_addr);
        return TV_ERR_CONFIG;
    }
    sa.sin_port = htons((uint16_t)p);
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 128) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        tv_error("cannot listen on %s: %s", listen_addr, strerror(errno));
        if (fd >= 0)
            close(fd);
        return TV_ERR_IO;
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

static int load_tls(struct tv_http *h)
{
    char key[1100], crt[1100];

    if (tv_data_path(h->b, "tls.key", key, sizeof key) < 0 || tv_data_path(h->b, "tls.crt", crt, sizeof crt) < 0)
        return TV_ERR_TOO_LARGE;
    h->key_pem = read_file(key);
    h->cert_pem = read_file(crt);
    if (h->key_pem == NULL || h->cert_pem == NULL) {
        tv_error("cannot read the TLS key and certificate (%s, %s): run `bakq-server init`", key, crt);
        return TV_ERR_CONFIG;
    }
    return 0;
}

int tv_http_start(struct bakq *b, const char *listen_addr, struct tv_http **out, int *port)
{
    struct tv_http *h = calloc(1, sizeof *h);
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                     MHD_USE_TLS | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
    int rc;

    if (h == NULL)
        return TV_ERR_NOMEM;
    h->b = b;
    h->fd = -1;
    rc = load_tls(h);
    if (rc == 0 && (h->fd = listen_socket(listen_addr, port)) < 0)
        rc = h->fd;
    if (rc < 0)
        goto fail;
    h->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
        MHD_OPTION_LISTEN_SOCKET, h->fd,
        MHD_OPTION_HTTPS_MEM_KEY, h->key_pem,
        MHD_OPTION_HTTPS_MEM_CERT, h->cert_pem,
        MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)b->cfg.connection_timeout,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)b->cfg.max_connections,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_EXTERNAL_LOGGER, on_log, h,
        MHD_OPTION_END);
    if (h->daemon == NULL) {
        tv_error("cannot start the HTTPS service (libmicrohttpd)");
        rc = TV_ERR_INTERNAL;
        goto fail;
    }
    *out = h;
    return 0;
fail:
    tv_http_stop(h);
    return rc;
}

void tv_http_stop(struct tv_http *h)
{
    if (h == NULL)
        return;
    if (h->daemon) {
        MHD_stop_daemon(h->daemon);         /* closes the listening socket */
        h->fd = -1;
    }
    if (h->fd >= 0)
        close(h->fd);
    if (h->key_pem)
        tv_wipe(h->key_pem, strlen(h->key_pem));
    free(h->key_pem);
    free(h->cert_pem);
    free(h);
}
