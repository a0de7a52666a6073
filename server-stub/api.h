/* Request dispatch, independent of the HTTP library: the HTTP layer (http.c)
 * and the fuzz target both hand a tv_http_request to tv_api_handle() and get a
 * tv_http_response back.  Handlers see a tv_req with the parsed JSON body and
 * answer through the tv_reply_* / tv_fail* helpers; the tv_j* getters check
 * types and sizes and answer 400 themselves. */
#ifndef TV_SRV_API_H
#define TV_SRV_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "bakq.h"
#include "store.h"

#define TV_BODY_MAX (64 * 1024)

struct tv_http_request {
    const char *method;
    const char *path;
    const char *content_type;      /* NULL when absent */
    const char *authorization;     /* NULL when absent */
    const uint8_t *body;
    size_t body_len;
    bool body_too_large;
    const char *(*arg)(void *ctx, const char *name);   /* query arguments */
    void *arg_ctx;
};

struct tv_http_response {
    unsigned status;
    char *body;                    /* malloc'd, wiped when freed */
    size_t body_len;
    const char *content_type;
    const char *allow;             /* for 405 */
};

/* Install wiping allocators for JSON (bodies may carry secrets). */
void tv_api_global_init(void);
void tv_api_handle(struct bakq *b, const struct tv_http_request *rq, struct tv_http_response *rs);
void tv_http_response_free(struct tv_http_response *rs);

struct tv_req {
    struct bakq *b;
    const struct tv_http_request *http;
    struct tv_http_response *rs;
    json_t *body;
    bool answered;
    int64_t account_id;            /* bearer-authenticated routes */
    char bearer[TV_TOKEN_TEXT];
};

void tv_reply_json(struct tv_req *r, unsigned status, json_t *obj);   /* steals obj */
void tv_reply_empty(struct tv_req *r, unsigned status);
void tv_reply_raw(struct tv_req *r, const char *content_type, const void *data, size_t len);
/* An error answer; reason may be NULL; attempts < 0 = no attempts_left. */
void tv_fail_full(struct tv_req *r, unsigned status, const char *error, const char *reason, int attempts,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
#define tv_fail(r, status, error, reason, ...) tv_fail_full(r, status, error, reason, -1, __VA_ARGS__)
#define tv_bad_request(r, ...) tv_fail_full(r, 400, "invalid_request", NULL, -1, __VA_ARGS__)
void tv_fail_internal(struct tv_req *r);

/* Getters: true on success (absent optional fields leave *out NULL/unset
 * and *present false); false when the answer (400) has been set. */
bool tv_jstr(struct tv_req *r, const char *name, bool required, size_t maxlen, const char **out);
bool tv_jint(struct tv_req *r, const char *name, bool required, long long min, long long max,
             long long *out, bool *present);
bool tv_jbool(struct tv_req *r, const char *name, bool dflt, bool *out);
bool tv_jarray(struct tv_req *r, const char *name, bool required, size_t max_items, json_t **out);
/* Decode standard base64 text (an element or a field value); 400 when bad. */
bool tv_b64_field(struct tv_req *r, const char *name, const char *text, size_t max, uint8_t **out,
                  size_t *len);

/* Handlers, by file. */
void tv_csc_info(struct tv_req *r);
void tv_csc_login(struct tv_req *r);
void tv_csc_revoke(struct tv_req *r);
void tv_csc_list(struct tv_req *r);
void tv_csc_credinfo(struct tv_req *r);
void tv_csc_challenge(struct tv_req *r);
void tv_csc_send_otp(struct tv_req *r);
void tv_csc_authorize(struct tv_req *r);
void tv_csc_extend(struct tv_req *r);
void tv_csc_sign_hash(struct tv_req *r);

void tv_ca_get_cert(struct tv_req *r);
void tv_ca_get_crl(struct tv_req *r);

void tv_lc_register(struct tv_req *r);
void tv_lc_act_start(struct tv_req *r);
void tv_lc_act_password(struct tv_req *r);
void tv_lc_act_terms(struct tv_req *r);
void tv_lc_act_challenge(struct tv_req *r);
void tv_lc_act_complete(struct tv_req *r);

void tv_holder_account(struct tv_req *r);
void tv_holder_password(struct tv_req *r);
void tv_holder_reset_start(struct tv_req *r);
void tv_holder_reset_complete(struct tv_req *r);
void tv_holder_second_factor(struct tv_req *r);
void tv_holder_contact(struct tv_req *r);
void tv_holder_revoke(struct tv_req *r);
void tv_holder_renew(struct tv_req *r);

void tv_testing_outbox(struct tv_req *r);
void tv_testing_clock_get(struct tv_req *r);
void tv_testing_clock_set(struct tv_req *r);

/* Take the server lock and check the bearer token (401 otherwise). */
bool tv_req_bearer(struct tv_req *r);

#endif
