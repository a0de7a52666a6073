/* Snapshot -> objects -> attributes: what each object holds, and the
 * standard's rules for C_GetAttributeValue and template matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../pkcs11/object.h"
#include "../../pkcs11/snapshot.h"
#include "fake_agent.h"
#include "testdata.h"
#include "tv_err.h"
#include "tv_proto.h"

#include <string.h>

static struct tv_token *make_token(bool rsa_only, uint64_t gen, bool session)
{
    tv_buf frame;
    tv_reader body;
    uint32_t type;
    struct tv_snapshot *snap = NULL;
    struct tv_token *token = NULL;

    tv_buf_init(&frame, TV_FRAME_MAX + 8);
    assert_int_equal(fa_snapshot_frame(&frame, rsa_only, true, gen, session), 0);
    assert_int_equal(tv_frame_open(frame.data, frame.len, &type, &body), 0);
    assert_int_equal(tv_snapshot_parse(&frame, body, &snap), 0);
    assert_null(frame.data);                      /* moved into the snapshot */
    assert_int_equal(tv_token_build(snap, &token), 0);
    return token;
}

static CK_ULONG ulong_attr(const struct tv_object *o, CK_ATTRIBUTE_TYPE t)
{
    const struct tv_attr *a = tv_object_attr(o, t);

    assert_non_null(a);
    assert_int_equal(a->len, sizeof(CK_ULONG));
    return *(const CK_ULONG *)a->value;
}

static bool bool_attr(const struct tv_object *o, CK_ATTRIBUTE_TYPE t)
{
    const struct tv_attr *a = tv_object_attr(o, t);

    assert_non_null(a);
    assert_int_equal(a->len, 1);
    return *(const CK_BBOOL *)a->value;
}

static void objects_per_credential(void **state)
{
    struct tv_token *t = make_token(false, 5, false);
    static const CK_OBJECT_CLASS order[] = {
        CKO_CERTIFICATE, CKO_PUBLIC_KEY, CKO_PRIVATE_KEY,
        CKO_CERTIFICATE, CKO_PUBLIC_KEY, CKO_PRIVATE_KEY,
        CKO_CERTIFICATE, CKO_PROFILE,
    };

    assert_int_equal(t->nobjects, 8);
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(t->objects[i].cls, order[i]);
        assert_int_equal(ulong_attr(&t->objects[i], CKA_CLASS), order[i]);
        assert_true(bool_attr(&t->objects[i], CKA_TOKEN));
        assert_false(bool_attr(&t->objects[i], CKA_MODIFIABLE));
        assert_int_equal(bool_attr(&t->objects[i], CKA_PRIVATE), order[i] == CKO_PRIVATE_KEY);
        assert_true(t->objects[i].nattrs < TV_OBJECT_ATTRS_MAX);
    }
    /* one CKA_ID, non-empty, shared per credential; different across them */
    for (size_t c = 0; c < 2; c++) {
        const struct tv_attr *id = tv_object_attr(&t->objects[3 * c], CKA_ID);
        assert_true(id->len > 0);
        for (size_t k = 1; k < 3; k++) {
            const struct tv_attr *other = tv_object_attr(&t->objects[3 * c + k], CKA_ID);
            assert_int_equal(other->len, id->len);
            assert_memory_equal(other->value, id->value, id->len);
        }
    }
    assert_memory_not_equal(tv_object_attr(&t->objects[0], CKA_ID)->value,
                            tv_object_attr(&t->objects[3], CKA_ID)->value, 1);
    assert_true(t->has_rsa && t->has_ec);
    assert_int_equal(t->rsa_min_bits, 2048);
    assert_int_equal(t->ec_max_bits, 256);
    tv_token_free(t);
}

static void certificate_attributes(void **state)
{
    struct tv_token *t = make_token(true, 1, false);
    const struct tv_object *cert = &t->objects[0], *ca = &t->objects[3];
    const struct tv_attr *value = tv_object_attr(cert, CKA_VALUE);

    assert_int_equal(ulong_attr(cert, CKA_CERTIFICATE_TYPE), CKC_X_509);
    assert_int_equal(ulong_attr(cert, CKA_CERTIFICATE_CATEGORY), CK_CERTIFICATE_CATEGORY_TOKEN_USER);
    assert_int_equal(value->len, sizeof test_rsa_cert_der);
    assert_memory_equal(value->value, test_rsa_cert_der, value->len);
    assert_non_null(tv_object_attr(cert, CKA_SUBJECT));
    assert_non_null(tv_object_attr(cert, CKA_ISSUER));
    assert_int_equal(((const uint8_t *)tv_object_attr(cert, CKA_SERIAL_NUMBER)->value)[0], 0x02);
    assert_non_null(tv_object_attr(cert, CKA_PUBLIC_KEY_INFO));
    assert_int_equal(tv_object_attr(cert, CKA_START_DATE)->len, sizeof(CK_DATE));
    assert_int_equal(ulong_attr(ca, CKA_CERTIFICATE_CATEGORY), CK_CERTIFICATE_CATEGORY_AUTHORITY);
    assert_int_equal(tv_object_attr(ca, CKA_LABEL)->len, 12);
    assert_memory_equal(tv_object_attr(ca, CKA_LABEL)->value, "BakQ Test CA", 12);
    /* a CA's validity comes from its certificate */
    assert_int_equal(tv_object_attr(ca, CKA_END_DATE)->len, sizeof(CK_DATE));
    tv_token_free(t);
}

static void key_attributes(void **state)
{
    struct tv_token *t = make_token(false, 1, false);
    const struct tv_object *pub = &t->objects[1], *priv = &t->objects[2];
    const struct tv_object *ecpub = &t->objects[4], *ecpriv = &t->objects[5];

    assert_int_equal(ulong_attr(pub, CKA_KEY_TYPE), CKK_RSA);
    assert_int_equal(ulong_attr(pub, CKA_MODULUS_BITS), 2048);
    assert_int_equal(tv_object_attr(pub, CKA_MODULUS)->len, 257);   /* DER INTEGER: leading 0 */
    assert_false(bool_attr(pub, CKA_ENCRYPT));
    assert_true(bool_attr(priv, CKA_SIGN));
    assert_true(bool_attr(priv, CKA_SENSITIVE));
    assert_false(bool_attr(priv, CKA_EXTRACTABLE));
    assert_false(bool_attr(priv, CKA_DECRYPT));
    assert_false(bool_attr(priv, CKA_UNWRAP));
    assert_false(bool_attr(priv, CKA_ALWAYS_AUTHENTICATE));
    assert_non_null(tv_object_attr(priv, CKA_MODULUS));               /* NSS sizes keys with it */
    assert_true(tv_object_attr(priv, CKA_PRIVATE_EXPONENT)->sensitive);
    assert_int_equal(tv_object_attr(priv, CKA_ALLOWED_MECHANISMS)->len, 8 * sizeof(CK_ULONG));
    assert_int_equal(ulong_attr(ecpub, CKA_KEY_TYPE), CKK_EC);
    assert_int_equal(((const uint8_t *)tv_object_attr(ecpub, CKA_EC_PARAMS)->value)[0], 0x06);
    assert_int_equal(tv_object_attr(ecpub, CKA_EC_POINT)->len, 67);   /* 04 41 04 x y */
    assert_non_null(tv_object_attr(ecpriv, CKA_EC_PARAMS));
    assert_true(tv_object_attr(ecpriv, CKA_VALUE)->sensitive);
    tv_token_free(t);
}

static void profile_object(void **state)
{
    struct tv_token *t = make_token(true, 1, false);
    const struct tv_object *p = &t->objects[t->nobjects - 1];

    assert_int_equal(p->cls, CKO_PROFILE);
    assert_int_equal(ulong_attr(p, CKA_PROFILE_ID), CKP_PUBLIC_CERTIFICATES_TOKEN);
    assert_false(p->is_private);
    tv_token_free(t);
}

static void get_attribute_value_rules(void **state)
{
    struct tv_token *t = make_token(true, 1, false);
    const struct tv_object *priv = &t->objects[2];
    CK_BYTE small[4], label[64];
    CK_ULONG cls = 0;
    CK_ATTRIBUTE tmpl[] = {
        { CKA_CLASS, &cls, sizeof cls },
        { CKA_LABEL, NULL, 0 },                    /* size query */
        { CKA_VALUE_LEN, small, sizeof small },    /* not an attribute of this object */
        { CKA_PRIVATE_EXPONENT, small, sizeof small },  /* sensitive */
        { CKA_MODULUS, small, sizeof small },      /* too small */
    };

    assert_int_equal(tv_object_get_attributes(priv, tmpl, 5), CKR_ATTRIBUTE_SENSITIVE);
    assert_int_equal(cls, CKO_PRIVATE_KEY);
    assert_int_equal(tmpl[0].ulValueLen, sizeof cls);
    assert_int_equal(tmpl[1].ulValueLen, strlen("ANE GARCIA (autenticación)"));
    assert_int_equal(tmpl[2].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    assert_int_equal(tmpl[3].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    assert_int_equal(tmpl[4].ulValueLen, CK_UNAVAILABLE_INFORMATION);
    /* without the sensitive one: type invalid wins over buffer too small */
    tmpl[2].ulValueLen = sizeof small;
    tmpl[4].ulValueLen = sizeof small;
    assert_int_equal(tv_object_get_attributes(priv, &tmpl[2], 1), CKR_ATTRIBUTE_TYPE_INVALID);
    assert_int_equal(tv_object_get_attributes(priv, &tmpl[4], 1), CKR_BUFFER_TOO_SMALL);
    /* then the real read */
    tmpl[1].pValue = label;
    tmpl[1].ulValueLen = sizeof label;
    assert_int_equal(tv_object_get_attributes(priv, &tmpl[1], 1), CKR_OK);
    assert_memory_equal(label, "ANE GARCIA", 10);
    assert_int_equal(tv_object_get_attributes(priv, NULL, 0), CKR_OK);
    tv_token_free(t);
}

static void template_matching(void **state)
{
    struct tv_token *t = make_token(false, 1, false);
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_KEY_TYPE kt = CKK_EC;
    CK_BYTE id = 0x02;
    CK_ATTRIBUTE tmpl[] = {
        { CKA_CLASS, &cls, sizeof cls }, { CKA_KEY_TYPE, &kt, sizeof kt }, { CKA_ID, &id, 1 },
    };
    CK_ATTRIBUTE secret = { CKA_VALUE, &id, 1 };
    size_t matches = 0;

    for (size_t i = 0; i < t->nobjects; i++)
        matches += tv_object_matches(&t->objects[i], tmpl, 3);
    assert_int_equal(matches, 1);
    assert_true(tv_object_matches(&t->objects[5], tmpl, 3));
    assert_true(tv_object_matches(&t->objects[5], NULL, 0));       /* empty template: all */
    assert_false(tv_object_matches(&t->objects[5], &secret, 1));   /* never on a sensitive value */
    tmpl[2].ulValueLen = 0;
    assert_false(tv_object_matches(&t->objects[5], tmpl, 3));
    tv_token_free(t);
}

static void fingerprint_ignores_generation_and_flags(void **state)
{
    struct tv_token *a = make_token(false, 1, false), *b = make_token(false, 99, true);
    struct tv_token *c = make_token(true, 1, false);

    assert_memory_equal(a->snap->fingerprint, b->snap->fingerprint, 32);
    assert_memory_not_equal(a->snap->fingerprint, c->snap->fingerprint, 32);
    assert_true(b->snap->generation == 99);
    assert_int_equal(b->snap->flags, TV_SNAP_TOKEN_PRESENT | TV_SNAP_SESSION_ACTIVE);
    assert_string_equal(a->snap->dni, "12345678Z");
    tv_token_free(a);
    tv_token_free(b);
    tv_token_free(c);
}

static void absent_token_and_bad_snapshots(void **state)
{
    tv_buf frame;
    tv_reader body;
    uint32_t type;
    struct tv_snapshot *snap = NULL;

    tv_buf_init(&frame, TV_FRAME_MAX + 8);
    assert_int_equal(fa_snapshot_frame(&frame, false, false, 3, false), 0);
    assert_int_equal(tv_frame_open(frame.data, frame.len, &type, &body), 0);
    assert_int_equal(tv_snapshot_parse(&frame, body, &snap), 0);
    assert_false(tv_snapshot_has_token(snap));
    tv_snapshot_free(snap);

    /* an RSA credential without a modulus makes no sense */
    tv_buf_init(&frame, TV_FRAME_MAX + 8);
    tv_frame_begin(&frame, TV_MSG_SNAPSHOT | TV_MSG_REPLY);
    tv_buf_put_u64(&frame, 1);
    tv_buf_put_u32(&frame, TV_SNAP_TOKEN_PRESENT);
    tv_buf_put_string(&frame, "12345678Z");
    tv_buf_put_u32(&frame, 1);
    tv_buf_put_bytes(&frame, "\x01", 1);
    tv_buf_put_string(&frame, "x");
    tv_buf_put_u32(&frame, 1);
    tv_buf_put_u32(&frame, TV_KEY_RSA);
    tv_buf_put_u32(&frame, 2048);
    tv_buf_put_bytes(&frame, test_rsa_cert_der, sizeof test_rsa_cert_der);
    for (int i = 0; i < 7; i++)
        tv_buf_put_bytes(&frame, NULL, 0);
    tv_buf_put_u64(&frame, 0);
    tv_buf_put_u64(&frame, 0);
    tv_buf_put_u32(&frame, 0);
    assert_int_equal(tv_frame_end(&frame), 0);
    assert_int_equal(tv_frame_open(frame.data, frame.len, &type, &body), 0);
    assert_int_equal(tv_snapshot_parse(&frame, body, &snap), TV_ERR_PROTOCOL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(objects_per_credential),
        cmocka_unit_test(certificate_attributes),
        cmocka_unit_test(key_attributes),
        cmocka_unit_test(profile_object),
        cmocka_unit_test(get_attribute_value_rules),
        cmocka_unit_test(template_matching),
        cmocka_unit_test(fingerprint_ignores_generation_and_flags),
        cmocka_unit_test(absent_token_and_bad_snapshots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
