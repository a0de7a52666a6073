#include "mech.h"

#include "der.h"
#include "tv_proto.h"

static const struct tv_mech mechs[] = {
    { CKM_RSA_PKCS,            TV_KEY_RSA, TV_HASH_NONE,   false },
    { CKM_RSA_PKCS_PSS,        TV_KEY_RSA, TV_HASH_NONE,   true },
    { CKM_SHA256_RSA_PKCS,     TV_KEY_RSA, TV_HASH_SHA256, false },
    { CKM_SHA384_RSA_PKCS,     TV_KEY_RSA, TV_HASH_SHA384, false },
    { CKM_SHA512_RSA_PKCS,     TV_KEY_RSA, TV_HASH_SHA512, false },
    { CKM_SHA256_RSA_PKCS_PSS, TV_KEY_RSA, TV_HASH_SHA256, true },
    { CKM_SHA384_RSA_PKCS_PSS, TV_KEY_RSA, TV_HASH_SHA384, true },
    { CKM_SHA512_RSA_PKCS_PSS, TV_KEY_RSA, TV_HASH_SHA512, true },
    { CKM_ECDSA,               TV_KEY_EC,  TV_HASH_NONE,   false },
    { CKM_ECDSA_SHA256,        TV_KEY_EC,  TV_HASH_SHA256, false },
    { CKM_ECDSA_SHA384,        TV_KEY_EC,  TV_HASH_SHA384, false },
    { CKM_ECDSA_SHA512,        TV_KEY_EC,  TV_HASH_SHA512, false },
};

#define ECDSA_MAX_INPUT 64

const struct tv_mech *tv_mech_find(CK_MECHANISM_TYPE type)
{
    for (size_t i = 0; i < sizeof mechs / sizeof mechs[0]; i++)
        if (mechs[i].type == type)
            return &mechs[i];
    return NULL;
}

size_t tv_mech_for_key(uint32_t key_type, CK_MECHANISM_TYPE *out, size_t max)
{
    size_t n = 0;

    for (size_t i = 0; i < sizeof mechs / sizeof mechs[0] && n < max; i++)
        if (mechs[i].key_type == key_type)
            out[n++] = mechs[i].type;
    return n;
}

size_t tv_mech_signature_len(uint32_t key_type, uint32_t key_bits)
{
    size_t bytes = (key_bits + 7) / 8;

    return key_type == TV_KEY_EC ? 2 * bytes : bytes;
}

static enum tv_hash_alg hash_of_mech(CK_MECHANISM_TYPE hash)
{
    switch (hash) {
    case CKM_SHA256: return TV_HASH_SHA256;
    case CKM_SHA384: return TV_HASH_SHA384;
    case CKM_SHA512: return TV_HASH_SHA512;
    default: return TV_HASH_NONE;
    }
}

static CK_RSA_PKCS_MGF_TYPE mgf_of_hash(enum tv_hash_alg hash)
{
    switch (hash) {
    case TV_HASH_SHA256: return CKG_MGF1_SHA256;
    case TV_HASH_SHA384: return CKG_MGF1_SHA384;
    case TV_HASH_SHA512: return CKG_MGF1_SHA512;
    default: return 0;
    }
}

/* RFC 8017 9.1.1: emLen = ceil((modBits - 1) / 8) >= hLen + sLen + 2. */
static bool salt_fits(uint32_t key_bits, size_t hlen, CK_ULONG slen)
{
    size_t em_len = (key_bits - 1 + 7) / 8;

    return key_bits > 1 && em_len >= hlen + 2 && slen <= em_len - hlen - 2;
}

/* PSS: a SHA-2 hash, MGF1 with the same hash (the service supports nothing
 * else), the hash of the mechanism for the hash-and-sign variants, and a
 * salt that fits the key. */
static CK_RV check_pss(const struct tv_mech *m, const CK_MECHANISM *mech, uint32_t key_bits,
                       CK_RSA_PKCS_PSS_PARAMS *out)
{
    CK_RSA_PKCS_PSS_PARAMS p;
    enum tv_hash_alg hash;

    if (mech->pParameter == NULL || mech->ulParameterLen != sizeof p)
        return CKR_MECHANISM_PARAM_INVALID;
    p = *(const CK_RSA_PKCS_PSS_PARAMS *)mech->pParameter;
    hash = hash_of_mech(p.hashAlg);
    if (hash == TV_HASH_NONE || (m->hash != TV_HASH_NONE && hash != m->hash))
        return CKR_MECHANISM_PARAM_INVALID;
    if (p.mgf != mgf_of_hash(hash) || !salt_fits(key_bits, tv_hash_len(hash), p.sLen))
        return CKR_MECHANISM_PARAM_INVALID;
    *out = p;
    return CKR_OK;
}

CK_RV tv_mech_check_params(const struct tv_mech *m, const CK_MECHANISM *mech, uint32_t key_bits,
                           CK_RSA_PKCS_PSS_PARAMS *pss)
{
    if (m->pss)
        return check_pss(m, mech, key_bits, pss);
    if (mech->ulParameterLen != 0)
        return CKR_MECHANISM_PARAM_INVALID;
    return CKR_OK;
}

size_t tv_mech_max_input(const struct tv_mech *m, uint32_t key_bits)
{
    size_t k = (key_bits + 7) / 8;

    if (m->type == CKM_RSA_PKCS)
        return k > 11 ? k - 11 : 0;
    if (m->type == CKM_RSA_PKCS_PSS)
        return TV_HASH_MAX;
    return ECDSA_MAX_INPUT;
}

CK_RV tv_mech_check_input(const struct tv_mech *m, const CK_RSA_PKCS_PSS_PARAMS *pss,
                          uint32_t key_bits, const uint8_t *data, size_t len)
{
    CK_MECHANISM_TYPE hash;
    const uint8_t *digest;
    size_t digest_len;

    if (len == 0 || len > tv_mech_max_input(m, key_bits))
        return CKR_DATA_LEN_RANGE;
    switch (m->type) {
    case CKM_RSA_PKCS:
        if (tv_digestinfo_parse(data, len, &hash, &digest, &digest_len) < 0)
            return CKR_DATA_INVALID;
        return CKR_OK;
    case CKM_RSA_PKCS_PSS:
        return len == tv_hash_len(hash_of_mech(pss->hashAlg)) ? CKR_OK : CKR_DATA_LEN_RANGE;
    default:
        return CKR_OK;
    }
}
