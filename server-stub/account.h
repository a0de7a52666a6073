/* Accounts (one per person and BakQ): identity, contact, password hash,
 * failure counter, second factor and validity. */
#ifndef TV_SRV_ACCOUNT_H
#define TV_SRV_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bakq.h"
#include "card.h"
#include "password.h"

#define TV_MAX_FAILURES 5

struct tv_account {
    int64_t id;
    char dni[10];
    char given_name[128];
    char surname[128];
    char birth_date[11];
    char email[256];
    char phone[32];
    char second_factor[16];     /* sms | coordinates */
    char key_type[16];          /* rsa2048 | p256 */
    char level[8];              /* bakq | bak */
    char status[24];            /* pending_activation | active | revoked | replaced */
    bool allow_shared;
    uint8_t pw_salt[TV_PW_SALT];
    uint8_t pw_hash[TV_PW_HASH];
    bool has_password;
    int pw_iterations;
    int pw_stage;               /* 0 none, 1 initial, 2 chosen by the holder */
    bool terms_accepted;
    int failures;
    char card[TV_CARD_TEXT + 1];
    int64_t valid_from;
    int64_t valid_to;
    bool notice_sent;
};

/* What an account is right now, on the server's clock. */
enum tv_state {
    TV_STATE_PENDING,
    TV_STATE_ACTIVE,
    TV_STATE_BLOCKED,
    TV_STATE_REVOKED,
    TV_STATE_EXPIRED,
    TV_STATE_REPLACED,
};

int tv_account_by_id(struct bakq *b, int64_t id, struct tv_account *out);
/* The current (not replaced) account of a normalised DNI. */
int tv_account_by_dni(struct bakq *b, const char *dni, struct tv_account *out);
int tv_account_insert(struct bakq *b, struct tv_account *a);
int tv_account_update(struct bakq *b, const struct tv_account *a);
void tv_account_wipe(struct tv_account *a);

enum tv_state tv_account_state(const struct bakq *b, const struct tv_account *a);
const char *tv_state_name(enum tv_state s);
int tv_account_attempts_left(const struct tv_account *a);

int tv_account_set_password(struct bakq *b, struct tv_account *a, const char *pw, int stage);
bool tv_account_check_password(const struct tv_account *a, const char *pw);
/* Count one failed attempt (saved); returns the attempts left (0 = blocked). */
int tv_account_fail(struct bakq *b, struct tv_account *a);
/* A complete successful authentication: the counter returns to 0 (saved). */
int tv_account_succeed(struct bakq *b, struct tv_account *a);

/* The id of another live holder (pending or active, not expired) using this
 * e-mail ("email") or mobile ("phone"); 0 when there is none. */
int64_t tv_contact_holder(struct bakq *b, const char *field, const char *value, int64_t except_id);

#endif
