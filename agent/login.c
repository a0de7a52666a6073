/* Login: password (from the application or a dialog) -> auth/login; the
 * credential list; the second factor (SMS with resend, or coordinate card)
 * -> authorize the authentication credential for N signatures; renewal
 * notice.  Runs with dialog_lock held, so one login shows dialogs at a time. */
#include "agent.h"

#include "csc.h"
#include "json.h"
#include "pinentry.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_paths.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PASSWORD_TRIES 3
#define SECOND_FACTOR_TRIES 3
#define RESENDS_MAX 5

typedef struct login_ctx {
    tv_agent *a;
    const tv_client *cl;
    tv_http *http;
    char dni[TV_DNI_LEN + 1];
    tv_secret *password;
    tv_secret *token;
    long token_lifetime;
    tv_secret *sad;
    long sad_lifetime;
    uint32_t sad_total;
} login_ctx;

static void ctx_free(login_ctx *c)
{
    tv_secret_unref(c->password);
    tv_secret_unref(c->token);
    tv_secret_unref(c->sad);
    tv_http_unref(c->http);
}

static int password_step(login_ctx *c, const tv_secret *pin, tv_outcome *o)
{
    char error[512] = "";
    int attempts = -1, rc = 0;

    for (int i = 0; i < (pin ? 1 : PASSWORD_TRIES); i++) {
        tv_secret_unref(c->password);
        c->password = NULL;
        if (pin != NULL)
            c->password = tv_secret_ref((tv_secret *)pin);
        else if ((rc = tv_dialog_password(c->a, error, attempts, &c->password)) != 0)
            return tv_dialog_failed(o, rc, "Login");
        tv_outcome_clear(o);
        rc = tv_csc_login(c->http, c->dni, c->password, &c->token, &c->token_lifetime, o);
        if (rc != TV_ERR_WRONG_PASSWORD)
            return rc;
        snprintf(error, sizeof error, "%s", o->msg);
        attempts = o->attempts_left;
    }
    return rc;
}

/* Ask the second factor for cred; challenge, dialog, retry on a wrong value. */
typedef int (*factor_dialog)(login_ctx *c, const tv_cred *cr, const char *position, const char *error,
                             int attempts, tv_secret **otp, void *arg);
typedef int (*factor_use)(login_ctx *c, const tv_cred *cr, const tv_secret *otp, tv_outcome *o,
                          void *arg);

/* A wrong value leaves the challenge pending (docs/API.md), so a new one is
 * asked only at first, on "resend", and when the code expired. */
static bool needs_new_challenge(const tv_outcome *o)
{
    return strcmp(o->reason, "otp_expired") == 0 || strcmp(o->reason, "no_challenge") == 0;
}

static int second_factor(login_ctx *c, const tv_cred *cr, factor_dialog ask, factor_use use, void *arg,
                         tv_outcome *o)
{
    char position[16] = "", error[512] = "";
    int attempts = -1, rc = 0, resends = 0;
    bool challenge = true;

    for (int tries = 0; tries < SECOND_FACTOR_TRIES;) {
        tv_secret *otp = NULL;
        if (challenge && (rc = tv_csc_challenge(c->http, c->token, cr->id, position, sizeof position, o)) < 0)
            return rc;
        rc = ask(c, cr, position, error, attempts, &otp, arg);
        challenge = rc == TV_PINENTRY_NOTOK;
        if (rc == TV_PINENTRY_NOTOK && ++resends <= RESENDS_MAX) {
            snprintf(error, sizeof error, "A new code was sent");
            continue;
        }
        if (rc != 0)
            return tv_dialog_failed(o, rc, "Login");
        tv_outcome_clear(o);
        rc = use(c, cr, otp, o, arg);
        tv_secret_unref(otp);
        if (rc != TV_ERR_WRONG_SECOND_FACTOR)
            return rc;
        snprintf(error, sizeof error, "%s", o->msg);
        attempts = o->attempts_left;
        challenge = needs_new_challenge(o);
        tries++;
    }
    return rc;
}

static int login_ask(login_ctx *c, const tv_cred *cr, const char *position, const char *error,
                     int attempts, tv_secret **otp, void *arg)
{
    return tv_dialog_second_factor(c->a, cr, position, error, attempts, otp);
}

static int login_authorize(login_ctx *c, const tv_cred *cr, const tv_secret *otp, tv_outcome *o,
                           void *arg)
{
    unsigned wanted = *(unsigned *)arg;
    tv_csc_authz az = {
        .cred = cr->id, .num_signatures = wanted < cr->multisign ? wanted : cr->multisign,
        .password = c->password, .otp = otp,
    };

    c->sad_total = az.num_signatures;
    return tv_csc_authorize(c->http, c->token, &az, &c->sad, &c->sad_lifetime, o);
}

int tv_refresh_credentials(tv_agent *a, const tv_secret *token, tv_outcome *o)
{
    tv_http *http = tv_agent_http(a);
    json_t *list = NULL;
    tv_creds *creds = NULL;
    char err[256] = "", dni[TV_DNI_LEN + 1], server[512];
    int rc;

    pthread_mutex_lock(&a->lock);
    snprintf(dni, sizeof dni, "%s", a->cfg.user);
    snprintf(server, sizeof server, "%s", a->cfg.server);
    a->next_refresh = time(NULL) + a->cfg.refresh_interval;
    pthread_mutex_unlock(&a->lock);
    if (http == NULL)
        return tv_outcome_set(o, TV_ERR_NO_IDENTITY, "The agent is not set up: run `tarjeta setup`");
    rc = tv_csc_list(http, token, &list, o);
    if (rc == 0 && (rc = tv_creds_from_list(dni, list, &creds, err, sizeof err)) < 0)
        tv_outcome_set(o, rc, "The BakQ service sent unusable credentials: %s", err);
    if (rc == 0) {
        tv_creds_save(creds, server);
        tv_agent_set_creds(a, creds);
    }
    json_decref(list);
    tv_http_unref(http);
    return rc;
}

/* ---- renewal notice, at most once a day ---- */

static bool notice_due_today(void)
{
    char dir[4096], path[4200], today[16], last[16] = "";
    time_t now = time(NULL);
    struct tm tm;
    FILE *f;

    if (tv_path_cache_dir(dir, sizeof dir) < 0 || tv_path_join(path, sizeof path, dir, "renewal-notice") < 0)
        return false;
    localtime_r(&now, &tm);
    strftime(today, sizeof today, "%Y-%m-%d", &tm);
    if ((f = fopen(path, "re")) != NULL) {
        if (fgets(last, sizeof last, f) == NULL)
            last[0] = '\0';
        fclose(f);
    }
    if (strncmp(last, today, strlen(today)) == 0)
        return false;
    if (tv_mkdir_p(dir, 0700) == 0 && (f = fopen(path, "we")) != NULL) {
        fprintf(f, "%s\n", today);
        fclose(f);
    }
    return true;
}

static void renewal_check(login_ctx *c)
{
    tv_http_auth auth = { .bearer = c->token };
    json_t *acct = NULL;
    long status = 0;
    tv_outcome o;
    char text[512] = "";
    int days = -1;

    tv_outcome_clear(&o);
    if (tv_csc_call(c->http, "GET", "/bakq/v1/account", &auth, NULL, &status, &acct, &o) == 0 &&
        json_is_true(json_object_get(acct, "renewal_due"))) {
        days = (int)tv_json_int(acct, "days_to_expiry", 0);
        snprintf(text, sizeof text, "Your BakQ certificates expire in %d day%s: renew them with "
                 "`tarjeta renew`.", days, days == 1 ? "" : "s");
    }
    json_decref(acct);
    pthread_mutex_lock(&c->a->lock);
    snprintf(c->a->notice, sizeof c->a->notice, "%s", text);
    pthread_mutex_unlock(&c->a->lock);
    if (text[0] != '\0' && notice_due_today())
        tv_dialog_notice(c->a, "renewal", "BakQ renewal due", text, days);
}

static void session_install(login_ctx *c)
{
    tv_agent *a = c->a;
    time_t now = time(NULL);
    long lifetime;

    pthread_mutex_lock(&a->lock);
    tv_session_end_locked(a, "replaced by a new login");
    lifetime = a->cfg.session_lifetime < c->token_lifetime ? (long)a->cfg.session_lifetime
                                                            : c->token_lifetime;
    a->session.active = true;
    a->session.token = c->token;
    a->session.password = c->password;
    a->session.sad = c->sad;
    c->token = c->password = c->sad = NULL;
    a->session.sad_total = a->session.sad_left = c->sad_total;
    a->session.inflight = 0;
    a->session.sad_expires = now + c->sad_lifetime;
    a->session.expires = now + lifetime;
    a->session.serial++;
    tv_agent_bump_locked(a);
    pthread_mutex_unlock(&a->lock);
    tv_info("session opened for %s, %u signatures per authorization, %ld s", c->dni, c->sad_total, lifetime);
}

static int login_flow(login_ctx *c, const tv_secret *pin, tv_outcome *o)
{
    tv_creds *creds = NULL;
    const tv_cred *auth;
    unsigned wanted;
    int rc;

    if ((rc = password_step(c, pin, o)) < 0)
        return rc;
    if ((rc = tv_refresh_credentials(c->a, c->token, o)) < 0)
        goto revoke;
    creds = tv_agent_creds(c->a);
    if ((auth = tv_creds_by_usage(creds, 1)) == NULL) {
        rc = tv_outcome_set(o, TV_ERR_NO_IDENTITY, "Your BakQ has no authentication certificate");
        goto revoke;
    }
    pthread_mutex_lock(&c->a->lock);
    wanted = c->a->cfg.session_signatures;
    pthread_mutex_unlock(&c->a->lock);
    if ((rc = second_factor(c, auth, login_ask, login_authorize, &wanted, o)) < 0)
        goto revoke;
    renewal_check(c);
    session_install(c);
    tv_creds_unref(creds);
    return 0;
revoke:
    tv_creds_unref(creds);
    if (c->token != NULL)
        tv_csc_revoke_token(c->http, c->token);
    return rc;
}

int tv_login_locked(tv_agent *a, const tv_client *cl, const tv_secret *pin, bool *was_active,
                    tv_outcome *o)
{
    login_ctx c = { .a = a, .cl = cl };
    char why[600] = "";
    int rc;

    pthread_mutex_lock(&a->lock);
    *was_active = tv_session_valid_locked(a, time(NULL));
    snprintf(c.dni, sizeof c.dni, "%s", a->cfg.user);
    snprintf(why, sizeof why, "%s", a->config_error);
    c.http = tv_http_ref(a->http);
    pthread_mutex_unlock(&a->lock);
    if (*was_active) {
        ctx_free(&c);
        return 0;
    }
    if (c.http == NULL || c.dni[0] == '\0') {
        ctx_free(&c);
        return tv_outcome_set(o, TV_ERR_NO_IDENTITY, "%s", why[0] ? why : "The agent is not set up: "
                              "run `tarjeta setup --server URL --ca FILE --user DNI`");
    }
    rc = login_flow(&c, pin, o);
    ctx_free(&c);
    if (rc < 0)
        tv_warn("login failed: %s", o->msg);
    return rc;
}

int tv_login(tv_agent *a, const tv_client *cl, const tv_secret *pin, bool *was_active, tv_outcome *o)
{
    int rc;

    pthread_mutex_lock(&a->lock);
    *was_active = tv_session_valid_locked(a, time(NULL));
    pthread_mutex_unlock(&a->lock);
    if (*was_active)
        return 0;
    pthread_mutex_lock(&a->dialog_lock);
    rc = tv_login_locked(a, cl, pin, was_active, o);
    if (rc < 0)
        tv_notice_for(a, cl, o);
    pthread_mutex_unlock(&a->dialog_lock);
    return rc;
}

/* With dialog_lock held: tell the person about conditions the application
 * can only report as a failed login. */
void tv_notice_for(tv_agent *a, const tv_client *cl, const tv_outcome *o)
{
    static const struct { int err; const char *kind; } kinds[] = {
        { TV_ERR_BLOCKED, "blocked" }, { TV_ERR_EXPIRED, "expired" }, { TV_ERR_REVOKED, "revoked" },
        { TV_ERR_BAK_ONLY, "bak-only" }, { TV_ERR_UNREACHABLE, "unreachable" },
        { TV_ERR_TLS_VERIFY, "tls" }, { TV_ERR_NOT_ACTIVE, "error" }, { TV_ERR_SERVER, "error" },
    };

    if (cl == NULL || cl->is_cli)
        return;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].err == o->err) {
            tv_dialog_notice(a, kinds[i].kind, "BakQ", o->msg, -1);
            return;
        }
}
