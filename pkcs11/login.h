/* Login.  The PKCS#11 login state is per token per application (this
 * process); the agent's session is shared by every application of the user
 * and is what actually needs a password and a second factor.
 *
 *   C_Login(CKU_USER, NULL)   the agent asks with its own dialogs (protected
 *                             authentication path), or answers at once when
 *                             it already holds a session;
 *   C_Login(CKU_USER, PIN)    the PIN is the BakQ password; the agent still
 *                             asks for the second factor;
 *   C_Login again             CKR_USER_ALREADY_LOGGED_IN (GnuTLS relies on it);
 *   C_Logout                  local only: the agent keeps its session, so
 *                             Firefox's Logout + Login(NULL) does not prompt.
 *
 * A successful C_Login that needed no dialog still takes at least
 * login-minimum-ms (50 ms by default): Firefox's "protected authentication"
 * window may never close when C_Login returns almost at once (DESIGN §10). */
#ifndef TV_LOGIN_H
#define TV_LOGIN_H

#include "tv_pkcs11.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TV_PASSWORD_CHARS 8
#define TV_PIN_MAX_BYTES 32

/* A PIN the application gives must be a possible BakQ password: exactly 8
 * characters (UTF-8).  Refusing others locally spares a failed attempt
 * (5 block the account). */
bool tv_pin_plausible(const CK_UTF8CHAR *pin, CK_ULONG len);

/* LOGIN round trip (lock NOT held).  *was_active: no dialog was needed. */
int tv_agent_login(const uint8_t *pin, size_t pin_len, bool *was_active);

CK_RV tv_login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len);
CK_RV tv_logout(CK_SESSION_HANDLE h);

#endif
