/* The login state rules (pkcs11/login.h) and the session states they give
 * (PKCS#11 2.40 §5.6): the agent's session logs the application in, its own
 * C_Logout keeps it out until its next C_Login or the end of the agent's
 * session, and C_Login answers CKR_OK once, then CKR_USER_ALREADY_LOGGED_IN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../pkcs11/login.h"
#include "../../pkcs11/module.h"
#include "../../pkcs11/session.h"
#include "tv_proto.h"

#include <string.h>

static void fresh_application(void **state)
{
    struct tv_login l = { 0 };

    assert_false(tv_login_user(&l, false));
    assert_true(tv_login_user(&l, true));                 /* the agent's session logs it in */
    assert_int_equal(tv_login_next(&l, false), TV_LOGIN_ASK);
    assert_int_equal(tv_login_next(&l, true), TV_LOGIN_CONFIRM);
}

static void own_login(void **state)
{
    struct tv_login l = { 0 };

    tv_login_succeeded(&l);
    assert_true(tv_login_user(&l, true));
    assert_int_equal(tv_login_next(&l, true), TV_LOGIN_ALREADY);
    /* without the agent's session nothing holds (the module resets on its end) */
    assert_false(tv_login_user(&l, false));
    assert_int_equal(tv_login_next(&l, false), TV_LOGIN_ASK);
}

static void logout_keeps_the_application_out(void **state)
{
    struct tv_login l = { 0 };

    assert_false(tv_login_logout(&l, false));             /* CKR_USER_NOT_LOGGED_IN */
    assert_false(l.logged_out);
    assert_true(tv_login_logout(&l, true));               /* logged in through the agent */
    assert_false(tv_login_user(&l, true));
    assert_false(tv_login_logout(&l, true));              /* once */
    assert_int_equal(tv_login_next(&l, true), TV_LOGIN_ASK);   /* Firefox: minimum applies */
    tv_login_succeeded(&l);
    assert_true(tv_login_user(&l, true));
    assert_int_equal(tv_login_next(&l, true), TV_LOGIN_ALREADY);
    assert_true(tv_login_logout(&l, true));
    assert_false(l.own);
}

static void sessions_closed_and_reset(void **state)
{
    struct tv_login l = { 0 };

    tv_login_succeeded(&l);
    tv_login_sessions_closed(&l);                         /* its own login ends ... */
    assert_int_equal(tv_login_next(&l, true), TV_LOGIN_CONFIRM);
    assert_true(tv_login_user(&l, true));                 /* ... the agent's session remains */
    assert_true(tv_login_logout(&l, true));
    tv_login_sessions_closed(&l);
    assert_false(tv_login_user(&l, true));                /* a C_Logout outlives the sessions */
    tv_login_reset(&l);                                   /* the agent's session ended */
    assert_true(tv_login_user(&l, true));
    assert_false(l.own);
}

/* The session states through the module's own state (no agent: the fields
 * are set as token.c and login.c set them). */
static void session_states(void **state)
{
    struct tv_session ro = { .flags = CKF_SERIAL_SESSION };
    struct tv_session rw = { .flags = CKF_SERIAL_SESSION | CKF_RW_SESSION };
    struct tv_token *dummy = (struct tv_token *)&ro;

    memset(&tv_mod, 0, sizeof tv_mod);
    tv_mod.agent_flags = TV_SNAP_TOKEN_PRESENT | TV_SNAP_SESSION_ACTIVE;
    assert_false(tv_agent_session());                     /* no token: no session */
    tv_mod.token = dummy;
    assert_true(tv_agent_session());
    assert_int_equal(tv_session_state(&ro), CKS_RO_USER_FUNCTIONS);
    assert_int_equal(tv_session_state(&rw), CKS_RW_USER_FUNCTIONS);
    assert_true(tv_login_logout(&tv_mod.login, tv_agent_session()));
    assert_int_equal(tv_session_state(&ro), CKS_RO_PUBLIC_SESSION);
    assert_int_equal(tv_session_state(&rw), CKS_RW_PUBLIC_SESSION);
    /* the agent's session ends: the login is forgotten, an event is due */
    tv_login_succeeded(&tv_mod.login);
    tv_mod.event_pending = false;
    tv_agent_session_set(false);
    assert_true(tv_mod.event_pending);
    assert_false(tv_mod.login.own);
    assert_int_equal(tv_session_state(&rw), CKS_RW_PUBLIC_SESSION);
    assert_int_equal(tv_mod.agent_flags, TV_SNAP_TOKEN_PRESENT);
    /* and comes back (another program's login): logged in again */
    tv_mod.event_pending = false;
    tv_agent_session_set(true);
    assert_true(tv_mod.event_pending);
    assert_int_equal(tv_session_state(&ro), CKS_RO_USER_FUNCTIONS);
    tv_mod.event_pending = false;
    tv_agent_session_set(true);                           /* no change, no event */
    assert_false(tv_mod.event_pending);
    memset(&tv_mod, 0, sizeof tv_mod);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fresh_application),
        cmocka_unit_test(own_login),
        cmocka_unit_test(logout_keeps_the_application_out),
        cmocka_unit_test(sessions_closed_and_reset),
        cmocka_unit_test(session_states),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
