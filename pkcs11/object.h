/* PKCS#11 objects built from a snapshot, and the attribute rules of the
 * standard (C_GetAttributeValue, template matching).
 *
 * Per credential, sharing one CKA_ID: the certificate, the public key and
 * the private key (private: only visible after login).  Then one
 * certificate object per CA certificate, and a CKO_PROFILE object saying
 * CKP_PUBLIC_CERTIFICATES_TOKEN (certificates are readable without login). */
#ifndef TV_OBJECT_H
#define TV_OBJECT_H

#include "snapshot.h"
#include "tv_pkcs11.h"

#include <stdbool.h>
#include <stddef.h>

#define TV_OBJECT_ATTRS_MAX 48
#define TV_KEY_MECHS_MAX 12

struct tv_attr {
    CK_ATTRIBUTE_TYPE type;
    const void *value;
    CK_ULONG len;
    bool sensitive;          /* exists, but its value is never revealed */
};

struct tv_object {
    CK_OBJECT_CLASS cls;
    bool is_private;
    const struct tv_cred *cred;           /* keys and end-entity certificates */
    struct tv_attr attrs[TV_OBJECT_ATTRS_MAX];
    size_t nattrs;
    /* storage for values that are not bytes of the snapshot */
    CK_ULONG ulongs[8];
    size_t nulongs;
    CK_DATE dates[2];
    CK_MECHANISM_TYPE mechs[TV_KEY_MECHS_MAX];
};

struct tv_token {
    struct tv_snapshot *snap;
    struct tv_object *objects;
    size_t nobjects;
    bool has_rsa, has_ec;
    CK_ULONG rsa_min_bits, rsa_max_bits, ec_min_bits, ec_max_bits;
};

/* Build the objects of a snapshot; the token takes ownership of snap (also
 * on failure).  TV_ERR_NOMEM or TV_ERR_PROTOCOL. */
int tv_token_build(struct tv_snapshot *snap, struct tv_token **out);
void tv_token_free(struct tv_token *token);

const struct tv_attr *tv_object_attr(const struct tv_object *obj, CK_ATTRIBUTE_TYPE type);

/* C_GetAttributeValue for one object, exactly as the standard says: every
 * entry of the template is processed; unknown attributes and sensitive ones
 * get ulValueLen = CK_UNAVAILABLE_INFORMATION, a NULL pValue gets the length,
 * a short buffer gets CK_UNAVAILABLE_INFORMATION.  Returns CKR_OK or one of
 * CKR_ATTRIBUTE_SENSITIVE, CKR_ATTRIBUTE_TYPE_INVALID, CKR_BUFFER_TOO_SMALL
 * (in that order of precedence). */
CK_RV tv_object_get_attributes(const struct tv_object *obj, CK_ATTRIBUTE *tmpl, CK_ULONG count);

/* Every template attribute is present with exactly that value. */
bool tv_object_matches(const struct tv_object *obj, const CK_ATTRIBUTE *tmpl, CK_ULONG count);

/* Sum of the attribute value lengths (C_GetObjectSize). */
CK_ULONG tv_object_size(const struct tv_object *obj);

#endif
