/* HTTPS to the BakQ service on libcurl: HTTPS only, the server certificate
 * verified against the pinned CA alone, connect and total timeouts,
 * CURLOPT_NOSIGNAL, and a small pool of easy handles, each keeping its TLS
 * connection open, so a signature during a session costs one request on an
 * already-open connection.  tv_http_stats() counts new connections (TLS
 * handshakes) so a benchmark can check that none happen per signature. */
#ifndef TV_AGENT_HTTP_H
#define TV_AGENT_HTTP_H

#include "outcome.h"
#include "secret.h"
#include "tv_buf.h"

#include <stdint.h>

typedef struct tv_http tv_http;

typedef struct tv_http_opts {
    const char *server;          /* https://host:port */
    const char *ca;              /* PEM file */
    unsigned connect_timeout;    /* seconds */
    unsigned request_timeout;    /* seconds */
    unsigned max_handles;        /* connections kept open */
} tv_http_opts;

typedef struct tv_http_stats {
    uint64_t requests;
    uint64_t handshakes;         /* new connections opened */
    uint64_t failures;           /* transfers with no HTTP answer */
} tv_http_stats;

int tv_http_new(const tv_http_opts *opts, tv_http **out);
tv_http *tv_http_ref(tv_http *h);
void tv_http_unref(tv_http *h);                     /* NULL is fine */
void tv_http_stats_get(const tv_http *h, tv_http_stats *out);
const char *tv_http_server(const tv_http *h);

/* Authorization for a request: none, Basic dni:password, or Bearer token. */
typedef struct tv_http_auth {
    const char *user;            /* Basic when set */
    const tv_secret *password;
    const tv_secret *bearer;     /* Bearer when set */
} tv_http_auth;

/* One request.  method "GET" or "POST" (body: JSON text, may be NULL for
 * GET).  On an HTTP answer (any status) returns 0 with *status and the body
 * in `reply` (capped at 1 MiB); without one returns the transport outcome. */
int tv_http_request(tv_http *h, const char *method, const char *path, const tv_http_auth *auth,
                    const char *body, long *status, tv_buf *reply, tv_outcome *o);

#endif
