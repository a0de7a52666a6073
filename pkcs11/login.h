/* Login.  The agent's session is shared by every application of the user
 * and is what needs a password and a second factor; the PKCS#11 login
 * state of this application follows it:
 *
 *   the agent holds a session   every session of the application is in a
 *                               user state (CKS_R?_USER_FUNCTIONS) and the
 *                               private keys are visible, without C_Login.
 *                               NSS asks C_GetSessionInfo before it logs in,
 *                               so Firefox never calls C_Login then and never
 *                               opens its "Protected Authentication" window
 *                               (which hangs when C_Login returns at once,
 *                               DESIGN §10);
 *   the agent's session ends    (tarjeta logout, lifetime, the service): the
 *                               module notices it through its change watch
 *                               and the application is public again; C_Sign
 *                               gets CKR_USER_NOT_LOGGED_IN, the next C_Login
 *                               brings the agent's dialogs;
 *   C_Login(CKU_USER, NULL)     the agent asks with its own dialogs
 *                               (protected authentication path);
 *   C_Login(CKU_USER, PIN)      the PIN is the BakQ password; the agent still
 *                               asks for the second factor;
 *   C_Login while logged in     CKR_OK the first time when the login came from
 *                               the agent's session (it becomes the
 *                               application's own), then
 *                               CKR_USER_ALREADY_LOGGED_IN (GnuTLS relies on it);
 *   C_Logout                    local: the agent keeps its session, and this
 *                               application stays public until its next
 *                               C_Login or the end of the agent's session.
 *
 * Minimum duration: the one C_Login that can still find the agent's session
 * already there is one after the application's own C_Logout (Firefox: Log
 * Out in Security Devices, clearing active logins, security.ask_for_password;
 * its protected-authentication task always calls C_Logout + C_Login).  Such
 * a C_Login takes at least login-minimum-ms (TV_DEFAULT_LOGIN_MIN_MS), so
 * that Firefox's window exists and listens before the login completes.  A
 * C_Login with dialogs takes longer anyway, and one by an application that
 * was already logged in opens no window, so neither waits. */
#ifndef TV_LOGIN_H
#define TV_LOGIN_H

#include "tv_pkcs11.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TV_PASSWORD_CHARS 8
#define TV_PIN_MAX_BYTES 32

/* What this application did; with "the agent holds a session" it gives the
 * PKCS#11 state.  The functions on it are pure (unit-tested). */
struct tv_login {
    bool own;          /* its C_Login succeeded: a repeat is CKR_USER_ALREADY_LOGGED_IN */
    bool logged_out;   /* its C_Logout: public until its next C_Login */
};

/* The application is in a user state. */
bool tv_login_user(const struct tv_login *l, bool agent_session);

enum tv_login_step {
    TV_LOGIN_ALREADY,     /* CKR_USER_ALREADY_LOGGED_IN, no round trip */
    TV_LOGIN_CONFIRM,     /* logged in through the agent's session: LOGIN to confirm, no minimum */
    TV_LOGIN_ASK,         /* not logged in: LOGIN (dialogs, or the minimum if none were needed) */
};
enum tv_login_step tv_login_next(const struct tv_login *l, bool agent_session);

/* C_Login succeeded. */
void tv_login_succeeded(struct tv_login *l);
/* C_Logout: false (nothing changes) when the application is not logged in. */
bool tv_login_logout(struct tv_login *l, bool agent_session);
/* The application's last session closed: its own login ends (PKCS#11); a
 * C_Logout still holds. */
void tv_login_sessions_closed(struct tv_login *l);
/* The agent's session ended, or the token went: everything is forgotten. */
void tv_login_reset(struct tv_login *l);

/* The agent holds a session for the token in the slot (the last snapshot,
 * or a LOGIN just answered).  Module lock held. */
bool tv_agent_session(void);
/* Record what the agent said about its session (LOGIN succeeded, SIGN said
 * not logged in, a snapshot): the end of the session resets the login. */
void tv_agent_session_set(bool active);

/* A PIN the application gives must be a possible BakQ password: exactly 8
 * characters (UTF-8).  Refusing others locally spares a failed attempt
 * (5 block the account). */
bool tv_pin_plausible(const CK_UTF8CHAR *pin, CK_ULONG len);

/* LOGIN round trip (lock NOT held).  *was_active: no dialog was needed. */
int tv_agent_login(const uint8_t *pin, size_t pin_len, bool *was_active);

/* Module lock held: is the application logged in now? */
bool tv_logged_in(void);

CK_RV tv_login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len);
CK_RV tv_logout(CK_SESSION_HANDLE h);

#endif
