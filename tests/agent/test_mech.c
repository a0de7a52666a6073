/* SIGN semantics per mechanism: the hash sent to the service, its OIDs and
 * PSS parameters, and the conversion of the service's signature, checked end
 * to end with real keys: OpenSSL plays the service (signs the planned hash)
 * and a PKCS#11 verifier (checks the converted signature over the input). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "mech.h"
#include "tv_err.h"
#include "tv_mech.h"
#include "tv_proto.h"

#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <string.h>

static EVP_PKEY *rsa_key, *ec_key;
static const uint8_t data[] = "the document to sign";

static int setup(void **state)
{
    rsa_key = EVP_RSA_gen(2048);
    ec_key = EVP_EC_gen("P-256");
    return rsa_key && ec_key ? 0 : -1;
}

static int teardown(void **state)
{
    EVP_PKEY_free(rsa_key);
    EVP_PKEY_free(ec_key);
    return 0;
}

static const EVP_MD *md_of(const char *oid)
{
    if (strcmp(oid, "2.16.840.1.101.3.4.2.1") == 0) return EVP_sha256();
    if (strcmp(oid, "2.16.840.1.101.3.4.2.2") == 0) return EVP_sha384();
    return EVP_sha512();
}

/* The service: sign plan->hash as the API says for plan->sign_algo. */
static size_t service_sign(EVP_PKEY *key, const tv_mech_plan *p, uint8_t *sig, size_t size)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    size_t len = size;

    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
    if (strcmp(p->sign_algo, "1.2.840.113549.1.1.1") == 0) {
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
        assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, md_of(p->hash_oid)), 1);
    } else if (strcmp(p->sign_algo, "1.2.840.113549.1.1.10") == 0) {
        /* Read the DER params back with OpenSSL: proves they are well formed. */
        const unsigned char *q = p->params;
        RSA_PSS_PARAMS *pss = d2i_RSA_PSS_PARAMS(NULL, &q, (long)p->params_len);
        assert_non_null(pss);
        assert_ptr_equal(q, p->params + p->params_len);
        long salt = ASN1_INTEGER_get(pss->saltLength);
        RSA_PSS_PARAMS_free(pss);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING), 1);
        assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, md_of(p->hash_oid)), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, (int)salt), 1);
    }
    assert_int_equal(EVP_PKEY_sign(ctx, sig, &len, p->hash, p->hash_len), 1);
    EVP_PKEY_CTX_free(ctx);
    return len;
}

static void plan_sign_finish(EVP_PKEY *key, const tv_mech_req *req, const tv_mech_key *mk,
                             tv_mech_plan *plan, uint8_t *out, size_t *out_len)
{
    uint8_t sig[1024];
    size_t n;

    assert_int_equal(tv_mech_plan_make(req, mk, plan), 0);
    n = service_sign(key, plan, sig, sizeof sig);
    assert_int_equal(tv_mech_finish(mk, sig, n, out, out_len), 0);
    assert_int_equal(*out_len, tv_mech_sig_len(mk));
}

static void verify_rsa(const EVP_MD *md, int padding, int salt, const uint8_t *sig, size_t sig_len)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;

    assert_int_equal(EVP_DigestVerifyInit(m, &pctx, md, NULL, rsa_key), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, padding), 1);
    if (padding == RSA_PKCS1_PSS_PADDING)
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt), 1);
    assert_int_equal(EVP_DigestVerify(m, sig, sig_len, data, sizeof data), 1);
    EVP_MD_CTX_free(m);
}

static void rsa_hash_and_sign(void **state)
{
    const uint32_t mechs[] = { TV_CKM_SHA256_RSA_PKCS, TV_CKM_SHA384_RSA_PKCS, TV_CKM_SHA512_RSA_PKCS };
    const EVP_MD *mds[] = { EVP_sha256(), EVP_sha384(), EVP_sha512() };
    tv_mech_key mk = { TV_KEY_RSA, 2048 };

    for (int i = 0; i < 3; i++) {
        tv_mech_req req = { .mechanism = mechs[i], .input_kind = TV_INPUT_AS_GIVEN, .input = data,
                            .input_len = sizeof data };
        tv_mech_plan plan;
        uint8_t out[256];
        size_t out_len;
        plan_sign_finish(rsa_key, &req, &mk, &plan, out, &out_len);
        assert_int_equal(plan.hash_len, (size_t)EVP_MD_get_size(mds[i]));
        verify_rsa(mds[i], RSA_PKCS1_PADDING, 0, out, out_len);
    }
}

static void rsa_digest_input_kind(void **state)
{
    uint8_t digest[32];
    unsigned int dl;
    tv_mech_key mk = { TV_KEY_RSA, 2048 };
    tv_mech_plan plan;
    uint8_t out[256];
    size_t out_len;

    EVP_Digest(data, sizeof data, digest, &dl, EVP_sha256(), NULL);
    tv_mech_req req = { .mechanism = TV_CKM_SHA256_RSA_PKCS, .input_kind = TV_INPUT_DIGEST,
                        .input = digest, .input_len = 32 };
    plan_sign_finish(rsa_key, &req, &mk, &plan, out, &out_len);
    assert_memory_equal(plan.hash, digest, 32);
    verify_rsa(EVP_sha256(), RSA_PKCS1_PADDING, 0, out, out_len);
    req.input_len = 31;
    assert_int_equal(tv_mech_plan_make(&req, &mk, &plan), TV_ERR_DATA_INVALID);
}

/* CKM_RSA_PKCS with a DigestInfo, as TLS 1.2 and NSS send it. */
static void rsa_pkcs_digest_info(void **state)
{
    static const uint8_t prefix[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
                                      0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
    uint8_t di[sizeof prefix + 32];
    unsigned int dl;
    tv_mech_key mk = { TV_KEY_RSA, 2048 };
    tv_mech_plan plan;
    uint8_t out[256];
    size_t out_len;

    memcpy(di, prefix, sizeof prefix);
    EVP_Digest(data, sizeof data, di + sizeof prefix, &dl, EVP_sha256(), NULL);
    tv_mech_req req = { .mechanism = TV_CKM_RSA_PKCS, .input = di, .input_len = sizeof di };
    plan_sign_finish(rsa_key, &req, &mk, &plan, out, &out_len);
    assert_string_equal(plan.hash_oid, "2.16.840.1.101.3.4.2.1");
    verify_rsa(EVP_sha256(), RSA_PKCS1_PADDING, 0, out, out_len);
    /* Same DigestInfo without the NULL parameters. */
    uint8_t no_null[sizeof di - 2];
    memcpy(no_null, (uint8_t[]){ 0x30, 0x2f, 0x30, 0x0b }, 4);
    memcpy(no_null + 4, prefix + 4, 11);
    memcpy(no_null + 15, (uint8_t[]){ 0x04, 0x20 }, 2);
    memcpy(no_null + 17, di + sizeof prefix, 32);
    req.input = no_null;
    req.input_len = sizeof no_null;
    assert_int_equal(tv_mech_plan_make(&req, &mk, &plan), 0);
    assert_memory_equal(plan.hash, di + sizeof prefix, 32);
}

static void rsa_pkcs_refuses_bad_digest_info(void **state)
{
    static const uint8_t sha1_di[35] = { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a,
                                         0x05, 0x00, 0x04, 0x14 };
    uint8_t raw36[36] = { 0 };
    tv_mech_key mk = { TV_KEY_RSA, 2048 };
    tv_mech_plan plan;
    tv_mech_req req = { .mechanism = TV_CKM_RSA_PKCS, .input = sha1_di, .input_len = sizeof sha1_di };

    assert_int_equal(tv_mech_plan_make(&req, &mk, &plan), TV_ERR_DATA_INVALID);
    req.input = raw36;                   /* TLS 1.0 MD5+SHA1 concatenation */
    req.input_len = sizeof raw36;
    assert_int_equal(tv_mech_plan_make(&req, &mk, &plan), TV_ERR_DATA_INVALID);
    req.input_len = 0;
    assert_int_equal(tv_mech_plan_make(&req, &mk, &plan), TV_ERR_DATA_INVALID);
    req.input_kind = TV_INPUT_DIGEST;    /* not a hash-and-sign mechanism */
    req.input_len = sizeof raw36;
    assert_int_equal(tv_mech_plan_make(&req, &mk, &plan), TV_ERR_DATA_INVALID);
}

static void rsa_pss(void **state)
{
    tv_mech_key mk = { TV_KEY_RSA, 2048 };
    uint8_t digest[48], out[256];
    unsigned int dl;
    size_t out_len;
    tv_mech_plan plan;

    /* CKM_RSA_PKCS_PSS: input is the hash (TLS 1.3 rsa_pss_rsae_sha384). */
    EVP_Digest(data, sizeof data, digest, &dl, EVP_sha384(), NULL);
    tv_mech_req req = { .mechanism = TV_CKM_RSA_PKCS_PSS, .pss_hash = TV_CKM_SHA384,
                        .pss_mgf = TV_CKG_MGF1_SHA384, .pss_salt = 48, .input = digest, .input_len = 48 };
    plan_sign_finish(rsa_key, &req, &mk, &plan, out, &out_len);
    assert_string_equal(plan.sign_algo, "1.2.840.113549.1.1.10");
    verify_rsa(EVP_sha384(), RSA_PKCS1_PSS_PADDING, 48, out, out_len);
    /* Hash-and-sign PSS with a large salt (needs a two-byte INTEGER). */
    tv_mech_req hs = { .mechanism = TV_CKM_SHA256_RSA_PKCS_PSS, .pss_hash = TV_CKM_SHA256,
                       .pss_mgf = TV_CKG_MGF1_SHA256, .pss_salt = 222, .input = data,
                       .input_len = sizeof data };
    plan_sign_finish(rsa_key, &hs, &mk, &plan, out, &out_len);
    verify_rsa(EVP_sha256(), RSA_PKCS1_PSS_PADDING, 222, out, out_len);
}

static void rsa_pss_parameter_checks(void **state)
{
    tv_mech_key mk = { TV_KEY_RSA, 2048 };
    uint8_t digest[32] = { 0 };
    tv_mech_plan plan;
    tv_mech_req req = { .mechanism = TV_CKM_RSA_PKCS_PSS, .pss_hash = TV_CKM_SHA256,
                        .pss_mgf = TV_CKG_MGF1_SHA256, .pss_salt = 32, .input = digest, .input_len = 32 };

    req.pss_salt = 223;                                   /* > emLen - hLen - 2 */
    assert_int_equal(tv_mech_plan_make(&req, &mk, &plan), TV_ERR_MECHANISM_PARAM);
    req.pss_salt = 32;
    req.pss_hash = TV_CKM_SHA_1;
    assert_int_equal(tv_mech_plan_make(&req, &mk, &plan), TV_ERR_MECHANISM_PARAM);
    req.pss_hash = TV_CKM_SHA256;
    req.pss_mgf = TV_CKG_MGF1_SHA1;
    assert_int_equal(tv_mech_plan_make(&req, &mk, &plan), TV_ERR_MECHANISM_PARAM);
    req.pss_mgf = TV_CKG_MGF1_SHA256;
    req.input_len = 48;                                   /* hash length != params hash */
    assert_int_equal(tv_mech_plan_make(&req, &mk, &plan), TV_ERR_DATA_INVALID);
    req.input_len = 32;
    req.mechanism = TV_CKM_SHA384_RSA_PKCS_PSS;           /* params hash != mechanism hash */
    assert_int_equal(tv_mech_plan_make(&req, &mk, &plan), TV_ERR_MECHANISM_PARAM);
    req.mechanism = TV_CKM_SHA256_RSA_PKCS;               /* PSS params on a non-PSS mechanism */
    assert_int_equal(tv_mech_plan_make(&req, &mk, &plan), TV_ERR_MECHANISM_PARAM);
}

static void ecdsa_raw_signature(void **state)
{
    const uint32_t mechs[] = { TV_CKM_ECDSA, TV_CKM_ECDSA_SHA256, TV_CKM_ECDSA_SHA384, TV_CKM_ECDSA_SHA512 };
    tv_mech_key mk = { TV_KEY_EC, 256 };
    uint8_t digest[32];
    unsigned int dl;

    EVP_Digest(data, sizeof data, digest, &dl, EVP_sha256(), NULL);
    for (int i = 0; i < 4; i++) {
        tv_mech_req req = { .mechanism = mechs[i], .input = i == 0 ? digest : data,
                            .input_len = i == 0 ? 32 : sizeof data };
        tv_mech_plan plan;
        uint8_t out[64], *der = NULL;
        size_t out_len;
        plan_sign_finish(ec_key, &req, &mk, &plan, out, &out_len);
        assert_int_equal(out_len, 64);
        /* Back to DER and verify against the hash the agent planned. */
        ECDSA_SIG *s = ECDSA_SIG_new();
        ECDSA_SIG_set0(s, BN_bin2bn(out, 32, NULL), BN_bin2bn(out + 32, 32, NULL));
        int der_len = i2d_ECDSA_SIG(s, &der);
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(ec_key, NULL);
        assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
        assert_int_equal(EVP_PKEY_verify(ctx, der, (size_t)der_len, plan.hash, plan.hash_len), 1);
        EVP_PKEY_CTX_free(ctx);
        OPENSSL_free(der);
        ECDSA_SIG_free(s);
    }
}

static void ecdsa_pads_short_halves(void **state)
{
    /* r = 1, s = 2: each half left-padded to 32 bytes. */
    static const uint8_t der[] = { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02 };
    tv_mech_key mk = { TV_KEY_EC, 256 };
    uint8_t out[64], want[64] = { 0 };
    size_t out_len;

    want[31] = 1;
    want[63] = 2;
    assert_int_equal(tv_mech_finish(&mk, der, sizeof der, out, &out_len), 0);
    assert_memory_equal(out, want, 64);
    assert_int_equal(tv_mech_finish(&mk, der, sizeof der - 1, out, &out_len), TV_ERR_SERVER);
}

static void rsa_signature_padding_and_limits(void **state)
{
    tv_mech_key mk = { TV_KEY_RSA, 2048 };
    uint8_t sig[255], big[257] = { 0 }, out[256];
    size_t out_len;

    memset(sig, 0xab, sizeof sig);
    assert_int_equal(tv_mech_finish(&mk, sig, sizeof sig, out, &out_len), 0);
    assert_int_equal(out_len, 256);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 0xab);
    assert_int_equal(tv_mech_finish(&mk, big, sizeof big, out, &out_len), TV_ERR_SERVER);
}

static void wrong_key_type_and_unknown_mechanism(void **state)
{
    tv_mech_key rsa = { TV_KEY_RSA, 2048 }, ec = { TV_KEY_EC, 256 };
    uint8_t digest[32] = { 0 };
    tv_mech_plan plan;
    tv_mech_req req = { .mechanism = TV_CKM_ECDSA, .input = digest, .input_len = 32 };

    assert_int_equal(tv_mech_plan_make(&req, &rsa, &plan), TV_ERR_MECHANISM);
    req.mechanism = TV_CKM_SHA256_RSA_PKCS;
    assert_int_equal(tv_mech_plan_make(&req, &ec, &plan), TV_ERR_MECHANISM);
    req.mechanism = 0x3;                                  /* CKM_RSA_X_509: never */
    assert_int_equal(tv_mech_plan_make(&req, &rsa, &plan), TV_ERR_MECHANISM);
    req.mechanism = TV_CKM_ECDSA;
    req.input_len = 20;                                   /* SHA-1 sized */
    assert_int_equal(tv_mech_plan_make(&req, &ec, &plan), TV_ERR_DATA_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rsa_hash_and_sign),
        cmocka_unit_test(rsa_digest_input_kind),
        cmocka_unit_test(rsa_pkcs_digest_info),
        cmocka_unit_test(rsa_pkcs_refuses_bad_digest_info),
        cmocka_unit_test(rsa_pss),
        cmocka_unit_test(rsa_pss_parameter_checks),
        cmocka_unit_test(ecdsa_raw_signature),
        cmocka_unit_test(ecdsa_pads_short_halves),
        cmocka_unit_test(rsa_signature_padding_and_limits),
        cmocka_unit_test(wrong_key_type_and_unknown_mechanism),
    };
    return cmocka_run_group_tests_name("agent mechanisms", tests, setup, teardown);
}
