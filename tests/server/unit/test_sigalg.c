/* bakq-server: signature algorithm resolution, RSASSA-PSS DER parameters,
 * DigestInfo and ECDSA DER conversion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "sigalg.h"
#include "tv_err.h"

#include <string.h>

/* RSASSA-PSS-params: hash SHA-256, MGF1-SHA-256, salt 32 */
static const uint8_t pss256[] = {
    0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
    0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08,
    0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2, 0x03,
    0x02, 0x01, 0x20 };

static void pss_params_are_parsed(void **state)
{
    struct tv_sigalg a;
    const char *why;

    assert_int_equal(tv_sigalg_resolve(TV_OID_RSA_PSS, NULL, pss256, sizeof pss256, TV_KEY_RSA2048, &a, &why), 0);
    assert_int_equal(a.kind, TV_SIG_RSA_PSS);
    assert_int_equal(a.mech, TV_HSM_RSA_PSS);
    assert_int_equal(a.hash_len, 32);
    assert_int_equal(a.pss.hash_mech, 0x250);
    assert_int_equal(a.pss.mgf, 2);
    assert_int_equal(a.pss.salt_len, 32);
}

static void pss_defaults_mean_sha1_and_are_refused(void **state)
{
    static const uint8_t empty[] = { 0x30, 0x00 };
    struct tv_sigalg a;
    const char *why;

    assert_int_equal(tv_sigalg_resolve(TV_OID_RSA_PSS, NULL, empty, sizeof empty, TV_KEY_RSA2048, &a, &why),
                     TV_ERR_MECHANISM);
}

static void pss_garbage_and_trailing_bytes_are_refused(void **state)
{
    uint8_t longer[sizeof pss256 + 1];
    struct tv_sigalg a;
    const char *why;

    memcpy(longer, pss256, sizeof pss256);
    longer[sizeof pss256] = 0;
    assert_int_equal(tv_sigalg_resolve(TV_OID_RSA_PSS, NULL, longer, sizeof longer, TV_KEY_RSA2048, &a, &why),
                     TV_ERR_MECHANISM_PARAM);
    for (size_t n = 0; n < sizeof pss256; n++)   /* every truncation */
        assert_int_not_equal(tv_sigalg_resolve(TV_OID_RSA_PSS, NULL, pss256, n, TV_KEY_RSA2048, &a, &why), 0);
}

static void pss_hash_oid_must_match_params(void **state)
{
    struct tv_sigalg a;
    const char *why;

    assert_int_equal(tv_sigalg_resolve(TV_OID_RSA_PSS, TV_OID_SHA384, pss256, sizeof pss256, TV_KEY_RSA2048,
                                       &a, &why), TV_ERR_MECHANISM);
}

static void sha1_is_refused_everywhere(void **state)
{
    struct tv_sigalg a;
    const char *why;

    assert_int_equal(tv_sigalg_resolve(TV_OID_RSA, "1.3.14.3.2.26", NULL, 0, TV_KEY_RSA2048, &a, &why),
                     TV_ERR_MECHANISM);
    assert_int_equal(tv_sigalg_resolve("1.2.840.113549.1.1.5", NULL, NULL, 0, TV_KEY_RSA2048, &a, &why),
                     TV_ERR_MECHANISM);
    assert_int_equal(tv_sigalg_resolve("1.2.840.10045.4.1", NULL, NULL, 0, TV_KEY_P256, &a, &why),
                     TV_ERR_MECHANISM);
}

static void implied_hashes_and_key_match(void **state)
{
    struct tv_sigalg a;
    const char *why;

    assert_int_equal(tv_sigalg_resolve("1.2.840.113549.1.1.12", NULL, NULL, 0, TV_KEY_RSA2048, &a, &why), 0);
    assert_int_equal(a.hash, TV_HASH_SHA384);
    assert_int_equal(a.kind, TV_SIG_RSA_PKCS1);
    assert_int_equal(tv_sigalg_resolve("1.2.840.113549.1.1.12", TV_OID_SHA256, NULL, 0, TV_KEY_RSA2048, &a,
                                       &why), TV_ERR_MECHANISM);
    assert_int_equal(tv_sigalg_resolve("1.2.840.10045.4.3.4", NULL, NULL, 0, TV_KEY_P256, &a, &why), 0);
    assert_int_equal(a.hash, TV_HASH_SHA512);
    assert_int_equal(a.mech, TV_HSM_ECDSA);
    assert_int_equal(tv_sigalg_resolve("1.2.840.10045.4.3.2", NULL, NULL, 0, TV_KEY_RSA2048, &a, &why),
                     TV_ERR_MECHANISM);
    assert_int_equal(tv_sigalg_resolve(TV_OID_EC, NULL, NULL, 0, TV_KEY_P256, &a, &why), TV_ERR_MECHANISM);
}

static void digest_info_has_the_der_prefix(void **state)
{
    uint8_t h[32] = { 0xaa }, out[128];
    size_t n;

    assert_int_equal(tv_digest_info(TV_HASH_SHA256, h, 32, out, &n), 0);
    assert_int_equal(n, 51);
    assert_int_equal(out[0], 0x30);
    assert_int_equal(out[1], 0x31);
    assert_int_equal(out[18], 0x20);
    assert_memory_equal(out + 19, h, 32);
    assert_int_equal(tv_digest_info(TV_HASH_SHA256, h, 31, out, &n), TV_ERR_INVALID);
}

static void ecdsa_raw_becomes_der(void **state)
{
    uint8_t raw[64], der[144];
    size_t n;

    memset(raw, 0x80, sizeof raw);            /* high bit set: each INTEGER needs a 0x00 */
    assert_int_equal(tv_ecdsa_der(raw, sizeof raw, der, &n), 0);
    assert_int_equal(n, 2 + 2 * (2 + 33));
    assert_int_equal(der[0], 0x30);
    assert_int_equal(der[2], 0x02);
    assert_int_equal(der[3], 33);
    assert_int_equal(der[4], 0x00);
    assert_int_equal(tv_ecdsa_der(raw, 63, der, &n), TV_ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pss_params_are_parsed),
        cmocka_unit_test(pss_defaults_mean_sha1_and_are_refused),
        cmocka_unit_test(pss_garbage_and_trailing_bytes_are_refused),
        cmocka_unit_test(pss_hash_oid_must_match_params),
        cmocka_unit_test(sha1_is_refused_everywhere),
        cmocka_unit_test(implied_hashes_and_key_match),
        cmocka_unit_test(digest_info_has_the_der_prefix),
        cmocka_unit_test(ecdsa_raw_becomes_der),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
