#include "object.h"

#include "mech.h"
#include "tv_err.h"
#include "tv_proto.h"

#include <stdlib.h>
#include <string.h>

static const CK_BBOOL ck_true = CK_TRUE;
static const CK_BBOOL ck_false = CK_FALSE;

static void add(struct tv_object *o, CK_ATTRIBUTE_TYPE type, const void *value, CK_ULONG len)
{
    if (o->nattrs >= TV_OBJECT_ATTRS_MAX)
        return;                       /* sized for the largest object; see test_object */
    o->attrs[o->nattrs++] = (struct tv_attr){ .type = type, .value = value, .len = len };
}

static void add_bool(struct tv_object *o, CK_ATTRIBUTE_TYPE type, bool v)
{
    add(o, type, v ? &ck_true : &ck_false, sizeof(CK_BBOOL));
}

static void add_ulong(struct tv_object *o, CK_ATTRIBUTE_TYPE type, CK_ULONG v)
{
    if (o->nulongs >= sizeof o->ulongs / sizeof o->ulongs[0])
        return;
    o->ulongs[o->nulongs] = v;
    add(o, type, &o->ulongs[o->nulongs++], sizeof(CK_ULONG));
}

static void add_span(struct tv_object *o, CK_ATTRIBUTE_TYPE type, tv_der v)
{
    add(o, type, v.p, v.len);
}

static void add_sensitive(struct tv_object *o, CK_ATTRIBUTE_TYPE type)
{
    if (o->nattrs >= TV_OBJECT_ATTRS_MAX)
        return;
    o->attrs[o->nattrs++] = (struct tv_attr){ .type = type, .sensitive = true };
}

/* CKA_START_DATE / CKA_END_DATE; empty when unknown. */
static void add_dates(struct tv_object *o, const CK_DATE *from, const CK_DATE *to)
{
    if (from != NULL)
        o->dates[0] = *from;
    if (to != NULL)
        o->dates[1] = *to;
    add(o, CKA_START_DATE, &o->dates[0], from ? sizeof(CK_DATE) : 0);
    add(o, CKA_END_DATE, &o->dates[1], to ? sizeof(CK_DATE) : 0);
}

static void add_storage(struct tv_object *o, CK_OBJECT_CLASS cls, bool is_private, tv_der label)
{
    o->cls = cls;
    o->is_private = is_private;
    add_ulong(o, CKA_CLASS, cls);
    add_bool(o, CKA_TOKEN, true);
    add_bool(o, CKA_PRIVATE, is_private);
    add_bool(o, CKA_MODIFIABLE, false);
    add_bool(o, CKA_COPYABLE, false);
    add_bool(o, CKA_DESTROYABLE, false);
    add_span(o, CKA_LABEL, label);
}

static void add_certificate(struct tv_object *o, tv_der value, CK_ULONG category,
                            const tv_cert_info *info)
{
    static const CK_BYTE empty[1];

    add_ulong(o, CKA_CERTIFICATE_TYPE, CKC_X_509);
    add_bool(o, CKA_TRUSTED, false);
    add_ulong(o, CKA_CERTIFICATE_CATEGORY, category);
    add_ulong(o, CKA_JAVA_MIDP_SECURITY_DOMAIN, CK_SECURITY_DOMAIN_UNSPECIFIED);
    add_span(o, CKA_VALUE, value);
    add(o, CKA_URL, empty, 0);
    add(o, CKA_HASH_OF_SUBJECT_PUBLIC_KEY, empty, 0);
    add(o, CKA_HASH_OF_ISSUER_PUBLIC_KEY, empty, 0);
    if (info != NULL)
        add_span(o, CKA_PUBLIC_KEY_INFO, info->spki);
}

static void build_user_cert(struct tv_object *o, const struct tv_cred *c)
{
    tv_cert_info info;
    bool parsed = tv_cert_parse(c->cert.p, c->cert.len, &info) == 0;
    CK_DATE from, to;

    o->cred = c;
    add_storage(o, CKO_CERTIFICATE, false, c->label);
    add_certificate(o, c->cert, CK_CERTIFICATE_CATEGORY_TOKEN_USER, parsed ? &info : NULL);
    add_span(o, CKA_ID, c->id);
    add_span(o, CKA_SUBJECT, c->subject);
    add_span(o, CKA_ISSUER, c->issuer);
    add_span(o, CKA_SERIAL_NUMBER, c->serial);
    tv_date_from_unix(c->not_before, &from);
    tv_date_from_unix(c->not_after, &to);
    add_dates(o, c->not_before ? &from : NULL, c->not_after ? &to : NULL);
}

static void build_key_common(struct tv_object *o, const struct tv_cred *c)
{
    tv_cert_info info;
    CK_DATE from, to;
    size_t n = tv_mech_for_key(c->key_type, o->mechs, TV_KEY_MECHS_MAX);

    o->cred = c;
    add_ulong(o, CKA_KEY_TYPE, c->key_type == TV_KEY_RSA ? CKK_RSA : CKK_EC);
    add_span(o, CKA_ID, c->id);
    add_span(o, CKA_SUBJECT, c->subject);
    tv_date_from_unix(c->not_before, &from);
    tv_date_from_unix(c->not_after, &to);
    add_dates(o, c->not_before ? &from : NULL, c->not_after ? &to : NULL);
    add_bool(o, CKA_DERIVE, false);
    add_bool(o, CKA_LOCAL, true);
    add_ulong(o, CKA_KEY_GEN_MECHANISM,
              c->key_type == TV_KEY_RSA ? CKM_RSA_PKCS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN);
    add(o, CKA_ALLOWED_MECHANISMS, o->mechs, n * sizeof(CK_MECHANISM_TYPE));
    if (tv_cert_parse(c->cert.p, c->cert.len, &info) == 0)
        add_span(o, CKA_PUBLIC_KEY_INFO, info.spki);
}

static void build_public_key(struct tv_object *o, const struct tv_cred *c)
{
    add_storage(o, CKO_PUBLIC_KEY, false, c->label);
    build_key_common(o, c);
    add_bool(o, CKA_ENCRYPT, false);
    add_bool(o, CKA_VERIFY, false);
    add_bool(o, CKA_VERIFY_RECOVER, false);
    add_bool(o, CKA_WRAP, false);
    add_bool(o, CKA_TRUSTED, false);
    if (c->key_type == TV_KEY_RSA) {
        add_span(o, CKA_MODULUS, c->modulus);
        add_ulong(o, CKA_MODULUS_BITS, c->key_bits);
        add_span(o, CKA_PUBLIC_EXPONENT, c->exponent);
    } else {
        add_span(o, CKA_EC_PARAMS, c->ec_params);
        add_span(o, CKA_EC_POINT, c->ec_point);
    }
}

static void build_private_key(struct tv_object *o, const struct tv_cred *c)
{
    static const CK_ATTRIBUTE_TYPE rsa_secret[] = {
        CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2,
        CKA_COEFFICIENT,
    };

    add_storage(o, CKO_PRIVATE_KEY, true, c->label);
    build_key_common(o, c);
    add_bool(o, CKA_SENSITIVE, true);
    add_bool(o, CKA_DECRYPT, false);
    add_bool(o, CKA_SIGN, true);
    add_bool(o, CKA_SIGN_RECOVER, false);
    add_bool(o, CKA_UNWRAP, false);
    add_bool(o, CKA_EXTRACTABLE, false);
    add_bool(o, CKA_ALWAYS_SENSITIVE, true);
    add_bool(o, CKA_NEVER_EXTRACTABLE, true);
    add_bool(o, CKA_WRAP_WITH_TRUSTED, false);
    add_bool(o, CKA_ALWAYS_AUTHENTICATE, false);
    if (c->key_type == TV_KEY_RSA) {
        add_span(o, CKA_MODULUS, c->modulus);
        add_span(o, CKA_PUBLIC_EXPONENT, c->exponent);
        for (size_t i = 0; i < sizeof rsa_secret / sizeof rsa_secret[0]; i++)
            add_sensitive(o, rsa_secret[i]);
    } else {
        add_span(o, CKA_EC_PARAMS, c->ec_params);
        add_sensitive(o, CKA_VALUE);
    }
}

static void build_ca_cert(struct tv_object *o, const struct tv_cacert *ca)
{
    tv_cert_info info;
    bool parsed = tv_cert_parse(ca->cert.p, ca->cert.len, &info) == 0;

    add_storage(o, CKO_CERTIFICATE, false, ca->label);
    add_certificate(o, ca->cert, CK_CERTIFICATE_CATEGORY_AUTHORITY, parsed ? &info : NULL);
    add_span(o, CKA_ID, ca->id);
    add_span(o, CKA_SUBJECT, ca->subject);
    add_span(o, CKA_ISSUER, ca->issuer);
    add_span(o, CKA_SERIAL_NUMBER, ca->serial);
    add_dates(o, parsed ? &info.not_before : NULL, parsed ? &info.not_after : NULL);
}

static void build_profile(struct tv_object *o)
{
    static const tv_der no_label = { (const uint8_t *)"", 0 };

    add_storage(o, CKO_PROFILE, false, no_label);
    add_ulong(o, CKA_PROFILE_ID, CKP_PUBLIC_CERTIFICATES_TOKEN);
}

static void note_key_size(struct tv_token *t, const struct tv_cred *c)
{
    CK_ULONG bits = c->key_bits;

    if (c->key_type == TV_KEY_RSA) {
        t->rsa_min_bits = t->has_rsa && t->rsa_min_bits < bits ? t->rsa_min_bits : bits;
        t->rsa_max_bits = t->has_rsa && t->rsa_max_bits > bits ? t->rsa_max_bits : bits;
        t->has_rsa = true;
    } else {
        t->ec_min_bits = t->has_ec && t->ec_min_bits < bits ? t->ec_min_bits : bits;
        t->ec_max_bits = t->has_ec && t->ec_max_bits > bits ? t->ec_max_bits : bits;
        t->has_ec = true;
    }
}

static void build_all(struct tv_token *t)
{
    const struct tv_snapshot *s = t->snap;
    struct tv_object *o = t->objects;

    for (size_t i = 0; i < s->ncreds; i++) {
        build_user_cert(o++, &s->creds[i]);
        build_public_key(o++, &s->creds[i]);
        build_private_key(o++, &s->creds[i]);
        note_key_size(t, &s->creds[i]);
    }
    for (size_t i = 0; i < s->ncas; i++)
        build_ca_cert(o++, &s->cas[i]);
    build_profile(o++);
    t->nobjects = (size_t)(o - t->objects);
}

int tv_token_build(struct tv_snapshot *snap, struct tv_token **out)
{
    struct tv_token *t = calloc(1, sizeof *t);
    size_t n = 3 * snap->ncreds + snap->ncas + 1;

    if (t == NULL) {
        tv_snapshot_free(snap);
        return TV_ERR_NOMEM;
    }
    t->snap = snap;
    t->objects = calloc(n, sizeof *t->objects);
    if (t->objects == NULL) {
        tv_token_free(t);
        return TV_ERR_NOMEM;
    }
    build_all(t);
    *out = t;
    return 0;
}

void tv_token_free(struct tv_token *token)
{
    if (token == NULL)
        return;
    free(token->objects);
    tv_snapshot_free(token->snap);
    free(token);
}

const struct tv_attr *tv_object_attr(const struct tv_object *obj, CK_ATTRIBUTE_TYPE type)
{
    for (size_t i = 0; i < obj->nattrs; i++)
        if (obj->attrs[i].type == type)
            return &obj->attrs[i];
    return NULL;
}

/* One template entry; returns its own CK_RV. */
static CK_RV get_one(const struct tv_object *obj, CK_ATTRIBUTE *t)
{
    const struct tv_attr *a = tv_object_attr(obj, t->type);

    if (a == NULL) {
        t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
        return CKR_ATTRIBUTE_TYPE_INVALID;
    }
    if (a->sensitive) {
        t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
        return CKR_ATTRIBUTE_SENSITIVE;
    }
    if (t->pValue == NULL) {
        t->ulValueLen = a->len;
        return CKR_OK;
    }
    if (t->ulValueLen < a->len) {
        t->ulValueLen = CK_UNAVAILABLE_INFORMATION;
        return CKR_BUFFER_TOO_SMALL;
    }
    if (a->len > 0)
        memcpy(t->pValue, a->value, a->len);
    t->ulValueLen = a->len;
    return CKR_OK;
}

static int rv_rank(CK_RV rv)
{
    switch (rv) {
    case CKR_ATTRIBUTE_SENSITIVE: return 3;
    case CKR_ATTRIBUTE_TYPE_INVALID: return 2;
    case CKR_BUFFER_TOO_SMALL: return 1;
    default: return 0;
    }
}

CK_RV tv_object_get_attributes(const struct tv_object *obj, CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
    CK_RV rv = CKR_OK;

    for (CK_ULONG i = 0; i < count; i++) {
        CK_RV one = get_one(obj, &tmpl[i]);
        if (rv_rank(one) > rv_rank(rv))
            rv = one;
    }
    return rv;
}

bool tv_object_matches(const struct tv_object *obj, const CK_ATTRIBUTE *tmpl, CK_ULONG count)
{
    for (CK_ULONG i = 0; i < count; i++) {
        const struct tv_attr *a = tv_object_attr(obj, tmpl[i].type);
        if (a == NULL || a->sensitive || a->len != tmpl[i].ulValueLen)
            return false;
        if (a->len > 0 && memcmp(a->value, tmpl[i].pValue, a->len) != 0)
            return false;
    }
    return true;
}

CK_ULONG tv_object_size(const struct tv_object *obj)
{
    CK_ULONG n = 0;

    for (size_t i = 0; i < obj->nattrs; i++)
        n += obj->attrs[i].len;
    return n;
}
