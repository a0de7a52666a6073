/* The signature mechanisms (DESIGN §4) and the rules for their parameters
 * and inputs.  Never CKM_RSA_X_509: the service signs hashes only. */
#ifndef TV_MECH_MOD_H
#define TV_MECH_MOD_H

#include "hash.h"
#include "tv_pkcs11.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tv_mech {
    CK_MECHANISM_TYPE type;
    uint32_t key_type;           /* TV_KEY_RSA or TV_KEY_EC */
    enum tv_hash_alg hash;       /* hash-and-sign: the module hashes; TV_HASH_NONE: raw */
    bool pss;                    /* takes CK_RSA_PKCS_PSS_PARAMS */
};

const struct tv_mech *tv_mech_find(CK_MECHANISM_TYPE type);

/* The mechanisms usable with a key type, in table order; returns the count
 * written (at most max). */
size_t tv_mech_for_key(uint32_t key_type, CK_MECHANISM_TYPE *out, size_t max);

/* Signature length for a key: RSA the modulus length, ECDSA r||s. */
size_t tv_mech_signature_len(uint32_t key_type, uint32_t key_bits);

/* Check the mechanism parameters for a key of key_bits bits; for PSS fill
 * *pss.  CKR_OK or CKR_MECHANISM_PARAM_INVALID. */
CK_RV tv_mech_check_params(const struct tv_mech *m, const CK_MECHANISM *mech, uint32_t key_bits,
                           CK_RSA_PKCS_PSS_PARAMS *pss);

/* Check the input of a raw (not hash-and-sign) mechanism:
 *   CKM_RSA_PKCS      a DER DigestInfo, at most k - 11 bytes;
 *   CKM_RSA_PKCS_PSS  a hash of the length of pss->hashAlg;
 *   CKM_ECDSA         a hash (1..64 bytes).
 * CKR_OK, CKR_DATA_LEN_RANGE or CKR_DATA_INVALID. */
CK_RV tv_mech_check_input(const struct tv_mech *m, const CK_RSA_PKCS_PSS_PARAMS *pss,
                          uint32_t key_bits, const uint8_t *data, size_t len);

/* Largest input a raw mechanism accepts (multi-part buffering cap). */
size_t tv_mech_max_input(const struct tv_mech *m, uint32_t key_bits);

#endif
