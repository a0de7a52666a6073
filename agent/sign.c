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

static void slot_release(sign_slot *s)
{
    tv_secret_unref(s->token);
    tv_secret_unref(s->sad);
    tv_http_unref(s->http);
    memset(s, 0, sizeof *s);
}

static void slot_take_locked(tv_agent *a, sign_slot *s)
{
    a->session.sad_left--;
    s->taken = true;
    s->token = tv_secret_ref(a->session.token);
    s->sad = tv_secret_ref(a->session.sad);
    s->http = tv_http_ref(a->http);
    s->serial = a->session.serial;
}

static int extend_sad(tv_agent *a, const tv_cred *cred, uint64_t serial, sign_slot *slot, tv_outcome *o)
{
    tv_secret *token = NULL, *sad = NULL, *fresh = NULL;
    tv_http *http = NULL;
    long lifetime = 0;
    int rc = 0;

    pthread_mutex_lock(&a->extend_lock);
    pthread_mutex_lock(&a->lock);
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

/* One signature with the session SAD: 0, 1 = try again, or an error. */
static int sign_with_slot(tv_agent *a, sign_job *j, sign_slot *slot, tv_outcome *o)
{
    int rc = sign_once(slot->http, slot->token, slot->sad, j, o);

    if (rc == TV_ERR_NOT_LOGGED_IN && strcmp(o->reason, "invalid_sad") == 0) {
        pthread_mutex_lock(&a->lock);
        if (a->session.serial == slot->serial)
            a->session.sad_left = 0;       /* this SAD is gone: renew it */
        pthread_mutex_unlock(&a->lock);
        return 1;
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
            slot_release(&slot);
            if (rc != TV_ERR_NOT_LOGGED_IN)
                return rc;
            tv_session_end(a, "the service ended the session");
            failures++;
            continue;
        }
        if (!slot.taken)
            continue;                      /* another thread renewed it: reserve again */
        rc = sign_with_slot(a, j, &slot, o);
        slot_release(&slot);
        if (rc <= 0)
            return rc;
        failures++;
    }
    return tv_outcome_set(o, TV_ERR_SERVER, "The BakQ service kept refusing the signing "
                          "authorization: try again, or log out and in");
}

static int qualified_once(tv_agent *a, const tv_client *cl, sign_job *j, tv_outcome *o)
{
    tv_secret *token = NULL, *password = NULL, *otp = NULL, *sad = NULL;
    tv_http *http = NULL;
    char position[16], error[512] = "";
    long lifetime;
    int rc = 0, tries = 0, resends = 0;

    pthread_mutex_lock(&a->lock);
    token = tv_secret_ref(a->session.token);
    password = tv_secret_ref(a->session.password);
    http = tv_http_ref(a->http);
    pthread_mutex_unlock(&a->lock);
    while (rc == 0 && token != NULL && http != NULL) {
        if ((rc = tv_csc_challenge(http, token, j->cred->id, position, sizeof position, o)) < 0)
            break;
        rc = tv_dialog_confirm_signature(a, cl, j->cred, position, j->plan.hash, j->plan.hash_len,
                                         error, &otp);
        if (rc == TV_PINENTRY_NOTOK && ++resends <= 5) {
            snprintf(error, sizeof error, "A new code was sent");
            rc = 0;
            continue;
        }
        if (rc != 0) {
            rc = tv_outcome_set(o, rc == TV_ERR_PROMPT ? TV_ERR_PROMPT : TV_ERR_CANCELLED, "%s",
                                rc == TV_ERR_PROMPT ? "The signature dialog could not be shown"
                                : "Signature cancelled");
            break;
        }
        tv_csc_authz az = { .cred = j->cred->id, .num_signatures = 1, .hash = j->plan.hash,
                            .hash_len = j->plan.hash_len, .hash_oid = j->plan.hash_oid,
                            .password = password, .otp = otp };
        rc = tv_csc_authorize(http, token, &az, &sad, &lifetime, o);
        tv_secret_unref(otp);
        otp = NULL;
        if (rc == TV_ERR_WRONG_SECOND_FACTOR && ++tries < 3) {
            snprintf(error, sizeof error, "%s", o->msg);
            rc = 0;
            continue;
        }
        if (rc == 0)
            rc = sign_once(http, token, sad, j, o);
        break;
    }
    if (token == NULL && rc == 0)
        rc = tv_outcome_set(o, TV_ERR_NOT_LOGGED_IN, "Not logged in");
    tv_secret_unref(sad);
    tv_secret_unref(token);
    tv_secret_unref(password);
    tv_http_unref(http);
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
