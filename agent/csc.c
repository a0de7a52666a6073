#include "csc.h"

#include "json.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_proto.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

char *tv_b64_encode(const uint8_t *p, size_t n)
{
    char *out = malloc(4 * ((n + 2) / 3) + 1);

    if (out != NULL)
        EVP_EncodeBlock((unsigned char *)out, p, (int)n);
    return out;
}

int tv_b64_decode(const char *s, uint8_t **out, size_t *out_len)
{
    size_t n = strlen(s), pad = 0;
    uint8_t *buf;
    int got;

    if (n == 0 || n % 4 != 0 || n > TV_FRAME_MAX)
        return TV_ERR_PROTOCOL;
    pad = (s[n - 1] == '=') + (s[n - 2] == '=');
    buf = malloc(n / 4 * 3 + 1);
    if (buf == NULL)
        return TV_ERR_NOMEM;
    got = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n);
    if (got < 0 || (size_t)got < pad) {
        free(buf);
        return TV_ERR_PROTOCOL;
    }
    *out = buf;
    *out_len = (size_t)got - pad;
    return 0;
}

int tv_csc_call(tv_http *h, const char *method, const char *path, const tv_http_auth *auth,
                json_t *body, long *status, json_t **reply, tv_outcome *o)
{
    char *text = NULL;
    tv_buf answer;
    json_t *parsed = NULL;
    int rc;

    *reply = NULL;
    tv_buf_init(&answer, TV_JSON_MAX);
    if (body != NULL && (text = tv_json_dump(body)) == NULL) {
        rc = tv_outcome_set(o, TV_ERR_NOMEM, "out of memory");
        goto out_body;
    }
    rc = tv_http_request(h, method, path, auth, strcmp(method, "POST") == 0 ? (text ? text : "{}")
                         : NULL, status, &answer, o);
    if (rc < 0)
        goto out_text;
    parsed = tv_json_parse_object(answer.data, answer.len);
    if (*status < 200 || *status >= 300) {
        rc = tv_outcome_from_http(o, *status, parsed);
        tv_debug("%s -> HTTP %ld %s", path, *status, o->reason);
        json_decref(parsed);
        goto out_text;
    }
    if (parsed == NULL && answer.len > 0) {
        rc = tv_outcome_set(o, TV_ERR_SERVER, "The BakQ service answered %s with something that is "
                            "not JSON", path);
        goto out_text;
    }
    *reply = parsed;
out_text:
    tv_json_free_string(text);
out_body:
    json_decref(body);
    tv_buf_free(&answer);
    return rc;
}

static int bearer_post(tv_http *h, const tv_secret *token, const char *path, json_t *body,
                       json_t **reply, tv_outcome *o)
{
    tv_http_auth auth = { .bearer = token };
    long status = 0;

    return tv_csc_call(h, "POST", path, &auth, body, &status, reply, o);
}

/* A secret string field of a reply, copied to secure memory. */
static int take_secret(json_t *reply, const char *key, tv_secret **out, tv_outcome *o)
{
    const char *v = reply ? tv_json_str(reply, key) : NULL;

    if (v == NULL || *v == '\0')
        return tv_outcome_set(o, TV_ERR_SERVER, "The BakQ service answer lacks \"%s\"", key);
    if ((*out = tv_secret_new(v, strlen(v))) == NULL)
        return tv_outcome_set(o, TV_ERR_NOMEM, "out of memory");
    return 0;
}

int tv_csc_login(tv_http *h, const char *dni, const tv_secret *password, tv_secret **token,
                 long *expires_in, tv_outcome *o)
{
    tv_http_auth auth = { .user = dni, .password = password };
    json_t *reply = NULL;
    long status = 0;
    int rc = tv_csc_call(h, "POST", "/csc/v2/auth/login", &auth, json_pack("{s:b}", "rememberMe", 0),
                         &status, &reply, o);

    if (rc == 0 && (rc = take_secret(reply, "access_token", token, o)) == 0)
        *expires_in = tv_json_int(reply, "expires_in", 3600);
    json_decref(reply);
    return rc;
}

void tv_csc_revoke_token(tv_http *h, const tv_secret *token)
{
    json_t *reply = NULL;
    tv_outcome o;

    tv_outcome_clear(&o);
    if (bearer_post(h, token, "/csc/v2/auth/revoke", json_object(), &reply, &o) < 0)
        tv_debug("token revocation: %s", o.msg);
    json_decref(reply);
}

int tv_csc_list(tv_http *h, const tv_secret *token, json_t **reply, tv_outcome *o)
{
    json_t *body = json_pack("{s:b,s:s,s:b,s:b}", "credentialInfo", 1, "certificates", "chain",
                             "certInfo", 1, "authInfo", 1);
    int rc = bearer_post(h, token, "/csc/v2/credentials/list", body, reply, o);

    if (rc == 0 && *reply == NULL)
        rc = tv_outcome_set(o, TV_ERR_SERVER, "The BakQ service sent an empty credential list");
    return rc;
}

int tv_csc_challenge(tv_http *h, const tv_secret *token, const char *cred, char *position,
                     size_t position_size, tv_outcome *o)
{
    json_t *reply = NULL;
    const char *pos;
    int rc = bearer_post(h, token, "/csc/v2/credentials/getChallenge",
                         json_pack("{s:s}", "credentialID", cred), &reply, o);

    position[0] = '\0';
    if (rc == 0 && reply != NULL && (pos = tv_json_str(reply, "challenge")) != NULL)
        snprintf(position, position_size, "%s", pos);
    json_decref(reply);
    return rc;
}

static json_t *auth_data(const tv_secret *password, const tv_secret *otp)
{
    return json_pack("[{s:s,s:s},{s:s,s:s}]", "id", "PIN", "value", tv_secret_str(password),
                     "id", "OTP", "value", tv_secret_str(otp));
}

int tv_csc_authorize(tv_http *h, const tv_secret *token, const tv_csc_authz *a, tv_secret **sad,
                     long *expires_in, tv_outcome *o)
{
    json_t *body = json_pack("{s:s,s:i,s:o}", "credentialID", a->cred, "numSignatures",
                             (int)a->num_signatures, "authData", auth_data(a->password, a->otp));
    json_t *reply = NULL;
    char *hash = NULL;
    int rc;

    if (body != NULL && a->hash != NULL) {
        hash = tv_b64_encode(a->hash, a->hash_len);
        json_object_set_new(body, "hashes", json_pack("[s]", hash ? hash : ""));
        json_object_set_new(body, "hashAlgorithmOID", json_string(a->hash_oid));
    }
    free(hash);
    if (body == NULL)
        return tv_outcome_set(o, TV_ERR_NOMEM, "out of memory");
    rc = bearer_post(h, token, "/csc/v2/credentials/authorize", body, &reply, o);
    if (rc == 0 && (rc = take_secret(reply, "SAD", sad, o)) == 0)
        *expires_in = tv_json_int(reply, "expiresIn", 3600);
    json_decref(reply);
    return rc;
}

int tv_csc_extend(tv_http *h, const tv_secret *token, const char *cred, const tv_secret *sad,
                  tv_secret **new_sad, long *expires_in, tv_outcome *o)
{
    json_t *reply = NULL;
    int rc = bearer_post(h, token, "/csc/v2/credentials/extendTransaction",
                         json_pack("{s:s,s:s}", "credentialID", cred, "SAD", tv_secret_str(sad)),
                         &reply, o);

    if (rc == 0 && (rc = take_secret(reply, "SAD", new_sad, o)) == 0)
        *expires_in = tv_json_int(reply, "expiresIn", 3600);
    json_decref(reply);
    return rc;
}

static json_t *sign_body(const tv_secret *sad, const tv_csc_sign *s)
{
    char *hash = tv_b64_encode(s->hash, s->hash_len);
    char *params = s->params ? tv_b64_encode(s->params, s->params_len) : NULL;
    json_t *body = json_pack("{s:s,s:s,s:[s],s:s}", "credentialID", s->cred, "SAD",
                             tv_secret_str(sad), "hashes", hash ? hash : "", "signAlgo", s->sign_algo);

    if (body != NULL && s->hash_oid != NULL)
        json_object_set_new(body, "hashAlgorithmOID", json_string(s->hash_oid));
    if (body != NULL && params != NULL)
        json_object_set_new(body, "signAlgoParams", json_string(params));
    free(hash);
    free(params);
    return body;
}

int tv_csc_sign_hash(tv_http *h, const tv_secret *token, const tv_secret *sad, const tv_csc_sign *s,
                     uint8_t *sig, size_t *sig_len, tv_outcome *o)
{
    json_t *reply = NULL, *sigs;
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    int rc = bearer_post(h, token, "/csc/v2/signatures/signHash", sign_body(sad, s), &reply, o);

    if (rc < 0)
        goto out;
    sigs = tv_json_array(reply, "signatures");
    if (sigs == NULL || json_array_size(sigs) != 1 || !json_is_string(json_array_get(sigs, 0)) ||
        tv_b64_decode(json_string_value(json_array_get(sigs, 0)), &raw, &raw_len) < 0) {
        rc = tv_outcome_set(o, TV_ERR_SERVER, "The BakQ service sent no usable signature");
        goto out;
    }
    if (raw_len > *sig_len) {
        rc = tv_outcome_set(o, TV_ERR_SERVER, "The BakQ service sent a signature that is too long");
        goto out;
    }
    memcpy(sig, raw, raw_len);
    *sig_len = raw_len;
out:
    free(raw);
    json_decref(reply);
    return rc;
}
