/* The server's own certification authority (OpenSSL): the CA itself, the TLS
 * server certificate, the citizens' certificates and the CRL.  The CA key is a
 * file in the data directory (mode 0600); citizens' keys never leave the HSM,
 * only their public halves come here. */
#ifndef TV_SRV_CA_H
#define TV_SRV_CA_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "hsm.h"

struct tv_ca {
    EVP_PKEY *key;
    X509 *cert;
};

/* Create ca.key/ca.crt (instance names the data directory in the CA's DN). */
int tv_ca_create(const char *key_path, const char *cert_path, const char *instance);
int tv_ca_load(const char *key_path, const char *cert_path, struct tv_ca **out);
void tv_ca_free(struct tv_ca *ca);

/* TLS server certificate for 127.0.0.1 / localhost, with a fresh P-256 key. */
int tv_ca_issue_tls(const struct tv_ca *ca, const char *key_path, const char *cert_path);

enum tv_cert_kind { TV_CERT_AUTH, TV_CERT_SIGN };

struct tv_subject {
    const char *dni;
    const char *given_name;
    const char *surname;
    const char *email;
};

struct tv_issued {
    uint8_t *der;           /* malloc'd */
    size_t der_len;
    char serial[41];        /* upper-case hex */
};

int tv_ca_issue_citizen(const struct tv_ca *ca, EVP_PKEY *pub, const struct tv_subject *who,
                        enum tv_cert_kind kind, time_t not_before, time_t not_after,
                        const char *crl_url, struct tv_issued *out);

struct tv_revoked {
    char serial[41];
    int64_t when;
    int reason;             /* CRLReason: 1 keyCompromise, 4 superseded, 5 cessationOfOperation */
};

int tv_ca_make_crl(const struct tv_ca *ca, const struct tv_revoked *list, size_t n, long number,
                   time_t now, uint8_t **der, size_t *der_len);

/* An EVP_PKEY for the public half read from the HSM. */
int tv_pubkey_from_hsm(const struct tv_hsm_pub *pub, EVP_PKEY **out);

/* "20261123090000Z" */
void tv_gentime(time_t t, char out[16]);
/* RFC 4514 text of a certificate name (UTF-8); malloc'd. */
char *tv_name_text(const X509_NAME *name);

#endif
