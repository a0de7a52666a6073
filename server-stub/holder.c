/* The holder's management panel: /bakq/v1/account..., password reset. */
#include "api.h"
#include "auth.h"
#include "codes.h"
#include "credential.h"
#include "lifecycle.h"
#include "outbox.h"
#include "renewal.h"
#include "tv_dni.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_secmem.h"

#include <stdio.h>
#include <string.h>

#define RESET_LIFETIME 900

void tv_holder_account(struct tv_req *r)
{
    struct tv_account a;
    int64_t days;

    if (!tv_auth_account(r, &a))
        return;
    days = a.valid_to > 0 ? (a.valid_to - tv_now(r->b)) / 86400 : 0;
    tv_reply_json(r, 200, json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:b, s:i}",
        "dni", a.dni, "given_name", a.given_name, "surname", a.surname, "email", a.email,
        "phone", a.phone, "second_factor", a.second_factor, "level", a.level,
        "status", tv_state_name(tv_account_state(r->b, &a)), "valid_from", (json_int_t)a.valid_from,
        "valid_to", (json_int_t)a.valid_to, "days_to_expiry", (json_int_t)days,
        "renewal_due", tv_renewal_due(r->b, &a), "attempts_left", tv_account_attempts_left(&a)));
    tv_account_wipe(&a);
}

void tv_holder_password(struct tv_req *r)
{
    struct tv_account a = { 0 };
    const char *old, *pw;

    if (!tv_jstr(r, "old_password", true, 64, &old) || !tv_jstr(r, "new_password", true, 64, &pw) ||
        !tv_auth_account(r, &a) || tv_auth_refused(r, &a, false) ||
        !tv_auth_password(r, &a, old, 400, "invalid_pin"))
        goto wipe;
    if (!tv_password_policy_ok(pw)) {
        tv_fail(r, 400, "invalid_request", "password_policy", "The password must have exactly 8 characters");
        goto wipe;
    }
    if (tv_account_set_password(r->b, &a, pw, 2) < 0)
        tv_fail_internal(r);
    else
        tv_reply_empty(r, 204);
wipe:
    tv_account_wipe(&a);
}

/* An account whose password can be reset: active (blocked or not). */
static bool resettable(struct bakq *b, const char *dni_in, struct tv_account *a)
{
    char dni[TV_DNI_LEN + 1];
    enum tv_state st;

    if (tv_dni_normalize(dni_in, dni) < 0 || tv_account_by_dni(b, dni, a) < 0)
        return false;
    st = tv_account_state(b, a);
    return st == TV_STATE_ACTIVE || st == TV_STATE_BLOCKED;
}

void tv_holder_reset_start(struct tv_req *r)
{
    struct tv_account a = { 0 };
    char code[8], body[160];
    const char *dni;

    if (!tv_jstr(r, "dni", true, 16, &dni))
        return;
    if (!tv_dni_valid(dni)) {
        tv_fail(r, 400, "invalid_request", "bad_dni", "Invalid DNI/NIE (check letter)");
        return;
    }
    if (resettable(r->b, dni, &a)) {
        tv_random_digits(code, 6);
        snprintf(body, sizeof body, "BakQ: codigo para restablecer su contrasena: %s", code);
        if (tv_code_new(r->b, a.id, TV_CODE_RESET, code, NULL, RESET_LIFETIME) < 0 ||
            tv_send_sms(r->b, a.phone, body, code) < 0)
            tv_warn("could not send a reset code");
        tv_wipe(code, sizeof code);
        tv_wipe(body, sizeof body);
    }
    tv_reply_empty(r, 204);                  /* the same answer for unknown DNIs */
    tv_account_wipe(&a);
}

void tv_holder_reset_complete(struct tv_req *r)
{
    struct tv_account a = { 0 };
    const char *dni, *code, *pw;

    if (!tv_jstr(r, "dni", true, 16, &dni) || !tv_jstr(r, "code", true, 16, &code) ||
        !tv_jstr(r, "new_password", true, 64, &pw))
        return;
    if (!tv_password_policy_ok(pw)) {
        tv_fail(r, 400, "invalid_request", "password_policy", "The password must have exactly 8 characters");
        return;
    }
    if (!resettable(r->b, dni, &a) || tv_code_verify(r->b, a.id, TV_CODE_RESET, code, NULL) != TV_CODE_OK) {
        tv_fail(r, 400, "invalid_request", "wrong_code", "Wrong or expired reset code");
        goto wipe;
    }
    a.failures = 0;
    if (tv_account_set_password(r->b, &a, pw, 2) < 0) {
        tv_fail_internal(r);
        goto wipe;
    }
    tv_store_drop_account(r->b->store, a.id);
    tv_info("account %lld: password reset, unblocked", (long long)a.id);
    tv_reply_empty(r, 204);
wipe:
    tv_account_wipe(&a);
}

/* A holder operation confirmed by an SMS code: without "code" send one
 * (202), with it check it.  Returns true when the operation may proceed. */
bool tv_holder_confirmed(struct tv_req *r, struct tv_account *a, const char *phone, const char *payload)
{
    const char *code;

    if (!tv_jstr(r, "code", false, 16, &code))
        return false;
    if (code != NULL)
        return tv_auth_confirm(r, a, code, payload);
    if (tv_auth_send_confirm(r, a, phone, payload) < 0)
        tv_fail_internal(r);
    else
        tv_reply_json(r, 202, json_pack("{s:s}", "status", "code_sent"));
    return false;
}

void tv_holder_second_factor(struct tv_req *r)
{
    struct tv_account a = { 0 };
    const char *want;

    if (!tv_jstr(r, "second_factor", true, 16, &want) || !tv_auth_account(r, &a) ||
        tv_auth_refused(r, &a, false))
        goto wipe;
    if (strcmp(want, "sms") != 0) {
        tv_bad_request(r, "A BakQ can only switch from coordinates to SMS (\"second_factor\": \"sms\")");
        goto wipe;
    }
    if (strcmp(a.second_factor, "sms") == 0) {
        tv_bad_request(r, "This BakQ already uses SMS codes");
        goto wipe;
    }
    if (!tv_holder_confirmed(r, &a, a.phone, "second-factor:sms"))
        goto wipe;
    snprintf(a.second_factor, sizeof a.second_factor, "sms");
    memset(a.card, 0, sizeof a.card);
    if (tv_account_update(r->b, &a) < 0)
        tv_fail_internal(r);
    else
        tv_reply_empty(r, 204);
wipe:
    tv_account_wipe(&a);
}

static bool contact_unique(struct tv_req *r, const struct tv_account *a, const char *email, const char *phone)
{
    if (email != NULL && tv_contact_holder(r->b, "email", email, a->id) != 0) {
        tv_fail(r, 409, "invalid_request", "email_in_use", "The e-mail address is used by another BakQ holder");
        return false;
    }
    if (phone != NULL && tv_contact_holder(r->b, "phone", phone, a->id) != 0) {
        tv_fail(r, 409, "invalid_request", "phone_in_use", "The mobile number is used by another BakQ holder");
        return false;
    }
    return true;
}

void tv_holder_contact(struct tv_req *r)
{
    struct tv_account a = { 0 };
    const char *email, *phone;
    char payload[320];

    if (!tv_jstr(r, "email", false, 254, &email) || !tv_jstr(r, "phone", false, 20, &phone) ||
        !tv_auth_account(r, &a) || tv_auth_refused(r, &a, false))
        goto wipe;
    if ((email == NULL && phone == NULL) || (email && !tv_valid_email(email)) ||
        (phone && !tv_valid_phone(phone))) {
        tv_bad_request(r, "Give a valid \"email\" and/or \"phone\" (+34600111222)");
        goto wipe;
    }
    if (!contact_unique(r, &a, email, phone))
        goto wipe;
    snprintf(payload, sizeof payload, "contact:%s|%s", email ? email : "", phone ? phone : "");
    if (!tv_holder_confirmed(r, &a, phone ? phone : a.phone, payload))
        goto wipe;
    if (email)
        snprintf(a.email, sizeof a.email, "%s", email);
    if (phone)
        snprintf(a.phone, sizeof a.phone, "%s", phone);
    if (tv_account_update(r->b, &a) < 0)
        tv_fail_internal(r);
    else
        tv_reply_empty(r, 204);
wipe:
    tv_account_wipe(&a);
}

void tv_holder_revoke(struct tv_req *r)
{
    struct tv_account a = { 0 };
    const char *pw;

    if (!tv_jstr(r, "password", true, 64, &pw) || !tv_auth_account(r, &a) ||
        tv_auth_refused(r, &a, false) || !tv_auth_password(r, &a, pw, 400, "invalid_pin"))
        goto wipe;
    if (tv_revoke_account(r->b, &a, 5 /* cessationOfOperation */) < 0) {
        tv_fail_internal(r);
        goto wipe;
    }
    tv_reply_empty(r, 204);
wipe:
    tv_account_wipe(&a);
}
