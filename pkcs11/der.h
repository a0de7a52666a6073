/* The little DER the module reads: the DigestInfo an application passes to
 * CKM_RSA_PKCS, and the SubjectPublicKeyInfo and validity of a certificate
 * (for CKA_PUBLIC_KEY_INFO, CKA_START_DATE and CKA_END_DATE).  Strict
 * definite-length DER; every read is bounds-checked and a failure leaves
 * the outputs untouched. */
#ifndef TV_DER_H
#define TV_DER_H

#include "tv_pkcs11.h"

#include <stddef.h>
#include <stdint.h>

typedef struct tv_der {
    const uint8_t *p;
    size_t len;
} tv_der;

/* Read one element from *in: its tag, its contents and (when whole is not
 * NULL) the element with its header.  0 or TV_ERR_PROTOCOL (nothing read). */
int tv_der_next(tv_der *in, uint8_t *tag, tv_der *contents, tv_der *whole);

/* Parse a DigestInfo { AlgorithmIdentifier, OCTET STRING digest }.  The
 * algorithm is returned as the PKCS#11 hash mechanism (CKM_SHA_1, CKM_SHA224,
 * CKM_SHA256, CKM_SHA384, CKM_SHA512); the digest length must match it.
 * Parameters may be NULL or absent.  0 or TV_ERR_DATA_INVALID. */
int tv_digestinfo_parse(const uint8_t *in, size_t len, CK_MECHANISM_TYPE *hash,
                        const uint8_t **digest, size_t *digest_len);

/* Digest length of a PKCS#11 hash mechanism, 0 if unknown. */
size_t tv_hash_mech_len(CK_MECHANISM_TYPE hash);

typedef struct tv_cert_info {
    tv_der spki;             /* SubjectPublicKeyInfo, header included */
    CK_DATE not_before;
    CK_DATE not_after;
} tv_cert_info;

/* Find the SubjectPublicKeyInfo and validity of an X.509 certificate.
 * 0 or TV_ERR_PROTOCOL. */
int tv_cert_parse(const uint8_t *der, size_t len, tv_cert_info *out);

/* CK_DATE for Unix seconds (UTC); all blanks when t is 0. */
void tv_date_from_unix(uint64_t t, CK_DATE *out);

#endif
