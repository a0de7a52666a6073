/* HTTPS front end (libmicrohttpd with GnuTLS): one thread per connection so
 * concurrent signatures run in parallel, keep-alive, connection timeouts and
 * a connection limit; every request goes to tv_api_handle(). */
#ifndef TV_SRV_HTTP_H
#define TV_SRV_HTTP_H

#include "bakq.h"

struct tv_http;

/* listen is "ADDR:PORT" (IPv4; port 0 picks a free one). */
int tv_http_start(struct bakq *b, const char *listen, struct tv_http **out, int *port);
void tv_http_stop(struct tv_http *h);

#endif
