#include "sigalg.h"

#include "tv_err.h"

#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

struct hash_info {
    const char *oid;
    enum tv_hash hash;
    size_t len;
    unsigned long mech;          /* CKM_SHA256 ... */
    unsigned long mgf;           /* CKG_MGF1_SHA256 ... */
    uint8_t prefix[19];          /* DigestInfo header */
};

static const struct hash_info hashes[] = {
    { TV_OID_SHA256, TV_HASH_SHA256, 32, 0x250, 2,
      { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
        0x00, 0x04, 0x20 } },
    { TV_OID_SHA384, TV_HASH_SHA384, 48, 0x260, 3,
      { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05,
        0x00, 0x04, 0x30 } },
    { TV_OID_SHA512, TV_HASH_SHA512, 64, 0x270, 4,
      { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05,
        0x00, 0x04, 0x40 } },
};

/* signAlgo OIDs that imply a hash. */
static const struct {
    const char *oid;
    enum tv_sig_kind kind;
    const char *hash_oid;
} implied[] = {
    { "1.2.840.113549.1.1.11", TV_SIG_RSA_PKCS1, TV_OID_SHA256 },
    { "1.2.840.113549.1.1.12", TV_SIG_RSA_PKCS1, TV_OID_SHA384 },
    { "1.2.840.113549.1.1.13", TV_SIG_RSA_PKCS1, TV_OID_SHA512 },
    { "1.2.840.10045.4.3.2", TV_SIG_ECDSA, TV_OID_SHA256 },
    { "1.2.840.10045.4.3.3", TV_SIG_ECDSA, TV_OID_SHA384 },
    { "1.2.840.10045.4.3.4", TV_SIG_ECDSA, TV_OID_SHA512 },
};

static const struct hash_info *hash_info(const char *oid)
{
    for (size_t i = 0; oid && i < sizeof hashes / sizeof hashes[0]; i++)
        if (strcmp(hashes[i].oid, oid) == 0)
            return &hashes[i];
    return NULL;
}

int tv_hash_by_oid(const char *oid, enum tv_hash *hash, size_t *len)
{
    const struct hash_info *h = hash_info(oid);

    if (h == NULL)
        return TV_ERR_MECHANISM;
    *hash = h->hash;
    *len = h->len;
    return 0;
}

static void use_hash(struct tv_sigalg *out, const struct hash_info *h)
{
    out->hash = h->hash;
    out->hash_len = h->len;
    out->pss.hash_mech = h->mech;
    out->pss.mgf = h->mgf;
    out->pss.salt_len = h->len;
}

/* The OID of an AlgorithmIdentifier as dotted text. */
static void algor_oid(const X509_ALGOR *a, char *out, size_t outsz)
{
    const ASN1_OBJECT *obj = NULL;

    out[0] = '\0';
    if (a == NULL)
        return;
    X509_ALGOR_get0(&obj, NULL, NULL, a);
    if (obj == NULL || OBJ_obj2txt(out, (int)outsz, obj, 1) <= 0)
        out[0] = '\0';
}

/* The hash of an MGF1 AlgorithmIdentifier ("1.2.840.113549.1.1.8" + hash). */
static const struct hash_info *mgf1_hash(const X509_ALGOR *mgf)
{
    const ASN1_OBJECT *obj = NULL;
    const void *pval = NULL;
    int ptype = 0;
    const ASN1_STRING *seq;
    const unsigned char *p;
    X509_ALGOR *inner;
    const struct hash_info *h = NULL;
    char oid[80];

    algor_oid(mgf, oid, sizeof oid);
    if (strcmp(oid, "1.2.840.113549.1.1.8") != 0)
        return NULL;
    X509_ALGOR_get0(&obj, &ptype, &pval, mgf);
    if (ptype != V_ASN1_SEQUENCE || pval == NULL)
        return NULL;
    seq = pval;
    p = ASN1_STRING_get0_data(seq);
    inner = d2i_X509_ALGOR(NULL, &p, ASN1_STRING_length(seq));
    if (inner != NULL) {
        algor_oid(inner, oid, sizeof oid);
        h = hash_info(oid);
        X509_ALGOR_free(inner);
    }
    return h;
}

static int pss_params(const uint8_t *der, size_t len, struct tv_sigalg *out, const char **why)
{
    const unsigned char *p = der;
    RSA_PSS_PARAMS *pp = d2i_RSA_PSS_PARAMS(NULL, &p, (long)len);
    const struct hash_info *h, *m;
    char oid[80];
    long salt = 20;
    int rc = TV_ERR_MECHANISM_PARAM;

    *why = "signAlgoParams is not a DER RSASSA-PSS-params";
    if (pp == NULL || p != der + len)
        goto free_params;
    algor_oid(pp->hashAlgorithm, oid, sizeof oid);
    h = hash_info(pp->hashAlgorithm ? oid : NULL);      /* absent = SHA-1 */
    m = pp->maskGenAlgorithm ? mgf1_hash(pp->maskGenAlgorithm) : NULL;
    if (pp->saltLength != NULL)
        salt = ASN1_INTEGER_get(pp->saltLength);
    *why = "RSASSA-PSS needs SHA-256, SHA-384 or SHA-512 for the hash and MGF1 (SHA-1 is refused)";
    if (h == NULL || m == NULL) {
        rc = TV_ERR_MECHANISM;
        goto free_params;
    }
    *why = "RSASSA-PSS salt length or trailer field out of range";
    if (salt < 0 || salt > 512 - 2 - (long)h->len ||
        (pp->trailerField != NULL && ASN1_INTEGER_get(pp->trailerField) != 1))
        goto free_params;
    use_hash(out, h);
    out->pss.mgf = m->mgf;
    out->pss.salt_len = (unsigned long)salt;
    rc = 0;
free_params:
    RSA_PSS_PARAMS_free(pp);
    return rc;
}

static int resolve_kind(const char *sign_algo, enum tv_sig_kind *kind, const char **implied_hash)
{
    *implied_hash = NULL;
    if (strcmp(sign_algo, TV_OID_RSA) == 0) {
        *kind = TV_SIG_RSA_PKCS1;
        return 0;
    }
    if (strcmp(sign_algo, TV_OID_RSA_PSS) == 0) {
        *kind = TV_SIG_RSA_PSS;
        return 0;
    }
    if (strcmp(sign_algo, TV_OID_EC) == 0) {
        *kind = TV_SIG_ECDSA;
        return 0;
    }
    for (size_t i = 0; i < sizeof implied / sizeof implied[0]; i++) {
        if (strcmp(implied[i].oid, sign_algo) == 0) {
            *kind = implied[i].kind;
            *implied_hash = implied[i].hash_oid;
            return 0;
        }
    }
    return TV_ERR_MECHANISM;
}

static int resolve_hash(const char *implied_hash, const char *hash_oid, struct tv_sigalg *out,
                        const char **why)
{
    const struct hash_info *h;

    if (implied_hash != NULL && hash_oid != NULL && strcmp(implied_hash, hash_oid) != 0) {
        *why = "hashAlgorithmOID does not match signAlgo";
        return TV_ERR_MECHANISM;
    }
    h = hash_info(implied_hash ? implied_hash : hash_oid);
    if (h == NULL) {
        *why = hash_oid == NULL && implied_hash == NULL
                   ? "hashAlgorithmOID is required with this signAlgo"
                   : "Unsupported hash algorithm (SHA-256, SHA-384 or SHA-512; SHA-1 is refused)";
        return TV_ERR_MECHANISM;
    }
    use_hash(out, h);
    return 0;
}

int tv_sigalg_resolve(const char *sign_algo, const char *hash_oid, const uint8_t *params, size_t plen,
                      enum tv_key_type key, struct tv_sigalg *out, const char **why)
{
    const char *implied_hash;

    memset(out, 0, sizeof *out);
    *why = "Unsupported signAlgo (SHA-1 based algorithms are refused)";
    if (sign_algo == NULL || resolve_kind(sign_algo, &out->kind, &implied_hash) < 0)
        return TV_ERR_MECHANISM;
    if ((out->kind == TV_SIG_ECDSA) != (key == TV_KEY_P256)) {
        *why = "signAlgo does not match the credential's key algorithm";
        return TV_ERR_MECHANISM;
    }
    out->mech = out->kind == TV_SIG_ECDSA ? TV_HSM_ECDSA
              : out->kind == TV_SIG_RSA_PSS ? TV_HSM_RSA_PSS : TV_HSM_RSA_PKCS;
    if (out->kind == TV_SIG_RSA_PSS && params != NULL) {
        int rc = pss_params(params, plen, out, why);
        const struct hash_info *h = hash_info(hash_oid);

        if (rc == 0 && hash_oid != NULL && (h == NULL || h->hash != out->hash)) {
            *why = "hashAlgorithmOID does not match the RSASSA-PSS parameters";
            rc = TV_ERR_MECHANISM;
        }
        return rc;
    }
    return resolve_hash(implied_hash, hash_oid, out, why);
}

int tv_digest_info(enum tv_hash hash, const uint8_t *h, size_t len, uint8_t *out, size_t *out_len)
{
    const struct hash_info *info;

    if ((unsigned)hash >= sizeof hashes / sizeof hashes[0] || len != hashes[hash].len)
        return TV_ERR_INVALID;
    info = &hashes[hash];
    memcpy(out, info->prefix, sizeof info->prefix);
    memcpy(out + sizeof info->prefix, h, len);
    *out_len = sizeof info->prefix + len;
    return 0;
}

int tv_ecdsa_der(const uint8_t *raw, size_t len, uint8_t *out, size_t *out_len)
{
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = NULL, *s = NULL;
    unsigned char *p = out;
    int n = -1;

    if (sig == NULL || len == 0 || len % 2 != 0 || len > 132)
        goto free_sig;
    r = BN_bin2bn(raw, (int)(len / 2), NULL);
    s = BN_bin2bn(raw + len / 2, (int)(len / 2), NULL);
    if (r == NULL || s == NULL || !ECDSA_SIG_set0(sig, r, s))
        goto free_sig;
    r = s = NULL;
    if (i2d_ECDSA_SIG(sig, NULL) <= 140)
        n = i2d_ECDSA_SIG(sig, &p);
free_sig:
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    if (n <= 0)
        return TV_ERR_INVALID;
    *out_len = (size_t)n;
    return 0;
}
