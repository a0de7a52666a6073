/* /bakq/v1/registrations (service point, admin token) and the holder's
 * activation steps /bakq/v1/activation/... */
#include "api.h"
#include "auth.h"
#include "codes.h"
#include "credential.h"
#include "lifecycle.h"
#include "outbox.h"
#include "tv_dni.h"
#include "tv_err.h"
#include "tv_secmem.h"

#include <stdio.h>
#include <string.h>

#define ACTIVATION_TOKEN_LIFETIME 1800

static const char *const reg_reasons[] = {
    [TV_REG_BAD_FIELD] = NULL, [TV_REG_BAD_DNI] = "bad_dni", [TV_REG_UNDERAGE] = "underage",
    [TV_REG_ALREADY] = "already_registered", [TV_REG_EMAIL_IN_USE] = "email_in_use",
    [TV_REG_PHONE_IN_USE] = "phone_in_use",
};

void tv_lc_register(struct tv_req *r)
{
    struct tv_registration reg = { 0 };
    struct tv_account a;
    char msg[200];
    enum tv_reg_error e;

    if (!tv_jstr(r, "dni", true, 16, &reg.dni) || !tv_jstr(r, "given_name", true, 100, &reg.given_name) ||
        !tv_jstr(r, "surname", true, 100, &reg.surname) ||
        !tv_jstr(r, "birth_date", true, 10, &reg.birth_date) || !tv_jstr(r, "email", true, 254, &reg.email) ||
        !tv_jstr(r, "phone", true, 20, &reg.phone) ||
        !tv_jstr(r, "second_factor", false, 16, &reg.second_factor) || !tv_jstr(r, "key", false, 16, &reg.key) ||
        !tv_jstr(r, "level", false, 8, &reg.level) ||
        !tv_jbool(r, "allow_shared_contact", false, &reg.allow_shared_contact))
        return;
    reg.second_factor = reg.second_factor ? reg.second_factor : "sms";
    reg.key = reg.key ? reg.key : "rsa2048";
    reg.level = reg.level ? reg.level : "bakq";
    e = tv_register(r->b, &reg, &a, msg, sizeof msg);
    if (e == TV_REG_OK)
        tv_reply_json(r, 201, json_pack("{s:s, s:s}", "dni", a.dni, "status", "pending_activation"));
    else if (e == TV_REG_INTERNAL)
        tv_fail_internal(r);
    else
        tv_fail(r, e >= TV_REG_ALREADY ? 409 : 400, "invalid_request", reg_reasons[e], "%s", msg);
    tv_account_wipe(&a);
}

/* The pending account of an activation token (400 when unknown/expired). */
static bool activation_account(struct tv_req *r, struct tv_account *a)
{
    const char *token;
    int64_t id;

    if (!tv_jstr(r, "activation_token", true, 128, &token))
        return false;
    if (tv_token_check(r->b->store, TV_TOKEN_ACTIVATION, token, tv_now(r->b), &id) < 0 ||
        tv_account_by_id(r->b, id, a) < 0) {
        tv_bad_request(r, "Unknown or expired activation_token: start the activation again");
        return false;
    }
    if (tv_account_state(r->b, a) == TV_STATE_BLOCKED) {
        tv_auth_refused(r, a, false);
        return false;
    }
    if (strcmp(a->status, "pending_activation") != 0) {
        tv_bad_request(r, "This BakQ is not waiting for activation");
        return false;
    }
    return true;
}

static int send_initial_password(struct tv_req *r, struct tv_account *a)
{
    char pw[TV_PW_LEN + 1], body[160];
    int rc;

    tv_password_generate(pw);
    snprintf(body, sizeof body, "BakQ: su contrasena inicial es %s. Cambiela en el proceso de "
             "activacion.", pw);
    rc = tv_account_set_password(r->b, a, pw, 1);
    if (rc == 0)
        rc = tv_send_sms(r->b, a->phone, body, pw);
    tv_wipe(pw, sizeof pw);
    tv_wipe(body, sizeof body);
    return rc;
}

void tv_lc_act_start(struct tv_req *r)
{
    const char *dni_in, *code;
    char dni[TV_DNI_LEN + 1], token[TV_TOKEN_TEXT];
    struct tv_account a = { 0 };

    if (!tv_jstr(r, "dni", true, 16, &dni_in) || !tv_jstr(r, "activation_code", true, 32, &code))
        return;
    if (tv_dni_normalize(dni_in, dni) < 0) {
        tv_fail(r, 400, "invalid_request", "bad_dni", "Invalid DNI/NIE (check letter)");
        return;
    }
    if (tv_account_by_dni(r->b, dni, &a) < 0 || strcmp(a.status, "pending_activation") != 0 ||
        tv_code_verify(r->b, a.id, TV_CODE_ACTIVATION, code, NULL) != TV_CODE_OK) {
        tv_fail(r, 400, "invalid_request", "wrong_code", "Wrong DNI/NIE or activation code");
        goto wipe;
    }
    /* The code stays usable for a new start until the activation completes. */
    (void)tv_code_reopen(r->b, a.id, TV_CODE_ACTIVATION);
    if (send_initial_password(r, &a) < 0 ||
        tv_token_create(r->b->store, TV_TOKEN_ACTIVATION, a.id, tv_now(r->b), ACTIVATION_TOKEN_LIFETIME,
                        token) < 0) {
        tv_fail_internal(r);
        goto wipe;
    }
    tv_reply_json(r, 200, json_pack("{s:s, s:i}", "activation_token", token, "expires_in",
                                    ACTIVATION_TOKEN_LIFETIME));
    tv_wipe(token, sizeof token);
wipe:
    tv_account_wipe(&a);
}

void tv_lc_act_password(struct tv_req *r)
{
    struct tv_account a = { 0 };
    const char *initial, *pw;

    if (!activation_account(r, &a) || !tv_jstr(r, "initial_password", true, 64, &initial) ||
        !tv_jstr(r, "new_password", true, 64, &pw))
        goto wipe;
    if (a.pw_stage != 1) {
        tv_bad_request(r, "The initial password was already changed");
        goto wipe;
    }
    if (!tv_auth_password(r, &a, initial, 400, "invalid_pin"))
        goto wipe;
    if (!tv_password_policy_ok(pw) || strcmp(pw, initial) == 0) {
        tv_fail(r, 400, "invalid_request", "password_policy",
                "The new password must have exactly 8 characters and differ from the initial one");
        goto wipe;
    }
    if (tv_account_set_password(r->b, &a, pw, 2) < 0)
        tv_fail_internal(r);
    else
        tv_reply_empty(r, 204);
wipe:
    tv_account_wipe(&a);
}

void tv_lc_act_terms(struct tv_req *r)
{
    struct tv_account a = { 0 };
    bool accept;

    if (!activation_account(r, &a) || !tv_jbool(r, "accept", false, &accept))
        goto wipe;
    if (a.pw_stage != 2) {
        tv_bad_request(r, "Change the initial password first (activation/password)");
        goto wipe;
    }
    if (!accept) {
        tv_bad_request(r, "The terms and conditions must be accepted (\"accept\": true)");
        goto wipe;
    }
    a.terms_accepted = true;
    if (tv_account_update(r->b, &a) < 0) {
        tv_fail_internal(r);
        goto wipe;
    }
    tv_reply_json(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "dni", a.dni, "given_name",
                                    a.given_name, "surname", a.surname, "birth_date", a.birth_date,
                                    "email", a.email, "phone", a.phone));
wipe:
    tv_account_wipe(&a);
}

void tv_lc_act_challenge(struct tv_req *r)
{
    struct tv_account a = { 0 };

    if (!activation_account(r, &a))
        goto wipe;
    if (!a.terms_accepted) {
        tv_bad_request(r, "Accept the terms first (activation/terms)");
        goto wipe;
    }
    tv_auth_challenge(r, &a);
wipe:
    tv_account_wipe(&a);
}

static void answer_active(struct tv_req *r, struct tv_account *a)
{
    struct tv_credential creds[2];
    json_t *ids = json_array();
    int n = 0;

    tv_credential_current(r->b, a->id, creds, &n);
    for (int i = 0; i < n; i++) {
        json_array_append_new(ids, json_string(creds[i].id));
        tv_credential_clear(&creds[i]);
    }
    tv_reply_json(r, 200, json_pack("{s:s, s:o, s:I}", "status", "active", "credentialIDs", ids,
                                    "valid_to", (json_int_t)a->valid_to));
}

void tv_lc_act_complete(struct tv_req *r)
{
    struct tv_account a = { 0 };
    const char *pw, *otp;

    if (!activation_account(r, &a) || !tv_jstr(r, "password", true, 64, &pw) ||
        !tv_jstr(r, "otp", true, 64, &otp))
        goto wipe;
    if (!a.terms_accepted) {
        tv_bad_request(r, "Accept the terms first (activation/terms)");
        goto wipe;
    }
    if (!tv_auth_has_challenge(r, &a) || !tv_auth_password(r, &a, pw, 400, "invalid_pin") ||
        !tv_auth_second_factor(r, &a, otp))
        goto wipe;
    (void)tv_account_succeed(r->b, &a);
    if (tv_activate(r->b, &a) < 0) {
        tv_fail_internal(r);
        goto wipe;
    }
    (void)tv_code_delete(r->b, a.id, TV_CODE_ACTIVATION);
    tv_store_drop_account(r->b->store, a.id);       /* the activation token is spent */
    answer_active(r, &a);
wipe:
    tv_account_wipe(&a);
}
