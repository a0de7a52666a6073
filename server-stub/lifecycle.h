/* Registration at a service point and activation of a BakQ, shared by the
 * HTTP API (/bakq/v1/) and `bakq-server enroll`. */
#ifndef TV_SRV_LIFECYCLE_H
#define TV_SRV_LIFECYCLE_H

#include <stdbool.h>

#include "account.h"
#include "bakq.h"

struct tv_registration {
    const char *dni;
    const char *given_name;
    const char *surname;
    const char *birth_date;       /* YYYY-MM-DD */
    const char *email;
    const char *phone;
    const char *second_factor;    /* sms | coordinates */
    const char *key;              /* rsa2048 | p256 */
    const char *level;            /* bakq | bak */
    bool allow_shared_contact;
};

/* Why a registration was refused (for the API's reason codes). */
enum tv_reg_error {
    TV_REG_OK,
    TV_REG_BAD_FIELD,             /* message names it */
    TV_REG_BAD_DNI,
    TV_REG_UNDERAGE,
    TV_REG_ALREADY,
    TV_REG_EMAIL_IN_USE,
    TV_REG_PHONE_IN_USE,
    TV_REG_INTERNAL,
};

/* Validate and store a new account (pending activation), replacing an
 * expired or revoked one of the same person; e-mail the activation code
 * (and the coordinate card).  a receives the account. */
enum tv_reg_error tv_register(struct bakq *b, const struct tv_registration *reg, struct tv_account *a,
                              char *msg, size_t msgsz);

/* Finish an activation: level bak -> active; bakq -> keys and certificates. */
int tv_activate(struct bakq *b, struct tv_account *a);

bool tv_valid_email(const char *s);
bool tv_valid_phone(const char *s);
/* Age in whole years on the day now (Unix seconds); -1 if date is invalid. */
int tv_age_years(const char *date, int64_t now);

#endif
