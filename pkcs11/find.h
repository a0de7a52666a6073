/* Object handles, C_FindObjects* and attribute reads, all served from the
 * snapshot in memory.
 *
 * Handle = ((token instance & 0xffff) << 16) | (object index + 1): handles
 * stay valid while the token does, and a handle from a replaced token is
 * refused instead of naming another object.  Private objects (the private
 * keys) exist only for an application that is logged in. */
#ifndef TV_FIND_H
#define TV_FIND_H

#include "object.h"
#include "tv_pkcs11.h"

/* Lock held.  CKR_OBJECT_HANDLE_INVALID for an unknown handle, a handle of
 * another token, or a private object while logged out. */
CK_RV tv_object_lookup(CK_OBJECT_HANDLE handle, const struct tv_object **out);
/* Lock held.  Like tv_object_lookup, but a private object while logged out
 * is CKR_USER_NOT_LOGGED_IN (C_SignInit wants to say so). */
CK_RV tv_key_lookup(CK_OBJECT_HANDLE handle, const struct tv_object **out);

CK_RV tv_find_init(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR tmpl, CK_ULONG count);
CK_RV tv_find(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR out, CK_ULONG max, CK_ULONG_PTR count);
CK_RV tv_find_final(CK_SESSION_HANDLE h);
CK_RV tv_get_attribute_value(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_PTR tmpl,
                             CK_ULONG count);
CK_RV tv_get_object_size(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ULONG_PTR size);

#endif
