/* Test fixture: a credentials/list answer as the service sends it, with two
 * real certificates (EC P-256 keys, signed by a throw-away CA).  Included by
 * the dispatcher unit test and the agent fuzz target. */
#ifndef TV_TEST_FAKE_LIST_H
#define TV_TEST_FAKE_LIST_H

#include "csc.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdlib.h>

static X509 *fake_cert(EVP_PKEY *key, EVP_PKEY *signer, const char *cn, const char *issuer, long serial)
{
    X509 *x = X509_new();

    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_NAME_add_entry_by_txt(X509_get_issuer_name(x), "CN", MBSTRING_ASC, (const unsigned char *)issuer, -1, -1, 0);
    X509_set_pubkey(x, key);
    X509_sign(x, signer, EVP_sha256());
    return x;
}

static json_t *cert_b64(X509 *x)
{
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    char *b64 = tv_b64_encode(der, (size_t)len);
    json_t *s = json_string(b64);

    OPENSSL_free(der);
    free(b64);
    return s;
}

/* Two credentials (scal 1 and 2) with chains [end-entity, CA]. */
static json_t *fake_list(void)
{
    EVP_PKEY *ca_key = EVP_EC_gen("P-256");
    X509 *ca = fake_cert(ca_key, ca_key, "Fake BakQ CA", "Fake BakQ CA", 1);
    json_t *ids = json_array(), *infos = json_array();

    for (int i = 1; i <= 2; i++) {
        EVP_PKEY *k = EVP_EC_gen("P-256");
        X509 *x = fake_cert(k, ca_key, i == 1 ? "CITIZEN - 12345678Z auth" : "CITIZEN - 12345678Z sign",
                            "Fake BakQ CA", 10 + i);
        json_array_append_new(ids, json_string(i == 1 ? "cred-auth" : "cred-sign"));
        json_array_append_new(infos, json_pack(
            "{s:{s:s,s:[s],s:i},s:{s:s,s:[o,o]},s:{s:[{s:s,s:s},{s:s,s:s,s:s,s:s}]},s:s,s:i}",
            "key", "status", "enabled", "algo", "1.2.840.10045.2.1", "len", 256,
            "cert", "status", "valid", "certificates", cert_b64(x), cert_b64(ca),
            "auth", "objects", "type", "Password", "id", "PIN", "type", "Password", "id", "OTP",
            "generator", "sms", "phone_hint", "******789",
            "scal", i == 1 ? "1" : "2", "multisign", i == 1 ? 100 : 1));
        X509_free(x);
        EVP_PKEY_free(k);
    }
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return json_pack("{s:o,s:o}", "credentialIDs", ids, "credentialInfos", infos);
}

#endif
