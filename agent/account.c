/* ACCOUNT: the BakQ holder operations the CLI offers (activation, password
 * change and reset, second factor, contact, revocation, renewal), passed to
 * the service's /bakq/v1/ API by the agent, the one process that talks to
 * it.  Secrets in the parameters (passwords, codes) come from the CLI, which
 * read them from the terminal or the prompt program. */
#include "dispatch.h"

#include "csc.h"
#include "json.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_proto.h"
#include "tv_secmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { AUTH_NONE, AUTH_SESSION, AUTH_PASSWORD } op_auth;
typedef enum { AFTER_NOTHING, AFTER_LOGOUT, AFTER_REFRESH, AFTER_RENEWED, AFTER_REVOKED } op_after;

typedef struct account_op {
    const char *name;
    const char *method;
    const char *path;
    op_auth auth;
    const char *password_param;   /* AUTH_PASSWORD: the parameter used for auth/login */
    op_after after;
} account_op;

static const account_op ops[] = {
    { "activate-start", "POST", "/bakq/v1/activation/start", AUTH_NONE, NULL, AFTER_NOTHING },
    { "activate-password", "POST", "/bakq/v1/activation/password", AUTH_NONE, NULL, AFTER_NOTHING },
    { "activate-terms", "POST", "/bakq/v1/activation/terms", AUTH_NONE, NULL, AFTER_NOTHING },
    { "activate-challenge", "POST", "/bakq/v1/activation/challenge", AUTH_NONE, NULL, AFTER_NOTHING },
    { "activate-complete", "POST", "/bakq/v1/activation/complete", AUTH_NONE, NULL, AFTER_LOGOUT },
    { "reset-start", "POST", "/bakq/v1/password-reset/start", AUTH_NONE, NULL, AFTER_NOTHING },
    { "reset-complete", "POST", "/bakq/v1/password-reset/complete", AUTH_NONE, NULL, AFTER_LOGOUT },
    { "account", "GET", "/bakq/v1/account", AUTH_SESSION, NULL, AFTER_NOTHING },
    { "password", "POST", "/bakq/v1/account/password", AUTH_PASSWORD, "old_password", AFTER_LOGOUT },
    { "second-factor", "POST", "/bakq/v1/account/second-factor", AUTH_SESSION, NULL, AFTER_REFRESH },
    { "contact", "POST", "/bakq/v1/account/contact", AUTH_SESSION, NULL, AFTER_REFRESH },
    { "revoke", "POST", "/bakq/v1/account/revoke", AUTH_PASSWORD, "password", AFTER_REVOKED },
    { "renew", "POST", "/bakq/v1/account/renew", AUTH_SESSION, NULL, AFTER_RENEWED },
};

static const account_op *op_find(const char *name)
{
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, name) == 0)
            return &ops[i];
    return NULL;
}

static json_t *param_value(const char *key, const char *value)
{
    if (strcmp(key, "accept") == 0 || strcmp(key, "allow_shared_contact") == 0)
        return json_boolean(strcmp(value, "true") == 0);
    return json_string(value);
}

/* "[ss]" parameters -> JSON object; TV_ERR_PROTOCOL on a malformed list. */
static int read_params(tv_reader *r, json_t *body)
{
    char key[128], *value = malloc(TV_STRING_MAX + 1);
    uint32_t n;
    int rc = 0;

    if (value == NULL)
        return TV_ERR_NOMEM;
    if (tv_get_u32(r, &n) < 0)
        rc = TV_ERR_PROTOCOL;
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        if (tv_get_string(r, key, sizeof key) < 0 || tv_get_string(r, value, TV_STRING_MAX + 1) < 0)
            rc = TV_ERR_PROTOCOL;
        else
            json_object_set_new(body, key, param_value(key, value));
        tv_wipe(value, TV_STRING_MAX + 1);
    }
    free(value);
    return rc;
}

static void put_result(tv_buf *out, long status, const json_t *reply)
{
    const char *key;
    json_t *v;
    uint32_t n = 0;
    size_t count_at;

    tv_buf_put_u32(out, (uint32_t)status);
    count_at = out->len;
    tv_buf_put_u32(out, 0);
    json_object_foreach((json_t *)reply, key, v) {
        char num[32], *text = NULL;
        const char *s = num;
        if (json_is_string(v))
            s = json_string_value(v);
        else if (json_is_integer(v))
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        else if (json_is_boolean(v))
            s = json_is_true(v) ? "true" : "false";
        else
            s = text = tv_json_dump(v);
        if (s != NULL && n < TV_ARRAY_MAX) {
            tv_buf_put_string(out, key);
            tv_buf_put_bytes(out, s, strnlen(s, TV_STRING_MAX));
            n++;
        }
        tv_json_free_string(text);
    }
    tv_buf_set_u32(out, count_at, n);
}

static int op_token(tv_agent *a, tv_http *http, const account_op *op, json_t *body, tv_secret **token,
                    tv_outcome *o)
{
    const char *pw;
    tv_secret *password;
    long lifetime;
    int rc;

    if (op->auth == AUTH_SESSION) {
        pthread_mutex_lock(&a->lock);
        if (tv_session_valid_locked(a, time(NULL)))
            *token = tv_secret_ref(a->session.token);
        pthread_mutex_unlock(&a->lock);
        return *token ? 0 : tv_outcome_set(o, TV_ERR_NOT_LOGGED_IN, "Log in first: `tarjeta login`");
    }
    if ((pw = tv_json_str(body, op->password_param)) == NULL)
        return tv_outcome_set(o, TV_ERR_INVALID, "the %s parameter is missing", op->password_param);
    if ((password = tv_secret_new(pw, strlen(pw))) == NULL)
        return tv_outcome_set(o, TV_ERR_NOMEM, "out of memory");
    pthread_mutex_lock(&a->lock);
    char dni[TV_DNI_LEN + 1];
    snprintf(dni, sizeof dni, "%s", a->cfg.user);
    pthread_mutex_unlock(&a->lock);
    rc = tv_csc_login(http, dni, password, token, &lifetime, o);
    tv_secret_unref(password);
    return rc;
}

static void op_after_effects(tv_agent *a, const account_op *op, long status, const tv_secret *token)
{
    tv_outcome o;
    tv_creds *creds, *revoked = NULL;

    if (status == 202)                       /* code sent: nothing happened yet */
        return;
    tv_outcome_clear(&o);
    if (op->after == AFTER_LOGOUT) {
        tv_session_end(a, "the BakQ password changed");
    } else if ((op->after == AFTER_REFRESH || op->after == AFTER_RENEWED) && token != NULL) {
        if (tv_refresh_credentials(a, token, &o) < 0)
            tv_warn("could not refresh the credentials: %s", o.msg);
        if (op->after == AFTER_RENEWED)
            tv_session_end(a, "the certificates were renewed");
    } else if (op->after == AFTER_REVOKED) {
        tv_session_end(a, "the BakQ was revoked");
        creds = tv_agent_creds(a);
        if (creds != NULL && tv_creds_mark_revoked(creds, &revoked) == 0) {
            pthread_mutex_lock(&a->lock);
            char server[512];
            snprintf(server, sizeof server, "%s", a->cfg.server);
            pthread_mutex_unlock(&a->lock);
            tv_creds_save(revoked, server);
            tv_agent_set_creds(a, revoked);
        }
        tv_creds_unref(creds);
    }
}

int tv_account_request(tv_agent *a, const tv_client *cl, tv_reader *r, tv_buf *out, tv_outcome *o)
{
    char name[64];
    const account_op *op;
    json_t *body = json_object(), *reply = NULL;
    tv_secret *token = NULL;
    tv_http *http = tv_agent_http(a);
    tv_http_auth auth = { 0 };
    long status = 0;
    int rc;

    if (tv_get_string(r, name, sizeof name) < 0 || read_params(r, body) < 0) {
        rc = tv_outcome_set(o, TV_ERR_PROTOCOL, "malformed ACCOUNT request");
        goto out;
    }
    if ((op = op_find(name)) == NULL) {
        rc = tv_outcome_set(o, TV_ERR_INVALID, "unknown account operation \"%s\"", name);
        goto out;
    }
    if (http == NULL) {
        rc = tv_outcome_set(o, TV_ERR_NO_IDENTITY, "The agent is not set up: run `tarjeta setup`");
        goto out;
    }
    if (op->auth != AUTH_NONE && (rc = op_token(a, http, op, body, &token, o)) < 0)
        goto out;
    auth.bearer = token;
    rc = tv_csc_call(http, op->method, op->path, &auth, strcmp(op->method, "POST") == 0
                     ? json_incref(body) : NULL, &status, &reply, o);
    if (rc == 0) {
        if (reply == NULL)
            reply = json_object();
        put_result(out, status, reply);
        op_after_effects(a, op, status, token);
        tv_info("account operation %s: HTTP %ld", name, status);
    }
    if (op->auth == AUTH_PASSWORD && token != NULL)
        tv_csc_revoke_token(http, token);
out:
    json_decref(reply);
    json_decref(body);
    tv_secret_unref(token);
    tv_http_unref(http);
    return rc;
}
