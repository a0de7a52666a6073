#include "sign.h"

#include "agent.h"
#include "find.h"
#include "login.h"
#include "mech.h"
#include "module.h"
#include "rv.h"
#include "session.h"
#include "tv_err.h"
#include "tv_proto.h"
#include "tv_secmem.h"

#include <stdlib.h>
#include <string.h>

/* What one signature needs once the lock is released. */
struct sign_job {
    struct tv_sign_op *op;
    uint32_t kind;                    /* TV_INPUT_* */
    const uint8_t *data;              /* the application's input, or the gathered one */
    size_t len;
    bool hash_data;                   /* hash data (single-part hash-and-sign) */
    bool hash_ctx;                    /* finish op->hash (multi-part hash-and-sign) */
    uint8_t digest[TV_HASH_MAX];
    size_t sig_len;
};

static CK_RV key_for(const struct tv_object *obj, const struct tv_mech *m)
{
    if (obj->cls == CKO_PUBLIC_KEY)
        return CKR_KEY_FUNCTION_NOT_PERMITTED;
    if (obj->cls != CKO_PRIVATE_KEY || obj->cred == NULL)
        return CKR_KEY_HANDLE_INVALID;
    return obj->cred->key_type == m->key_type ? CKR_OK : CKR_KEY_TYPE_INCONSISTENT;
}

static CK_RV start_op(struct tv_sign_op *op, const struct tv_mech *m, const struct tv_cred *c,
                      const CK_RSA_PKCS_PSS_PARAMS *pss)
{
    op->key_id = malloc(c->id.len);
    if (op->key_id == NULL)
        return CKR_HOST_MEMORY;
    memcpy(op->key_id, c->id.p, c->id.len);
    op->key_id_len = c->id.len;
    op->mech = m;
    op->pss = *pss;
    op->key_type = c->key_type;
    op->key_bits = c->key_bits;
    tv_hash_init(&op->hash, m->hash);
    op->active = true;
    return CKR_OK;
}

static CK_RV sign_init_locked(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
    CK_RSA_PKCS_PSS_PARAMS pss = { 0, 0, 0 };
    const struct tv_object *obj;
    const struct tv_mech *m;
    struct tv_session *s;
    CK_RV rv;

    if ((rv = tv_session_get(h, &s)) != CKR_OK)
        return rv;
    if (tv_sign_active(s))
        return CKR_OPERATION_ACTIVE;
    if (mech == NULL)
        return CKR_ARGUMENTS_BAD;
    if ((m = tv_mech_find(mech->mechanism)) == NULL)
        return CKR_MECHANISM_INVALID;
    if ((rv = tv_key_lookup(key, &obj)) != CKR_OK || (rv = key_for(obj, m)) != CKR_OK)
        return rv;
    if ((rv = tv_mech_check_params(m, mech, obj->cred->key_bits, &pss)) != CKR_OK)
        return rv;
    return start_op(&s->sign, m, obj->cred, &pss);
}

CK_RV tv_sign_init(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    rv = sign_init_locked(h, mech, key);
    tv_leave();
    return rv;
}

/* ---- the round trip ------------------------------------------------------ */

static int agent_sign(const struct sign_job *j, const uint8_t *input, size_t len, uint8_t *sig)
{
    const struct tv_sign_op *op = j->op;
    struct tv_conn *c = NULL;
    const uint8_t *out;
    size_t out_len;
    tv_buf req;
    tv_reader body;
    int rc = tv_agent_acquire(&c);

    if (rc < 0)
        return rc;
    tv_buf_init(&req, TV_FRAME_MAX);
    tv_frame_begin(&req, TV_MSG_SIGN);
    tv_buf_put_bytes(&req, op->key_id, op->key_id_len);
    tv_buf_put_u32(&req, (uint32_t)op->mech->type);
    tv_buf_put_u32(&req, op->mech->pss ? (uint32_t)op->pss.hashAlg : 0);
    tv_buf_put_u32(&req, op->mech->pss ? (uint32_t)op->pss.mgf : 0);
    tv_buf_put_u32(&req, op->mech->pss ? (uint32_t)op->pss.sLen : 0);
    tv_buf_put_u32(&req, j->kind);
    tv_buf_put_bytes(&req, input, len);
    rc = tv_frame_end(&req);
    if (rc == 0)
        rc = tv_conn_call(c, &req, TV_HUMAN_TIMEOUT_MS, &body);
    tv_buf_free(&req);
    if (rc == 0 && (tv_get_bytes(&body, TV_FRAME_MAX, &out, &out_len) < 0 || out_len != j->sig_len))
        rc = TV_ERR_PROTOCOL;
    if (rc == 0)
        memcpy(sig, out, out_len);
    tv_agent_release(c, !tv_err_transport(rc));
    return rc;
}

/* Outside the lock.  If the agent's session ended before the module saw it
 * (TV_ERR_NOT_LOGGED_IN), the caller makes the application public: the
 * application logs in again with C_Login (login.h). */
static int sign_outside(struct sign_job *j, uint8_t *sig)
{
    const uint8_t *input = j->data;
    size_t len = j->len;
    int rc;

    if (j->hash_data || j->hash_ctx) {
        if (j->hash_data)
            len = tv_hash(j->op->mech->hash, j->data, j->len, j->digest);
        else
            len = tv_hash_final(&j->op->hash, j->digest);
        input = j->digest;
    }
    rc = agent_sign(j, input, len, sig);
    tv_wipe(j->digest, sizeof j->digest);
    return rc;
}

/* Lock held on entry and on return. */
static CK_RV run_job(struct tv_session *s, struct sign_job *j, CK_BYTE_PTR sig,
                     CK_ULONG_PTR siglen)
{
    uint32_t instance = tv_mod.instance;
    CK_RV rv;
    int rc;

    s->sign.in_flight = true;
    tv_session_hold(s);
    tv_busy_begin();
    tv_leave();
    rc = sign_outside(j, sig);
    rv = tv_busy_end();
    s->sign.in_flight = false;
    tv_sign_op_end(&s->sign);
    tv_session_put(s);
    if (rv != CKR_OK)
        return rv;
    if (rc == TV_ERR_NOT_LOGGED_IN && instance == tv_mod.instance)
        tv_agent_session_set(false);
    if (rc == 0)
        *siglen = (CK_ULONG)j->sig_len;
    return tv_rv(rc, TV_CTX_SIGN);
}

/* ---- C_Sign / C_SignFinal -------------------------------------------------- */

/* The checks both share.  *go is set when a signature must be made. */
static CK_RV sign_checks(struct tv_session *s, bool final, CK_BYTE_PTR sig, CK_ULONG_PTR siglen,
                         bool *go)
{
    struct tv_sign_op *op = &s->sign;
    size_t need = tv_mech_signature_len(op->key_type, op->key_bits);

    *go = false;
    if (siglen == NULL)
        return CKR_ARGUMENTS_BAD;
    if (!final && op->multipart)
        return CKR_OPERATION_ACTIVE;     /* C_Sign cannot finish a multi-part operation */
    if (sig == NULL) {
        *siglen = (CK_ULONG)need;
        return CKR_OK;
    }
    if (*siglen < need) {
        *siglen = (CK_ULONG)need;
        return CKR_BUFFER_TOO_SMALL;
    }
    if (!tv_logged_in())
        return CKR_USER_NOT_LOGGED_IN;
    *go = true;
    return CKR_OK;
}

/* Size queries and a short buffer keep the operation; any other end ends it. */
static bool keeps_operation(CK_RV rv, CK_BYTE_PTR sig, bool go)
{
    return (rv == CKR_OK && sig == NULL && !go) || rv == CKR_BUFFER_TOO_SMALL;
}

static CK_RV prepare_input(struct sign_job *j, struct tv_sign_op *op, bool final,
                           const uint8_t *data, size_t len)
{
    j->op = op;
    j->sig_len = tv_mech_signature_len(op->key_type, op->key_bits);
    j->data = final ? op->data : data;
    j->len = final ? op->data_len : len;
    if (op->mech->hash != TV_HASH_NONE) {
        j->kind = TV_INPUT_DIGEST;
        j->hash_data = !final;
        j->hash_ctx = final;
        return CKR_OK;
    }
    j->kind = TV_INPUT_AS_GIVEN;
    return tv_mech_check_input(op->mech, &op->pss, op->key_bits, j->data, j->len);
}

static CK_RV sign_common(CK_SESSION_HANDLE h, bool final, CK_BYTE_PTR data, CK_ULONG len,
                         CK_BYTE_PTR sig, CK_ULONG_PTR siglen)
{
    struct sign_job job;
    struct tv_session *s;
    bool go = false;
    CK_RV rv;

    if ((rv = tv_session_get(h, &s)) != CKR_OK)
        return rv;
    if (!tv_sign_active(s))
        return CKR_OPERATION_NOT_INITIALIZED;
    if (s->sign.in_flight)
        return CKR_OPERATION_ACTIVE;
    memset(&job, 0, sizeof job);
    if (!final && data == NULL && len > 0)
        rv = CKR_ARGUMENTS_BAD;
    else if ((rv = sign_checks(s, final, sig, siglen, &go)) == CKR_OK && go)
        rv = prepare_input(&job, &s->sign, final, data, len);
    if (rv == CKR_OK && go)
        return run_job(s, &job, sig, siglen);
    if (!keeps_operation(rv, sig, go))
        tv_sign_op_end(&s->sign);
    return rv;
}

CK_RV tv_sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
              CK_ULONG_PTR siglen)
{
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    rv = sign_common(h, false, data, len, sig, siglen);
    tv_leave();
    return rv;
}

CK_RV tv_sign_final(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG_PTR siglen)
{
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    rv = sign_common(h, true, NULL, 0, sig, siglen);
    tv_leave();
    return rv;
}

/* ---- C_SignUpdate ---------------------------------------------------------- */

/* Raw mechanisms: gather the (small) input. */
static CK_RV gather(struct tv_sign_op *op, const uint8_t *part, size_t len)
{
    size_t cap = tv_mech_max_input(op->mech, op->key_bits);
    uint8_t *bigger;

    if (len > cap || op->data_len > cap - len)
        return CKR_DATA_LEN_RANGE;
    if (len == 0)
        return CKR_OK;
    bigger = malloc(op->data_len + len);
    if (bigger == NULL)
        return CKR_HOST_MEMORY;
    if (op->data_len > 0)
        memcpy(bigger, op->data, op->data_len);
    memcpy(bigger + op->data_len, part, len);
    if (op->data != NULL) {
        tv_wipe(op->data, op->data_len);
        free(op->data);
    }
    op->data = bigger;
    op->data_len += len;
    return CKR_OK;
}

/* Hash-and-sign: hash outside the lock, the operation marked in flight. */
static CK_RV hash_part(struct tv_session *s, const uint8_t *part, size_t len)
{
    CK_RV rv;

    s->sign.in_flight = true;
    tv_session_hold(s);
    tv_busy_begin();
    tv_leave();
    tv_hash_update(&s->sign.hash, part, len);
    rv = tv_busy_end();
    s->sign.in_flight = false;
    tv_session_put(s);
    return rv;
}

static CK_RV sign_update_locked(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len)
{
    struct tv_session *s;
    CK_RV rv;

    if ((rv = tv_session_get(h, &s)) != CKR_OK)
        return rv;
    if (!tv_sign_active(s))
        return CKR_OPERATION_NOT_INITIALIZED;
    if (s->sign.in_flight)
        return CKR_OPERATION_ACTIVE;
    s->sign.multipart = true;
    if (part == NULL && len > 0)
        rv = CKR_ARGUMENTS_BAD;
    else if (s->sign.mech->hash == TV_HASH_NONE)
        rv = gather(&s->sign, part, len);
    else
        rv = hash_part(s, part, len);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_NOT_INITIALIZED)
        tv_sign_op_end(&s->sign);
    return rv;
}

CK_RV tv_sign_update(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len)
{
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    rv = sign_update_locked(h, part, len);
    tv_leave();
    return rv;
}
