#include "mech.h"

#include "tv_err.h"
#include "tv_mech.h"
#include "tv_proto.h"

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <string.h>

#define OID_SHA256 "2.16.840.1.101.3.4.2.1"
#define OID_SHA384 "2.16.840.1.101.3.4.2.2"
#define OID_SHA512 "2.16.840.1.101.3.4.2.3"
#define OID_RSA "1.2.840.113549.1.1.1"
#define OID_RSA_PSS "1.2.840.113549.1.1.10"
#define OID_EC "1.2.840.10045.2.1"

/* One supported hash: sizes, OIDs, DER forms. */
typedef struct hash_info {
    uint32_t ckm;             /* TV_CKM_SHAxxx */
    uint32_t mgf;             /* TV_CKG_MGF1_SHAxxx */
    size_t len;
    const char *oid;
    const char *evp;
    uint8_t der_oid[11];      /* 06 09 ... */
} hash_info;

static const hash_info hashes[] = {
    { TV_CKM_SHA256, TV_CKG_MGF1_SHA256, 32, OID_SHA256, "SHA256",
      { 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 } },
    { TV_CKM_SHA384, TV_CKG_MGF1_SHA384, 48, OID_SHA384, "SHA384",
      { 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02 } },
    { TV_CKM_SHA512, TV_CKG_MGF1_SHA512, 64, OID_SHA512, "SHA512",
      { 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03 } },
};
#define N_HASHES (sizeof hashes / sizeof hashes[0])

static const hash_info *hash_by_ckm(uint32_t ckm)
{
    for (size_t i = 0; i < N_HASHES; i++)
        if (hashes[i].ckm == ckm)
            return &hashes[i];
    return NULL;
}

static const hash_info *hash_by_mgf(uint32_t mgf)
{
    for (size_t i = 0; i < N_HASHES; i++)
        if (hashes[i].mgf == mgf)
            return &hashes[i];
    return NULL;
}

static const hash_info *hash_by_len(size_t len)
{
    for (size_t i = 0; i < N_HASHES; i++)
        if (hashes[i].len == len)
            return &hashes[i];
    return NULL;
}

/* Mechanism table: key type, the hash a hash-and-sign mechanism applies
 * (0 = the input already is a hash or DigestInfo), PSS or not. */
typedef struct mech_info {
    uint32_t ckm;
    uint32_t key_type;
    uint32_t hash_ckm;
    int pss;
} mech_info;

static const mech_info mechs[] = {
    { TV_CKM_RSA_PKCS, TV_KEY_RSA, 0, 0 },
    { TV_CKM_RSA_PKCS_PSS, TV_KEY_RSA, 0, 1 },
    { TV_CKM_SHA256_RSA_PKCS, TV_KEY_RSA, TV_CKM_SHA256, 0 },
    { TV_CKM_SHA384_RSA_PKCS, TV_KEY_RSA, TV_CKM_SHA384, 0 },
    { TV_CKM_SHA512_RSA_PKCS, TV_KEY_RSA, TV_CKM_SHA512, 0 },
    { TV_CKM_SHA256_RSA_PKCS_PSS, TV_KEY_RSA, TV_CKM_SHA256, 1 },
    { TV_CKM_SHA384_RSA_PKCS_PSS, TV_KEY_RSA, TV_CKM_SHA384, 1 },
    { TV_CKM_SHA512_RSA_PKCS_PSS, TV_KEY_RSA, TV_CKM_SHA512, 1 },
    { TV_CKM_ECDSA, TV_KEY_EC, 0, 0 },
    { TV_CKM_ECDSA_SHA256, TV_KEY_EC, TV_CKM_SHA256, 0 },
    { TV_CKM_ECDSA_SHA384, TV_KEY_EC, TV_CKM_SHA384, 0 },
    { TV_CKM_ECDSA_SHA512, TV_KEY_EC, TV_CKM_SHA512, 0 },
};

static const mech_info *mech_find(uint32_t ckm)
{
    for (size_t i = 0; i < sizeof mechs / sizeof mechs[0]; i++)
        if (mechs[i].ckm == ckm)
            return &mechs[i];
    return NULL;
}

/* DigestInfo ::= SEQUENCE { SEQUENCE { OID, NULL (optional) }, OCTET STRING }.
 * Accepts the exact DER of SHA-256/384/512 with or without the NULL. */
static int parse_digest_info(const uint8_t *in, size_t len, tv_mech_plan *plan)
{
    for (size_t i = 0; i < N_HASHES; i++) {
        const hash_info *h = &hashes[i];
        for (int with_null = 1; with_null >= 0; with_null--) {
            size_t alg_len = 11 + (with_null ? 2 : 0);
            size_t total = 2 + 2 + alg_len + 2 + h->len;
            if (len != total || in[0] != 0x30 || in[1] != total - 2 || in[2] != 0x30 ||
                in[3] != alg_len || memcmp(in + 4, h->der_oid, 11) != 0)
                continue;
            if (with_null && (in[15] != 0x05 || in[16] != 0x00))
                continue;
            if (in[4 + alg_len] != 0x04 || in[5 + alg_len] != h->len)
                continue;
            memcpy(plan->hash, in + 6 + alg_len, h->len);
            plan->hash_len = h->len;
            plan->hash_oid = h->oid;
            return 0;
        }
    }
    return TV_ERR_DATA_INVALID;
}

static int digest(const hash_info *h, const tv_mech_req *req, tv_mech_plan *plan)
{
    unsigned int n = 0;

    if (req->input_kind == TV_INPUT_DIGEST) {
        if (req->input_len != h->len)
            return TV_ERR_DATA_INVALID;
        memcpy(plan->hash, req->input, h->len);
    } else if (req->input_kind == TV_INPUT_AS_GIVEN) {
        if (EVP_Digest(req->input, req->input_len, plan->hash, &n, EVP_get_digestbyname(h->evp),
                       NULL) != 1 || n != h->len)
            return TV_ERR_INTERNAL;
    } else {
        return TV_ERR_DATA_INVALID;
    }
    plan->hash_len = h->len;
    plan->hash_oid = h->oid;
    return 0;
}

/* DER length of a small INTEGER content for the salt. */
static size_t put_salt(uint8_t *p, uint32_t salt)
{
    uint8_t v[5];
    size_t n = 0, start;

    v[0] = 0;
    v[1] = (uint8_t)(salt >> 24);
    v[2] = (uint8_t)(salt >> 16);
    v[3] = (uint8_t)(salt >> 8);
    v[4] = (uint8_t)salt;
    for (start = 1; start < 4 && v[start] == 0; start++)
        ;
    if (v[start] & 0x80)
        start--;
    p[n++] = 0x02;
    p[n++] = (uint8_t)(5 - start);
    memcpy(p + n, v + start, 5 - start);
    return n + 5 - start;
}

/* RSASSA-PSS-params: [0] hash, [1] mgf1(hash), [2] salt. */
static void pss_params(const hash_info *h, const hash_info *mgf, uint32_t salt, tv_mech_plan *plan)
{
    static const uint8_t mgf1[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08 };
    uint8_t salt_der[8], *p = plan->params;
    size_t salt_len = put_salt(salt_der, salt);

    *p++ = 0x30;
    *p++ = (uint8_t)(4 + 13 + 4 + 11 + 2 + 13 + 2 + salt_len);
    *p++ = 0xa0; *p++ = 15; *p++ = 0x30; *p++ = 13;
    memcpy(p, h->der_oid, 11); p += 11;
    *p++ = 0x05; *p++ = 0x00;
    *p++ = 0xa1; *p++ = 28; *p++ = 0x30; *p++ = 26;
    memcpy(p, mgf1, 11); p += 11;
    *p++ = 0x30; *p++ = 13;
    memcpy(p, mgf->der_oid, 11); p += 11;
    *p++ = 0x05; *p++ = 0x00;
    *p++ = 0xa2; *p++ = (uint8_t)salt_len;
    memcpy(p, salt_der, salt_len); p += salt_len;
    plan->params_len = (size_t)(p - plan->params);
}

static int plan_pss(const mech_info *m, const tv_mech_req *req, const tv_mech_key *key,
                    tv_mech_plan *plan)
{
    const hash_info *h = hash_by_ckm(req->pss_hash);
    const hash_info *mgf = hash_by_mgf(req->pss_mgf);
    size_t em_len = (key->bits - 1 + 7) / 8;
    int rc;

    if (h == NULL || mgf == NULL || (m->hash_ckm != 0 && m->hash_ckm != req->pss_hash))
        return TV_ERR_MECHANISM_PARAM;
    if (em_len < h->len + 2 || req->pss_salt > em_len - h->len - 2)
        return TV_ERR_MECHANISM_PARAM;
    if (m->hash_ckm != 0) {
        if ((rc = digest(h, req, plan)) < 0)
            return rc;
    } else {
        if (req->input_len != h->len)
            return TV_ERR_DATA_INVALID;
        memcpy(plan->hash, req->input, h->len);
        plan->hash_len = h->len;
        plan->hash_oid = h->oid;
    }
    plan->sign_algo = OID_RSA_PSS;
    pss_params(h, mgf, req->pss_salt, plan);
    return 0;
}

static int plan_plain(const mech_info *m, const tv_mech_req *req, tv_mech_plan *plan)
{
    const hash_info *h;

    plan->sign_algo = m->key_type == TV_KEY_RSA ? OID_RSA : OID_EC;
    if (m->hash_ckm != 0)
        return digest(hash_by_ckm(m->hash_ckm), req, plan);
    if (req->input_kind != TV_INPUT_AS_GIVEN)
        return TV_ERR_DATA_INVALID;
    if (m->key_type == TV_KEY_RSA)
        return parse_digest_info(req->input, req->input_len, plan);
    if ((h = hash_by_len(req->input_len)) == NULL)
        return TV_ERR_DATA_INVALID;
    memcpy(plan->hash, req->input, h->len);
    plan->hash_len = h->len;
    plan->hash_oid = h->oid;
    return 0;
}

int tv_mech_plan_make(const tv_mech_req *req, const tv_mech_key *key, tv_mech_plan *plan)
{
    const mech_info *m = mech_find(req->mechanism);

    memset(plan, 0, sizeof *plan);
    if (m == NULL || m->key_type != key->type)
        return TV_ERR_MECHANISM;
    if (!m->pss && (req->pss_hash || req->pss_mgf || req->pss_salt))
        return TV_ERR_MECHANISM_PARAM;
    if (m->pss)
        return plan_pss(m, req, key, plan);
    return plan_plain(m, req, plan);
}

size_t tv_mech_sig_len(const tv_mech_key *key)
{
    return key->type == TV_KEY_RSA ? (key->bits + 7) / 8 : 2 * ((key->bits + 7) / 8);
}

static int ecdsa_raw(size_t half, const uint8_t *sig, size_t sig_len, uint8_t *out)
{
    const unsigned char *p = sig;
    ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)sig_len);
    const BIGNUM *r, *sv;
    int rc = TV_ERR_SERVER;

    if (s == NULL)
        return TV_ERR_SERVER;
    ECDSA_SIG_get0(s, &r, &sv);
    if (p == sig + sig_len && BN_bn2binpad(r, out, (int)half) == (int)half &&
        BN_bn2binpad(sv, out + half, (int)half) == (int)half)
        rc = 0;
    ECDSA_SIG_free(s);
    return rc;
}

int tv_mech_finish(const tv_mech_key *key, const uint8_t *sig, size_t sig_len, uint8_t *out,
                   size_t *out_len)
{
    size_t want = tv_mech_sig_len(key);

    if (key->type == TV_KEY_EC) {
        if (ecdsa_raw(want / 2, sig, sig_len, out) < 0)
            return TV_ERR_SERVER;
    } else {
        if (sig_len > want || sig_len == 0)
            return TV_ERR_SERVER;
        memset(out, 0, want - sig_len);
        memcpy(out + want - sig_len, sig, sig_len);
    }
    *out_len = want;
    return 0;
}
