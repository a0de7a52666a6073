/* Helpers for the test and bench programs that drive a PKCS#11 module the
 * way an application does (dlopen, function list), whichever module it is:
 * ours, SoftHSM2, p11-kit's client. */
#ifndef P11UTIL_H
#define P11UTIL_H

#include "../../pkcs11/tv_pkcs11.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct p11 {
    void *dl;
    CK_FUNCTION_LIST_PTR f;
};

/* dlopen + C_GetFunctionList; exits with a message on failure. */
void p11_load(struct p11 *p, const char *path);
void p11_unload(struct p11 *p);
/* Die with a message when rv is not CKR_OK. */
void p11_must(CK_RV rv, const char *what);
const char *p11_rv_name(CK_RV rv);

/* The first slot with a token. */
CK_SLOT_ID p11_first_slot(struct p11 *p);
/* Log in with the PIN, or with NULL (protected authentication path). */
CK_RV p11_login(struct p11 *p, CK_SESSION_HANDLE h, const char *pin);

/* Find one object of a class, optionally by label (NULL: the first). */
CK_OBJECT_HANDLE p11_find(struct p11 *p, CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls,
                          const char *label);
CK_OBJECT_HANDLE p11_find_id(struct p11 *p, CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls,
                             const uint8_t *id, size_t id_len);
/* An attribute's value in malloc'd memory (NULL if absent); *len its length. */
uint8_t *p11_attr(struct p11 *p, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t,
                  CK_ULONG *len);
CK_ULONG p11_attr_ulong(struct p11 *p, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o,
                        CK_ATTRIBUTE_TYPE t);

/* The public key of the certificate sharing the private key's CKA_ID. */
EVP_PKEY *p11_key_pubkey(struct p11 *p, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE priv);

/* Verify a signature made with a hash-and-sign mechanism
 * (CKM_SHA*_RSA_PKCS, CKM_SHA*_RSA_PKCS_PSS with salt = hash length,
 * CKM_ECDSA_SHA*: raw r||s) over data; for CKM_ECDSA, data is the digest.
 * 1 valid, 0 not. */
int p11_verify(EVP_PKEY *pub, CK_MECHANISM_TYPE mech, const void *data, size_t len,
               const uint8_t *sig, size_t sig_len);

int64_t p11_now_us(void);

#endif
