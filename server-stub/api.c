#include "api.h"

#include "b64.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_secmem.h"

#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

enum auth_kind { AUTH_NONE, AUTH_BEARER, AUTH_ADMIN };

struct route {
    const char *method;
    const char *path;
    void (*fn)(struct tv_req *r);
    enum auth_kind auth;
    bool testing;          /* only with --testing */
    bool unlocked;         /* the handler takes the server lock itself */
};

static const struct route routes[] = {
    { "POST", "/csc/v2/info", tv_csc_info, AUTH_NONE, false, false },
    { "POST", "/csc/v2/auth/login", tv_csc_login, AUTH_NONE, false, false },
    { "POST", "/csc/v2/auth/revoke", tv_csc_revoke, AUTH_BEARER, false, false },
    { "POST", "/csc/v2/credentials/list", tv_csc_list, AUTH_BEARER, false, false },
    { "POST", "/csc/v2/credentials/info", tv_csc_credinfo, AUTH_BEARER, false, false },
    { "POST", "/csc/v2/credentials/getChallenge", tv_csc_challenge, AUTH_BEARER, false, false },
    { "POST", "/csc/v2/credentials/sendOTP", tv_csc_send_otp, AUTH_BEARER, false, false },
    { "POST", "/csc/v2/credentials/authorize", tv_csc_authorize, AUTH_BEARER, false, false },
    { "POST", "/csc/v2/credentials/extendTransaction", tv_csc_extend, AUTH_BEARER, false, false },
    { "POST", "/csc/v2/signatures/signHash", tv_csc_sign_hash, AUTH_BEARER, false, true },
    { "GET", "/ca/ca.crt", tv_ca_get_cert, AUTH_NONE, false, false },
    { "GET", "/ca/crl", tv_ca_get_crl, AUTH_NONE, false, false },
    { "POST", "/bakq/v1/registrations", tv_lc_register, AUTH_ADMIN, false, false },
    { "POST", "/bakq/v1/activation/start", tv_lc_act_start, AUTH_NONE, false, false },
    { "POST", "/bakq/v1/activation/password", tv_lc_act_password, AUTH_NONE, false, false },
    { "POST", "/bakq/v1/activation/terms", tv_lc_act_terms, AUTH_NONE, false, false },
    { "POST", "/bakq/v1/activation/challenge", tv_lc_act_challenge, AUTH_NONE, false, false },
    { "POST", "/bakq/v1/activation/complete", tv_lc_act_complete, AUTH_NONE, false, false },
    { "GET", "/bakq/v1/account", tv_holder_account, AUTH_BEARER, false, false },
    { "POST", "/bakq/v1/account/password", tv_holder_password, AUTH_BEARER, false, false },
    { "POST", "/bakq/v1/password-reset/start", tv_holder_reset_start, AUTH_NONE, false, false },
    { "POST", "/bakq/v1/password-reset/complete", tv_holder_reset_complete, AUTH_NONE, false, false },
    { "POST", "/bakq/v1/account/second-factor", tv_holder_second_factor, AUTH_BEARER, false, false },
    { "POST", "/bakq/v1/account/contact", tv_holder_contact, AUTH_BEARER, false, false },
    { "POST", "/bakq/v1/account/revoke", tv_holder_revoke, AUTH_BEARER, false, false },
    { "POST", "/bakq/v1/account/renew", tv_holder_renew, AUTH_BEARER, false, false },
    { "GET", "/testing/v1/outbox", tv_testing_outbox, AUTH_NONE, true, false },
    { "GET", "/testing/v1/clock", tv_testing_clock_get, AUTH_NONE, true, false },
    { "POST", "/testing/v1/clock", tv_testing_clock_set, AUTH_NONE, true, false },
};

/* JSON values may hold passwords and codes: wipe every block jansson frees. */
static void *wiping_malloc(size_t n)
{
    return malloc(n);
}

static void wiping_free(void *p)
{
    if (p != NULL)
        explicit_bzero(p, malloc_usable_size(p));
    free(p);
}

void tv_api_global_init(void)
{
    json_set_alloc_funcs(wiping_malloc, wiping_free);
}

void tv_http_response_free(struct tv_http_response *rs)
{
    if (rs->body != NULL)
        tv_wipe(rs->body, rs->body_len);
    free(rs->body);
    rs->body = NULL;
}

static void set_body(struct tv_req *r, unsigned status, char *text, size_t len, const char *type)
{
    tv_http_response_free(r->rs);
    r->rs->status = status;
    r->rs->body = text;
    r->rs->body_len = len;
    r->rs->content_type = type;
    r->answered = true;
}

void tv_reply_json(struct tv_req *r, unsigned status, json_t *obj)
{
    char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    char *copy = text ? strdup(text) : NULL;

    if (text)
        wiping_free(text);
    json_decref(obj);
    if (copy == NULL) {
        tv_fail_internal(r);
        return;
    }
    set_body(r, status, copy, strlen(copy), "application/json");
}

void tv_reply_empty(struct tv_req *r, unsigned status)
{
    set_body(r, status, NULL, 0, NULL);
}

void tv_reply_raw(struct tv_req *r, const char *content_type, const void *data, size_t len)
{
    char *copy = malloc(len ? len : 1);

    if (copy == NULL) {
        tv_fail_internal(r);
        return;
    }
    memcpy(copy, data, len);
    set_body(r, 200, copy, len, content_type);
}

/* The fixed answer for when even building an answer fails. */
void tv_fail_internal(struct tv_req *r)
{
    static const char text[] = "{\"error\":\"server_error\",\"error_description\":"
                               "\"Internal error; see the server log\"}";
    char *copy = strdup(text);

    set_body(r, 500, copy, copy ? strlen(copy) : 0, "application/json");
}

void tv_fail_full(struct tv_req *r, unsigned status, const char *error, const char *reason, int attempts,
                  const char *fmt, ...)
{
    char desc[512];
    va_list ap;
    json_t *o;

    va_start(ap, fmt);
    vsnprintf(desc, sizeof desc, fmt, ap);
    va_end(ap);
    o = json_pack("{s:s, s:s}", "error", error, "error_description", desc);
    if (o && reason)
        json_object_set_new(o, "bakq_reason", json_string(reason));
    if (o && attempts >= 0)
        json_object_set_new(o, "attempts_left", json_integer(attempts));
    tv_reply_json(r, status, o);
}

static json_t *field(struct tv_req *r, const char *name)
{
    return r->body ? json_object_get(r->body, name) : NULL;
}

bool tv_jstr(struct tv_req *r, const char *name, bool required, size_t maxlen, const char **out)
{
    json_t *v = field(r, name);

    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (required)
            tv_bad_request(r, "Missing parameter %s", name);
        return !required;
    }
    if (!json_is_string(v)) {
        tv_bad_request(r, "Parameter %s must be a string", name);
        return false;
    }
    if (json_string_length(v) > maxlen) {
        tv_bad_request(r, "Parameter %s is too long (at most %zu characters)", name, maxlen);
        return false;
    }
    *out = json_string_value(v);
    return true;
}

bool tv_jint(struct tv_req *r, const char *name, bool required, long long min, long long max,
             long long *out, bool *present)
{
    json_t *v = field(r, name);

    if (present)
        *present = false;
    if (v == NULL || json_is_null(v)) {
        if (required)
            tv_bad_request(r, "Missing parameter %s", name);
        return !required;
    }
    if (!json_is_integer(v)) {
        tv_bad_request(r, "Parameter %s must be an integer", name);
        return false;
    }
    if (json_integer_value(v) < min || json_integer_value(v) > max) {
        tv_bad_request(r, "Parameter %s must be between %lld and %lld", name, min, max);
        return false;
    }
    *out = json_integer_value(v);
    if (present)
        *present = true;
    return true;
}

bool tv_jbool(struct tv_req *r, const char *name, bool dflt, bool *out)
{
    json_t *v = field(r, name);

    *out = dflt;
    if (v == NULL || json_is_null(v))
        return true;
    if (!json_is_boolean(v)) {
        tv_bad_request(r, "Parameter %s must be true or false", name);
        return false;
    }
    *out = json_is_true(v);
    return true;
}

bool tv_jarray(struct tv_req *r, const char *name, bool required, size_t max_items, json_t **out)
{
    json_t *v = field(r, name);

    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (required)
            tv_bad_request(r, "Missing parameter %s", name);
        return !required;
    }
    if (!json_is_array(v)) {
        tv_bad_request(r, "Parameter %s must be an array", name);
        return false;
    }
    if (json_array_size(v) > max_items) {
        tv_bad_request(r, "Parameter %s has too many elements (at most %zu)", name, max_items);
        return false;
    }
    *out = v;
    return true;
}

bool tv_b64_field(struct tv_req *r, const char *name, const char *text, size_t max, uint8_t **out,
                  size_t *len)
{
    int rc = tv_b64_decode(text, strlen(text), max, out, len);

    if (rc == 0)
        return true;
    if (rc == TV_ERR_TOO_LARGE)
        tv_bad_request(r, "Parameter %s is too long", name);
    else
        tv_bad_request(r, "Parameter %s is not valid base64", name);
    return false;
}

bool tv_req_bearer(struct tv_req *r)
{
    const char *h = r->http->authorization;
    size_t n;
    int rc;

    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) {
        tv_fail(r, 401, "invalid_token", NULL, "Missing bearer token: log in with auth/login first");
        return false;
    }
    h += 7;
    n = strlen(h);
    if (n == 0 || n >= sizeof r->bearer) {
        tv_fail(r, 401, "invalid_token", NULL, "Unknown bearer token: log in again");
        return false;
    }
    rc = tv_token_check(r->b->store, TV_TOKEN_ACCESS, h, tv_now(r->b), &r->account_id);
    if (rc == TV_ERR_EXPIRED) {
        tv_fail(r, 401, "expired_token", NULL, "The bearer token expired: log in again");
        return false;
    }
    if (rc < 0) {
        tv_fail(r, 401, "invalid_token", NULL, "Unknown bearer token: log in again");
        return false;
    }
    memcpy(r->bearer, h, n + 1);
    return true;
}

static bool check_admin(struct tv_req *r)
{
    const char *h = r->http->authorization;
    uint8_t hash[32];

    if (r->b->have_admin && h != NULL && strncasecmp(h, "Bearer ", 7) == 0) {
        SHA256((const unsigned char *)h + 7, strlen(h + 7), hash);
        if (CRYPTO_memcmp(hash, r->b->admin_hash, sizeof hash) == 0)
            return true;
    }
    tv_fail(r, 403, "access_denied", "forbidden", "Service-point endpoint: the admin token is required");
    return false;
}

static bool is_json_type(const char *ct)
{
    size_t n = strlen("application/json");

    if (ct == NULL || strncasecmp(ct, "application/json", n) != 0)
        return false;
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

static bool parse_body(struct tv_req *r)
{
    const struct tv_http_request *rq = r->http;
    json_error_t err;

    if (rq->body_too_large) {
        tv_bad_request(r, "Request body too large (at most %d bytes)", TV_BODY_MAX);
        r->rs->status = 413;
        return false;
    }
    if (rq->body_len == 0) {
        r->body = json_object();
        return r->body != NULL;
    }
    if (!is_json_type(rq->content_type)) {
        tv_bad_request(r, "The body must be JSON (Content-Type: application/json)");
        r->rs->status = 415;
        return false;
    }
    r->body = json_loadb((const char *)rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &err);
    if (r->body == NULL || !json_is_object(r->body)) {
        tv_bad_request(r, "The body must be a JSON object%s", r->body ? "" : " (malformed JSON)");
        return false;
    }
    return true;
}

/* The route for this request; sets 404 or 405 when there is none. */
static const struct route *route_find(struct tv_req *r)
{
    const struct route *path_match = NULL;

    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const struct route *rt = &routes[i];

        if (strcmp(rt->path, r->http->path) != 0 || (rt->testing && !r->b->testing))
            continue;
        if (strcmp(rt->method, r->http->method) == 0)
            return rt;
        path_match = rt;
    }
    if (path_match == NULL) {
        tv_fail(r, 404, "invalid_request", "not_found", "Unknown path %.100s", r->http->path);
    } else {
        tv_bad_request(r, "Method %.10s not allowed here (use %s)", r->http->method, path_match->method);
        r->rs->status = 405;
        r->rs->allow = path_match->method;
    }
    return NULL;
}

static void run_route(struct tv_req *r, const struct route *rt)
{
    bool ok = true;

    pthread_mutex_lock(&r->b->lock);
    if (rt->auth == AUTH_BEARER)
        ok = tv_req_bearer(r);
    else if (rt->auth == AUTH_ADMIN)
        ok = check_admin(r);
    if (ok && !rt->unlocked)
        rt->fn(r);
    pthread_mutex_unlock(&r->b->lock);
    if (ok && rt->unlocked)
        rt->fn(r);
}

void tv_api_handle(struct bakq *b, const struct tv_http_request *rq, struct tv_http_response *rs)
{
    struct tv_req r = { .b = b, .http = rq, .rs = rs };
    const struct route *rt;

    memset(rs, 0, sizeof *rs);
    rt = route_find(&r);
    if (rt != NULL && (strcmp(rt->method, "GET") == 0 || parse_body(&r)))
        run_route(&r, rt);
    if (!r.answered)
        tv_fail_internal(&r);
    json_decref(r.body);
    tv_wipe(r.bearer, sizeof r.bearer);
}
