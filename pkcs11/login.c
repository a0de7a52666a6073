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

bool tv_login_user(const struct tv_login *l, bool agent_session)
{
    return agent_session && !l->logged_out;
}

enum tv_login_step tv_login_next(const struct tv_login *l, bool agent_session)
{
    if (!tv_login_user(l, agent_session))
        return TV_LOGIN_ASK;
    return l->own ? TV_LOGIN_ALREADY : TV_LOGIN_CONFIRM;
}

void tv_login_succeeded(struct tv_login *l)
{
    l->own = true;
    l->logged_out = false;
}

bool tv_login_logout(struct tv_login *l, bool agent_session)
{
    if (!tv_login_user(l, agent_session))
        return false;
    l->own = false;
    l->logged_out = true;
    return true;
}

void tv_login_sessions_closed(struct tv_login *l)
{
    l->own = false;
}

void tv_login_reset(struct tv_login *l)
{
    l->own = false;
    l->logged_out = false;
}

bool tv_agent_session(void)
{
    return tv_mod.token != NULL && (tv_mod.agent_flags & TV_SNAP_SESSION_ACTIVE);
}

void tv_agent_session_set(bool active)
{
    bool was = (tv_mod.agent_flags & TV_SNAP_SESSION_ACTIVE) != 0;

    if (was == active)
        return;
    tv_mod.agent_flags ^= TV_SNAP_SESSION_ACTIVE;
    tv_mod.event_pending = true;
    if (!active) {
        tv_login_reset(&tv_mod.login);
        tv_debug("the agent's session ended: this program is logged out");
    }
}

bool tv_logged_in(void)
{
    return tv_login_user(&tv_mod.login, tv_agent_session());
}

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

/* Sleep until ms after start (CLOCK_MONOTONIC, absolute: the whole minimum,
 * not a millisecond less for a start taken mid-millisecond).  true when
 * there was anything left to wait. */
static bool sleep_until(const struct timespec *start, unsigned ms)
{
    struct timespec until = *start, now;

    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > until.tv_sec || (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec))
        return false;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
        ;
    return true;
}

/* CKU_CONTEXT_SPECIFIC after C_SignInit: the agent confirms signatures
 * itself, so this only makes sure it holds a session. */
static CK_RV check_context_login(const struct tv_session *s)
{
    if (!tv_sign_active(s))
        return CKR_OPERATION_NOT_INITIALIZED;
    if (!tv_logged_in())
        return CKR_USER_NOT_LOGGED_IN;
    return CKR_OK;
}

/* *step: what a CKU_USER login does from here (TV_LOGIN_CONFIRM for
 * CKU_CONTEXT_SPECIFIC: no minimum, no state change). */
static CK_RV check_login(const struct tv_session *s, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin,
                         CK_ULONG len, enum tv_login_step *step)
{
    CK_RV rv;

    *step = TV_LOGIN_CONFIRM;
    if (user != CKU_USER && user != CKU_CONTEXT_SPECIFIC)
        return CKR_USER_TYPE_INVALID;
    if (user == CKU_CONTEXT_SPECIFIC && (rv = check_context_login(s)) != CKR_OK)
        return rv;
    if (user == CKU_USER)
        *step = tv_login_next(&tv_mod.login, tv_agent_session());
    if (*step == TV_LOGIN_ALREADY)
        return CKR_USER_ALREADY_LOGGED_IN;
    if (pin != NULL && len > 0 && !tv_pin_plausible(pin, len))
        return CKR_PIN_LEN_RANGE;
    return CKR_OK;
}

/* The round trip, outside the lock.  A login that needed no dialog, by an
 * application that was not logged in, takes login-minimum-ms (login.h). */
static int login_outside(CK_UTF8CHAR_PTR pin, CK_ULONG len, enum tv_login_step step)
{
    struct timespec start;
    bool was_active = false;
    bool given = pin != NULL && len > 0;
    bool held = false;
    int rc;

    clock_gettime(CLOCK_MONOTONIC, &start);
    rc = tv_agent_login(given ? pin : NULL, given ? len : 0, &was_active);
    if (rc == 0 && was_active && step == TV_LOGIN_ASK)
        held = sleep_until(&start, tv_mod.cfg.login_min_ms);
    tv_debug("LOGIN %s%s%s", rc == 0 ? "ok" : tv_errname(rc),
             was_active ? " (agent session already active)" : "",
             held ? ", held to the minimum duration" : "");
    return rc;
}

/* Lock held: take in the outcome of the round trip. */
static void login_outcome(const struct tv_session *s, CK_USER_TYPE user, uint32_t instance, int rc)
{
    if (instance != tv_mod.instance || s->closed)
        return;                       /* the token went meanwhile */
    if (rc == 0)
        tv_agent_session_set(true);
    else if (rc == TV_ERR_NOT_LOGGED_IN)
        tv_agent_session_set(false);
    if (rc == 0 && user == CKU_USER)
        tv_login_succeeded(&tv_mod.login);
}

CK_RV tv_login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
    enum tv_login_step step = TV_LOGIN_ASK;
    struct tv_session *s;
    uint32_t instance;
    int rc;
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    tv_token_refresh();
    if ((rv = tv_session_get(h, &s)) != CKR_OK || (rv = check_login(s, user, pin, len, &step)) != CKR_OK) {
        tv_leave();
        return rv;
    }
    instance = tv_mod.instance;
    tv_session_hold(s);
    tv_busy_begin();
    tv_leave();
    rc = login_outside(pin, len, step);
    rv = tv_busy_end();
    if (rv == CKR_OK)
        login_outcome(s, user, instance, rc);
    tv_session_put(s);
    tv_leave();
    return rv != CKR_OK ? rv : tv_rv(rc, TV_CTX_LOGIN);
}

/* Local: the agent keeps its session (other applications use it). */
CK_RV tv_logout(CK_SESSION_HANDLE h)
{
    struct tv_session *s;
    CK_RV rv = tv_enter();

    if (rv != CKR_OK)
        return rv;
    tv_token_refresh();
    if ((rv = tv_session_get(h, &s)) == CKR_OK && !tv_login_logout(&tv_mod.login, tv_agent_session()))
        rv = CKR_USER_NOT_LOGGED_IN;
    if (rv == CKR_OK) {
        for (size_t i = 0; i < tv_mod.session_cap; i++) {
            struct tv_session *other = tv_mod.sessions[i];
            if (other != NULL && !other->sign.in_flight)
                tv_sign_op_end(&other->sign);  /* they used private keys */
        }
    }
    tv_leave();
    return rv;
}
