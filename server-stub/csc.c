/* CSC API v2: info, auth/login, auth/revoke, credentials/list|info|
 * getChallenge|sendOTP|authorize|extendTransaction (signHash: sign.c). */
#include "api.h"
#include "auth.h"
#include "b64.h"
#include "ca.h"
#include "credential.h"
#include "outbox.h"
#include "sigalg.h"
#include "tv_dni.h"
#include "tv_err.h"
#include "tv_secmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void tv_csc_info(struct tv_req *r)
{
    char logo[200], url[160];
    const char *lang;

    if (!tv_jstr(r, "lang", false, 32, &lang))
        return;
    tv_public_url(r->b, url, sizeof url);
    snprintf(logo, sizeof logo, "%s/logo.png", url);
    tv_reply_json(r, 200, json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:[s,s,s,s,s,s,s,s,s]}",
        "specs", "2.0.0.0", "name", "BakQ (stand-in service)", "logo", logo, "region", "ES",
        "lang", "es-ES", "description", "Stand-in of the BakQ cloud signature service (Tarjeta virtual)",
        "authType", "basic", "methods", "auth/login", "auth/revoke", "credentials/list",
        "credentials/info", "credentials/getChallenge", "credentials/sendOTP", "credentials/authorize",
        "credentials/extendTransaction", "signatures/signHash"));
}

/* Split "Basic base64(DNI:password)"; password goes to secure memory. */
static bool basic_credentials(struct tv_req *r, char dni[TV_DNI_LEN + 1], char **password)
{
    const char *h = r->http->authorization;
    uint8_t *raw = NULL;
    size_t len = 0;
    char *colon, user[32];
    bool ok = false;

    if (h == NULL || strncasecmp(h, "Basic ", 6) != 0 ||
        tv_b64_decode(h + 6, strlen(h + 6), 200, &raw, &len) < 0) {
        tv_bad_request(r, "auth/login needs HTTP Basic authentication with DNI:password");
        return false;
    }
    colon = memchr(raw, ':', len);
    if (colon == NULL || memchr(raw, '\0', len) != NULL || (size_t)(colon - (char *)raw) >= sizeof user) {
        tv_bad_request(r, "auth/login needs HTTP Basic authentication with DNI:password");
        goto wipe;
    }
    memcpy(user, raw, (size_t)(colon - (char *)raw));
    user[colon - (char *)raw] = '\0';
    if (tv_dni_normalize(user, dni) < 0) {
        tv_fail(r, 400, "invalid_request", "bad_dni", "Invalid DNI/NIE (check letter)");
        goto wipe;
    }
    *password = tv_secure_strndup(colon + 1, len - (size_t)(colon + 1 - (char *)raw));
    ok = *password != NULL;
    if (!ok)
        tv_fail_internal(r);
wipe:
    tv_wipe(raw, len);
    free(raw);
    return ok;
}

void tv_csc_login(struct tv_req *r)
{
    struct tv_account a;
    char dni[TV_DNI_LEN + 1], token[TV_TOKEN_TEXT];
    char *pw = NULL;
    bool remember;

    if (!tv_jbool(r, "rememberMe", false, &remember) || !basic_credentials(r, dni, &pw))
        return;
    if (tv_account_by_dni(r->b, dni, &a) < 0) {
        tv_fail(r, 401, "access_denied", "wrong_password", "Wrong DNI/NIE or password");
        goto wipe_pw;
    }
    if (tv_account_state(r->b, &a) == TV_STATE_BLOCKED) {
        tv_auth_refused(r, &a, false);
        goto wipe_account;
    }
    if (!tv_auth_password(r, &a, pw, 401, "access_denied") || tv_auth_refused(r, &a, true))
        goto wipe_account;
    if (tv_token_create(r->b->store, TV_TOKEN_ACCESS, a.id, tv_now(r->b), r->b->cfg.token_lifetime,
                        token) < 0) {
        tv_fail_internal(r);
        goto wipe_account;
    }
    tv_reply_json(r, 200, json_pack("{s:s, s:i}", "access_token", token, "expires_in",
                                    r->b->cfg.token_lifetime));
    tv_wipe(token, sizeof token);
wipe_account:
    tv_account_wipe(&a);
wipe_pw:
    tv_secure_free(pw);
}

void tv_csc_revoke(struct tv_req *r)
{
    const char *token, *hint;

    if (!tv_jstr(r, "token", false, 128, &token) || !tv_jstr(r, "token_type_hint", false, 32, &hint))
        return;
    if (hint != NULL && strcmp(hint, "access_token") != 0) {
        tv_bad_request(r, "Only access tokens can be revoked (token_type_hint \"access_token\")");
        return;
    }
    if (tv_token_revoke(r->b->store, token ? token : r->bearer, r->account_id) < 0) {
        tv_bad_request(r, "Unknown token");
        return;
    }
    tv_reply_empty(r, 204);
}

static json_t *cert_array(const struct tv_req *r, const struct tv_credential *c, const char *mode)
{
    json_t *arr = json_array();
    char *b64;

    if (arr == NULL || strcmp(mode, "none") == 0)
        return arr;
    b64 = tv_b64_encode(c->cert, c->cert_len);
    json_array_append_new(arr, json_string(b64 ? b64 : ""));
    free(b64);
    if (strcmp(mode, "chain") == 0) {
        unsigned char *der = NULL;
        int n = i2d_X509(r->b->ca->cert, &der);

        b64 = n > 0 ? tv_b64_encode(der, (size_t)n) : NULL;
        json_array_append_new(arr, json_string(b64 ? b64 : ""));
        free(b64);
        OPENSSL_free(der);
    }
    return arr;
}

static json_t *cert_object(const struct tv_req *r, const struct tv_credential *c, const char *mode)
{
    const unsigned char *p = c->cert;
    X509 *x = d2i_X509(NULL, &p, (long)c->cert_len);
    char from[16], to[16];
    char *issuer = x ? tv_name_text(X509_get_issuer_name(x)) : NULL;
    char *subject = x ? tv_name_text(X509_get_subject_name(x)) : NULL;
    json_t *o;

    tv_gentime((time_t)c->not_before, from);
    tv_gentime((time_t)c->not_after, to);
    o = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:s}", "status", tv_credential_status(r->b, c),
                  "certificates", cert_array(r, c, mode), "issuerDN", issuer ? issuer : "",
                  "serialNumber", c->serial, "subjectDN", subject ? subject : "", "validFrom", from,
                  "validTo", to);
    free(issuer);
    free(subject);
    X509_free(x);
    return o;
}

static json_t *auth_object(const struct tv_account *a)
{
    char hint[40], desc[80];
    json_t *otp;

    if (strcmp(a->second_factor, "coordinates") == 0) {
        otp = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "type", "Password", "id", "OTP", "format", "N",
                        "label", "Coordenada", "description",
                        "Value at the coordinate card position asked (3 digits)", "generator",
                        "coordinates");
    } else {
        tv_mask_phone(a->phone, hint, sizeof hint);
        snprintf(desc, sizeof desc, "Code sent by SMS to %s", hint);
        otp = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "Password", "id", "OTP", "format",
                        "N", "label", "Código SMS", "description", desc, "generator", "sms",
                        "phone_hint", hint);
    }
    return json_pack("{s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:s}, o]}", "mode", "explicit", "expression",
                     "PIN AND OTP", "objects", "type", "Password", "id", "PIN", "format", "A", "label",
                     "Contraseña", "description", "BakQ password (8 characters)", otp);
}

static json_t *key_object(const struct tv_req *r, const struct tv_credential *c)
{
    const char *status = strcmp(tv_credential_status(r->b, c), "valid") == 0 ? "enabled" : "disabled";

    if (strcmp(c->key_type, "p256") == 0)
        return json_pack("{s:s, s:[s], s:i, s:s}", "status", status, "algo", TV_OID_EC, "len", 256,
                         "curve", TV_OID_P256);
    return json_pack("{s:s, s:[s], s:i}", "status", status, "algo", TV_OID_RSA, "len", 2048);
}

static json_t *credential_info(const struct tv_req *r, const struct tv_account *a,
                               const struct tv_credential *c, const char *mode)
{
    bool sign = strcmp(c->kind, "sign") == 0;
    json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:i, s:s}", "credentialID", c->id,
                          "description", sign ? "BakQ qualified signature certificate"
                                              : "BakQ authentication certificate",
                          "key", key_object(r, c), "cert", cert_object(r, c, mode), "auth",
                          auth_object(a), "scal", sign ? "2" : "1", "multisign",
                          sign ? r->b->cfg.sign_multisign : r->b->cfg.auth_multisign, "lang", "es-ES");

    if (o && sign)
        json_object_set_new(o, "signatureQualifier", json_string("eu_eidas_qes"));
    return o;
}

static bool cert_mode(struct tv_req *r, const char **mode, const char *dflt)
{
    if (!tv_jstr(r, "certificates", false, 16, mode))
        return false;
    if (*mode == NULL)
        *mode = dflt;
    if (strcmp(*mode, "none") != 0 && strcmp(*mode, "single") != 0 && strcmp(*mode, "chain") != 0) {
        tv_bad_request(r, "certificates must be \"none\", \"single\" or \"chain\"");
        return false;
    }
    return true;
}

void tv_csc_list(struct tv_req *r)
{
    struct tv_credential creds[2];
    struct tv_account a;
    const char *mode;
    bool infos, flag;
    json_t *ids, *list, *o;
    int n = 0;

    if (!tv_jbool(r, "credentialInfo", false, &infos) || !cert_mode(r, &mode, "single") ||
        !tv_jbool(r, "certInfo", false, &flag) || !tv_jbool(r, "authInfo", false, &flag) ||
        !tv_auth_account(r, &a))
        return;
    tv_credential_current(r->b, a.id, creds, &n);
    ids = json_array();
    list = json_array();
    for (int i = 0; i < n; i++) {
        json_array_append_new(ids, json_string(creds[i].id));
        if (infos)
            json_array_append_new(list, credential_info(r, &a, &creds[i], mode));
        tv_credential_clear(&creds[i]);
    }
    o = json_pack("{s:o}", "credentialIDs", ids);
    if (o && infos)
        json_object_set_new(o, "credentialInfos", list);
    else
        json_decref(list);
    tv_reply_json(r, 200, o);
    tv_account_wipe(&a);
}

/* The credential named by "credentialID", which must be a current one of
 * the bearer's account (400 unknown_credential otherwise). */
bool tv_own_credential(struct tv_req *r, struct tv_credential *c)
{
    const char *id;

    if (!tv_jstr(r, "credentialID", true, 64, &id))
        return false;
    if (tv_credential_get(r->b, id, c) == 0 && c->account_id == r->account_id && c->current)
        return true;
    if (c->cert)
        tv_credential_clear(c);
    tv_fail(r, 400, "invalid_request", "unknown_credential", "Unknown credentialID");
    return false;
}

void tv_csc_credinfo(struct tv_req *r)
{
    struct tv_credential c = { 0 };
    struct tv_account a;
    const char *mode, *lang;
    bool flag;

    if (!cert_mode(r, &mode, "single") || !tv_jbool(r, "certInfo", false, &flag) ||
        !tv_jbool(r, "authInfo", false, &flag) || !tv_jstr(r, "lang", false, 32, &lang) ||
        !tv_own_credential(r, &c))
        return;
    if (tv_auth_account(r, &a)) {
        tv_reply_json(r, 200, credential_info(r, &a, &c, mode));
        tv_account_wipe(&a);
    }
    tv_credential_clear(&c);
}

/* The bearer's account, able to authenticate, and one of its credentials. */
static bool challenge_target(struct tv_req *r, struct tv_account *a, struct tv_credential *c)
{
    memset(c, 0, sizeof *c);
    if (!tv_own_credential(r, c))
        return false;
    if (tv_auth_account(r, a) && !tv_auth_refused(r, a, true))
        return true;
    tv_credential_clear(c);
    return false;
}

void tv_csc_challenge(struct tv_req *r)
{
    struct tv_credential c;
    struct tv_account a;

    if (!challenge_target(r, &a, &c))
        return;
    tv_auth_challenge(r, &a);
    tv_credential_clear(&c);
    tv_account_wipe(&a);
}

void tv_csc_send_otp(struct tv_req *r)
{
    struct tv_credential c;
    struct tv_account a;

    if (!challenge_target(r, &a, &c))
        return;
    if (strcmp(a.second_factor, "sms") == 0)
        tv_auth_challenge(r, &a);
    else
        tv_bad_request(r, "This BakQ uses a coordinate card: use credentials/getChallenge");
    tv_credential_clear(&c);
    tv_account_wipe(&a);
}
