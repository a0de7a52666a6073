#include "creds.h"

#include "csc.h"
#include "json.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_paths.h"
#include "tv_proto.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

tv_creds *tv_creds_ref(tv_creds *c)
{
    if (c != NULL)
        __atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
    return c;
}

void tv_creds_unref(tv_creds *c)
{
    if (c == NULL || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    tv_buf_free(&c->cred_records);
    tv_buf_free(&c->ca_records);
    json_decref(c->public_json);
    free(c);
}

const tv_cred *tv_creds_by_usage(const tv_creds *c, uint32_t usage)
{
    for (size_t i = 0; c != NULL && i < c->n; i++)
        if (c->cred[i].usage == usage)
            return &c->cred[i];
    return NULL;
}

const tv_cred *tv_creds_by_ckaid(const tv_creds *c, const uint8_t *id, size_t len)
{
    for (size_t i = 0; c != NULL && i < c->n; i++)
        if (len == TV_CKAID_LEN && memcmp(c->cred[i].ckaid, id, len) == 0)
            return &c->cred[i];
    return NULL;
}

bool tv_creds_present(const tv_creds *c)
{
    for (size_t i = 0; c != NULL && i < c->n; i++)
        if (c->cred[i].status != TV_CERT_REVOKED)
            return true;
    return false;
}

/* ---- certificate fields ---- */

static void put_der(tv_buf *b, int len, unsigned char *der)
{
    tv_buf_put_bytes(b, der, len > 0 ? (size_t)len : 0);
    OPENSSL_free(der);
}

static void put_name(tv_buf *b, const X509_NAME *name)
{
    unsigned char *der = NULL;
    int len = i2d_X509_NAME(name, &der);

    put_der(b, len, der);
}

static void put_serial(tv_buf *b, const X509 *x)
{
    unsigned char *der = NULL;
    int len = i2d_ASN1_INTEGER(X509_get0_serialNumber(x), &der);

    put_der(b, len, der);
}

static void put_cert_der(tv_buf *b, X509 *x)
{
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);

    put_der(b, len, der);
}

static void put_bn(tv_buf *b, const EVP_PKEY *pkey, const char *name)
{
    BIGNUM *bn = NULL;
    uint8_t raw[1024];
    int n;

    if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1 || BN_num_bytes(bn) > (int)sizeof raw) {
        BN_free(bn);
        b->err = b->err ? b->err : TV_ERR_PROTOCOL;
        return;
    }
    n = BN_bn2bin(bn, raw);
    tv_buf_put_bytes(b, raw, (size_t)n);
    BN_free(bn);
}

/* EC parameters (DER OID of the curve) and point (DER OCTET STRING). */
static void put_ec(tv_buf *b, const EVP_PKEY *pkey)
{
    char curve[64];
    uint8_t point[160], wrapped[164];
    size_t plen = 0;
    unsigned char *der = NULL;
    ASN1_OBJECT *obj;
    int len = -1;

    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve, NULL) == 1
        && (obj = OBJ_txt2obj(curve, 0)) != NULL) {
        len = i2d_ASN1_OBJECT(obj, &der);
        ASN1_OBJECT_free(obj);
    }
    put_der(b, len, der);
    if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof point,
                                        &plen) != 1 || plen > 127 || len <= 0) {
        b->err = b->err ? b->err : TV_ERR_PROTOCOL;
        return;
    }
    wrapped[0] = 0x04;
    wrapped[1] = (uint8_t)plen;
    memcpy(wrapped + 2, point, plen);
    tv_buf_put_bytes(b, wrapped, plen + 2);
}

static uint64_t cert_time(const ASN1_TIME *t)
{
    struct tm tm;

    if (ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return (uint64_t)timegm(&tm);
}

static int cert_ckaid(X509 *x, uint8_t out[TV_CKAID_LEN])
{
    unsigned int n = 0;

    return X509_pubkey_digest(x, EVP_sha1(), out, &n) == 1 && n == TV_CKAID_LEN ? 0 : TV_ERR_SERVER;
}

static X509 *cert_from_b64(const char *b64)
{
    uint8_t *der = NULL;
    size_t len = 0;
    const unsigned char *p;
    X509 *x = NULL;

    if (b64 == NULL || tv_b64_decode(b64, &der, &len) < 0)
        return NULL;
    p = der;
    x = d2i_X509(NULL, &p, (long)len);
    if (x != NULL && p != der + len) {
        X509_free(x);
        x = NULL;
    }
    free(der);
    return x;
}

/* ---- one credential ---- */

static void cred_auth_info(tv_cred *cr, const json_t *info)
{
    json_t *objects = tv_json_array(tv_json_object(info, "auth"), "objects");
    size_t i;
    json_t *o;

    snprintf(cr->generator, sizeof cr->generator, "sms");
    json_array_foreach(objects, i, o) {
        const char *gen = tv_json_str(o, "generator");
        const char *hint = tv_json_str(o, "phone_hint");
        if (gen != NULL)
            snprintf(cr->generator, sizeof cr->generator, "%s", gen);
        if (hint != NULL)
            snprintf(cr->phone_hint, sizeof cr->phone_hint, "%s", hint);
    }
}

static uint32_t cert_status(const json_t *info, uint64_t not_after)
{
    const char *s = tv_json_str(tv_json_object(info, "cert"), "status");

    if (s != NULL && strcmp(s, "revoked") == 0)
        return TV_CERT_REVOKED;
    if ((s != NULL && strcmp(s, "expired") == 0) || not_after < (uint64_t)time(NULL))
        return TV_CERT_EXPIRED;
    return TV_CERT_VALID;
}

static int cred_fill(tv_cred *cr, const char *id, const json_t *info, X509 *x, char *err, size_t n)
{
    EVP_PKEY *pkey = X509_get0_pubkey(x);
    long long scal = tv_json_int(info, "scal", 0);

    if (strlen(id) >= sizeof cr->id || (scal != 1 && scal != 2) || pkey == NULL) {
        snprintf(err, n, "credential %.72s: bad ID, scal or key", id);
        return TV_ERR_SERVER;
    }
    snprintf(cr->id, sizeof cr->id, "%s", id);
    cr->usage = (uint32_t)scal;
    cr->key_type = EVP_PKEY_base_id(pkey) == EVP_PKEY_EC ? TV_KEY_EC : TV_KEY_RSA;
    cr->key_bits = (uint32_t)EVP_PKEY_get_bits(pkey);
    cr->multisign = (uint32_t)tv_json_int(info, "multisign", 1);
    if (cr->multisign == 0)
        cr->multisign = 1;
    snprintf(cr->label, sizeof cr->label, "%s", scal == 1 ? "BakQ authentication" : "BakQ signature");
    X509_NAME_oneline(X509_get_subject_name(x), cr->subject, sizeof cr->subject);
    cr->not_before = cert_time(X509_get0_notBefore(x));
    cr->not_after = cert_time(X509_get0_notAfter(x));
    cr->status = cert_status(info, cr->not_after);
    cred_auth_info(cr, info);
    if (EVP_PKEY_base_id(pkey) != EVP_PKEY_EC && EVP_PKEY_base_id(pkey) != EVP_PKEY_RSA) {
        snprintf(err, n, "credential %.72s: key is neither RSA nor EC", id);
        return TV_ERR_SERVER;
    }
    return cert_ckaid(x, cr->ckaid);
}

static void cred_record(tv_buf *b, const tv_cred *cr, X509 *x)
{
    EVP_PKEY *pkey = X509_get0_pubkey(x);

    tv_buf_put_bytes(b, cr->ckaid, TV_CKAID_LEN);
    tv_buf_put_string(b, cr->label);
    tv_buf_put_u32(b, cr->usage);
    tv_buf_put_u32(b, cr->key_type);
    tv_buf_put_u32(b, cr->key_bits);
    put_cert_der(b, x);
    put_name(b, X509_get_subject_name(x));
    put_name(b, X509_get_issuer_name(x));
    put_serial(b, x);
    if (cr->key_type == TV_KEY_RSA) {
        put_bn(b, pkey, OSSL_PKEY_PARAM_RSA_N);
        put_bn(b, pkey, OSSL_PKEY_PARAM_RSA_E);
        tv_buf_put_bytes(b, NULL, 0);
        tv_buf_put_bytes(b, NULL, 0);
    } else {
        tv_buf_put_bytes(b, NULL, 0);
        tv_buf_put_bytes(b, NULL, 0);
        put_ec(b, pkey);
    }
    tv_buf_put_u64(b, cr->not_before);
    tv_buf_put_u64(b, cr->not_after);
}

/* CA certificates, once each (same CKA_ID = same key). */
static void ca_record(tv_creds *c, X509 *x, uint8_t seen[][TV_CKAID_LEN])
{
    uint8_t id[TV_CKAID_LEN];
    char cn[128] = "BakQ CA";

    if (cert_ckaid(x, id) < 0 || c->n_ca >= TV_ARRAY_MAX)
        return;
    for (uint32_t i = 0; i < c->n_ca; i++)
        if (memcmp(seen[i], id, TV_CKAID_LEN) == 0)
            return;
    memcpy(seen[c->n_ca++], id, TV_CKAID_LEN);
    X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof cn);
    tv_buf_put_bytes(&c->ca_records, id, TV_CKAID_LEN);
    tv_buf_put_string(&c->ca_records, cn);
    put_cert_der(&c->ca_records, x);
    put_name(&c->ca_records, X509_get_subject_name(x));
    put_name(&c->ca_records, X509_get_issuer_name(x));
    put_serial(&c->ca_records, x);
}

static int add_credential(tv_creds *c, const char *id, const json_t *info, uint8_t seen[][TV_CKAID_LEN],
                          char *err, size_t n)
{
    json_t *chain = tv_json_array(tv_json_object(info, "cert"), "certificates");
    X509 *x = NULL;
    size_t i;
    int rc;

    if (chain == NULL || json_array_size(chain) == 0 ||
        (x = cert_from_b64(json_string_value(json_array_get(chain, 0)))) == NULL) {
        snprintf(err, n, "credential %.72s has no readable certificate", id);
        return TV_ERR_SERVER;
    }
    if ((rc = cred_fill(&c->cred[c->n], id, info, x, err, n)) == 0)
        cred_record(&c->cred_records, &c->cred[c->n++], x);
    X509_free(x);
    for (i = 1; rc == 0 && i < json_array_size(chain); i++) {
        if ((x = cert_from_b64(json_string_value(json_array_get(chain, i)))) != NULL)
            ca_record(c, x, seen);
        X509_free(x);
    }
    return rc;
}

static tv_creds *creds_alloc(const char *dni)
{
    tv_creds *c = calloc(1, sizeof *c);

    if (c == NULL)
        return NULL;
    c->refs = 1;
    snprintf(c->dni, sizeof c->dni, "%s", dni);
    tv_buf_init(&c->cred_records, TV_FRAME_MAX);
    tv_buf_init(&c->ca_records, TV_FRAME_MAX);
    tv_buf_put_u32(&c->cred_records, 0);
    tv_buf_put_u32(&c->ca_records, 0);
    return c;
}

static int creds_check_ids(tv_creds *c, char *err, size_t n)
{
    for (size_t i = 0; i < c->n; i++)
        for (size_t j = i + 1; j < c->n; j++)
            if (memcmp(c->cred[i].ckaid, c->cred[j].ckaid, TV_CKAID_LEN) == 0) {
                snprintf(err, n, "two credentials share one key");
                return TV_ERR_SERVER;
            }
    return 0;
}

int tv_creds_from_list(const char *dni, const json_t *list, tv_creds **out, char *err, size_t err_size)
{
    json_t *ids = tv_json_array(list, "credentialIDs");
    json_t *infos = tv_json_array(list, "credentialInfos");
    uint8_t (*seen)[TV_CKAID_LEN] = calloc(TV_ARRAY_MAX, TV_CKAID_LEN);
    tv_creds *c = creds_alloc(dni);
    int rc = 0;

    if (c == NULL || seen == NULL) {
        rc = TV_ERR_NOMEM;
        goto out_free;
    }
    if (ids == NULL || infos == NULL || json_array_size(ids) != json_array_size(infos) ||
        json_array_size(ids) > TV_CREDS_MAX) {
        snprintf(err, err_size, "credentials/list answer without matching credentialIDs/credentialInfos");
        rc = TV_ERR_SERVER;
        goto out_free;
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(ids); i++) {
        const char *id = json_string_value(json_array_get(ids, i));
        json_t *info = json_array_get(infos, i);
        if (id == NULL || !json_is_object(info)) {
            snprintf(err, err_size, "credentials/list entry %zu is malformed", i);
            rc = TV_ERR_SERVER;
        } else {
            rc = add_credential(c, id, info, seen, err, err_size);
        }
    }
    if (rc == 0)
        rc = creds_check_ids(c, err, err_size);
    tv_buf_set_u32(&c->cred_records, 0, (uint32_t)c->n);
    tv_buf_set_u32(&c->ca_records, 0, c->n_ca);
    if (rc == 0 && (!tv_buf_ok(&c->cred_records) || !tv_buf_ok(&c->ca_records))) {
        snprintf(err, err_size, "certificate fields could not be encoded");
        rc = TV_ERR_SERVER;
    }
    if (rc == 0 && (c->public_json = json_deep_copy(list)) == NULL)
        rc = TV_ERR_NOMEM;
out_free:
    free(seen);
    if (rc < 0) {
        tv_creds_unref(c);
        return rc;
    }
    *out = c;
    return 0;
}

int tv_creds_mark_revoked(const tv_creds *c, tv_creds **out)
{
    json_t *copy = json_deep_copy(c->public_json);
    json_t *infos = tv_json_array(copy, "credentialInfos");
    char err[256];
    size_t i;
    json_t *info;
    int rc;

    json_array_foreach(infos, i, info) {
        json_t *cert = tv_json_object(info, "cert");
        if (cert != NULL)
            json_object_set_new(cert, "status", json_string("revoked"));
    }
    rc = tv_creds_from_list(c->dni, copy, out, err, sizeof err);
    json_decref(copy);
    return rc;
}

/* ---- cache ---- */

static int cache_path(const char *dni, char *out, size_t n)
{
    char dir[4096], name[64];
    int rc = tv_path_cache_dir(dir, sizeof dir);

    if (rc < 0)
        return rc;
    snprintf(name, sizeof name, "credentials-%s.json", dni);
    return tv_path_join(out, n, dir, name);
}

int tv_creds_save(const tv_creds *c, const char *server)
{
    char path[4096], tmp[4200], dir[4096];
    json_t *doc = json_pack("{s:i,s:s,s:s,s:O}", "version", 1, "dni", c->dni, "server", server,
                            "list", c->public_json);
    int rc = doc ? 0 : TV_ERR_NOMEM;

    if (rc == 0 && (rc = tv_path_cache_dir(dir, sizeof dir)) == 0 && (rc = tv_mkdir_p(dir, 0700)) == 0 &&
        (rc = cache_path(c->dni, path, sizeof path)) == 0) {
        snprintf(tmp, sizeof tmp, "%s.%ld.new", path, (long)getpid());
        if (json_dump_file(doc, tmp, JSON_COMPACT) != 0 || chmod(tmp, 0600) != 0 ||
            rename(tmp, path) != 0) {
            unlink(tmp);
            rc = TV_ERR_IO;
        }
    }
    if (rc < 0)
        tv_warn("cannot write the credential cache: %s", tv_strerror(rc));
    json_decref(doc);
    return rc;
}

int tv_creds_load(const char *dni, const char *server, tv_creds **out)
{
    char path[4096], err[256] = "";
    json_error_t jerr;
    json_t *doc;
    const char *s, *d;
    int rc;

    if ((rc = cache_path(dni, path, sizeof path)) < 0)
        return rc;
    doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL)
        return access(path, F_OK) == 0 ? TV_ERR_IO : TV_ERR_NOT_FOUND;
    s = tv_json_str(doc, "server");
    d = tv_json_str(doc, "dni");
    if (s == NULL || d == NULL || strcmp(s, server) != 0 || strcmp(d, dni) != 0)
        rc = TV_ERR_NOT_FOUND;
    else
        rc = tv_creds_from_list(dni, tv_json_object(doc, "list"), out, err, sizeof err);
    if (rc < 0 && rc != TV_ERR_NOT_FOUND)
        tv_warn("ignoring the credential cache %s: %s", path, err);
    json_decref(doc);
    return rc;
}
