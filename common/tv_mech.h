/* Mechanism numbers carried by the SIGN message.  They are the PKCS#11
 * CKM_* / CKG_* values, named here so the agent (which has no PKCS#11
 * headers) and the module agree on one list. */
#ifndef TV_MECH_H
#define TV_MECH_H

#define TV_CKM_RSA_PKCS             0x00000001u
#define TV_CKM_RSA_PKCS_PSS         0x0000000Du
#define TV_CKM_SHA256_RSA_PKCS      0x00000040u
#define TV_CKM_SHA384_RSA_PKCS      0x00000041u
#define TV_CKM_SHA512_RSA_PKCS      0x00000042u
#define TV_CKM_SHA256_RSA_PKCS_PSS  0x00000043u
#define TV_CKM_SHA384_RSA_PKCS_PSS  0x00000044u
#define TV_CKM_SHA512_RSA_PKCS_PSS  0x00000045u
#define TV_CKM_ECDSA                0x00001041u
#define TV_CKM_ECDSA_SHA256         0x00001044u
#define TV_CKM_ECDSA_SHA384         0x00001045u
#define TV_CKM_ECDSA_SHA512         0x00001046u

/* hash mechanisms, as used in CK_RSA_PKCS_PSS_PARAMS.hashAlg */
#define TV_CKM_SHA_1                0x00000220u
#define TV_CKM_SHA256               0x00000250u
#define TV_CKM_SHA384               0x00000260u
#define TV_CKM_SHA512               0x00000270u

/* mask generation functions, CK_RSA_PKCS_PSS_PARAMS.mgf */
#define TV_CKG_MGF1_SHA1            0x00000001u
#define TV_CKG_MGF1_SHA256          0x00000002u
#define TV_CKG_MGF1_SHA384          0x00000003u
#define TV_CKG_MGF1_SHA512          0x00000004u

#endif
