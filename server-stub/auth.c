#include "auth.h"

#include "codes.h"
#include "outbox.h"
#include "tv_err.h"
#include "tv_log.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

bool tv_auth_refused(struct tv_req *r, const struct tv_account *a, bool need_bakq)
{
    switch (tv_account_state(r->b, a)) {
    case TV_STATE_BLOCKED:
        tv_fail(r, 403, "access_denied", "blocked",
                "BakQ blocked after %d failed attempts: reset your password by SMS", TV_MAX_FAILURES);
        return true;
    case TV_STATE_PENDING:
        tv_fail(r, 403, "access_denied", "not_active",
                "This BakQ is not activated yet: follow the activation e-mail");
        return true;
    case TV_STATE_REVOKED:
    case TV_STATE_REPLACED:
        tv_fail(r, 403, "access_denied", "revoked", "This BakQ was revoked (anulada): request a new one");
        return true;
    case TV_STATE_EXPIRED:
        tv_fail(r, 403, "access_denied", "expired",
                "This BakQ expired: request a new one at a service point");
        return true;
    case TV_STATE_ACTIVE:
        break;
    }
    if (need_bakq && strcmp(a->level, "bakq") != 0) {
        tv_fail(r, 403, "access_denied", "bak_only",
                "This account is Bak (password only) and has no certificate: request BakQ to sign");
        return true;
    }
    return false;
}

static void answer_failure(struct tv_req *r, int left, unsigned status, const char *error,
                           const char *reason, const char *what)
{
    if (left == 0)
        tv_fail(r, 403, "access_denied", "blocked",
                "Wrong %s: BakQ blocked after %d failed attempts; reset your password by SMS", what,
                TV_MAX_FAILURES);
    else
        tv_fail_full(r, status, error, reason, left, "Wrong %s: %d attempt%s left", what, left,
                     left == 1 ? "" : "s");
}

bool tv_auth_password(struct tv_req *r, struct tv_account *a, const char *pw, unsigned status,
                      const char *error)
{
    if (pw != NULL && tv_account_check_password(a, pw))
        return true;
    answer_failure(r, tv_account_fail(r->b, a), status, error, "wrong_password", "password");
    return false;
}

void tv_auth_challenge(struct tv_req *r, struct tv_account *a)
{
    char code[8], body[128], pos[3];
    int rc;

    if (strcmp(a->second_factor, "coordinates") == 0) {
        tv_card_position((int)tv_random_below(TV_CARD_POSITIONS), pos);
        if (tv_code_new(r->b, a->id, TV_CODE_POSITION, pos, NULL, TV_OTP_LIFETIME) < 0) {
            tv_fail_internal(r);
            return;
        }
        tv_reply_json(r, 200, json_pack("{s:s}", "challenge", pos));
        return;
    }
    tv_random_digits(code, 6);
    snprintf(body, sizeof body, "BakQ: su codigo de verificacion es %s (valido 5 minutos). "
             "No lo comparta con nadie.", code);
    rc = tv_code_new(r->b, a->id, TV_CODE_OTP, code, NULL, TV_OTP_LIFETIME);
    if (rc == 0)
        rc = tv_send_sms(r->b, a->phone, body, code);
    memset(code, 0, sizeof code);
    memset(body, 0, sizeof body);
    if (rc < 0)
        tv_fail_internal(r);
    else
        tv_reply_empty(r, 204);
}

static const char *challenge_purpose(const struct tv_account *a)
{
    return strcmp(a->second_factor, "coordinates") == 0 ? TV_CODE_POSITION : TV_CODE_OTP;
}

bool tv_auth_has_challenge(struct tv_req *r, struct tv_account *a)
{
    struct tv_code c;

    if (tv_code_latest(r->b, a->id, challenge_purpose(a), &c) == 0) {
        tv_code_wipe(&c);
        return true;
    }
    tv_fail(r, 400, "invalid_request", "no_challenge",
            "No pending second-factor challenge: call getChallenge first");
    return false;
}

bool tv_auth_second_factor(struct tv_req *r, struct tv_account *a, const char *value)
{
    struct tv_code c;
    bool coords = strcmp(a->second_factor, "coordinates") == 0;
    bool right;

    if (tv_code_latest(r->b, a->id, challenge_purpose(a), &c) < 0) {
        tv_fail(r, 400, "invalid_request", "no_challenge", "No pending second-factor challenge");
        return false;
    }
    if (c.used || tv_now(r->b) >= c.expires_at) {
        tv_code_wipe(&c);
        tv_fail(r, 400, "invalid_otp", "otp_expired",
                "The code expired or was already used: ask for a new one");
        return false;
    }
    right = value != NULL && (coords ? tv_card_check(a->card, tv_card_index(c.value), value)
                                     : strlen(value) == strlen(c.value) &&
                                       CRYPTO_memcmp(value, c.value, strlen(value)) == 0);
    if (right)
        (void)tv_code_mark_used(r->b, c.id);
    tv_code_wipe(&c);
    if (!right)
        answer_failure(r, tv_account_fail(r->b, a), 400, "invalid_otp", "wrong_second_factor",
                       coords ? "coordinate value" : "SMS code");
    return right;
}

int tv_auth_send_confirm(struct tv_req *r, struct tv_account *a, const char *phone, const char *payload)
{
    char code[8], body[160];
    int rc;

    tv_random_digits(code, 6);
    snprintf(body, sizeof body, "BakQ: codigo de confirmacion %s para su operacion en el panel de "
             "gestion. No lo comparta con nadie.", code);
    rc = tv_code_new(r->b, a->id, TV_CODE_CONFIRM, code, payload, TV_OTP_LIFETIME);
    if (rc == 0)
        rc = tv_send_sms(r->b, phone, body, code);
    memset(code, 0, sizeof code);
    memset(body, 0, sizeof body);
    return rc;
}

bool tv_auth_confirm(struct tv_req *r, struct tv_account *a, const char *code, const char *payload)
{
    if (tv_code_verify(r->b, a->id, TV_CODE_CONFIRM, code, payload) == TV_CODE_OK)
        return true;
    tv_fail(r, 400, "invalid_request", "wrong_code",
            "Wrong or expired confirmation code: call again without \"code\" to get a new one");
    return false;
}

bool tv_auth_account(struct tv_req *r, struct tv_account *a)
{
    if (tv_account_by_id(r->b, r->account_id, a) == 0)
        return true;
    tv_fail_internal(r);
    return false;
}
