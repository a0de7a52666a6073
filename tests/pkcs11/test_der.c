/* DigestInfo parsing (CKM_RSA_PKCS input) and certificate reading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../pkcs11/der.h"
#include "testdata.h"
#include "tv_err.h"

#include <openssl/x509.h>
#include <string.h>

static const uint8_t sha256_prefix[] = {
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
    0x05, 0x00, 0x04, 0x20,
};

static size_t sha256_digestinfo(uint8_t *out)
{
    memcpy(out, sha256_prefix, sizeof sha256_prefix);
    for (int i = 0; i < 32; i++)
        out[sizeof sha256_prefix + i] = (uint8_t)i;
    return sizeof sha256_prefix + 32;
}

static void digestinfo_of_each_hash(void **state)
{
    /* OID bytes and digest length per hash; NULL parameters. */
    static const struct { CK_MECHANISM_TYPE mech; uint8_t oid[9]; size_t oid_len, dlen; } cases[] = {
        { CKM_SHA_1, { 0x2b, 0x0e, 0x03, 0x02, 0x1a }, 5, 20 },
        { CKM_SHA224, { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04 }, 9, 28 },
        { CKM_SHA256, { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 }, 9, 32 },
        { CKM_SHA384, { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02 }, 9, 48 },
        { CKM_SHA512, { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03 }, 9, 64 },
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t di[128];
        size_t n = 0, alg_len = 2 + cases[i].oid_len + 2;
        di[n++] = 0x30;
        di[n++] = (uint8_t)(2 + alg_len + 2 + cases[i].dlen);
        di[n++] = 0x30;
        di[n++] = (uint8_t)alg_len;
        di[n++] = 0x06;
        di[n++] = (uint8_t)cases[i].oid_len;
        memcpy(di + n, cases[i].oid, cases[i].oid_len);
        n += cases[i].oid_len;
        di[n++] = 0x05;
        di[n++] = 0x00;
        di[n++] = 0x04;
        di[n++] = (uint8_t)cases[i].dlen;
        memset(di + n, 0x5a, cases[i].dlen);
        n += cases[i].dlen;

        CK_MECHANISM_TYPE hash = 0;
        const uint8_t *digest = NULL;
        size_t dlen = 0;
        assert_int_equal(tv_digestinfo_parse(di, n, &hash, &digest, &dlen), 0);
        assert_int_equal(hash, cases[i].mech);
        assert_int_equal(dlen, cases[i].dlen);
        assert_ptr_equal(digest, di + n - cases[i].dlen);
        assert_int_equal(tv_hash_mech_len(hash), cases[i].dlen);
    }
}

static void digestinfo_without_null_parameters(void **state)
{
    uint8_t di[64];
    size_t n = 0;
    CK_MECHANISM_TYPE hash;
    const uint8_t *d;
    size_t dlen;

    di[n++] = 0x30; di[n++] = 0x2f;
    di[n++] = 0x30; di[n++] = 0x0b;
    di[n++] = 0x06; di[n++] = 0x09;
    memcpy(di + n, sha256_prefix + 6, 9);
    n += 9;
    di[n++] = 0x04; di[n++] = 0x20;
    memset(di + n, 1, 32);
    n += 32;
    assert_int_equal(tv_digestinfo_parse(di, n, &hash, &d, &dlen), 0);
    assert_int_equal(hash, CKM_SHA256);
}

static void digestinfo_rejects_every_truncation(void **state)
{
    uint8_t di[64];
    size_t n = sha256_digestinfo(di);
    CK_MECHANISM_TYPE hash = 0x1234;
    const uint8_t *d = NULL;
    size_t dlen = 77;

    for (size_t len = 0; len < n; len++) {
        assert_int_equal(tv_digestinfo_parse(di, len, &hash, &d, &dlen), TV_ERR_DATA_INVALID);
        assert_int_equal(hash, 0x1234);            /* outputs untouched */
        assert_null(d);
        assert_int_equal(dlen, 77);
    }
    assert_int_equal(tv_digestinfo_parse(NULL, 0, &hash, &d, &dlen), TV_ERR_DATA_INVALID);
}

static void digestinfo_rejects_bad_shapes(void **state)
{
    uint8_t di[80], bad[80];
    size_t n = sha256_digestinfo(di);
    CK_MECHANISM_TYPE hash;
    const uint8_t *d;
    size_t dlen;

    memcpy(bad, di, n);
    bad[n] = 0;                                    /* trailing byte */
    assert_int_equal(tv_digestinfo_parse(bad, n + 1, &hash, &d, &dlen), TV_ERR_DATA_INVALID);
    memcpy(bad, di, n);
    bad[14] = 0x09;                                /* unknown OID (2.16.840.1.101.3.4.2.9) */
    assert_int_equal(tv_digestinfo_parse(bad, n, &hash, &d, &dlen), TV_ERR_DATA_INVALID);
    memcpy(bad, di, n);
    bad[18] = 0x1f;                                /* digest shorter than SHA-256 */
    bad[1] = 0x30;
    assert_int_equal(tv_digestinfo_parse(bad, n - 1, &hash, &d, &dlen), TV_ERR_DATA_INVALID);
    memcpy(bad, di, n);
    bad[15] = 0x04;                                /* parameters not NULL */
    assert_int_equal(tv_digestinfo_parse(bad, n, &hash, &d, &dlen), TV_ERR_DATA_INVALID);
    memcpy(bad, di, n);
    bad[1] = 0x80;                                 /* indefinite length */
    assert_int_equal(tv_digestinfo_parse(bad, n, &hash, &d, &dlen), TV_ERR_DATA_INVALID);
    /* a long-form length that is not minimal */
    bad[0] = 0x30; bad[1] = 0x81; bad[2] = 0x31;
    memcpy(bad + 3, di + 2, n - 2);
    assert_int_equal(tv_digestinfo_parse(bad, n + 1, &hash, &d, &dlen), TV_ERR_DATA_INVALID);
}

static void check_cert(const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    unsigned char *spki = NULL;
    int spki_len;
    tv_cert_info info;
    struct tm tm;
    char want[9], got[9];

    assert_non_null(x);
    spki_len = i2d_PUBKEY(X509_get0_pubkey(x), &spki);
    assert_int_equal(tv_cert_parse(der, len, &info), 0);
    assert_int_equal(info.spki.len, spki_len);
    assert_memory_equal(info.spki.p, spki, (size_t)spki_len);
    ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm);
    strftime(want, sizeof want, "%Y%m%d", &tm);
    memcpy(got, info.not_after.year, 8);
    got[8] = '\0';
    assert_string_equal(got, want);
    ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm);
    strftime(want, sizeof want, "%Y%m%d", &tm);
    memcpy(got, info.not_before.year, 8);
    assert_string_equal(got, want);
    OPENSSL_free(spki);
    X509_free(x);
}

static void certificates_agree_with_openssl(void **state)
{
    check_cert(test_ca_cert_der, sizeof test_ca_cert_der);
    check_cert(test_rsa_cert_der, sizeof test_rsa_cert_der);
    check_cert(test_ec_cert_der, sizeof test_ec_cert_der);
}

static void truncated_certificate_is_refused(void **state)
{
    tv_cert_info info;

    for (size_t len = 0; len < 300; len++)
        assert_int_equal(tv_cert_parse(test_rsa_cert_der, len, &info), TV_ERR_PROTOCOL);
    assert_int_equal(tv_cert_parse(NULL, 0, &info), TV_ERR_PROTOCOL);
}

static void dates(void **state)
{
    CK_DATE d;

    tv_date_from_unix(1700000000, &d);                 /* 2023-11-14 22:13:20 UTC */
    assert_memory_equal(d.year, "20231114", 8);
    tv_date_from_unix(0, &d);
    assert_memory_equal(d.year, "        ", 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(digestinfo_of_each_hash),
        cmocka_unit_test(digestinfo_without_null_parameters),
        cmocka_unit_test(digestinfo_rejects_every_truncation),
        cmocka_unit_test(digestinfo_rejects_bad_shapes),
        cmocka_unit_test(certificates_agree_with_openssl),
        cmocka_unit_test(truncated_certificate_is_refused),
        cmocka_unit_test(dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
