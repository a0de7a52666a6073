#include "agent_http.h"

#include "json.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_secmem.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTTP_MAX_HANDLES 64

struct tv_http {
    int refs;
    char server[512];
    char ca[4096];
    unsigned connect_timeout, request_timeout, max_handles;
    pthread_mutex_t lock;
    pthread_cond_t idle_cond;
    CURL *idle[HTTP_MAX_HANDLES];
    unsigned n_idle, n_created;
    uint64_t requests, handshakes, failures;   /* atomics */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_global(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

int tv_http_new(const tv_http_opts *opts, tv_http **out)
{
    tv_http *h;

    pthread_once(&curl_once, curl_global);
    if (strncmp(opts->server, "https://", 8) != 0)
        return TV_ERR_CONFIG;
    h = calloc(1, sizeof *h);
    if (h == NULL)
        return TV_ERR_NOMEM;
    h->refs = 1;
    snprintf(h->server, sizeof h->server, "%s", opts->server);
    snprintf(h->ca, sizeof h->ca, "%s", opts->ca);
    h->connect_timeout = opts->connect_timeout;
    h->request_timeout = opts->request_timeout;
    h->max_handles = opts->max_handles < 1 ? 1 : opts->max_handles > HTTP_MAX_HANDLES
                   ? HTTP_MAX_HANDLES : opts->max_handles;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->idle_cond, NULL);
    *out = h;
    return 0;
}

tv_http *tv_http_ref(tv_http *h)
{
    if (h != NULL)
        __atomic_add_fetch(&h->refs, 1, __ATOMIC_RELAXED);
    return h;
}

void tv_http_unref(tv_http *h)
{
    if (h == NULL || __atomic_sub_fetch(&h->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    for (unsigned i = 0; i < h->n_idle; i++)
        curl_easy_cleanup(h->idle[i]);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->idle_cond);
    free(h);
}

void tv_http_stats_get(const tv_http *h, tv_http_stats *out)
{
    out->requests = __atomic_load_n(&h->requests, __ATOMIC_RELAXED);
    out->handshakes = __atomic_load_n(&h->handshakes, __ATOMIC_RELAXED);
    out->failures = __atomic_load_n(&h->failures, __ATOMIC_RELAXED);
}

const char *tv_http_server(const tv_http *h)
{
    return h->server;
}

static size_t collect(char *data, size_t size, size_t nmemb, void *userdata)
{
    tv_buf *b = userdata;
    size_t n = size * nmemb;

    tv_buf_put_raw(b, data, n);
    return tv_buf_ok(b) ? n : 0;
}

static CURL *handle_new(tv_http *h)
{
    CURL *c = curl_easy_init();

    if (c == NULL)
        return NULL;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_CAINFO, h->ca);
    curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)h->connect_timeout);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)h->request_timeout);
    curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c, CURLOPT_MAXCONNECTS, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "tarjeta-agent/" TV_VERSION);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)TV_JSON_MAX);
    return c;
}

/* Take an idle handle (with its open connection), create one while under the
 * limit, or wait for one to come back. */
static CURL *handle_take(tv_http *h)
{
    CURL *c = NULL;

    pthread_mutex_lock(&h->lock);
    while (h->n_idle == 0 && h->n_created >= h->max_handles)
        pthread_cond_wait(&h->idle_cond, &h->lock);
    if (h->n_idle > 0) {
        c = h->idle[--h->n_idle];
    } else if ((c = handle_new(h)) != NULL) {
        h->n_created++;
    }
    pthread_mutex_unlock(&h->lock);
    return c;
}

static void handle_give(tv_http *h, CURL *c)
{
    pthread_mutex_lock(&h->lock);
    h->idle[h->n_idle++] = c;
    pthread_cond_signal(&h->idle_cond);
    pthread_mutex_unlock(&h->lock);
}

/* "Authorization: ..." into line (a stack buffer the caller wipes); false
 * when there is no auth or it does not fit.  No allocation: this runs for
 * every signature. */
static bool auth_header(const tv_http_auth *auth, char *line, size_t size)
{
    char plain[1024];
    size_t ulen, plen, n;
    bool ok = false;

    if (auth == NULL || (auth->user == NULL && auth->bearer == NULL))
        return false;
    if (auth->bearer != NULL)
        return (size_t)snprintf(line, size, "Authorization: Bearer %s", tv_secret_str(auth->bearer)) < size;
    ulen = strlen(auth->user);
    plen = tv_secret_len(auth->password);
    n = (size_t)snprintf(line, size, "Authorization: Basic ");
    if (ulen + plen + 1 < sizeof plain && n + 4 * ((ulen + plen + 3) / 3) + 1 < size) {
        memcpy(plain, auth->user, ulen);
        plain[ulen] = ':';
        memcpy(plain + ulen + 1, tv_secret_str(auth->password), plen);
        EVP_EncodeBlock((unsigned char *)line + n, (unsigned char *)plain, (int)(ulen + plen + 1));
        ok = true;
    }
    tv_wipe(plain, sizeof plain);
    return ok;
}

static void headers_free(struct curl_slist *list)
{
    for (struct curl_slist *l = list; l != NULL; l = l->next)
        tv_wipe(l->data, strlen(l->data));
    curl_slist_free_all(list);
}

static struct curl_slist *headers_new(const tv_http_auth *auth, bool json_body)
{
    struct curl_slist *list = curl_slist_append(NULL, "Accept: application/json");
    char authz[4096];

    if (json_body && list != NULL)
        list = curl_slist_append(list, "Content-Type: application/json");
    if (list != NULL && auth_header(auth, authz, sizeof authz))
        list = curl_slist_append(list, authz);
    tv_wipe(authz, sizeof authz);
    return list;
}

static void count_connects(tv_http *h, CURL *c)
{
    long connects = 0;

    __atomic_add_fetch(&h->requests, 1, __ATOMIC_RELAXED);
    if (curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK && connects > 0) {
        __atomic_add_fetch(&h->handshakes, (uint64_t)connects, __ATOMIC_RELAXED);
        tv_debug("new TLS connection to %s (%llu so far)", h->server,
                 (unsigned long long)__atomic_load_n(&h->handshakes, __ATOMIC_RELAXED));
    }
}

static int perform(tv_http *h, CURL *c, long *status, tv_outcome *o)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    CURLcode cc;

    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    cc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    count_connects(h, c);
    if (cc != CURLE_OK) {
        __atomic_add_fetch(&h->failures, 1, __ATOMIC_RELAXED);
        tv_warn("%s: %s", curl_easy_strerror(cc), errbuf);
        return tv_outcome_from_transport(o, (int)cc, errbuf[0] ? errbuf : curl_easy_strerror(cc),
                                         h->server, h->ca);
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    return 0;
}

int tv_http_request(tv_http *h, const char *method, const char *path, const tv_http_auth *auth,
                    const char *body, long *status, tv_buf *reply, tv_outcome *o)
{
    char url[1024];
    struct curl_slist *headers = NULL;
    CURL *c;
    int rc;

    if ((size_t)snprintf(url, sizeof url, "%s%s", h->server, path) >= sizeof url)
        return tv_outcome_set(o, TV_ERR_INVALID, "request path too long");
    if ((c = handle_take(h)) == NULL || (headers = headers_new(auth, body != NULL)) == NULL) {
        if (c != NULL)
            handle_give(h, c);
        return tv_outcome_set(o, TV_ERR_NOMEM, "out of memory");
    }
    tv_buf_reset(reply);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, reply);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "{}");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body ? body : "{}"));
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    rc = perform(h, c, status, o);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
    headers_free(headers);
    handle_give(h, c);
    return rc;
}
