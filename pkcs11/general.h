/* C_Initialize, C_Finalize, C_GetInfo: the module's life in a process. */
#ifndef TV_GENERAL_H
#define TV_GENERAL_H

#include "tv_pkcs11.h"

CK_RV tv_initialize(CK_VOID_PTR args);
CK_RV tv_finalize(CK_VOID_PTR reserved);
/* `version` is the interface the caller holds (2.40 or 3.0). */
CK_RV tv_get_info(CK_INFO_PTR info, CK_VERSION version);

#define TV_FINALIZE_WAIT_MS 5000

#endif
