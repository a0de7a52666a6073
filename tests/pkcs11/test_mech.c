/* The mechanism table, PSS parameter rules, input rules and sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../pkcs11/mech.h"
#include "tv_proto.h"

#include <string.h>

static void table_has_design_mechanisms_only(void **state)
{
    static const CK_MECHANISM_TYPE want[] = {
        CKM_RSA_PKCS, CKM_RSA_PKCS_PSS, CKM_SHA256_RSA_PKCS, CKM_SHA384_RSA_PKCS,
        CKM_SHA512_RSA_PKCS, CKM_SHA256_RSA_PKCS_PSS, CKM_SHA384_RSA_PKCS_PSS,
        CKM_SHA512_RSA_PKCS_PSS, CKM_ECDSA, CKM_ECDSA_SHA256, CKM_ECDSA_SHA384, CKM_ECDSA_SHA512,
    };
    CK_MECHANISM_TYPE list[16];

    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_non_null(tv_mech_find(want[i]));
    assert_null(tv_mech_find(CKM_RSA_X_509));         /* never raw RSA */
    assert_null(tv_mech_find(CKM_SHA1_RSA_PKCS));
    assert_null(tv_mech_find(CKM_ECDSA_SHA1));
    assert_int_equal(tv_mech_for_key(TV_KEY_RSA, list, 16), 8);
    assert_int_equal(tv_mech_for_key(TV_KEY_EC, list, 16), 4);
    assert_int_equal(list[0], CKM_ECDSA);
    assert_int_equal(tv_mech_for_key(TV_KEY_RSA, list, 3), 3);
    assert_int_equal(tv_mech_find(CKM_SHA384_RSA_PKCS)->hash, TV_HASH_SHA384);
    assert_int_equal(tv_mech_find(CKM_ECDSA)->hash, TV_HASH_NONE);
}

static void signature_lengths(void **state)
{
    assert_int_equal(tv_mech_signature_len(TV_KEY_RSA, 2048), 256);
    assert_int_equal(tv_mech_signature_len(TV_KEY_RSA, 3072), 384);
    assert_int_equal(tv_mech_signature_len(TV_KEY_RSA, 2047), 256);
    assert_int_equal(tv_mech_signature_len(TV_KEY_EC, 256), 64);     /* raw r||s */
    assert_int_equal(tv_mech_signature_len(TV_KEY_EC, 384), 96);
    assert_int_equal(tv_mech_signature_len(TV_KEY_EC, 521), 132);
}

static CK_RV pss(CK_MECHANISM_TYPE mech, CK_MECHANISM_TYPE hash, CK_RSA_PKCS_MGF_TYPE mgf,
                 CK_ULONG salt, uint32_t bits)
{
    CK_RSA_PKCS_PSS_PARAMS p = { hash, mgf, salt }, out = { 0, 0, 0 };
    CK_MECHANISM m = { mech, &p, sizeof p };
    CK_RV rv = tv_mech_check_params(tv_mech_find(mech), &m, bits, &out);

    if (rv == CKR_OK)
        assert_memory_equal(&out, &p, sizeof p);
    return rv;
}

static void pss_parameters(void **state)
{
    assert_int_equal(pss(CKM_RSA_PKCS_PSS, CKM_SHA256, CKG_MGF1_SHA256, 32, 2048), CKR_OK);
    assert_int_equal(pss(CKM_RSA_PKCS_PSS, CKM_SHA384, CKG_MGF1_SHA384, 48, 2048), CKR_OK);
    assert_int_equal(pss(CKM_RSA_PKCS_PSS, CKM_SHA512, CKG_MGF1_SHA512, 0, 2048), CKR_OK);
    assert_int_equal(pss(CKM_SHA256_RSA_PKCS_PSS, CKM_SHA256, CKG_MGF1_SHA256, 32, 2048), CKR_OK);
    /* hash of a hash-and-sign PSS mechanism must be its own */
    assert_int_equal(pss(CKM_SHA256_RSA_PKCS_PSS, CKM_SHA384, CKG_MGF1_SHA384, 32, 2048),
                     CKR_MECHANISM_PARAM_INVALID);
    /* MGF must use the same hash */
    assert_int_equal(pss(CKM_RSA_PKCS_PSS, CKM_SHA256, CKG_MGF1_SHA1, 32, 2048),
                     CKR_MECHANISM_PARAM_INVALID);
    assert_int_equal(pss(CKM_SHA512_RSA_PKCS_PSS, CKM_SHA512, CKG_MGF1_SHA256, 64, 2048),
                     CKR_MECHANISM_PARAM_INVALID);
    /* no SHA-1 */
    assert_int_equal(pss(CKM_RSA_PKCS_PSS, CKM_SHA_1, CKG_MGF1_SHA1, 20, 2048),
                     CKR_MECHANISM_PARAM_INVALID);
    /* salt: emLen(2048) = 256 >= hLen + sLen + 2 */
    assert_int_equal(pss(CKM_RSA_PKCS_PSS, CKM_SHA512, CKG_MGF1_SHA512, 190, 2048), CKR_OK);
    assert_int_equal(pss(CKM_RSA_PKCS_PSS, CKM_SHA512, CKG_MGF1_SHA512, 191, 2048),
                     CKR_MECHANISM_PARAM_INVALID);
    assert_int_equal(pss(CKM_RSA_PKCS_PSS, CKM_SHA256, CKG_MGF1_SHA256, (CK_ULONG)-1, 2048),
                     CKR_MECHANISM_PARAM_INVALID);
    /* emLen(2049) = 256 as well */
    assert_int_equal(pss(CKM_RSA_PKCS_PSS, CKM_SHA512, CKG_MGF1_SHA512, 190, 2049), CKR_OK);
}

static void pss_parameter_block_shape(void **state)
{
    CK_RSA_PKCS_PSS_PARAMS p = { CKM_SHA256, CKG_MGF1_SHA256, 32 }, out;
    CK_MECHANISM m = { CKM_RSA_PKCS_PSS, &p, sizeof p - 1 };
    const struct tv_mech *mech = tv_mech_find(CKM_RSA_PKCS_PSS);

    assert_int_equal(tv_mech_check_params(mech, &m, 2048, &out), CKR_MECHANISM_PARAM_INVALID);
    m.pParameter = NULL;
    m.ulParameterLen = sizeof p;
    assert_int_equal(tv_mech_check_params(mech, &m, 2048, &out), CKR_MECHANISM_PARAM_INVALID);
}

static void other_mechanisms_take_no_parameters(void **state)
{
    CK_BYTE junk[8] = { 0 };
    CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    CK_RSA_PKCS_PSS_PARAMS out;

    assert_int_equal(tv_mech_check_params(tv_mech_find(m.mechanism), &m, 2048, &out), CKR_OK);
    m.pParameter = junk;
    m.ulParameterLen = sizeof junk;
    assert_int_equal(tv_mech_check_params(tv_mech_find(m.mechanism), &m, 2048, &out),
                     CKR_MECHANISM_PARAM_INVALID);
    m.mechanism = CKM_ECDSA;
    assert_int_equal(tv_mech_check_params(tv_mech_find(m.mechanism), &m, 256, &out),
                     CKR_MECHANISM_PARAM_INVALID);
}

static void raw_inputs(void **state)
{
    static const uint8_t di[] = {
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
        20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
    };
    uint8_t big[300];
    CK_RSA_PKCS_PSS_PARAMS p = { CKM_SHA384, CKG_MGF1_SHA384, 48 };
    const struct tv_mech *rsa = tv_mech_find(CKM_RSA_PKCS);
    const struct tv_mech *rpss = tv_mech_find(CKM_RSA_PKCS_PSS);
    const struct tv_mech *ec = tv_mech_find(CKM_ECDSA);

    memset(big, 0x30, sizeof big);
    assert_int_equal(tv_mech_check_input(rsa, NULL, 2048, di, sizeof di), CKR_OK);
    assert_int_equal(tv_mech_check_input(rsa, NULL, 2048, big, 40), CKR_DATA_INVALID);
    assert_int_equal(tv_mech_check_input(rsa, NULL, 2048, big, 246), CKR_DATA_LEN_RANGE);
    assert_int_equal(tv_mech_check_input(rsa, NULL, 2048, di, 0), CKR_DATA_LEN_RANGE);
    assert_int_equal(tv_mech_check_input(rpss, &p, 2048, big, 48), CKR_OK);
    assert_int_equal(tv_mech_check_input(rpss, &p, 2048, big, 32), CKR_DATA_LEN_RANGE);
    assert_int_equal(tv_mech_check_input(ec, NULL, 256, big, 32), CKR_OK);
    assert_int_equal(tv_mech_check_input(ec, NULL, 256, big, 64), CKR_OK);
    assert_int_equal(tv_mech_check_input(ec, NULL, 256, big, 65), CKR_DATA_LEN_RANGE);
    assert_int_equal(tv_mech_max_input(rsa, 2048), 245);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_has_design_mechanisms_only),
        cmocka_unit_test(signature_lengths),
        cmocka_unit_test(pss_parameters),
        cmocka_unit_test(pss_parameter_block_shape),
        cmocka_unit_test(other_mechanisms_take_no_parameters),
        cmocka_unit_test(raw_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
