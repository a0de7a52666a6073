/* Signature algorithms of signatures/signHash: OIDs and RSASSA-PSS
 * parameters (DER) -> what to ask the HSM; DigestInfo for PKCS#1 v1.5; ECDSA
 * raw r||s -> DER.  Pure functions (unit-tested). */
#ifndef TV_SRV_SIGALG_H
#define TV_SRV_SIGALG_H

#include <stddef.h>
#include <stdint.h>

#include "hsm.h"

#define TV_OID_SHA256 "2.16.840.1.101.3.4.2.1"
#define TV_OID_SHA384 "2.16.840.1.101.3.4.2.2"
#define TV_OID_SHA512 "2.16.840.1.101.3.4.2.3"
#define TV_OID_RSA "1.2.840.113549.1.1.1"
#define TV_OID_RSA_PSS "1.2.840.113549.1.1.10"
#define TV_OID_EC "1.2.840.10045.2.1"
#define TV_OID_P256 "1.2.840.10045.3.1.7"

enum tv_sig_kind { TV_SIG_RSA_PKCS1, TV_SIG_RSA_PSS, TV_SIG_ECDSA };

enum tv_hash { TV_HASH_SHA256, TV_HASH_SHA384, TV_HASH_SHA512 };

struct tv_sigalg {
    enum tv_sig_kind kind;
    enum tv_hash hash;
    size_t hash_len;
    unsigned long mech;          /* TV_HSM_* */
    struct tv_pss pss;
};

/* SHA-256/384/512 by OID; TV_ERR_MECHANISM for SHA-1 and everything else. */
int tv_hash_by_oid(const char *oid, enum tv_hash *hash, size_t *len);

/* Resolve signAlgo, hashAlgorithmOID (may be NULL) and DER signAlgoParams
 * (may be NULL) for a key.  TV_ERR_MECHANISM: unsupported or SHA-1 or not
 * for this key; TV_ERR_MECHANISM_PARAM: bad parameters. *why says which. */
int tv_sigalg_resolve(const char *sign_algo, const char *hash_oid, const uint8_t *params, size_t plen,
                      enum tv_key_type key, struct tv_sigalg *out, const char **why);

/* DER DigestInfo of a hash (for CKM_RSA_PKCS); out holds at least 19 + 64. */
int tv_digest_info(enum tv_hash hash, const uint8_t *h, size_t len, uint8_t *out, size_t *out_len);

/* Raw r||s (2 x 32 bytes for P-256) -> DER ECDSA-Sig-Value; out holds 144. */
int tv_ecdsa_der(const uint8_t *raw, size_t len, uint8_t *out, size_t *out_len);

#endif
