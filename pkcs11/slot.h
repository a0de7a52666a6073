/* The one slot and its token, and the mechanisms the token offers: answered
 * from memory (after the cheap refresh of token.h). */
#ifndef TV_SLOT_H
#define TV_SLOT_H

#include "tv_pkcs11.h"

#include <stddef.h>

CK_RV tv_get_slot_list(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count);
CK_RV tv_get_slot_info(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info);
CK_RV tv_get_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info);
CK_RV tv_get_mechanism_list(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count);
CK_RV tv_get_mechanism_info(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info);

/* Copy s into a blank-padded, not NUL-terminated PKCS#11 text field;
 * cut at a UTF-8 character boundary. */
void tv_pad(CK_UTF8CHAR *field, size_t size, const char *s);

#endif
