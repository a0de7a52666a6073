/* The CSC API v2 calls the agent makes (docs/API.md), and the generic BakQ
 * lifecycle call the CLI's management commands go through. */
#ifndef TV_AGENT_CSC_H
#define TV_AGENT_CSC_H

#include "agent_http.h"
#include "outcome.h"
#include "secret.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* POST path with body (stolen; NULL = {}), or GET when method is "GET".
 * 2xx: 0, *reply the parsed object (NULL for an empty body), *status set.
 * Otherwise the mapped outcome's error. */
int tv_csc_call(tv_http *h, const char *method, const char *path, const tv_http_auth *auth,
                json_t *body, long *status, json_t **reply, tv_outcome *o);

int tv_csc_login(tv_http *h, const char *dni, const tv_secret *password, tv_secret **token,
                 long *expires_in, tv_outcome *o);
void tv_csc_revoke_token(tv_http *h, const tv_secret *token);
/* credentials/list with every info, certificates as chains. */
int tv_csc_list(tv_http *h, const tv_secret *token, json_t **reply, tv_outcome *o);
/* position receives "B3" for a coordinate card, "" for SMS (code sent). */
int tv_csc_challenge(tv_http *h, const tv_secret *token, const char *cred, char *position,
                     size_t position_size, tv_outcome *o);

typedef struct tv_csc_authz {
    const char *cred;
    unsigned num_signatures;
    const uint8_t *hash;          /* bound hash (signature credential) or NULL */
    size_t hash_len;
    const char *hash_oid;
    const tv_secret *password;
    const tv_secret *otp;
} tv_csc_authz;

int tv_csc_authorize(tv_http *h, const tv_secret *token, const tv_csc_authz *a, tv_secret **sad,
                     long *expires_in, tv_outcome *o);
int tv_csc_extend(tv_http *h, const tv_secret *token, const char *cred, const tv_secret *sad,
                  tv_secret **new_sad, long *expires_in, tv_outcome *o);

typedef struct tv_csc_sign {
    const char *cred;
    const uint8_t *hash;
    size_t hash_len;
    const char *hash_oid;         /* may be NULL when sign_algo implies it */
    const char *sign_algo;
    const uint8_t *params;        /* DER signAlgoParams or NULL */
    size_t params_len;
} tv_csc_sign;

/* The signature bytes go to sig (at most *sig_len bytes; *sig_len updated). */
int tv_csc_sign_hash(tv_http *h, const tv_secret *token, const tv_secret *sad, const tv_csc_sign *s,
                     uint8_t *sig, size_t *sig_len, tv_outcome *o);

/* base64 helpers (standard alphabet, padded).  decode: 0 or TV_ERR_PROTOCOL. */
char *tv_b64_encode(const uint8_t *p, size_t n);            /* free() it */
int tv_b64_decode(const char *s, uint8_t **out, size_t *out_len);   /* free() *out */

#endif
