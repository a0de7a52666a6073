/* What a SIGN request means for the service: from the PKCS#11 mechanism, its
 * PSS parameters and the input, work out the one hash to send, its algorithm
 * OIDs and the signAlgoParams (tv_mech_plan); then turn the service's
 * signature into PKCS#11 form (tv_mech_finish: RSA left-padded to the modulus
 * length, ECDSA DER -> raw r||s).  Only hashes ever leave the machine. */
#ifndef TV_AGENT_MECH_H
#define TV_AGENT_MECH_H

#include <stddef.h>
#include <stdint.h>

typedef struct tv_mech_key {
    uint32_t type;            /* TV_KEY_RSA / TV_KEY_EC */
    uint32_t bits;            /* modulus bits / field bits */
} tv_mech_key;

typedef struct tv_mech_req {
    uint32_t mechanism;       /* TV_CKM_* */
    uint32_t pss_hash, pss_mgf, pss_salt;
    uint32_t input_kind;      /* TV_INPUT_* */
    const uint8_t *input;
    size_t input_len;
} tv_mech_req;

typedef struct tv_mech_plan {
    uint8_t hash[64];
    size_t hash_len;
    const char *hash_oid;     /* CSC hashAlgorithmOID */
    const char *sign_algo;    /* CSC signAlgo */
    uint8_t params[64];       /* DER RSASSA-PSS-params, or none */
    size_t params_len;
} tv_mech_plan;

/* 0, or TV_ERR_MECHANISM (unknown, or wrong key type), TV_ERR_MECHANISM_PARAM
 * (PSS parameters), TV_ERR_DATA_INVALID (input length, DigestInfo, SHA-1). */
int tv_mech_plan_make(const tv_mech_req *req, const tv_mech_key *key, tv_mech_plan *plan);

/* The signature length PKCS#11 returns for this key. */
size_t tv_mech_sig_len(const tv_mech_key *key);
/* Convert the service's signature; out holds tv_mech_sig_len() bytes.
 * TV_ERR_SERVER when the signature does not fit the key. */
int tv_mech_finish(const tv_mech_key *key, const uint8_t *sig, size_t sig_len, uint8_t *out,
                   size_t *out_len);

#endif
