#include "slot.h"

#include "login.h"
#include "mech.h"
#include "module.h"
#include "token.h"
#include "tv_proto.h"

#include <stdio.h>
#include <string.h>

#define MANUFACTURER "Tarjeta virtual"

void tv_pad(CK_UTF8CHAR *field, size_t size, const char *s)
{
    size_t n = strlen(s);

    if (n > size) {
        n = size;
        while (n > 0 && (s[n] & 0xc0) == 0x80)
            n--;                      /* do not split a character */
    }
    memset(field, ' ', size);
    memcpy(field, s, n);
}

static CK_VERSION our_version(void)
{
    CK_VERSION v = { 0, 1 };
    unsigned major = 0, minor = 1;

    if (sscanf(TV_VERSION, "%u.%u", &major, &minor) == 2) {
        v.major = (CK_BYTE)major;
        v.minor = (CK_BYTE)minor;
    }
    return v;
}

CK_RV tv_get_slot_list(CK_BBOOL present, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
    CK_ULONG n;
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    tv_token_refresh();
    n = present && tv_mod.token == NULL ? 0 : 1;
    if (count == NULL)
        rv = CKR_ARGUMENTS_BAD;
    else if (list == NULL)
        *count = n;
    else if (*count < n) {
        *count = n;
        rv = CKR_BUFFER_TOO_SMALL;
    } else {
        if (n > 0)
            list[0] = TV_SLOT_ID;
        *count = n;
    }
    tv_leave();
    return rv;
}

CK_RV tv_get_slot_info(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info)
{
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    tv_token_refresh();
    if (slot != TV_SLOT_ID)
        rv = CKR_SLOT_ID_INVALID;
    else if (info == NULL)
        rv = CKR_ARGUMENTS_BAD;
    else {
        tv_pad(info->slotDescription, sizeof info->slotDescription, "Tarjeta virtual BakQ");
        tv_pad(info->manufacturerID, sizeof info->manufacturerID, MANUFACTURER);
        info->flags = CKF_REMOVABLE_DEVICE | (tv_mod.token != NULL ? CKF_TOKEN_PRESENT : 0);
        info->hardwareVersion = our_version();
        info->firmwareVersion = our_version();
    }
    tv_leave();
    return rv;
}

static void fill_token_info(CK_TOKEN_INFO_PTR info)
{
    const char *dni = tv_mod.token->snap->dni;
    char label[64];

    snprintf(label, sizeof label, "BakQ %s", dni);
    tv_pad(info->label, sizeof info->label, label);
    tv_pad(info->manufacturerID, sizeof info->manufacturerID, MANUFACTURER);
    tv_pad(info->model, sizeof info->model, "BakQ cloud");
    tv_pad(info->serialNumber, sizeof info->serialNumber, dni);
    info->flags = CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED | CKF_LOGIN_REQUIRED |
                  (tv_mod.protected_path ? CKF_PROTECTED_AUTHENTICATION_PATH : 0);
    info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
    info->ulSessionCount = tv_mod.session_count;
    info->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
    info->ulRwSessionCount = tv_mod.rw_count;
    info->ulMaxPinLen = TV_PIN_MAX_BYTES;
    info->ulMinPinLen = TV_PASSWORD_CHARS;
    info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
    info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
    info->hardwareVersion = our_version();
    info->firmwareVersion = our_version();
    memset(info->utcTime, ' ', sizeof info->utcTime);
}

CK_RV tv_get_token_info(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    tv_token_refresh();
    if (slot != TV_SLOT_ID)
        rv = CKR_SLOT_ID_INVALID;
    else if (info == NULL)
        rv = CKR_ARGUMENTS_BAD;
    else if (tv_mod.token == NULL)
        rv = CKR_TOKEN_NOT_PRESENT;
    else
        fill_token_info(info);
    tv_leave();
    return rv;
}

/* The token offers the mechanisms of the key types it holds. */
static size_t token_mechanisms(CK_MECHANISM_TYPE *out, size_t max)
{
    size_t n = 0;

    if (tv_mod.token->has_rsa)
        n += tv_mech_for_key(TV_KEY_RSA, out + n, max - n);
    if (tv_mod.token->has_ec)
        n += tv_mech_for_key(TV_KEY_EC, out + n, max - n);
    return n;
}

static CK_RV slot_token_checks(CK_SLOT_ID slot)
{
    if (slot != TV_SLOT_ID)
        return CKR_SLOT_ID_INVALID;
    return tv_mod.token == NULL ? CKR_TOKEN_NOT_PRESENT : CKR_OK;
}

CK_RV tv_get_mechanism_list(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count)
{
    CK_MECHANISM_TYPE all[2 * TV_KEY_MECHS_MAX];
    size_t n;
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    tv_token_refresh();
    if ((rv = slot_token_checks(slot)) != CKR_OK)
        goto out_leave;
    n = token_mechanisms(all, sizeof all / sizeof all[0]);
    if (count == NULL)
        rv = CKR_ARGUMENTS_BAD;
    else if (list == NULL)
        *count = n;
    else if (*count < n) {
        *count = n;
        rv = CKR_BUFFER_TOO_SMALL;
    } else {
        memcpy(list, all, n * sizeof all[0]);
        *count = n;
    }
out_leave:
    tv_leave();
    return rv;
}

static CK_RV mechanism_info(CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info)
{
    const struct tv_mech *m = tv_mech_find(type);
    const struct tv_token *t = tv_mod.token;

    if (m == NULL || (m->key_type == TV_KEY_RSA && !t->has_rsa) ||
        (m->key_type == TV_KEY_EC && !t->has_ec))
        return CKR_MECHANISM_INVALID;
    /* CKF_HW: the key lives in the service's HSM, not in this process. */
    info->flags = CKF_HW | CKF_SIGN;
    if (m->key_type == TV_KEY_RSA) {
        info->ulMinKeySize = t->rsa_min_bits;
        info->ulMaxKeySize = t->rsa_max_bits;
    } else {
        info->ulMinKeySize = t->ec_min_bits;
        info->ulMaxKeySize = t->ec_max_bits;
        info->flags |= CKF_EC_F_P | CKF_EC_OID | CKF_EC_UNCOMPRESS;
    }
    return CKR_OK;
}

CK_RV tv_get_mechanism_info(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info)
{
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    tv_token_refresh();
    if ((rv = slot_token_checks(slot)) == CKR_OK)
        rv = info == NULL ? CKR_ARGUMENTS_BAD : mechanism_info(type, info);
    tv_leave();
    return rv;
}
