/* What a read-only, RNG-less token refuses, with the standard codes, after
 * checking the session and the arguments like any other call. */
#ifndef TV_REFUSE_H
#define TV_REFUSE_H

#include "tv_pkcs11.h"

/* Initialised?  Then CKR_FUNCTION_NOT_SUPPORTED. */
CK_RV tv_unsupported(void);
/* Valid session?  Then CKR_FUNCTION_NOT_SUPPORTED. */
CK_RV tv_unsupported_in_session(CK_SESSION_HANDLE h);

/* Objects are neither created, copied, changed nor destroyed:
 * CKR_SESSION_READ_ONLY in a read-only session, else CKR_ACTION_PROHIBITED
 * (our objects are not CKA_MODIFIABLE, CKA_COPYABLE, CKA_DESTROYABLE). */
CK_RV tv_create_object(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count,
                       CK_OBJECT_HANDLE_PTR out);
CK_RV tv_copy_object(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_PTR tmpl,
                     CK_ULONG count, CK_OBJECT_HANDLE_PTR out);
CK_RV tv_destroy_object(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj);
CK_RV tv_set_attribute_value(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_PTR tmpl,
                             CK_ULONG count);

/* No RNG: CKR_RANDOM_NO_RNG after the checks. */
CK_RV tv_random(CK_SESSION_HANDLE h, CK_BYTE_PTR buf, CK_ULONG len);
/* C_GetFunctionStatus / C_CancelFunction: CKR_FUNCTION_NOT_PARALLEL. */
CK_RV tv_not_parallel(CK_SESSION_HANDLE h);

#endif
