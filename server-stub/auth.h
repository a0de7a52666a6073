/* Authentication steps shared by the CSC, activation and holder APIs: the
 * account state checks, the password with its failure counter, and the
 * second-factor challenge (SMS code or coordinate position). */
#ifndef TV_SRV_AUTH_H
#define TV_SRV_AUTH_H

#include <stdbool.h>

#include "account.h"
#include "api.h"

#define TV_OTP_LIFETIME 300

/* Answer 403 (blocked, not_active, revoked, expired, bak_only when
 * need_bakq) and return true when the account cannot authenticate. */
bool tv_auth_refused(struct tv_req *r, const struct tv_account *a, bool need_bakq);

/* Check a password; a wrong one counts a failure and is answered with
 * status/error + wrong_password + attempts_left, or 403 blocked. */
bool tv_auth_password(struct tv_req *r, struct tv_account *a, const char *pw, unsigned status,
                      const char *error);

/* Start a challenge: SMS code (answers 204) or coordinate position
 * (answers 200 {"challenge": "B3"}). */
void tv_auth_challenge(struct tv_req *r, struct tv_account *a);

/* Is there a challenge to answer? (400 no_challenge otherwise) */
bool tv_auth_has_challenge(struct tv_req *r, struct tv_account *a);

/* Check the answer to the pending challenge; consumes it on success.
 * Wrong answers count a failure (invalid_otp + attempts_left, or blocked). */
bool tv_auth_second_factor(struct tv_req *r, struct tv_account *a, const char *value);

/* Send a 6-digit confirmation code for a holder operation to phone; the
 * payload binds it to the operation and its arguments. */
int tv_auth_send_confirm(struct tv_req *r, struct tv_account *a, const char *phone, const char *payload);
/* Check it (400 wrong_code when wrong, stale or for another payload). */
bool tv_auth_confirm(struct tv_req *r, struct tv_account *a, const char *code, const char *payload);

struct tv_credential;
/* The credential named by "credentialID": a current one of the bearer's
 * account (400 unknown_credential otherwise). */
bool tv_own_credential(struct tv_req *r, struct tv_credential *c);

/* Load the account of the bearer token (500 if it vanished). */
bool tv_auth_account(struct tv_req *r, struct tv_account *a);

#endif
