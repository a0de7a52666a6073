/* CSC credentials/authorize, credentials/extendTransaction and
 * signatures/signHash: SADs and signing in the HSM. */
#include "api.h"
#include "auth.h"
#include "b64.h"
#include "credential.h"
#include "hsm.h"
#include "sigalg.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_secmem.h"

#include <stdlib.h>
#include <string.h>

struct hash_list {
    size_t n;
    size_t len;                          /* every hash has this length */
    uint8_t h[TV_SAD_MAX_HASHES][TV_HASH_MAX];
};

/* Decode "hashes" (base64 strings of expected_len bytes, 0 = any length
 * up to 64 that all share). */
static bool decode_hashes(struct tv_req *r, json_t *arr, size_t expected_len, struct hash_list *out)
{
    size_t i;
    json_t *v;

    out->n = 0;
    out->len = expected_len;
    json_array_foreach(arr, i, v) {
        uint8_t *raw = NULL;
        size_t len = 0;

        if (!json_is_string(v)) {
            tv_bad_request(r, "hashes must be an array of base64 strings");
            return false;
        }
        if (!tv_b64_field(r, "hashes", json_string_value(v), TV_HASH_MAX, &raw, &len))
            return false;
        if (len == 0 || (out->len != 0 && len != out->len)) {
            free(raw);
            tv_fail(r, 400, "invalid_request", "unsupported_algorithm",
                    "A hash has the wrong length for its hash algorithm");
            return false;
        }
        out->len = len;
        memcpy(out->h[out->n++], raw, len);
        free(raw);
    }
    return true;
}

/* authData [{"id": "PIN", "value": ...}, {"id": "OTP", ...}], or the CSC
 * v1 top-level "PIN" / "OTP". */
static bool auth_values(struct tv_req *r, const char **pin, const char **otp)
{
    json_t *arr, *v;
    size_t i;

    if (!tv_jarray(r, "authData", false, 8, &arr) || !tv_jstr(r, "PIN", false, 64, pin) ||
        !tv_jstr(r, "OTP", false, 64, otp))
        return false;
    json_array_foreach(arr, i, v) {
        json_t *id = json_object_get(v, "id"), *value = json_object_get(v, "value");

        if (!json_is_string(id) || !json_is_string(value) || json_string_length(value) > 64) {
            tv_bad_request(r, "authData entries are {\"id\": \"PIN\"|\"OTP\", \"value\": \"...\"}");
            return false;
        }
        if (strcmp(json_string_value(id), "PIN") == 0)
            *pin = json_string_value(value);
        else if (strcmp(json_string_value(id), "OTP") == 0)
            *otp = json_string_value(value);
    }
    if (*pin == NULL || *otp == NULL) {
        tv_bad_request(r, "authData needs the password (\"PIN\") and the second factor (\"OTP\")");
        return false;
    }
    return true;
}

/* numSignatures and the hashes for this credential's SCAL into sad. */
static bool sad_scope(struct tv_req *r, const struct tv_credential *c, struct hash_list *hl,
                      struct tv_sad *sad)
{
    bool scal2 = strcmp(c->kind, "sign") == 0;
    long long num = 1;
    bool present;
    const char *oid;
    json_t *arr;
    enum tv_hash hash;
    size_t len = 0;
    int max = scal2 ? r->b->cfg.sign_multisign : r->b->cfg.auth_multisign;

    if (!tv_jint(r, "numSignatures", false, 1, max, &num, &present) ||
        !tv_jarray(r, "hashes", scal2, TV_SAD_MAX_HASHES, &arr) ||
        !tv_jstr(r, "hashAlgorithmOID", scal2, 64, &oid))
        return false;
    if (oid != NULL && tv_hash_by_oid(oid, &hash, &len) < 0) {
        tv_fail(r, 400, "invalid_request", "unsupported_algorithm",
                "Unsupported hashAlgorithmOID (SHA-256, SHA-384 or SHA-512; SHA-1 is refused)");
        return false;
    }
    if (arr != NULL && !decode_hashes(r, arr, len, hl))
        return false;
    if (scal2 && (hl->n == 0 || hl->n > (size_t)max || (present && (size_t)num != hl->n))) {
        tv_bad_request(r, "A qualified signature needs 1 to %d hashes and numSignatures equal to "
                       "their number", max);
        return false;
    }
    sad->scal = scal2 ? 2 : 1;
    sad->num = sad->remaining = scal2 ? (int)hl->n : (int)num;
    sad->expires_at = tv_now(r->b) + (scal2 ? r->b->cfg.sign_sad_lifetime : r->b->cfg.auth_sad_lifetime);
    if (scal2) {
        sad->hash_len = hl->len;
        sad->nhashes = hl->n;
        sad->hashes = hl->h;
    }
    return true;
}

static void issue_sad(struct tv_req *r, struct tv_sad *sad)
{
    char text[TV_TOKEN_TEXT];

    if (tv_sad_create(r->b->store, sad, r->bearer, tv_now(r->b), text) < 0) {
        tv_fail_internal(r);
        return;
    }
    tv_reply_json(r, 200, json_pack("{s:s, s:I}", "SAD", text, "expiresIn",
                                    (json_int_t)(sad->expires_at - tv_now(r->b))));
    tv_wipe(text, sizeof text);
}

void tv_csc_authorize(struct tv_req *r)
{
    struct tv_credential c = { 0 };
    struct tv_account a = { 0 };
    struct tv_sad sad = { 0 };
    struct hash_list *hl = calloc(1, sizeof *hl);
    const char *pin = NULL, *otp = NULL;

    if (hl == NULL) {
        tv_fail_internal(r);
        return;
    }
    if (!tv_own_credential(r, &c))
        goto free_hashes;
    if (!sad_scope(r, &c, hl, &sad) || !auth_values(r, &pin, &otp) || !tv_auth_account(r, &a) ||
        tv_auth_refused(r, &a, true) || !tv_auth_has_challenge(r, &a) ||
        !tv_auth_password(r, &a, pin, 400, "invalid_pin") || !tv_auth_second_factor(r, &a, otp))
        goto clear;
    if (strcmp(tv_credential_status(r->b, &c), "valid") != 0) {
        tv_fail(r, 403, "access_denied", tv_credential_status(r->b, &c), "The certificate is %s",
                tv_credential_status(r->b, &c));
        goto clear;
    }
    (void)tv_account_succeed(r->b, &a);
    sad.account_id = a.id;
    sad.key_type = strcmp(c.key_type, "p256") == 0 ? TV_KEY_P256 : TV_KEY_RSA2048;
    sad.cert_not_after = c.not_after;
    snprintf(sad.credential, sizeof sad.credential, "%s", c.id);
    issue_sad(r, &sad);
clear:
    tv_account_wipe(&a);
    tv_credential_clear(&c);
free_hashes:
    free(hl);
}

void tv_csc_extend(struct tv_req *r)
{
    struct tv_credential c = { 0 };
    struct tv_sad *old, fresh;
    const char *text;

    if (!tv_own_credential(r, &c))
        return;
    if (!tv_jstr(r, "SAD", true, 128, &text))
        goto clear;
    old = tv_sad_find(r->b->store, text);
    if (old == NULL || old->account_id != r->account_id || strcmp(old->credential, c.id) != 0) {
        tv_fail(r, 400, "invalid_request", "invalid_sad", "Unknown SAD for this credential");
        goto clear;
    }
    if (old->scal != 1) {
        tv_bad_request(r, "A qualified signature SAD cannot be extended: authorize again");
        goto clear;
    }
    fresh = *old;
    fresh.hashes = NULL;
    fresh.nhashes = 0;
    fresh.remaining = fresh.num;
    fresh.expires_at = tv_now(r->b) + r->b->cfg.auth_sad_lifetime;
    tv_sad_kill(old);
    issue_sad(r, &fresh);
clear:
    tv_credential_clear(&c);
}

struct sign_job {
    char key_id[72];
    enum tv_key_type key;
    struct tv_sigalg alg;
    struct hash_list hashes;
};

static bool hash_bound(const struct tv_sad *sad, const uint8_t *h, size_t len)
{
    for (size_t i = 0; i < sad->nhashes; i++)
        if (sad->hash_len == len && memcmp(sad->hashes[i], h, len) == 0)
            return true;
    return false;
}

static bool parse_algorithm(struct tv_req *r, struct sign_job *job)
{
    const char *algo, *hash_oid, *params_b64, *why;
    uint8_t *params = NULL;
    size_t plen = 0;
    int rc;

    if (!tv_jstr(r, "signAlgo", true, 64, &algo) || !tv_jstr(r, "hashAlgorithmOID", false, 64, &hash_oid) ||
        !tv_jstr(r, "signAlgoParams", false, 2048, &params_b64))
        return false;
    if (params_b64 != NULL && !tv_b64_field(r, "signAlgoParams", params_b64, 1024, &params, &plen))
        return false;
    rc = tv_sigalg_resolve(algo, hash_oid, params, plen, job->key, &job->alg, &why);
    free(params);
    if (rc < 0) {
        tv_fail(r, 400, "invalid_request", "unsupported_algorithm", "%s", why);
        return false;
    }
    if (job->hashes.len != job->alg.hash_len) {
        tv_fail(r, 400, "invalid_request", "unsupported_algorithm",
                "The hashes do not have the length of the hash algorithm");
        return false;
    }
    return true;
}

/* Under the server lock: check the SAD (which knows its credential, so the
 * database is not touched on this path), resolve the algorithm for its key
 * and consume it. */
static bool consume_sad(struct tv_req *r, const char *cred_id, const char *sad_text, struct sign_job *job)
{
    struct tv_sad *sad = tv_sad_find(r->b->store, sad_text);

    if (sad == NULL || sad->account_id != r->account_id || strcmp(sad->credential, cred_id) != 0 ||
        tv_now(r->b) >= sad->expires_at || sad->remaining < (int)job->hashes.n) {
        tv_fail(r, 400, "invalid_request", "invalid_sad",
                "The SAD is unknown, expired, used up or for another credential: authorize again");
        return false;
    }
    if (tv_now(r->b) >= sad->cert_not_after) {
        tv_fail(r, 403, "access_denied", "expired", "The certificate expired: request a new BakQ");
        return false;
    }
    job->key = (enum tv_key_type)sad->key_type;
    if (!parse_algorithm(r, job))
        return false;
    for (size_t i = 0; sad->scal == 2 && i < job->hashes.n; i++) {
        if (!hash_bound(sad, job->hashes.h[i], job->hashes.len)) {
            tv_fail(r, 400, "invalid_request", "hash_not_authorized",
                    "Hash %zu was not authorized with this SAD", i);
            return false;
        }
    }
    sad->remaining -= (int)job->hashes.n;
    if (sad->scal == 2)
        tv_sad_kill(sad);                          /* single use */
    snprintf(job->key_id, sizeof job->key_id, "%s", cred_id);
    return true;
}

static int sign_one(struct tv_hsm *hsm, const struct sign_job *job, const uint8_t *hash, char **out)
{
    uint8_t input[128], sig[512], der[144];
    size_t in_len = job->alg.hash_len, sig_len = sizeof sig, der_len = sizeof der;
    int rc = 0;

    if (job->alg.kind == TV_SIG_RSA_PKCS1)
        rc = tv_digest_info(job->alg.hash, hash, job->alg.hash_len, input, &in_len);
    else
        memcpy(input, hash, in_len);
    if (rc == 0)
        rc = tv_hsm_sign(hsm, job->key_id, job->alg.mech, &job->alg.pss, input, in_len, sig, &sig_len);
    if (rc == 0 && job->alg.kind == TV_SIG_ECDSA) {
        rc = tv_ecdsa_der(sig, sig_len, der, &der_len);
        *out = rc == 0 ? tv_b64_encode(der, der_len) : NULL;
    } else if (rc == 0) {
        *out = tv_b64_encode(sig, sig_len);
    }
    return rc < 0 ? rc : *out ? 0 : TV_ERR_NOMEM;
}

static void sign_all(struct tv_req *r, const struct sign_job *job)
{
    json_t *sigs = json_array();

    for (size_t i = 0; sigs != NULL && i < job->hashes.n; i++) {
        char *b64 = NULL;

        if (sign_one(r->b->hsm, job, job->hashes.h[i], &b64) < 0) {
            json_decref(sigs);
            tv_fail_internal(r);
            return;
        }
        json_array_append_new(sigs, json_string(b64));
        free(b64);
    }
    tv_reply_json(r, 200, json_pack("{s:o}", "signatures", sigs));
}

void tv_csc_sign_hash(struct tv_req *r)
{
    struct sign_job *job = calloc(1, sizeof *job);
    const char *cred_id, *sad_text;
    json_t *arr;
    bool ok;

    if (job == NULL) {
        tv_fail_internal(r);
        return;
    }
    if (!tv_jstr(r, "credentialID", true, 64, &cred_id) || !tv_jstr(r, "SAD", true, 128, &sad_text) ||
        !tv_jarray(r, "hashes", true, TV_SAD_MAX_HASHES, &arr) || !decode_hashes(r, arr, 0, &job->hashes))
        goto free_job;
    if (job->hashes.n == 0) {
        tv_bad_request(r, "hashes must not be empty");
        goto free_job;
    }
    pthread_mutex_lock(&r->b->lock);
    ok = consume_sad(r, cred_id, sad_text, job);
    pthread_mutex_unlock(&r->b->lock);
    if (ok)
        sign_all(r, job);
free_job:
    free(job);
}
