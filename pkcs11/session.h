/* Sessions: handles, the per-session operation state, and the state rules
 * of the standard as small named predicates.
 *
 * Handles are never reused within a process: (sequence << 16) | (index + 1).
 * All functions here run with the module lock held.  A thread that works on
 * a session outside the lock holds a reference (tv_session_hold/put); a
 * session closed meanwhile is freed by the last holder. */
#ifndef TV_SESSION_H
#define TV_SESSION_H

#include "hash.h"
#include "mech.h"
#include "tv_pkcs11.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TV_SESSIONS_MAX 4096

struct tv_sign_op {
    bool active;
    bool in_flight;              /* a thread is working on it outside the lock */
    bool multipart;              /* C_SignUpdate was called */
    const struct tv_mech *mech;
    CK_RSA_PKCS_PSS_PARAMS pss;
    uint32_t key_type;
    uint32_t key_bits;
    uint8_t *key_id;
    size_t key_id_len;
    tv_hash_ctx hash;            /* hash-and-sign mechanisms */
    uint8_t *data;               /* raw mechanisms: input gathered by C_SignUpdate */
    size_t data_len;
};

struct tv_find_op {
    bool active;
    CK_OBJECT_HANDLE *handles;
    size_t count;
    size_t next;
};

struct tv_session {
    CK_SESSION_HANDLE handle;
    size_t index;
    CK_FLAGS flags;
    unsigned refs;
    bool closed;
    struct tv_sign_op sign;
    struct tv_find_op find;
};

/* The session for a handle; CKR_SESSION_HANDLE_INVALID otherwise. */
CK_RV tv_session_get(CK_SESSION_HANDLE handle, struct tv_session **out);
void tv_session_hold(struct tv_session *s);
void tv_session_put(struct tv_session *s);

CK_RV tv_session_open(CK_SLOT_ID slot, CK_FLAGS flags, CK_SESSION_HANDLE_PTR out);
CK_RV tv_session_close(CK_SESSION_HANDLE handle);
/* Close every session; the application is logged out (PKCS#11: closing the
 * last session logs the user out). */
void tv_session_close_all(void);
CK_RV tv_session_info(CK_SESSION_HANDLE handle, CK_SESSION_INFO_PTR info);

/* Predicates (PKCS#11 2.40 §5.6 / 3.0 §5.6 session states). */
bool tv_session_is_rw(const struct tv_session *s);
CK_STATE tv_session_state(const struct tv_session *s);
bool tv_sign_active(const struct tv_session *s);
bool tv_find_active(const struct tv_session *s);

/* End an operation (wipes its input). */
void tv_sign_op_end(struct tv_sign_op *op);
void tv_find_op_end(struct tv_find_op *op);

/* The entry points of session.c's concept. */
CK_RV tv_open_session(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
                      CK_SESSION_HANDLE_PTR out);
CK_RV tv_close_session(CK_SESSION_HANDLE handle);
CK_RV tv_close_all_sessions(CK_SLOT_ID slot);
CK_RV tv_get_session_info(CK_SESSION_HANDLE handle, CK_SESSION_INFO_PTR info);
CK_RV tv_session_cancel(CK_SESSION_HANDLE handle, CK_FLAGS flags);

#endif
