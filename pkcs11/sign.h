/* Signing: C_SignInit / C_Sign / C_SignUpdate / C_SignFinal.
 *
 * One SIGN round trip per signature, made outside the module lock on a
 * pooled connection.  Hash-and-sign mechanisms are hashed here (single- and
 * multi-part) and only the digest goes to the agent; CKM_RSA_PKCS, _PSS and
 * CKM_ECDSA pass the application's input after local checks.  Size queries
 * and CKR_BUFFER_TOO_SMALL are answered from the key size, with no round
 * trip, and keep the operation alive; every other outcome ends it. */
#ifndef TV_SIGN_H
#define TV_SIGN_H

#include "tv_pkcs11.h"

CK_RV tv_sign_init(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key);
CK_RV tv_sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
              CK_ULONG_PTR siglen);
CK_RV tv_sign_update(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len);
CK_RV tv_sign_final(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG_PTR siglen);

#endif
