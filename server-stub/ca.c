#include "ca.h"

#include "tv_err.h"
#include "tv_log.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#define CA_YEARS 20

void tv_gentime(time_t t, char out[16])
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y%m%d%H%M%SZ", &tm);
}

char *tv_name_text(const X509_NAME *name)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *text = NULL;
    char *p;
    long n;

    if (b == NULL)
        return NULL;
    if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        n = BIO_get_mem_data(b, &p);
        text = strndup(p, (size_t)n);
    }
    BIO_free(b);
    return text;
}

static int write_pem(const char *path, mode_t mode, EVP_PKEY *key, X509 *cert)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    FILE *f;
    int ok;

    if (fd < 0) {
        tv_error("cannot write %s", path);
        return TV_ERR_IO;
    }
    f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        return TV_ERR_IO;
    }
    ok = key ? PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) : PEM_write_X509(f, cert);
    return (fclose(f) == 0 && ok) ? 0 : TV_ERR_IO;
}

static int random_serial(X509 *x, char hex[41])
{
    uint8_t raw[16];
    BIGNUM *bn = NULL;
    char *h = NULL;
    int rc = TV_ERR_INTERNAL;

    if (RAND_bytes(raw, sizeof raw) != 1)
        return rc;
    raw[0] = (raw[0] & 0x7f) | 0x40;       /* positive, always 16 bytes */
    bn = BN_bin2bn(raw, sizeof raw, NULL);
    if (bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL &&
        (h = BN_bn2hex(bn)) != NULL && strlen(h) < 41) {
        memcpy(hex, h, strlen(h) + 1);
        rc = 0;
    }
    OPENSSL_free(h);
    BN_free(bn);
    return rc;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
    if (ext == NULL) {
        tv_error("cannot build extension %s = %s", OBJ_nid2sn(nid), value);
        return TV_ERR_INTERNAL;
    }
    ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : TV_ERR_INTERNAL;
}

static int add_name(X509_NAME *n, const char *field, const char *value)
{
    return X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8, (const unsigned char *)value, -1, -1, 0)
               ? 0 : TV_ERR_INVALID;
}

/* A certificate skeleton: version 3, random serial, validity, subject key. */
static X509 *cert_new(EVP_PKEY *pub, time_t from, time_t to, char serial[41])
{
    X509 *x = X509_new();

    if (x == NULL || !X509_set_version(x, 2) || random_serial(x, serial) < 0 ||
        !ASN1_TIME_set(X509_getm_notBefore(x), from) || !ASN1_TIME_set(X509_getm_notAfter(x), to) ||
        !X509_set_pubkey(x, pub)) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int ca_self_sign(EVP_PKEY *key, const char *instance, X509 **out)
{
    time_t now = time(NULL);
    char serial[41];
    X509 *x = cert_new(key, now - 3600, now + (time_t)CA_YEARS * 365 * 86400, serial);
    X509_NAME *n = X509_get_subject_name(x);
    int rc = TV_ERR_INTERNAL;

    if (x == NULL || add_name(n, "C", "ES") < 0 || add_name(n, "O", "BakQ stand-in") < 0 ||
        add_name(n, "OU", instance) < 0 || add_name(n, "CN", "BakQ Test CA") < 0 ||
        !X509_set_issuer_name(x, n))
        goto free_cert;
    if (add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
        add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") < 0 ||
        add_ext(x, x, NID_subject_key_identifier, "hash") < 0 ||
        add_ext(x, x, NID_authority_key_identifier, "keyid:always") < 0)
        goto free_cert;
    if (X509_sign(x, key, EVP_sha256()) <= 0)
        goto free_cert;
    *out = x;
    return 0;
free_cert:
    X509_free(x);
    return rc;
}

int tv_ca_create(const char *key_path, const char *cert_path, const char *instance)
{
    EVP_PKEY *key = EVP_RSA_gen(2048);
    X509 *cert = NULL;
    int rc = TV_ERR_INTERNAL;

    if (key == NULL)
        return rc;
    rc = ca_self_sign(key, instance, &cert);
    if (rc == 0)
        rc = write_pem(key_path, 0600, key, NULL);
    if (rc == 0)
        rc = write_pem(cert_path, 0644, NULL, cert);
    X509_free(cert);
    EVP_PKEY_free(key);
    return rc;
}

int tv_ca_load(const char *key_path, const char *cert_path, struct tv_ca **out)
{
    struct tv_ca *ca = calloc(1, sizeof *ca);
    FILE *f;

    if (ca == NULL)
        return TV_ERR_NOMEM;
    if ((f = fopen(key_path, "re")) != NULL) {
        ca->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
    }
    if ((f = fopen(cert_path, "re")) != NULL) {
        ca->cert = PEM_read_X509(f, NULL, NULL, NULL);
        fclose(f);
    }
    if (ca->key == NULL || ca->cert == NULL || X509_check_private_key(ca->cert, ca->key) != 1) {
        tv_error("cannot load the CA from %s and %s (run `bakq-server init`)", key_path, cert_path);
        tv_ca_free(ca);
        return TV_ERR_CONFIG;
    }
    *out = ca;
    return 0;
}

void tv_ca_free(struct tv_ca *ca)
{
    if (ca == NULL)
        return;
    EVP_PKEY_free(ca->key);
    X509_free(ca->cert);
    free(ca);
}

static int sign_with_ca(const struct tv_ca *ca, X509 *x)
{
    if (!X509_set_issuer_name(x, X509_get_subject_name(ca->cert)))
        return TV_ERR_INTERNAL;
    if (add_ext(x, ca->cert, NID_subject_key_identifier, "hash") < 0 ||
        add_ext(x, ca->cert, NID_authority_key_identifier, "keyid:always") < 0)
        return TV_ERR_INTERNAL;
    return X509_sign(x, ca->key, EVP_sha256()) > 0 ? 0 : TV_ERR_INTERNAL;
}

int tv_ca_issue_tls(const struct tv_ca *ca, const char *key_path, const char *cert_path)
{
    time_t now = time(NULL);
    EVP_PKEY *key = EVP_EC_gen("P-256");
    char serial[41];
    X509 *x = key ? cert_new(key, now - 3600, now + 3650L * 86400, serial) : NULL;
    int rc = TV_ERR_INTERNAL;

    if (x == NULL || add_name(X509_get_subject_name(x), "CN", "localhost") < 0)
        goto free_all;
    if (add_ext(x, ca->cert, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
        add_ext(x, ca->cert, NID_key_usage, "critical,digitalSignature") < 0 ||
        add_ext(x, ca->cert, NID_ext_key_usage, "serverAuth") < 0 ||
        add_ext(x, ca->cert, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost") < 0 ||
        sign_with_ca(ca, x) < 0)
        goto free_all;
    rc = write_pem(key_path, 0600, key, NULL);
    if (rc == 0)
        rc = write_pem(cert_path, 0644, NULL, x);
free_all:
    X509_free(x);
    EVP_PKEY_free(key);
    return rc;
}

/* Upper case for the CN, including the accented Latin-1 letters in UTF-8. */
static void upper_utf8(const char *in, char *out, size_t outsz)
{
    size_t i = 0;

    for (; *in && i + 1 < outsz; in++, i++) {
        unsigned char c = (unsigned char)*in;

        if (c >= 'a' && c <= 'z')
            c = (unsigned char)(c - 32);
        else if (i > 0 && (unsigned char)out[i - 1] == 0xC3 && c >= 0xA0 && c <= 0xBE && c != 0xB7)
            c = (unsigned char)(c - 0x20);
        out[i] = (char)c;
    }
    out[i] = '\0';
}

static int citizen_name(X509 *x, const struct tv_subject *who)
{
    X509_NAME *n = X509_get_subject_name(x);
    char serial[32], upper_sn[256], upper_gn[256], cn[600];

    snprintf(serial, sizeof serial, "IDCES-%s", who->dni);
    upper_utf8(who->surname, upper_sn, sizeof upper_sn);
    upper_utf8(who->given_name, upper_gn, sizeof upper_gn);
    snprintf(cn, sizeof cn, "%s %s - %s", upper_sn, upper_gn, who->dni);
    if (add_name(n, "C", "ES") < 0 || add_name(n, "serialNumber", serial) < 0 ||
        add_name(n, "GN", who->given_name) < 0 || add_name(n, "SN", who->surname) < 0 ||
        add_name(n, "CN", cn) < 0)
        return TV_ERR_INVALID;
    return 0;
}

static int citizen_exts(X509 *x, X509 *issuer, const struct tv_subject *who, enum tv_cert_kind kind,
                        const char *crl_url)
{
    char buf[512];

    if (add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE") < 0)
        return TV_ERR_INTERNAL;
    if (kind == TV_CERT_AUTH) {
        if (add_ext(x, issuer, NID_key_usage, "critical,digitalSignature") < 0 ||
            add_ext(x, issuer, NID_ext_key_usage, "clientAuth,emailProtection") < 0)
            return TV_ERR_INTERNAL;
        if (who->email && *who->email && strchr(who->email, ',') == NULL) {
            snprintf(buf, sizeof buf, "email:%s", who->email);
            if (add_ext(x, issuer, NID_subject_alt_name, buf) < 0)
                return TV_ERR_INTERNAL;
        }
    } else if (add_ext(x, issuer, NID_key_usage, "critical,nonRepudiation") < 0) {
        return TV_ERR_INTERNAL;
    }
    snprintf(buf, sizeof buf, "URI:%s", crl_url);
    return add_ext(x, issuer, NID_crl_distribution_points, buf);
}

int tv_ca_issue_citizen(const struct tv_ca *ca, EVP_PKEY *pub, const struct tv_subject *who,
                        enum tv_cert_kind kind, time_t not_before, time_t not_after,
                        const char *crl_url, struct tv_issued *out)
{
    X509 *x = cert_new(pub, not_before, not_after, out->serial);
    unsigned char *der = NULL;
    int len, rc = TV_ERR_INTERNAL;

    if (x == NULL || citizen_name(x, who) < 0 || citizen_exts(x, ca->cert, who, kind, crl_url) < 0 ||
        sign_with_ca(ca, x) < 0)
        goto free_cert;
    len = i2d_X509(x, &der);
    if (len <= 0)
        goto free_cert;
    out->der = der;
    out->der_len = (size_t)len;
    rc = 0;
free_cert:
    X509_free(x);
    return rc;
}

static int crl_add(X509_CRL *crl, const struct tv_revoked *r)
{
    X509_REVOKED *rev = X509_REVOKED_new();
    BIGNUM *bn = NULL;
    ASN1_INTEGER *serial = NULL;
    ASN1_TIME *when = ASN1_TIME_set(NULL, (time_t)r->when);
    ASN1_ENUMERATED *reason = ASN1_ENUMERATED_new();
    int ok = rev && when && reason && BN_hex2bn(&bn, r->serial) > 0 &&
             (serial = BN_to_ASN1_INTEGER(bn, NULL)) != NULL &&
             X509_REVOKED_set_serialNumber(rev, serial) && X509_REVOKED_set_revocationDate(rev, when) &&
             ASN1_ENUMERATED_set(reason, r->reason) &&
             X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, reason, 0, 0) &&
             X509_CRL_add0_revoked(crl, rev);

    if (!ok)
        X509_REVOKED_free(rev);
    ASN1_INTEGER_free(serial);
    ASN1_TIME_free(when);
    ASN1_ENUMERATED_free(reason);
    BN_free(bn);
    return ok ? 0 : TV_ERR_INTERNAL;
}

static int crl_exts(X509_CRL *crl, const struct tv_ca *ca, long number)
{
    X509V3_CTX ctx;
    X509_EXTENSION *aki;
    ASN1_INTEGER *num = ASN1_INTEGER_new();
    int ok;

    X509V3_set_ctx(&ctx, ca->cert, NULL, NULL, crl, 0);
    aki = X509V3_EXT_nconf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
    ok = aki && num && ASN1_INTEGER_set(num, number) && X509_CRL_add_ext(crl, aki, -1) &&
         X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0);
    X509_EXTENSION_free(aki);
    ASN1_INTEGER_free(num);
    return ok ? 0 : TV_ERR_INTERNAL;
}

int tv_ca_make_crl(const struct tv_ca *ca, const struct tv_revoked *list, size_t n, long number,
                   time_t now, uint8_t **der, size_t *der_len)
{
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *last = ASN1_TIME_set(NULL, now), *next = ASN1_TIME_set(NULL, now + 7 * 86400);
    unsigned char *out = NULL;
    int len, rc = TV_ERR_INTERNAL;

    if (crl == NULL || last == NULL || next == NULL || !X509_CRL_set_version(crl, 1) ||
        !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert)) ||
        !X509_CRL_set1_lastUpdate(crl, last) || !X509_CRL_set1_nextUpdate(crl, next))
        goto free_all;
    for (size_t i = 0; i < n; i++)
        if (crl_add(crl, &list[i]) < 0)
            goto free_all;
    X509_CRL_sort(crl);
    if (crl_exts(crl, ca, number) < 0 || X509_CRL_sign(crl, ca->key, EVP_sha256()) <= 0)
        goto free_all;
    len = i2d_X509_CRL(crl, &out);
    if (len > 0) {
        *der = out;
        *der_len = (size_t)len;
        rc = 0;
    }
free_all:
    ASN1_TIME_free(last);
    ASN1_TIME_free(next);
    X509_CRL_free(crl);
    return rc;
}

static int pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld, EVP_PKEY **out)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    int ok = params && ctx && EVP_PKEY_fromdata_init(ctx) > 0 &&
             EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) > 0;

    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return ok ? 0 : TV_ERR_INTERNAL;
}

int tv_pubkey_from_hsm(const struct tv_hsm_pub *pub, EVP_PKEY **out)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *n = NULL, *e = NULL;
    int rc = TV_ERR_INTERNAL;

    if (bld == NULL)
        return TV_ERR_NOMEM;
    if (pub->type == TV_KEY_P256) {
        if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
            OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub->n, pub->n_len))
            rc = pkey_fromdata("EC", bld, out);
    } else {
        n = BN_bin2bn(pub->n, (int)pub->n_len, NULL);
        e = BN_bin2bn(pub->e, (int)pub->e_len, NULL);
        if (n && e && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
            OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
            rc = pkey_fromdata("RSA", bld, out);
    }
    BN_free(n);
    BN_free(e);
    OSSL_PARAM_BLD_free(bld);
    return rc;
}
