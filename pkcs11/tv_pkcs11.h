/* PKCS#11 (Cryptoki) definitions used by the Tarjeta virtual module and its
 * tests: the 2.40 interface and the 3.0 additions (interfaces, profiles,
 * C_LoginUser, C_SessionCancel, message functions).
 *
 * Written for this project from the facts of the OASIS PKCS#11 standard
 * (type sizes, structure layouts, constant values, function order).  Debian
 * 12's p11-kit header stops at 2.40, hence this file.  Only what the module,
 * its trace and its tests use is here.
 *
 * ABI notes (Linux): CK_ULONG is the C `unsigned long`, structures use the
 * compiler's natural packing, and every function uses the platform's
 * default calling convention. */
#ifndef TV_PKCS11_H
#define TV_PKCS11_H

#ifdef __cplusplus
extern "C" {
#endif

/* ---- basic types ------------------------------------------------------ */

typedef unsigned char CK_BYTE;
typedef CK_BYTE CK_CHAR;
typedef CK_BYTE CK_UTF8CHAR;
typedef CK_BYTE CK_BBOOL;
typedef unsigned long CK_ULONG;
typedef long CK_LONG;
typedef CK_ULONG CK_FLAGS;
typedef CK_ULONG CK_RV;
typedef CK_ULONG CK_SLOT_ID;
typedef CK_ULONG CK_SESSION_HANDLE;
typedef CK_ULONG CK_OBJECT_HANDLE;
typedef CK_ULONG CK_OBJECT_CLASS;
typedef CK_ULONG CK_KEY_TYPE;
typedef CK_ULONG CK_CERTIFICATE_TYPE;
typedef CK_ULONG CK_CERTIFICATE_CATEGORY;
typedef CK_ULONG CK_ATTRIBUTE_TYPE;
typedef CK_ULONG CK_MECHANISM_TYPE;
typedef CK_ULONG CK_USER_TYPE;
typedef CK_ULONG CK_STATE;
typedef CK_ULONG CK_NOTIFICATION;
typedef CK_ULONG CK_RSA_PKCS_MGF_TYPE;
typedef CK_ULONG CK_PROFILE_ID;

typedef void *CK_VOID_PTR;
typedef CK_VOID_PTR *CK_VOID_PTR_PTR;
typedef CK_BYTE *CK_BYTE_PTR;
typedef CK_CHAR *CK_CHAR_PTR;
typedef CK_UTF8CHAR *CK_UTF8CHAR_PTR;
typedef CK_ULONG *CK_ULONG_PTR;
typedef CK_SLOT_ID *CK_SLOT_ID_PTR;
typedef CK_SESSION_HANDLE *CK_SESSION_HANDLE_PTR;
typedef CK_OBJECT_HANDLE *CK_OBJECT_HANDLE_PTR;
typedef CK_MECHANISM_TYPE *CK_MECHANISM_TYPE_PTR;

#define CK_TRUE 1
#define CK_FALSE 0
#ifndef NULL_PTR
#define NULL_PTR 0
#endif

#define CK_UNAVAILABLE_INFORMATION (~0UL)
#define CK_EFFECTIVELY_INFINITE 0UL
#define CK_INVALID_HANDLE 0UL

/* ---- structures ------------------------------------------------------- */

typedef struct CK_VERSION {
    CK_BYTE major;
    CK_BYTE minor;
} CK_VERSION;
typedef CK_VERSION *CK_VERSION_PTR;

typedef struct CK_INFO {
    CK_VERSION cryptokiVersion;
    CK_UTF8CHAR manufacturerID[32];
    CK_FLAGS flags;
    CK_UTF8CHAR libraryDescription[32];
    CK_VERSION libraryVersion;
} CK_INFO;
typedef CK_INFO *CK_INFO_PTR;

typedef struct CK_SLOT_INFO {
    CK_UTF8CHAR slotDescription[64];
    CK_UTF8CHAR manufacturerID[32];
    CK_FLAGS flags;
    CK_VERSION hardwareVersion;
    CK_VERSION firmwareVersion;
} CK_SLOT_INFO;
typedef CK_SLOT_INFO *CK_SLOT_INFO_PTR;

typedef struct CK_TOKEN_INFO {
    CK_UTF8CHAR label[32];
    CK_UTF8CHAR manufacturerID[32];
    CK_UTF8CHAR model[16];
    CK_CHAR serialNumber[16];
    CK_FLAGS flags;
    CK_ULONG ulMaxSessionCount;
    CK_ULONG ulSessionCount;
    CK_ULONG ulMaxRwSessionCount;
    CK_ULONG ulRwSessionCount;
    CK_ULONG ulMaxPinLen;
    CK_ULONG ulMinPinLen;
    CK_ULONG ulTotalPublicMemory;
    CK_ULONG ulFreePublicMemory;
    CK_ULONG ulTotalPrivateMemory;
    CK_ULONG ulFreePrivateMemory;
    CK_VERSION hardwareVersion;
    CK_VERSION firmwareVersion;
    CK_CHAR utcTime[16];
} CK_TOKEN_INFO;
typedef CK_TOKEN_INFO *CK_TOKEN_INFO_PTR;

typedef struct CK_SESSION_INFO {
    CK_SLOT_ID slotID;
    CK_STATE state;
    CK_FLAGS flags;
    CK_ULONG ulDeviceError;
} CK_SESSION_INFO;
typedef CK_SESSION_INFO *CK_SESSION_INFO_PTR;

typedef struct CK_ATTRIBUTE {
    CK_ATTRIBUTE_TYPE type;
    CK_VOID_PTR pValue;
    CK_ULONG ulValueLen;
} CK_ATTRIBUTE;
typedef CK_ATTRIBUTE *CK_ATTRIBUTE_PTR;

typedef struct CK_DATE {
    CK_CHAR year[4];
    CK_CHAR month[2];
    CK_CHAR day[2];
} CK_DATE;

typedef struct CK_MECHANISM {
    CK_MECHANISM_TYPE mechanism;
    CK_VOID_PTR pParameter;
    CK_ULONG ulParameterLen;
} CK_MECHANISM;
typedef CK_MECHANISM *CK_MECHANISM_PTR;

typedef struct CK_MECHANISM_INFO {
    CK_ULONG ulMinKeySize;
    CK_ULONG ulMaxKeySize;
    CK_FLAGS flags;
} CK_MECHANISM_INFO;
typedef CK_MECHANISM_INFO *CK_MECHANISM_INFO_PTR;

typedef struct CK_RSA_PKCS_PSS_PARAMS {
    CK_MECHANISM_TYPE hashAlg;
    CK_RSA_PKCS_MGF_TYPE mgf;
    CK_ULONG sLen;
} CK_RSA_PKCS_PSS_PARAMS;

typedef CK_RV (*CK_NOTIFY)(CK_SESSION_HANDLE hSession, CK_NOTIFICATION event,
                           CK_VOID_PTR pApplication);

typedef CK_RV (*CK_CREATEMUTEX)(CK_VOID_PTR_PTR ppMutex);
typedef CK_RV (*CK_DESTROYMUTEX)(CK_VOID_PTR pMutex);
typedef CK_RV (*CK_LOCKMUTEX)(CK_VOID_PTR pMutex);
typedef CK_RV (*CK_UNLOCKMUTEX)(CK_VOID_PTR pMutex);

typedef struct CK_C_INITIALIZE_ARGS {
    CK_CREATEMUTEX CreateMutex;
    CK_DESTROYMUTEX DestroyMutex;
    CK_LOCKMUTEX LockMutex;
    CK_UNLOCKMUTEX UnlockMutex;
    CK_FLAGS flags;
    CK_VOID_PTR pReserved;
} CK_C_INITIALIZE_ARGS;
typedef CK_C_INITIALIZE_ARGS *CK_C_INITIALIZE_ARGS_PTR;

typedef struct CK_INTERFACE {
    CK_CHAR *pInterfaceName;
    CK_VOID_PTR pFunctionList;
    CK_FLAGS flags;
} CK_INTERFACE;
typedef CK_INTERFACE *CK_INTERFACE_PTR;
typedef CK_INTERFACE_PTR *CK_INTERFACE_PTR_PTR;

typedef struct CK_FUNCTION_LIST CK_FUNCTION_LIST;
typedef CK_FUNCTION_LIST *CK_FUNCTION_LIST_PTR;
typedef CK_FUNCTION_LIST_PTR *CK_FUNCTION_LIST_PTR_PTR;
typedef struct CK_FUNCTION_LIST_3_0 CK_FUNCTION_LIST_3_0;
typedef CK_FUNCTION_LIST_3_0 *CK_FUNCTION_LIST_3_0_PTR;

/* ---- the functions, in the order of the function lists ---------------- */

/* X(name, parameter list in parentheses) for each 2.40 function. */
#define TV_P11_FUNCTIONS_2_40(X)                                                          \
    X(C_Initialize, (CK_VOID_PTR pInitArgs))                                              \
    X(C_Finalize, (CK_VOID_PTR pReserved))                                                \
    X(C_GetInfo, (CK_INFO_PTR pInfo))                                                     \
    X(C_GetFunctionList, (CK_FUNCTION_LIST_PTR_PTR ppFunctionList))                       \
    X(C_GetSlotList, (CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList,                    \
                      CK_ULONG_PTR pulCount))                                             \
    X(C_GetSlotInfo, (CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo))                         \
    X(C_GetTokenInfo, (CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo))                       \
    X(C_GetMechanismList, (CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pMechanismList,       \
                           CK_ULONG_PTR pulCount))                                        \
    X(C_GetMechanismInfo, (CK_SLOT_ID slotID, CK_MECHANISM_TYPE type,                     \
                           CK_MECHANISM_INFO_PTR pInfo))                                  \
    X(C_InitToken, (CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,           \
                    CK_UTF8CHAR_PTR pLabel))                                              \
    X(C_InitPIN, (CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen))   \
    X(C_SetPIN, (CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,  \
                 CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen))                             \
    X(C_OpenSession, (CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication,        \
                      CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR phSession))                 \
    X(C_CloseSession, (CK_SESSION_HANDLE hSession))                                       \
    X(C_CloseAllSessions, (CK_SLOT_ID slotID))                                            \
    X(C_GetSessionInfo, (CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo))          \
    X(C_GetOperationState, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,      \
                            CK_ULONG_PTR pulOperationStateLen))                           \
    X(C_SetOperationState, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pOperationState,      \
                            CK_ULONG ulOperationStateLen, CK_OBJECT_HANDLE hEncryptionKey, \
                            CK_OBJECT_HANDLE hAuthenticationKey))                         \
    X(C_Login, (CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,  \
                CK_ULONG ulPinLen))                                                       \
    X(C_Logout, (CK_SESSION_HANDLE hSession))                                             \
    X(C_CreateObject, (CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate,            \
                       CK_ULONG ulCount, CK_OBJECT_HANDLE_PTR phObject))                  \
    X(C_CopyObject, (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,                \
                     CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,                        \
                     CK_OBJECT_HANDLE_PTR phNewObject))                                   \
    X(C_DestroyObject, (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject))            \
    X(C_GetObjectSize, (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,             \
                        CK_ULONG_PTR pulSize))                                            \
    X(C_GetAttributeValue, (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,         \
                            CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount))                \
    X(C_SetAttributeValue, (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,         \
                            CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount))                \
    X(C_FindObjectsInit, (CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate,         \
                          CK_ULONG ulCount))                                              \
    X(C_FindObjects, (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,          \
                      CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount))            \
    X(C_FindObjectsFinal, (CK_SESSION_HANDLE hSession))                                   \
    X(C_EncryptInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,            \
                      CK_OBJECT_HANDLE hKey))                                             \
    X(C_Encrypt, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,      \
                  CK_BYTE_PTR pEncryptedData, CK_ULONG_PTR pulEncryptedDataLen))          \
    X(C_EncryptUpdate, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen, \
                        CK_BYTE_PTR pEncryptedPart, CK_ULONG_PTR pulEncryptedPartLen))    \
    X(C_EncryptFinal, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastEncryptedPart,        \
                       CK_ULONG_PTR pulLastEncryptedPartLen))                             \
    X(C_DecryptInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,            \
                      CK_OBJECT_HANDLE hKey))                                             \
    X(C_Decrypt, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData,                 \
                  CK_ULONG ulEncryptedDataLen, CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)) \
    X(C_DecryptUpdate, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,           \
                        CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,                   \
                        CK_ULONG_PTR pulPartLen))                                         \
    X(C_DecryptFinal, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastPart,                 \
                       CK_ULONG_PTR pulLastPartLen))                                      \
    X(C_DigestInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism))            \
    X(C_Digest, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,       \
                 CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen))                         \
    X(C_DigestUpdate, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)) \
    X(C_DigestKey, (CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hKey))                   \
    X(C_DigestFinal, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pDigest,                    \
                      CK_ULONG_PTR pulDigestLen))                                         \
    X(C_SignInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,               \
                   CK_OBJECT_HANDLE hKey))                                                \
    X(C_Sign, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,         \
               CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen))                     \
    X(C_SignUpdate, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen))  \
    X(C_SignFinal, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,                   \
                    CK_ULONG_PTR pulSignatureLen))                                        \
    X(C_SignRecoverInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,        \
                          CK_OBJECT_HANDLE hKey))                                         \
    X(C_SignRecover, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,  \
                      CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen))              \
    X(C_VerifyInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,             \
                     CK_OBJECT_HANDLE hKey))                                              \
    X(C_Verify, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,       \
                 CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen))                        \
    X(C_VerifyUpdate, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)) \
    X(C_VerifyFinal, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,                 \
                      CK_ULONG ulSignatureLen))                                           \
    X(C_VerifyRecoverInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,      \
                            CK_OBJECT_HANDLE hKey))                                       \
    X(C_VerifyRecover, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,               \
                        CK_ULONG ulSignatureLen, CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)) \
    X(C_DigestEncryptUpdate, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,              \
                              CK_ULONG ulPartLen, CK_BYTE_PTR pEncryptedPart,             \
                              CK_ULONG_PTR pulEncryptedPartLen))                          \
    X(C_DecryptDigestUpdate, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,     \
                              CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,             \
                              CK_ULONG_PTR pulPartLen))                                   \
    X(C_SignEncryptUpdate, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart,                \
                            CK_ULONG ulPartLen, CK_BYTE_PTR pEncryptedPart,               \
                            CK_ULONG_PTR pulEncryptedPartLen))                            \
    X(C_DecryptVerifyUpdate, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,     \
                              CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart,             \
                              CK_ULONG_PTR pulPartLen))                                   \
    X(C_GenerateKey, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,            \
                      CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount,                       \
                      CK_OBJECT_HANDLE_PTR phKey))                                        \
    X(C_GenerateKeyPair, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,        \
                          CK_ATTRIBUTE_PTR pPublicKeyTemplate, CK_ULONG ulPublicKeyAttributeCount, \
                          CK_ATTRIBUTE_PTR pPrivateKeyTemplate,                           \
                          CK_ULONG ulPrivateKeyAttributeCount,                            \
                          CK_OBJECT_HANDLE_PTR phPublicKey, CK_OBJECT_HANDLE_PTR phPrivateKey)) \
    X(C_WrapKey, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,                \
                  CK_OBJECT_HANDLE hWrappingKey, CK_OBJECT_HANDLE hKey,                   \
                  CK_BYTE_PTR pWrappedKey, CK_ULONG_PTR pulWrappedKeyLen))                \
    X(C_UnwrapKey, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,              \
                    CK_OBJECT_HANDLE hUnwrappingKey, CK_BYTE_PTR pWrappedKey,             \
                    CK_ULONG ulWrappedKeyLen, CK_ATTRIBUTE_PTR pTemplate,                 \
                    CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey))               \
    X(C_DeriveKey, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,              \
                    CK_OBJECT_HANDLE hBaseKey, CK_ATTRIBUTE_PTR pTemplate,                \
                    CK_ULONG ulAttributeCount, CK_OBJECT_HANDLE_PTR phKey))               \
    X(C_SeedRandom, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSeed, CK_ULONG ulSeedLen))  \
    X(C_GenerateRandom, (CK_SESSION_HANDLE hSession, CK_BYTE_PTR RandomData,              \
                         CK_ULONG ulRandomLen))                                           \
    X(C_GetFunctionStatus, (CK_SESSION_HANDLE hSession))                                  \
    X(C_CancelFunction, (CK_SESSION_HANDLE hSession))                                     \
    X(C_WaitForSlotEvent, (CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved))

/* X(name, parameter list) for each function 3.0 appends to the list. */
#define TV_P11_FUNCTIONS_3_0(X)                                                           \
    X(C_GetInterfaceList, (CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount))      \
    X(C_GetInterface, (CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,           \
                       CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags))                 \
    X(C_LoginUser, (CK_SESSION_HANDLE hSession, CK_USER_TYPE userType,                    \
                    CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen, CK_UTF8CHAR_PTR pUsername,   \
                    CK_ULONG ulUsernameLen))                                              \
    X(C_SessionCancel, (CK_SESSION_HANDLE hSession, CK_FLAGS flags))                      \
    X(C_MessageEncryptInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,     \
                             CK_OBJECT_HANDLE hKey))                                      \
    X(C_EncryptMessage, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,              \
                         CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData,            \
                         CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pPlaintext,            \
                         CK_ULONG ulPlaintextLen, CK_BYTE_PTR pCiphertext,                \
                         CK_ULONG_PTR pulCiphertextLen))                                  \
    X(C_EncryptMessageBegin, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,         \
                              CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData,       \
                              CK_ULONG ulAssociatedDataLen))                              \
    X(C_EncryptMessageNext, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,          \
                             CK_ULONG ulParameterLen, CK_BYTE_PTR pPlaintextPart,         \
                             CK_ULONG ulPlaintextPartLen, CK_BYTE_PTR pCiphertextPart,    \
                             CK_ULONG_PTR pulCiphertextPartLen, CK_FLAGS flags))          \
    X(C_MessageEncryptFinal, (CK_SESSION_HANDLE hSession))                                \
    X(C_MessageDecryptInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,     \
                             CK_OBJECT_HANDLE hKey))                                      \
    X(C_DecryptMessage, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,              \
                         CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData,            \
                         CK_ULONG ulAssociatedDataLen, CK_BYTE_PTR pCiphertext,           \
                         CK_ULONG ulCiphertextLen, CK_BYTE_PTR pPlaintext,                \
                         CK_ULONG_PTR pulPlaintextLen))                                   \
    X(C_DecryptMessageBegin, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,         \
                              CK_ULONG ulParameterLen, CK_BYTE_PTR pAssociatedData,       \
                              CK_ULONG ulAssociatedDataLen))                              \
    X(C_DecryptMessageNext, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,          \
                             CK_ULONG ulParameterLen, CK_BYTE_PTR pCiphertextPart,        \
                             CK_ULONG ulCiphertextPartLen, CK_BYTE_PTR pPlaintextPart,    \
                             CK_ULONG_PTR pulPlaintextPartLen, CK_FLAGS flags))           \
    X(C_MessageDecryptFinal, (CK_SESSION_HANDLE hSession))                                \
    X(C_MessageSignInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,        \
                          CK_OBJECT_HANDLE hKey))                                         \
    X(C_SignMessage, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,                 \
                      CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen,     \
                      CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen))              \
    X(C_SignMessageBegin, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,            \
                           CK_ULONG ulParameterLen))                                      \
    X(C_SignMessageNext, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,             \
                          CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen, \
                          CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen))          \
    X(C_MessageSignFinal, (CK_SESSION_HANDLE hSession))                                   \
    X(C_MessageVerifyInit, (CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism,      \
                            CK_OBJECT_HANDLE hKey))                                       \
    X(C_VerifyMessage, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,               \
                        CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen,   \
                        CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen))                 \
    X(C_VerifyMessageBegin, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,          \
                             CK_ULONG ulParameterLen))                                    \
    X(C_VerifyMessageNext, (CK_SESSION_HANDLE hSession, CK_VOID_PTR pParameter,           \
                            CK_ULONG ulParameterLen, CK_BYTE_PTR pData, CK_ULONG ulDataLen, \
                            CK_BYTE_PTR pSignature, CK_ULONG ulSignatureLen))             \
    X(C_MessageVerifyFinal, (CK_SESSION_HANDLE hSession))

/* Pointer types CK_C_<name> for every function. */
#define TV_P11_POINTER_TYPE(name, params) typedef CK_RV (*CK_##name) params;
TV_P11_FUNCTIONS_2_40(TV_P11_POINTER_TYPE)
TV_P11_FUNCTIONS_3_0(TV_P11_POINTER_TYPE)
#undef TV_P11_POINTER_TYPE

#define TV_P11_LIST_FIELD(name, params) CK_##name name;
struct CK_FUNCTION_LIST {
    CK_VERSION version;
    TV_P11_FUNCTIONS_2_40(TV_P11_LIST_FIELD)
};
struct CK_FUNCTION_LIST_3_0 {
    CK_VERSION version;
    TV_P11_FUNCTIONS_2_40(TV_P11_LIST_FIELD)
    TV_P11_FUNCTIONS_3_0(TV_P11_LIST_FIELD)
};
#undef TV_P11_LIST_FIELD

/* The functions a module exports by name. */
CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList);
CK_RV C_GetInterfaceList(CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount);
CK_RV C_GetInterface(CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,
                     CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags);

/* ---- return values ---------------------------------------------------- */

#define CKR_OK                                0x000UL
#define CKR_CANCEL                            0x001UL
#define CKR_HOST_MEMORY                       0x002UL
#define CKR_SLOT_ID_INVALID                   0x003UL
#define CKR_GENERAL_ERROR                     0x005UL
#define CKR_FUNCTION_FAILED                   0x006UL
#define CKR_ARGUMENTS_BAD                     0x007UL
#define CKR_NO_EVENT                          0x008UL
#define CKR_NEED_TO_CREATE_THREADS            0x009UL
#define CKR_CANT_LOCK                         0x00AUL
#define CKR_ATTRIBUTE_READ_ONLY               0x010UL
#define CKR_ATTRIBUTE_SENSITIVE               0x011UL
#define CKR_ATTRIBUTE_TYPE_INVALID            0x012UL
#define CKR_ATTRIBUTE_VALUE_INVALID           0x013UL
#define CKR_ACTION_PROHIBITED                 0x01BUL
#define CKR_DATA_INVALID                      0x020UL
#define CKR_DATA_LEN_RANGE                    0x021UL
#define CKR_DEVICE_ERROR                      0x030UL
#define CKR_DEVICE_MEMORY                     0x031UL
#define CKR_DEVICE_REMOVED                    0x032UL
#define CKR_ENCRYPTED_DATA_INVALID            0x040UL
#define CKR_ENCRYPTED_DATA_LEN_RANGE          0x041UL
#define CKR_FUNCTION_CANCELED                 0x050UL
#define CKR_FUNCTION_NOT_PARALLEL             0x051UL
#define CKR_FUNCTION_NOT_SUPPORTED            0x054UL
#define CKR_KEY_HANDLE_INVALID                0x060UL
#define CKR_KEY_SIZE_RANGE                    0x062UL
#define CKR_KEY_TYPE_INCONSISTENT             0x063UL
#define CKR_KEY_NOT_NEEDED                    0x064UL
#define CKR_KEY_CHANGED                       0x065UL
#define CKR_KEY_NEEDED                        0x066UL
#define CKR_KEY_INDIGESTIBLE                  0x067UL
#define CKR_KEY_FUNCTION_NOT_PERMITTED        0x068UL
#define CKR_KEY_NOT_WRAPPABLE                 0x069UL
#define CKR_KEY_UNEXTRACTABLE                 0x06AUL
#define CKR_MECHANISM_INVALID                 0x070UL
#define CKR_MECHANISM_PARAM_INVALID           0x071UL
#define CKR_OBJECT_HANDLE_INVALID             0x082UL
#define CKR_OPERATION_ACTIVE                  0x090UL
#define CKR_OPERATION_NOT_INITIALIZED         0x091UL
#define CKR_PIN_INCORRECT                     0x0A0UL
#define CKR_PIN_INVALID                       0x0A1UL
#define CKR_PIN_LEN_RANGE                     0x0A2UL
#define CKR_PIN_EXPIRED                       0x0A3UL
#define CKR_PIN_LOCKED                        0x0A4UL
#define CKR_SESSION_CLOSED                    0x0B0UL
#define CKR_SESSION_COUNT                     0x0B1UL
#define CKR_SESSION_HANDLE_INVALID            0x0B3UL
#define CKR_SESSION_PARALLEL_NOT_SUPPORTED    0x0B4UL
#define CKR_SESSION_READ_ONLY                 0x0B5UL
#define CKR_SESSION_EXISTS                    0x0B6UL
#define CKR_SESSION_READ_ONLY_EXISTS          0x0B7UL
#define CKR_SESSION_READ_WRITE_SO_EXISTS      0x0B8UL
#define CKR_SIGNATURE_INVALID                 0x0C0UL
#define CKR_SIGNATURE_LEN_RANGE               0x0C1UL
#define CKR_TEMPLATE_INCOMPLETE               0x0D0UL
#define CKR_TEMPLATE_INCONSISTENT             0x0D1UL
#define CKR_TOKEN_NOT_PRESENT                 0x0E0UL
#define CKR_TOKEN_NOT_RECOGNIZED              0x0E1UL
#define CKR_TOKEN_WRITE_PROTECTED             0x0E2UL
#define CKR_UNWRAPPING_KEY_HANDLE_INVALID     0x0F0UL
#define CKR_UNWRAPPING_KEY_SIZE_RANGE         0x0F1UL
#define CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT  0x0F2UL
#define CKR_USER_ALREADY_LOGGED_IN            0x100UL
#define CKR_USER_NOT_LOGGED_IN                0x101UL
#define CKR_USER_PIN_NOT_INITIALIZED          0x102UL
#define CKR_USER_TYPE_INVALID                 0x103UL
#define CKR_USER_ANOTHER_ALREADY_LOGGED_IN    0x104UL
#define CKR_USER_TOO_MANY_TYPES               0x105UL
#define CKR_WRAPPED_KEY_INVALID               0x110UL
#define CKR_WRAPPED_KEY_LEN_RANGE             0x112UL
#define CKR_WRAPPING_KEY_HANDLE_INVALID       0x113UL
#define CKR_WRAPPING_KEY_SIZE_RANGE           0x114UL
#define CKR_WRAPPING_KEY_TYPE_INCONSISTENT    0x115UL
#define CKR_RANDOM_SEED_NOT_SUPPORTED         0x120UL
#define CKR_RANDOM_NO_RNG                     0x121UL
#define CKR_DOMAIN_PARAMS_INVALID             0x130UL
#define CKR_CURVE_NOT_SUPPORTED               0x140UL
#define CKR_BUFFER_TOO_SMALL                  0x150UL
#define CKR_SAVED_STATE_INVALID               0x160UL
#define CKR_INFORMATION_SENSITIVE             0x170UL
#define CKR_STATE_UNSAVEABLE                  0x180UL
#define CKR_CRYPTOKI_NOT_INITIALIZED          0x190UL
#define CKR_CRYPTOKI_ALREADY_INITIALIZED      0x191UL
#define CKR_MUTEX_BAD                         0x1A0UL
#define CKR_MUTEX_NOT_LOCKED                  0x1A1UL
#define CKR_NEW_PIN_MODE                      0x1B0UL
#define CKR_NEXT_OTP                          0x1B1UL
#define CKR_EXCEEDED_MAX_ITERATIONS           0x1B5UL
#define CKR_FIPS_SELF_TEST_FAILED             0x1B6UL
#define CKR_LIBRARY_LOAD_FAILED               0x1B7UL
#define CKR_PIN_TOO_WEAK                      0x1B8UL
#define CKR_PUBLIC_KEY_INVALID                0x1B9UL
#define CKR_FUNCTION_REJECTED                 0x200UL
#define CKR_TOKEN_RESOURCE_EXCEEDED           0x201UL
#define CKR_OPERATION_CANCEL_FAILED           0x202UL
#define CKR_VENDOR_DEFINED                    0x80000000UL

/* ---- flags ------------------------------------------------------------ */

/* CK_SLOT_INFO.flags */
#define CKF_TOKEN_PRESENT                   0x00000001UL
#define CKF_REMOVABLE_DEVICE                0x00000002UL
#define CKF_HW_SLOT                         0x00000004UL
/* CK_TOKEN_INFO.flags */
#define CKF_RNG                             0x00000001UL
#define CKF_WRITE_PROTECTED                 0x00000002UL
#define CKF_LOGIN_REQUIRED                  0x00000004UL
#define CKF_USER_PIN_INITIALIZED            0x00000008UL
#define CKF_RESTORE_KEY_NOT_NEEDED          0x00000020UL
#define CKF_CLOCK_ON_TOKEN                  0x00000040UL
#define CKF_PROTECTED_AUTHENTICATION_PATH   0x00000100UL
#define CKF_DUAL_CRYPTO_OPERATIONS          0x00000200UL
#define CKF_TOKEN_INITIALIZED               0x00000400UL
#define CKF_USER_PIN_COUNT_LOW              0x00010000UL
#define CKF_USER_PIN_FINAL_TRY              0x00020000UL
#define CKF_USER_PIN_LOCKED                 0x00040000UL
#define CKF_USER_PIN_TO_BE_CHANGED          0x00080000UL
/* CK_SESSION_INFO.flags, C_OpenSession flags */
#define CKF_RW_SESSION                      0x00000002UL
#define CKF_SERIAL_SESSION                  0x00000004UL
/* CK_C_INITIALIZE_ARGS.flags */
#define CKF_LIBRARY_CANT_CREATE_OS_THREADS  0x00000001UL
#define CKF_OS_LOCKING_OK                   0x00000002UL
/* C_WaitForSlotEvent flags */
#define CKF_DONT_BLOCK                      0x00000001UL
/* CK_INTERFACE.flags */
#define CKF_INTERFACE_FORK_SAFE             0x00000001UL
/* CK_MECHANISM_INFO.flags, also C_SessionCancel flags */
#define CKF_HW                              0x00000001UL
#define CKF_MESSAGE_ENCRYPT                 0x00000002UL
#define CKF_MESSAGE_DECRYPT                 0x00000004UL
#define CKF_MESSAGE_SIGN                    0x00000008UL
#define CKF_MESSAGE_VERIFY                  0x00000010UL
#define CKF_MULTI_MESSAGE                   0x00000020UL
#define CKF_FIND_OBJECTS                    0x00000040UL
#define CKF_ENCRYPT                         0x00000100UL
#define CKF_DECRYPT                         0x00000200UL
#define CKF_DIGEST                          0x00000400UL
#define CKF_SIGN                            0x00000800UL
#define CKF_SIGN_RECOVER                    0x00001000UL
#define CKF_VERIFY                          0x00002000UL
#define CKF_VERIFY_RECOVER                  0x00004000UL
#define CKF_GENERATE                        0x00008000UL
#define CKF_GENERATE_KEY_PAIR               0x00010000UL
#define CKF_WRAP                            0x00020000UL
#define CKF_UNWRAP                          0x00040000UL
#define CKF_DERIVE                          0x00080000UL
#define CKF_EC_F_P                          0x00100000UL
#define CKF_EC_F_2M                         0x00200000UL
#define CKF_EC_ECPARAMETERS                 0x00400000UL
#define CKF_EC_OID                          0x00800000UL
#define CKF_EC_UNCOMPRESS                   0x01000000UL
#define CKF_EC_COMPRESS                     0x02000000UL
#define CKF_ARRAY_ATTRIBUTE                 0x40000000UL

/* ---- users and session states ----------------------------------------- */

#define CKU_SO                  0UL
#define CKU_USER                1UL
#define CKU_CONTEXT_SPECIFIC    2UL

#define CKS_RO_PUBLIC_SESSION   0UL
#define CKS_RO_USER_FUNCTIONS   1UL
#define CKS_RW_PUBLIC_SESSION   2UL
#define CKS_RW_USER_FUNCTIONS   3UL
#define CKS_RW_SO_FUNCTIONS     4UL

/* ---- objects ---------------------------------------------------------- */

#define CKO_DATA                0x0UL
#define CKO_CERTIFICATE         0x1UL
#define CKO_PUBLIC_KEY          0x2UL
#define CKO_PRIVATE_KEY         0x3UL
#define CKO_SECRET_KEY          0x4UL
#define CKO_HW_FEATURE          0x5UL
#define CKO_DOMAIN_PARAMETERS   0x6UL
#define CKO_MECHANISM           0x7UL
#define CKO_OTP_KEY             0x8UL
#define CKO_PROFILE             0x9UL
#define CKO_VENDOR_DEFINED      0x80000000UL

#define CKK_RSA                 0x00UL
#define CKK_DSA                 0x01UL
#define CKK_DH                  0x02UL
#define CKK_EC                  0x03UL

#define CKC_X_509               0x0UL

#define CK_CERTIFICATE_CATEGORY_UNSPECIFIED   0UL
#define CK_CERTIFICATE_CATEGORY_TOKEN_USER    1UL
#define CK_CERTIFICATE_CATEGORY_AUTHORITY     2UL
#define CK_CERTIFICATE_CATEGORY_OTHER_ENTITY  3UL

#define CK_SECURITY_DOMAIN_UNSPECIFIED        0UL

#define CKP_INVALID_ID                  0x0UL
#define CKP_BASELINE_PROVIDER           0x1UL
#define CKP_EXTENDED_PROVIDER           0x2UL
#define CKP_AUTHENTICATION_TOKEN        0x3UL
#define CKP_PUBLIC_CERTIFICATES_TOKEN   0x4UL

/* ---- attributes ------------------------------------------------------- */

#define CKA_CLASS                       0x000UL
#define CKA_TOKEN                       0x001UL
#define CKA_PRIVATE                     0x002UL
#define CKA_LABEL                       0x003UL
#define CKA_UNIQUE_ID                   0x004UL
#define CKA_APPLICATION                 0x010UL
#define CKA_VALUE                       0x011UL
#define CKA_OBJECT_ID                   0x012UL
#define CKA_CERTIFICATE_TYPE            0x080UL
#define CKA_ISSUER                      0x081UL
#define CKA_SERIAL_NUMBER               0x082UL
#define CKA_AC_ISSUER                   0x083UL
#define CKA_OWNER                       0x084UL
#define CKA_ATTR_TYPES                  0x085UL
#define CKA_TRUSTED                     0x086UL
#define CKA_CERTIFICATE_CATEGORY        0x087UL
#define CKA_JAVA_MIDP_SECURITY_DOMAIN   0x088UL
#define CKA_URL                         0x089UL
#define CKA_HASH_OF_SUBJECT_PUBLIC_KEY  0x08AUL
#define CKA_HASH_OF_ISSUER_PUBLIC_KEY   0x08BUL
#define CKA_NAME_HASH_ALGORITHM         0x08CUL
#define CKA_CHECK_VALUE                 0x090UL
#define CKA_KEY_TYPE                    0x100UL
#define CKA_SUBJECT                     0x101UL
#define CKA_ID                          0x102UL
#define CKA_SENSITIVE                   0x103UL
#define CKA_ENCRYPT                     0x104UL
#define CKA_DECRYPT                     0x105UL
#define CKA_WRAP                        0x106UL
#define CKA_UNWRAP                      0x107UL
#define CKA_SIGN                        0x108UL
#define CKA_SIGN_RECOVER                0x109UL
#define CKA_VERIFY                      0x10AUL
#define CKA_VERIFY_RECOVER              0x10BUL
#define CKA_DERIVE                      0x10CUL
#define CKA_START_DATE                  0x110UL
#define CKA_END_DATE                    0x111UL
#define CKA_MODULUS                     0x120UL
#define CKA_MODULUS_BITS                0x121UL
#define CKA_PUBLIC_EXPONENT             0x122UL
#define CKA_PRIVATE_EXPONENT            0x123UL
#define CKA_PRIME_1                     0x124UL
#define CKA_PRIME_2                     0x125UL
#define CKA_EXPONENT_1                  0x126UL
#define CKA_EXPONENT_2                  0x127UL
#define CKA_COEFFICIENT                 0x128UL
#define CKA_PUBLIC_KEY_INFO             0x129UL
#define CKA_PRIME                       0x130UL
#define CKA_SUBPRIME                    0x131UL
#define CKA_BASE                        0x132UL
#define CKA_VALUE_BITS                  0x160UL
#define CKA_VALUE_LEN                   0x161UL
#define CKA_EXTRACTABLE                 0x162UL
#define CKA_LOCAL                       0x163UL
#define CKA_NEVER_EXTRACTABLE           0x164UL
#define CKA_ALWAYS_SENSITIVE            0x165UL
#define CKA_KEY_GEN_MECHANISM           0x166UL
#define CKA_MODIFIABLE                  0x170UL
#define CKA_COPYABLE                    0x171UL
#define CKA_DESTROYABLE                 0x172UL
#define CKA_EC_PARAMS                   0x180UL
#define CKA_EC_POINT                    0x181UL
#define CKA_ALWAYS_AUTHENTICATE         0x202UL
#define CKA_WRAP_WITH_TRUSTED           0x210UL
#define CKA_WRAP_TEMPLATE               (CKF_ARRAY_ATTRIBUTE | 0x211UL)
#define CKA_UNWRAP_TEMPLATE             (CKF_ARRAY_ATTRIBUTE | 0x212UL)
#define CKA_DERIVE_TEMPLATE             (CKF_ARRAY_ATTRIBUTE | 0x213UL)
#define CKA_ALLOWED_MECHANISMS          (CKF_ARRAY_ATTRIBUTE | 0x600UL)
#define CKA_PROFILE_ID                  0x601UL
#define CKA_VENDOR_DEFINED              0x80000000UL

/* ---- mechanisms ------------------------------------------------------- */

#define CKM_RSA_PKCS_KEY_PAIR_GEN       0x0000UL
#define CKM_RSA_PKCS                    0x0001UL
#define CKM_RSA_X_509                   0x0003UL
#define CKM_SHA1_RSA_PKCS               0x0006UL
#define CKM_RSA_PKCS_PSS                0x000DUL
#define CKM_SHA1_RSA_PKCS_PSS           0x000EUL
#define CKM_SHA256_RSA_PKCS             0x0040UL
#define CKM_SHA384_RSA_PKCS             0x0041UL
#define CKM_SHA512_RSA_PKCS             0x0042UL
#define CKM_SHA256_RSA_PKCS_PSS         0x0043UL
#define CKM_SHA384_RSA_PKCS_PSS         0x0044UL
#define CKM_SHA512_RSA_PKCS_PSS         0x0045UL
#define CKM_SHA224_RSA_PKCS             0x0046UL
#define CKM_SHA224_RSA_PKCS_PSS         0x0047UL
#define CKM_SHA_1                       0x0220UL
#define CKM_SHA224                      0x0255UL
#define CKM_SHA256                      0x0250UL
#define CKM_SHA384                      0x0260UL
#define CKM_SHA512                      0x0270UL
#define CKM_EC_KEY_PAIR_GEN             0x1040UL
#define CKM_ECDSA                       0x1041UL
#define CKM_ECDSA_SHA1                  0x1042UL
#define CKM_ECDSA_SHA224                0x1043UL
#define CKM_ECDSA_SHA256                0x1044UL
#define CKM_ECDSA_SHA384                0x1045UL
#define CKM_ECDSA_SHA512                0x1046UL
#define CKM_VENDOR_DEFINED              0x80000000UL

#define CKG_MGF1_SHA1                   0x1UL
#define CKG_MGF1_SHA256                 0x2UL
#define CKG_MGF1_SHA384                 0x3UL
#define CKG_MGF1_SHA512                 0x4UL
#define CKG_MGF1_SHA224                 0x5UL

#ifdef __cplusplus
}
#endif

#endif
