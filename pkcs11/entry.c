/* Every PKCS#11 entry point, as a one-line call into the concept that owns
 * it.  Only C_GetFunctionList, C_GetInterfaceList and C_GetInterface are
 * exported (pkcs11/exports.map); the others are reached through the
 * function lists at the end of this file. */
#include "event.h"
#include "find.h"
#include "general.h"
#include "interface.h"
#include "login.h"
#include "refuse.h"
#include "session.h"
#include "sign.h"
#include "slot.h"

#define EXPORT __attribute__((visibility("default")))

static const CK_VERSION v240 = { 2, 40 };
static const CK_VERSION v30 = { 3, 0 };

/* general */
static CK_RV C_Initialize(CK_VOID_PTR a) { return tv_initialize(a); }
static CK_RV C_Finalize(CK_VOID_PTR r) { return tv_finalize(r); }
static CK_RV C_GetInfo(CK_INFO_PTR i) { return tv_get_info(i, v240); }
static CK_RV C_GetInfo_3_0(CK_INFO_PTR i) { return tv_get_info(i, v30); }
EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR pp) { return tv_get_function_list(pp); }
EXPORT CK_RV C_GetInterfaceList(CK_INTERFACE_PTR l, CK_ULONG_PTR n) { return tv_get_interface_list(l, n); }
EXPORT CK_RV C_GetInterface(CK_UTF8CHAR_PTR name, CK_VERSION_PTR v, CK_INTERFACE_PTR_PTR pp, CK_FLAGS f) { return tv_get_interface(name, v, pp, f); }

/* slot and token */
static CK_RV C_GetSlotList(CK_BBOOL p, CK_SLOT_ID_PTR l, CK_ULONG_PTR n) { return tv_get_slot_list(p, l, n); }
static CK_RV C_GetSlotInfo(CK_SLOT_ID s, CK_SLOT_INFO_PTR i) { return tv_get_slot_info(s, i); }
static CK_RV C_GetTokenInfo(CK_SLOT_ID s, CK_TOKEN_INFO_PTR i) { return tv_get_token_info(s, i); }
static CK_RV C_GetMechanismList(CK_SLOT_ID s, CK_MECHANISM_TYPE_PTR l, CK_ULONG_PTR n) { return tv_get_mechanism_list(s, l, n); }
static CK_RV C_GetMechanismInfo(CK_SLOT_ID s, CK_MECHANISM_TYPE t, CK_MECHANISM_INFO_PTR i) { return tv_get_mechanism_info(s, t, i); }
static CK_RV C_InitToken(CK_SLOT_ID s, CK_UTF8CHAR_PTR p, CK_ULONG n, CK_UTF8CHAR_PTR l) { return tv_unsupported(); }
static CK_RV C_InitPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR p, CK_ULONG n) { return tv_unsupported_in_session(h); }
static CK_RV C_SetPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR o, CK_ULONG on, CK_UTF8CHAR_PTR p, CK_ULONG n) { return tv_unsupported_in_session(h); }
static CK_RV C_WaitForSlotEvent(CK_FLAGS f, CK_SLOT_ID_PTR s, CK_VOID_PTR r) { return tv_wait_for_slot_event(f, s, r); }

/* sessions and login */
static CK_RV C_OpenSession(CK_SLOT_ID s, CK_FLAGS f, CK_VOID_PTR a, CK_NOTIFY n, CK_SESSION_HANDLE_PTR h) { return tv_open_session(s, f, a, n, h); }
static CK_RV C_CloseSession(CK_SESSION_HANDLE h) { return tv_close_session(h); }
static CK_RV C_CloseAllSessions(CK_SLOT_ID s) { return tv_close_all_sessions(s); }
static CK_RV C_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR i) { return tv_get_session_info(h, i); }
static CK_RV C_GetOperationState(CK_SESSION_HANDLE h, CK_BYTE_PTR p, CK_ULONG_PTR n) { return tv_unsupported_in_session(h); }
static CK_RV C_SetOperationState(CK_SESSION_HANDLE h, CK_BYTE_PTR p, CK_ULONG n, CK_OBJECT_HANDLE e, CK_OBJECT_HANDLE a) { return tv_unsupported_in_session(h); }
static CK_RV C_Login(CK_SESSION_HANDLE h, CK_USER_TYPE u, CK_UTF8CHAR_PTR p, CK_ULONG n) { return tv_login(h, u, p, n); }
static CK_RV C_LoginUser(CK_SESSION_HANDLE h, CK_USER_TYPE u, CK_UTF8CHAR_PTR p, CK_ULONG n, CK_UTF8CHAR_PTR un, CK_ULONG unn) { return tv_login(h, u, p, n); }
static CK_RV C_Logout(CK_SESSION_HANDLE h) { return tv_logout(h); }
static CK_RV C_SessionCancel(CK_SESSION_HANDLE h, CK_FLAGS f) { return tv_session_cancel(h, f); }
static CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE h) { return tv_not_parallel(h); }
static CK_RV C_CancelFunction(CK_SESSION_HANDLE h) { return tv_not_parallel(h); }

/* objects */
static CK_RV C_CreateObject(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR o) { return tv_create_object(h, t, n, o); }
static CK_RV C_CopyObject(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR no) { return tv_copy_object(h, o, t, n, no); }
static CK_RV C_DestroyObject(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o) { return tv_destroy_object(h, o); }
static CK_RV C_GetObjectSize(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ULONG_PTR n) { return tv_get_object_size(h, o, n); }
static CK_RV C_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n) { return tv_get_attribute_value(h, o, t, n); }
static CK_RV C_SetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t, CK_ULONG n) { return tv_set_attribute_value(h, o, t, n); }
static CK_RV C_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n) { return tv_find_init(h, t, n); }
static CK_RV C_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR o, CK_ULONG m, CK_ULONG_PTR n) { return tv_find(h, o, m, n); }
static CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE h) { return tv_find_final(h); }

/* signing */
static CK_RV C_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k) { return tv_sign_init(h, m, k); }
static CK_RV C_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR s, CK_ULONG_PTR sn) { return tv_sign(h, d, n, s, sn); }
static CK_RV C_SignUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR p, CK_ULONG n) { return tv_sign_update(h, p, n); }
static CK_RV C_SignFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR s, CK_ULONG_PTR sn) { return tv_sign_final(h, s, sn); }

/* randomness: the token has no RNG */
static CK_RV C_SeedRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR s, CK_ULONG n) { return tv_random(h, s, n); }
static CK_RV C_GenerateRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR r, CK_ULONG n) { return tv_random(h, r, n); }

/* everything this token does not do */
static CK_RV C_EncryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k) { return tv_unsupported(); }
static CK_RV C_Encrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR e, CK_ULONG_PTR en) { return tv_unsupported(); }
static CK_RV C_EncryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR p, CK_ULONG n, CK_BYTE_PTR e, CK_ULONG_PTR en) { return tv_unsupported(); }
static CK_RV C_EncryptFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR e, CK_ULONG_PTR en) { return tv_unsupported(); }
static CK_RV C_DecryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k) { return tv_unsupported(); }
static CK_RV C_Decrypt(CK_SESSION_HANDLE h, CK_BYTE_PTR e, CK_ULONG en, CK_BYTE_PTR d, CK_ULONG_PTR n) { return tv_unsupported(); }
static CK_RV C_DecryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR e, CK_ULONG en, CK_BYTE_PTR p, CK_ULONG_PTR n) { return tv_unsupported(); }
static CK_RV C_DecryptFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR p, CK_ULONG_PTR n) { return tv_unsupported(); }
static CK_RV C_DigestInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m) { return tv_unsupported(); }
static CK_RV C_Digest(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR o, CK_ULONG_PTR on) { return tv_unsupported(); }
static CK_RV C_DigestUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR p, CK_ULONG n) { return tv_unsupported(); }
static CK_RV C_DigestKey(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE k) { return tv_unsupported(); }
static CK_RV C_DigestFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR o, CK_ULONG_PTR on) { return tv_unsupported(); }
static CK_RV C_SignRecoverInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k) { return tv_unsupported(); }
static CK_RV C_SignRecover(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR s, CK_ULONG_PTR sn) { return tv_unsupported(); }
static CK_RV C_VerifyInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k) { return tv_unsupported(); }
static CK_RV C_Verify(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR s, CK_ULONG sn) { return tv_unsupported(); }
static CK_RV C_VerifyUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR p, CK_ULONG n) { return tv_unsupported(); }
static CK_RV C_VerifyFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR s, CK_ULONG sn) { return tv_unsupported(); }
static CK_RV C_VerifyRecoverInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k) { return tv_unsupported(); }
static CK_RV C_VerifyRecover(CK_SESSION_HANDLE h, CK_BYTE_PTR s, CK_ULONG sn, CK_BYTE_PTR d, CK_ULONG_PTR n) { return tv_unsupported(); }
static CK_RV C_DigestEncryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR p, CK_ULONG n, CK_BYTE_PTR e, CK_ULONG_PTR en) { return tv_unsupported(); }
static CK_RV C_DecryptDigestUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR e, CK_ULONG en, CK_BYTE_PTR p, CK_ULONG_PTR n) { return tv_unsupported(); }
static CK_RV C_SignEncryptUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR p, CK_ULONG n, CK_BYTE_PTR e, CK_ULONG_PTR en) { return tv_unsupported(); }
static CK_RV C_DecryptVerifyUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR e, CK_ULONG en, CK_BYTE_PTR p, CK_ULONG_PTR n) { return tv_unsupported(); }
static CK_RV C_GenerateKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR k) { return tv_unsupported(); }
static CK_RV C_GenerateKeyPair(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pt, CK_ULONG pn, CK_ATTRIBUTE_PTR st, CK_ULONG sn, CK_OBJECT_HANDLE_PTR pk, CK_OBJECT_HANDLE_PTR sk) { return tv_unsupported(); }
static CK_RV C_WrapKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE w, CK_OBJECT_HANDLE k, CK_BYTE_PTR o, CK_ULONG_PTR on) { return tv_unsupported(); }
static CK_RV C_UnwrapKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE u, CK_BYTE_PTR w, CK_ULONG wn, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR k) { return tv_unsupported(); }
static CK_RV C_DeriveKey(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE b, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR k) { return tv_unsupported(); }
static CK_RV C_MessageEncryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k) { return tv_unsupported(); }
static CK_RV C_EncryptMessage(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pn, CK_BYTE_PTR a, CK_ULONG an, CK_BYTE_PTR t, CK_ULONG tn, CK_BYTE_PTR c, CK_ULONG_PTR cn) { return tv_unsupported(); }
static CK_RV C_EncryptMessageBegin(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pn, CK_BYTE_PTR a, CK_ULONG an) { return tv_unsupported(); }
static CK_RV C_EncryptMessageNext(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pn, CK_BYTE_PTR t, CK_ULONG tn, CK_BYTE_PTR c, CK_ULONG_PTR cn, CK_FLAGS f) { return tv_unsupported(); }
static CK_RV C_MessageEncryptFinal(CK_SESSION_HANDLE h) { return tv_unsupported(); }
static CK_RV C_MessageDecryptInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k) { return tv_unsupported(); }
static CK_RV C_DecryptMessage(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pn, CK_BYTE_PTR a, CK_ULONG an, CK_BYTE_PTR c, CK_ULONG cn, CK_BYTE_PTR t, CK_ULONG_PTR tn) { return tv_unsupported(); }
static CK_RV C_DecryptMessageBegin(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pn, CK_BYTE_PTR a, CK_ULONG an) { return tv_unsupported(); }
static CK_RV C_DecryptMessageNext(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pn, CK_BYTE_PTR c, CK_ULONG cn, CK_BYTE_PTR t, CK_ULONG_PTR tn, CK_FLAGS f) { return tv_unsupported(); }
static CK_RV C_MessageDecryptFinal(CK_SESSION_HANDLE h) { return tv_unsupported(); }
static CK_RV C_MessageSignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k) { return tv_unsupported(); }
static CK_RV C_SignMessage(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pn, CK_BYTE_PTR d, CK_ULONG dn, CK_BYTE_PTR s, CK_ULONG_PTR sn) { return tv_unsupported(); }
static CK_RV C_SignMessageBegin(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pn) { return tv_unsupported(); }
static CK_RV C_SignMessageNext(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pn, CK_BYTE_PTR d, CK_ULONG dn, CK_BYTE_PTR s, CK_ULONG_PTR sn) { return tv_unsupported(); }
static CK_RV C_MessageSignFinal(CK_SESSION_HANDLE h) { return tv_unsupported(); }
static CK_RV C_MessageVerifyInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k) { return tv_unsupported(); }
static CK_RV C_VerifyMessage(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pn, CK_BYTE_PTR d, CK_ULONG dn, CK_BYTE_PTR s, CK_ULONG sn) { return tv_unsupported(); }
static CK_RV C_VerifyMessageBegin(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pn) { return tv_unsupported(); }
static CK_RV C_VerifyMessageNext(CK_SESSION_HANDLE h, CK_VOID_PTR p, CK_ULONG pn, CK_BYTE_PTR d, CK_ULONG dn, CK_BYTE_PTR s, CK_ULONG sn) { return tv_unsupported(); }
static CK_RV C_MessageVerifyFinal(CK_SESSION_HANDLE h) { return tv_unsupported(); }

/* The lists, in the standard's order (TV_P11_FUNCTIONS_* in tv_pkcs11.h). */
#define LIST_ENTRY(name, params) name,
const CK_FUNCTION_LIST tv_functions_240 = {
    { 2, 40 },
    TV_P11_FUNCTIONS_2_40(LIST_ENTRY)
};

#define C_GetInfo C_GetInfo_3_0
const CK_FUNCTION_LIST_3_0 tv_functions_30 = {
    { 3, 0 },
    TV_P11_FUNCTIONS_2_40(LIST_ENTRY)
    TV_P11_FUNCTIONS_3_0(LIST_ENTRY)
};
#undef C_GetInfo
