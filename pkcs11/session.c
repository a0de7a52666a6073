#include "session.h"

#include "login.h"
#include "module.h"
#include "token.h"
#include "tv_secmem.h"

#include <stdlib.h>
#include <string.h>

bool tv_session_is_rw(const struct tv_session *s)
{
    return (s->flags & CKF_RW_SESSION) != 0;
}

/* The application's login state applies to all its sessions. */
CK_STATE tv_session_state(const struct tv_session *s)
{
    if (tv_logged_in())
        return tv_session_is_rw(s) ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
    return tv_session_is_rw(s) ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
}

bool tv_sign_active(const struct tv_session *s)
{
    return s->sign.active;
}

bool tv_find_active(const struct tv_session *s)
{
    return s->find.active;
}

void tv_sign_op_end(struct tv_sign_op *op)
{
    if (op->data != NULL) {
        tv_wipe(op->data, op->data_len);
        free(op->data);
    }
    free(op->key_id);
    tv_wipe(op, sizeof *op);
}

void tv_find_op_end(struct tv_find_op *op)
{
    free(op->handles);
    memset(op, 0, sizeof *op);
}

static void session_free(struct tv_session *s)
{
    tv_sign_op_end(&s->sign);
    tv_find_op_end(&s->find);
    free(s);
}

CK_RV tv_session_get(CK_SESSION_HANDLE handle, struct tv_session **out)
{
    size_t index = (size_t)(handle & 0xffff);
    struct tv_session *s;

    if (index == 0 || index > tv_mod.session_cap)
        return CKR_SESSION_HANDLE_INVALID;
    s = tv_mod.sessions[index - 1];
    if (s == NULL || s->handle != handle || s->closed)
        return CKR_SESSION_HANDLE_INVALID;
    *out = s;
    return CKR_OK;
}

void tv_session_hold(struct tv_session *s)
{
    s->refs++;
}

void tv_session_put(struct tv_session *s)
{
    if (s != NULL && --s->refs == 0 && s->closed)
        session_free(s);
}

static CK_RV grow_table(void)
{
    size_t cap = tv_mod.session_cap ? tv_mod.session_cap * 2 : 16;
    struct tv_session **bigger;

    if (tv_mod.session_cap >= TV_SESSIONS_MAX)
        return CKR_SESSION_COUNT;
    if (cap > TV_SESSIONS_MAX)
        cap = TV_SESSIONS_MAX;
    bigger = realloc(tv_mod.sessions, cap * sizeof *bigger);
    if (bigger == NULL)
        return CKR_HOST_MEMORY;
    memset(bigger + tv_mod.session_cap, 0, (cap - tv_mod.session_cap) * sizeof *bigger);
    tv_mod.sessions = bigger;
    tv_mod.session_cap = cap;
    return CKR_OK;
}

static CK_RV free_index(size_t *out)
{
    CK_RV rv;

    for (;;) {
        for (size_t i = 0; i < tv_mod.session_cap; i++)
            if (tv_mod.sessions[i] == NULL) {
                *out = i;
                return CKR_OK;
            }
        if ((rv = grow_table()) != CKR_OK)
            return rv;
    }
}

CK_RV tv_session_open(CK_SLOT_ID slot, CK_FLAGS flags, CK_SESSION_HANDLE_PTR out)
{
    struct tv_session *s;
    size_t index = 0;
    CK_RV rv;

    if ((rv = free_index(&index)) != CKR_OK)
        return rv;
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return CKR_HOST_MEMORY;
    tv_mod.session_seq++;
    s->handle = (CK_SESSION_HANDLE)tv_mod.session_seq << 16 | (CK_SESSION_HANDLE)(index + 1);
    s->index = index;
    s->flags = flags & (CKF_RW_SESSION | CKF_SERIAL_SESSION);
    tv_mod.sessions[index] = s;
    tv_mod.session_count++;
    tv_mod.rw_count += tv_session_is_rw(s);
    *out = s->handle;
    (void)slot;
    return CKR_OK;
}

static void detach(struct tv_session *s)
{
    tv_mod.sessions[s->index] = NULL;
    tv_mod.session_count--;
    tv_mod.rw_count -= tv_session_is_rw(s);
    s->closed = true;
    if (!s->sign.in_flight)
        tv_sign_op_end(&s->sign);
    tv_find_op_end(&s->find);
    if (s->refs == 0)
        session_free(s);
}

CK_RV tv_session_close(CK_SESSION_HANDLE handle)
{
    struct tv_session *s;
    CK_RV rv = tv_session_get(handle, &s);

    if (rv != CKR_OK)
        return rv;
    detach(s);
    if (tv_mod.session_count == 0)
        tv_login_sessions_closed(&tv_mod.login);
    return CKR_OK;
}

void tv_session_close_all(void)
{
    for (size_t i = 0; i < tv_mod.session_cap; i++)
        if (tv_mod.sessions[i] != NULL)
            detach(tv_mod.sessions[i]);
    tv_login_sessions_closed(&tv_mod.login);
}

CK_RV tv_session_info(CK_SESSION_HANDLE handle, CK_SESSION_INFO_PTR info)
{
    struct tv_session *s;
    CK_RV rv = tv_session_get(handle, &s);

    if (rv != CKR_OK)
        return rv;
    if (info == NULL)
        return CKR_ARGUMENTS_BAD;
    info->slotID = TV_SLOT_ID;
    info->state = tv_session_state(s);
    info->flags = s->flags;
    info->ulDeviceError = 0;
    return CKR_OK;
}

/* ---- entry points ------------------------------------------------------ */

CK_RV tv_open_session(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
                      CK_SESSION_HANDLE_PTR out)
{
    CK_RV rv = tv_enter();

    (void)app;
    (void)notify;                     /* no callbacks: nothing here runs in the background */
    if (rv != CKR_OK)
        return rv;
    tv_token_refresh();
    if (slot != TV_SLOT_ID)
        rv = CKR_SLOT_ID_INVALID;
    else if (out == NULL)
        rv = CKR_ARGUMENTS_BAD;
    else if (!(flags & CKF_SERIAL_SESSION))
        rv = CKR_SESSION_PARALLEL_NOT_SUPPORTED;
    else if (tv_mod.token == NULL)
        rv = CKR_TOKEN_NOT_PRESENT;
    else
        rv = tv_session_open(slot, flags, out);
    tv_leave();
    return rv;
}

CK_RV tv_close_session(CK_SESSION_HANDLE handle)
{
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    rv = tv_session_close(handle);
    tv_leave();
    return rv;
}

CK_RV tv_close_all_sessions(CK_SLOT_ID slot)
{
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    if (slot != TV_SLOT_ID)
        rv = CKR_SLOT_ID_INVALID;
    else
        tv_session_close_all();
    tv_leave();
    return rv;
}

CK_RV tv_get_session_info(CK_SESSION_HANDLE handle, CK_SESSION_INFO_PTR info)
{
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    tv_token_refresh();
    rv = tv_session_info(handle, info);
    tv_leave();
    return rv;
}

/* PKCS#11 3.0 C_SessionCancel: ends the named operations; one that another
 * thread is running cannot be cancelled. */
CK_RV tv_session_cancel(CK_SESSION_HANDLE handle, CK_FLAGS flags)
{
    struct tv_session *s;
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    rv = tv_session_get(handle, &s);
    if (rv == CKR_OK && (flags & CKF_SIGN) && s->sign.in_flight)
        rv = CKR_OPERATION_CANCEL_FAILED;
    else if (rv == CKR_OK) {
        if (flags & CKF_SIGN)
            tv_sign_op_end(&s->sign);
        if (flags & CKF_FIND_OBJECTS)
            tv_find_op_end(&s->find);
    }
    tv_leave();
    return rv;
}
