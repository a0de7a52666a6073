/* Signing.  Authentication credential: the session's SAD, no dialog; the SAD
 * is renewed with extendTransaction when its count or time runs out, and a
 * lost session is re-established with the login dialogs.  Signature
 * credential: a confirmation dialog naming the program, a fresh second factor,
 * an authorization bound to the hash, then signHash. */
#include "agent.h"

#include "csc.h"
#include "mech.h"
#include "pinentry.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_proto.h"

#include <stdio.h>
#include <string.h>

typedef struct sign_job {
    const tv_cred *cred;
    tv_mech_plan plan;
    uint8_t raw[1024];            /* the service's signature */
    size_t raw_len;
} sign_job;

static int sign_once(tv_http *http, const tv_secret *token, const tv_secret *sad, sign_job *j,
                     tv_outcome *o)
{
    tv_csc_sign s = {
        .cred = j->cred->id, .hash = j->plan.hash, .hash_len = j->plan.hash_len,
        .hash_oid = j->plan.hash_oid, .sign_algo = j->plan.sign_algo,
        .params = j->plan.params_len ? j->plan.params : NULL, .params_len = j->plan.params_len,
    };

    j->raw_len = sizeof j->raw;
    return tv_csc_sign_hash(http, token, sad, &s, j->raw, &j->raw_len, o);
}

/* Renew the authentication SAD unless another thread already did.  The
 * thread that renews it reserves the first signature of the new one for
 * itself (*slot true, with references to use), so it always progresses. */
typedef struct sign_slot {
    bool taken;
    tv_secret *token, *sad;
    tv_http *http;
    uint64_t serial;
} sign_slot;

static void slot_release(tv_agent *a, sign_slot *s)
{
    if (s->taken) {
        pthread_mutex_lock(&a->lock);
        if (s->serial == a->session.serial && a->session.inflight > 0 && --a->session.inflight == 0)
            pthread_cond_broadcast(&a->inflight_done);
        pthread_mutex_unlock(&a->lock);
    }
    tv_secret_unref(s->token);
    tv_secret_unref(s->sad);
    tv_http_unref(s->http);
    memset(s, 0, sizeof *s);
}

static void slot_take_locked(tv_agent *a, sign_slot *s)
{
    a->session.sad_left--;
    a->session.inflight++;
    s->taken = true;
    s->token = tv_secret_ref(a->session.token);
    s->sad = tv_secret_ref(a->session.sad);
    s->http = tv_http_ref(a->http);
    s->serial = a->session.serial;
}

/* extendTransaction invalidates the old SAD: let the signatures already
 * reserved on it finish first (bounded by the request timeout). */
static void wait_inflight_locked(tv_agent *a, uint64_t serial)
{
    struct timespec deadline;

    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += a->cfg.request_timeout + 1;
    while (a->session.active && a->session.serial == serial && a->session.inflight > 0)
        if (pthread_cond_timedwait(&a->inflight_done, &a->lock, &deadline) != 0)
            break;
}

static int extend_sad(tv_agent *a, const tv_cred *cred, uint64_t serial, sign_slot *slot, tv_outcome *o)
{
    tv_secret *token = NULL, *sad = NULL, *fresh = NULL;
    tv_http *http = NULL;
    long lifetime = 0;
    int rc = 0;

    pthread_mutex_lock(&a->extend_lock);
    pthread_mutex_lock(&a->lock);
    wait_inflight_locked(a, serial);
    if (a->session.active && a->session.serial == serial) {
        token = tv_secret_ref(a->session.token);
        sad = tv_secret_ref(a->session.sad);
        http = tv_http_ref(a->http);
    }
    pthread_mutex_unlock(&a->lock);
    if (token != NULL && http != NULL)
        rc = tv_csc_extend(http, token, cred->id, sad, &fresh, &lifetime, o);
    pthread_mutex_lock(&a->lock);
    if (rc == 0 && fresh != NULL && a->session.active && a->session.serial == serial) {
        tv_secret_unref(a->session.sad);
        a->session.sad = fresh;
        fresh = NULL;
        a->session.sad_left = a->session.sad_total;
        a->session.sad_expires = time(NULL) + lifetime;
        a->session.serial++;
        a->session.inflight = 0;
        slot_take_locked(a, slot);
        tv_debug("authorization renewed for %u signatures", a->session.sad_total);
    }
    pthread_mutex_unlock(&a->lock);
    pthread_mutex_unlock(&a->extend_lock);
    tv_secret_unref(fresh);
    tv_secret_unref(token);
    tv_secret_unref(sad);
    tv_http_unref(http);
    return rc;
}

typedef enum { STEP_SIGN, STEP_LOGIN, STEP_EXTEND } sign_step;

/* Reserve one signature of the session SAD, or say what must happen first. */
static sign_step reserve(tv_agent *a, sign_slot *slot, uint64_t *serial)
{
    time_t now = time(NULL);
    sign_step step = STEP_SIGN;

    pthread_mutex_lock(&a->lock);
    *serial = a->session.serial;
    if (!tv_session_valid_locked(a, now))
        step = STEP_LOGIN;
    else if (a->session.sad_left == 0 || now >= a->session.sad_expires)
        step = STEP_EXTEND;
    else
        slot_take_locked(a, slot);
    pthread_mutex_unlock(&a->lock);
    return step;
}

#define SIGN_STEPS_MAX 1000      /* reservations lost to other threads: bounded */
#define SIGN_FAILURES_MAX 4      /* lost SADs or sessions before giving up */
#define SIGN_LOGINS_MAX 2

/* One signature with the session SAD: 0, an error, or 1 = try again (the
 * service refused the current SAD), 2 = try again (a newer SAD replaced it
 * meanwhile: a lost race, not a failure). */
static int sign_with_slot(tv_agent *a, sign_job *j, sign_slot *slot, tv_outcome *o)
{
    int rc = sign_once(slot->http, slot->token, slot->sad, j, o);
    bool current;

    if (rc == TV_ERR_NOT_LOGGED_IN && strcmp(o->reason, "invalid_sad") == 0) {
        pthread_mutex_lock(&a->lock);
        current = a->session.serial == slot->serial;
        if (current)
            a->session.sad_left = 0;       /* this SAD is gone: renew it */
        pthread_mutex_unlock(&a->lock);
        return current ? 1 : 2;
    }
    if (rc == TV_ERR_NOT_LOGGED_IN) {
        tv_session_end(a, "the service ended the session");
        return 1;
    }
    return rc;
}

static int sign_authentication(tv_agent *a, const tv_client *cl, sign_job *j, tv_outcome *o)
{
    int failures = 0, logins = 0, rc = 0;
    bool was_active;

    for (int i = 0; i < SIGN_STEPS_MAX && failures < SIGN_FAILURES_MAX; i++) {
        sign_slot slot = { 0 };
        uint64_t serial;
        sign_step step = reserve(a, &slot, &serial);
        tv_outcome_clear(o);
        if (step == STEP_LOGIN) {
            if (++logins > SIGN_LOGINS_MAX || (rc = tv_login(a, cl, NULL, &was_active, o)) < 0)
                return rc < 0 ? rc : tv_outcome_set(o, TV_ERR_NOT_LOGGED_IN, "The BakQ session keeps "
                                                    "ending: log in again");
            continue;
        }
        if (step == STEP_EXTEND && (rc = extend_sad(a, j->cred, serial, &slot, o)) < 0) {
            slot_release(a, &slot);
            if (rc != TV_ERR_NOT_LOGGED_IN)
                return rc;
            tv_session_end(a, "the service ended the session");
            failures++;
            continue;
        }
        if (!slot.taken)
            continue;                      /* another thread renewed it: reserve again */
        rc = sign_with_slot(a, j, &slot, o);
        slot_release(a, &slot);
        if (rc <= 0)
            return rc;
        if (rc == 1)
            failures++;
    }
    return tv_outcome_set(o, TV_ERR_SERVER, "The BakQ service kept refusing the signing "
                          "authorization: try again, or log out and in");
}

/* One qualified signature: the person's confirmation with a fresh second
 * factor, an authorization bound to the hash, signHash. */
typedef struct qualified {
    tv_agent *a;
    const tv_client *cl;
    sign_job *j;
    tv_secret *token, *password;
    tv_http *http;
    char position[16];
    char error[512];
    bool challenge;               /* ask the service for a (new) challenge first */
    int resends;
} qualified;

/* Challenge when needed and show the confirmation: 0 with *otp, or the error. */
static int confirm(qualified *q, tv_secret **otp, tv_outcome *o)
{
    for (;;) {
        int rc;
        if (q->challenge && (rc = tv_csc_challenge(q->http, q->token, q->j->cred->id, q->position,
                                                   sizeof q->position, o)) < 0)
            return rc;
        rc = tv_dialog_confirm_signature(q->a, q->cl, q->j->cred, q->position, q->j->plan.hash,
                                         q->j->plan.hash_len, q->error, otp);
        q->challenge = rc == TV_PINENTRY_NOTOK;
        if (rc == 0)
            return 0;
        if (rc == TV_PINENTRY_NOTOK && ++q->resends <= 5) {
            snprintf(q->error, sizeof q->error, "A new code was sent");
            continue;
        }
        return tv_dialog_failed(o, rc, "Signature");
    }
}

static int authorize_and_sign(qualified *q, const tv_secret *otp, tv_outcome *o)
{
    tv_csc_authz az = { .cred = q->j->cred->id, .num_signatures = 1, .hash = q->j->plan.hash,
                        .hash_len = q->j->plan.hash_len, .hash_oid = q->j->plan.hash_oid,
                        .password = q->password, .otp = otp };
    tv_secret *sad = NULL;
    long lifetime = 0;
    int rc = tv_csc_authorize(q->http, q->token, &az, &sad, &lifetime, o);

    if (rc == 0)
        rc = sign_once(q->http, q->token, sad, q->j, o);
    tv_secret_unref(sad);
    return rc;
}

static int qualified_once(tv_agent *a, const tv_client *cl, sign_job *j, tv_outcome *o)
{
    qualified q = { .a = a, .cl = cl, .j = j, .challenge = true };
    int rc, tries = 0;

    pthread_mutex_lock(&a->lock);
    q.token = tv_secret_ref(a->session.token);
    q.password = tv_secret_ref(a->session.password);
    q.http = tv_http_ref(a->http);
    pthread_mutex_unlock(&a->lock);
    if (q.token == NULL || q.http == NULL) {
        rc = tv_outcome_set(o, TV_ERR_NOT_LOGGED_IN, "Not logged in");
        goto out_refs;
    }
    for (;;) {
        tv_secret *otp = NULL;
        if ((rc = confirm(&q, &otp, o)) < 0)
            break;
        rc = authorize_and_sign(&q, otp, o);
        tv_secret_unref(otp);
        if (rc != TV_ERR_WRONG_SECOND_FACTOR || ++tries >= 3)
            break;
        snprintf(q.error, sizeof q.error, "%s", o->msg);
        q.challenge = strcmp(o->reason, "otp_expired") == 0;
    }
out_refs:
    tv_secret_unref(q.token);
    tv_secret_unref(q.password);
    tv_http_unref(q.http);
    return rc;
}

static int sign_qualified(tv_agent *a, const tv_client *cl, sign_job *j, tv_outcome *o)
{
    bool was_active;
    int rc = 0;

    pthread_mutex_lock(&a->dialog_lock);
    for (int i = 0; i < 2; i++) {
        tv_outcome_clear(o);
        if ((rc = tv_login_locked(a, cl, NULL, &was_active, o)) < 0) {
            tv_notice_for(a, cl, o);
            break;
        }
        rc = qualified_once(a, cl, j, o);
        if (rc != TV_ERR_NOT_LOGGED_IN || strcmp(o->reason, "hash_not_authorized") == 0)
            break;
        tv_session_end(a, "the service ended the session");
    }
    pthread_mutex_unlock(&a->dialog_lock);
    return rc;
}

static int plan_error(int rc, tv_outcome *o)
{
    switch (rc) {
    case TV_ERR_MECHANISM:
        return tv_outcome_set(o, rc, "This mechanism is not supported with this key");
    case TV_ERR_MECHANISM_PARAM:
        return tv_outcome_set(o, rc, "Unsupported RSA-PSS parameters (hash and MGF1 must be SHA-256, "
                              "SHA-384 or SHA-512, the salt must fit the key)");
    case TV_ERR_DATA_INVALID:
        return tv_outcome_set(o, rc, "The data to sign does not fit the mechanism (the BakQ service "
                              "signs SHA-256, SHA-384 and SHA-512 hashes only)");
    default:
        return tv_outcome_set(o, rc, "%s", tv_strerror(rc));
    }
}

static int cred_usable(const tv_cred *cr, tv_outcome *o)
{
    if (cr->status == TV_CERT_REVOKED)
        return tv_outcome_set(o, TV_ERR_REVOKED, "This BakQ certificate was revoked: register again at "
                              "a BakQ service point");
    if (cr->status == TV_CERT_EXPIRED)
        return tv_outcome_set(o, TV_ERR_EXPIRED, "This BakQ certificate has expired: register again "
                              "at a BakQ service point");
    return 0;
}

int tv_sign(tv_agent *a, const tv_client *cl, const tv_sign_request *req, uint8_t *sig, size_t *sig_len,
            tv_outcome *o)
{
    tv_creds *creds = tv_agent_creds(a);
    sign_job j = { .cred = tv_creds_by_ckaid(creds, req->ckaid, req->ckaid_len) };
    tv_mech_req mr = { .mechanism = req->mechanism, .pss_hash = req->pss_hash, .pss_mgf = req->pss_mgf,
                       .pss_salt = req->pss_salt, .input_kind = req->input_kind, .input = req->input,
                       .input_len = req->input_len };
    tv_mech_key key;
    int rc;

    if (j.cred == NULL) {
        rc = tv_outcome_set(o, TV_ERR_KEY, "No BakQ key with this ID: the token changed, reload it");
        goto out;
    }
    key.type = j.cred->key_type;
    key.bits = j.cred->key_bits;
    if ((rc = cred_usable(j.cred, o)) < 0)
        goto out;
    if ((rc = tv_mech_plan_make(&mr, &key, &j.plan)) < 0) {
        plan_error(rc, o);
        goto out;
    }
    rc = j.cred->usage == TV_USAGE_AUTHENTICATION ? sign_authentication(a, cl, &j, o)
                                                   : sign_qualified(a, cl, &j, o);
    if (rc == 0 && (rc = tv_mech_finish(&key, j.raw, j.raw_len, sig, sig_len)) < 0)
        tv_outcome_set(o, rc, "The BakQ service returned a signature that does not fit the key");
    if (rc == 0)
        __atomic_add_fetch(&a->signatures, 1, __ATOMIC_RELAXED);
out:
    tv_creds_unref(creds);
    return rc;
}
