/* The three exported functions: the 2.40 function list and the 3.0
 * interfaces.  Both lists are offered as interface "PKCS 11" (3.0 first);
 * neither says CKF_INTERFACE_FORK_SAFE, because a forked child must call
 * C_Initialize again (module.h). */
#ifndef TV_INTERFACE_H
#define TV_INTERFACE_H

#include "tv_pkcs11.h"

extern const CK_FUNCTION_LIST tv_functions_240;
extern const CK_FUNCTION_LIST_3_0 tv_functions_30;

CK_RV tv_get_function_list(CK_FUNCTION_LIST_PTR_PTR out);
CK_RV tv_get_interface_list(CK_INTERFACE_PTR list, CK_ULONG_PTR count);
CK_RV tv_get_interface(CK_UTF8CHAR_PTR name, CK_VERSION_PTR version, CK_INTERFACE_PTR_PTR out,
                       CK_FLAGS flags);

#endif
