#include "login.h"

#include "agent.h"
#include "module.h"
#include "rv.h"
#include "session.h"
#include "token.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_proto.h"

#include <errno.h>
#include <time.h>

bool tv_pin_plausible(const CK_UTF8CHAR *pin, CK_ULONG len)
{
    size_t chars = 0;

    if (len < TV_PASSWORD_CHARS || len > TV_PIN_MAX_BYTES)
        return false;
    for (CK_ULONG i = 0; i < len; i++) {
        if (pin[i] == 0)
            return false;
        if ((pin[i] & 0xc0) != 0x80)
            chars++;
    }
    return chars == TV_PASSWORD_CHARS;
}

int tv_agent_login(const uint8_t *pin, size_t pin_len, bool *was_active)
{
    struct tv_conn *c = NULL;
    tv_buf req;
    tv_reader body;
    uint32_t flags = 0;
    int rc = tv_agent_acquire(&c);

    if (rc < 0)
        return rc;
    tv_buf_init(&req, 4096);
    tv_frame_begin(&req, TV_MSG_LOGIN);
    tv_buf_put_u32(&req, pin != NULL ? TV_LOGIN_PIN_GIVEN : 0);
    tv_buf_put_bytes(&req, pin, pin != NULL ? pin_len : 0);
    rc = tv_frame_end(&req);
    if (rc == 0)
        rc = tv_conn_call(c, &req, TV_HUMAN_TIMEOUT_MS, &body);
    tv_buf_free(&req);                /* wipes the PIN */
    if (rc == 0)
        rc = tv_get_u32(&body, &flags);
    *was_active = rc == 0 && (flags & TV_LOGIN_WAS_ACTIVE);
    tv_agent_release(c, !tv_err_transport(rc));
    return rc;
}

static void sleep_until(int64_t deadline_ms)
{
    int64_t left = deadline_ms - tv_now_ms();
    struct timespec ts;

    if (left <= 0)
        return;
    ts.tv_sec = (time_t)(left / 1000);
    ts.tv_nsec = (long)(left % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* CKU_CONTEXT_SPECIFIC after C_SignInit: the agent confirms signatures
 * itself, so this only makes sure it holds a session. */
static CK_RV check_context_login(const struct tv_session *s)
{
    if (!tv_sign_active(s))
        return CKR_OPERATION_NOT_INITIALIZED;
    if (!tv_mod.logged_in)
        return CKR_USER_NOT_LOGGED_IN;
    return CKR_OK;
}

static CK_RV check_login(const struct tv_session *s, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin,
                         CK_ULONG len)
{
    if (user != CKU_USER && user != CKU_CONTEXT_SPECIFIC)
        return CKR_USER_TYPE_INVALID;
    if (user == CKU_CONTEXT_SPECIFIC) {
        CK_RV rv = check_context_login(s);
        if (rv != CKR_OK)
            return rv;
    } else if (tv_mod.logged_in) {
        return CKR_USER_ALREADY_LOGGED_IN;
    }
    if (pin != NULL && len > 0 && !tv_pin_plausible(pin, len))
        return CKR_PIN_LEN_RANGE;
    return CKR_OK;
}

/* The round trip, outside the lock, with Firefox's minimum duration. */
static int login_outside(CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
    int64_t start = tv_now_ms();
    bool was_active = false;
    bool given = pin != NULL && len > 0;
    int rc = tv_agent_login(given ? pin : NULL, given ? len : 0, &was_active);

    if (rc == 0)
        sleep_until(start + tv_mod.cfg.login_min_ms);
    tv_debug("LOGIN %s%s", rc == 0 ? "ok" : tv_errname(rc),
             was_active ? " (agent session already active)" : "");
    return rc;
}

CK_RV tv_login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
    struct tv_session *s;
    uint32_t instance;
    int rc;
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    tv_token_refresh();
    if ((rv = tv_session_get(h, &s)) != CKR_OK || (rv = check_login(s, user, pin, len)) != CKR_OK) {
        tv_leave();
        return rv;
    }
    instance = tv_mod.instance;
    tv_session_hold(s);
    tv_busy_begin();
    tv_leave();
    rc = login_outside(pin, len);
    rv = tv_busy_end();
    if (rv == CKR_OK && rc == 0 && user == CKU_USER && !s->closed && instance == tv_mod.instance)
        tv_mod.logged_in = true;
    tv_session_put(s);
    tv_leave();
    return rv != CKR_OK ? rv : tv_rv(rc, TV_CTX_LOGIN);
}

CK_RV tv_logout(CK_SESSION_HANDLE h)
{
    struct tv_session *s;
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    if ((rv = tv_session_get(h, &s)) == CKR_OK && !tv_mod.logged_in)
        rv = CKR_USER_NOT_LOGGED_IN;
    if (rv == CKR_OK) {
        tv_mod.logged_in = false;
        for (size_t i = 0; i < tv_mod.session_cap; i++) {
            struct tv_session *other = tv_mod.sessions[i];
            if (other != NULL && !other->sign.in_flight)
                tv_sign_op_end(&other->sign);  /* they used private keys */
        }
    }
    tv_leave();
    return rv;
}
