/* One-time codes kept per account and purpose: activation codes, SMS codes,
 * coordinate positions asked, reset and confirmation codes.  A new code of a
 * purpose replaces the previous one ("resend"). */
#ifndef TV_SRV_CODES_H
#define TV_SRV_CODES_H

#include <stdbool.h>
#include <stdint.h>

#include "bakq.h"

#define TV_CODE_ACTIVATION "activation"
#define TV_CODE_OTP        "otp"        /* SMS code of a challenge */
#define TV_CODE_POSITION   "position"   /* coordinate position asked */
#define TV_CODE_RESET      "reset"
#define TV_CODE_CONFIRM    "confirm"    /* holder operations; payload names the change */

#define TV_CODE_MAX_TRIES 5

struct tv_code {
    int64_t id;
    char value[64];
    char payload[512];
    int64_t created_at;
    int64_t expires_at;
    bool used;
    int tries;
};

int tv_code_new(struct bakq *b, int64_t account, const char *purpose, const char *value,
                const char *payload, int64_t lifetime);
/* The latest code of this purpose; TV_ERR_NOT_FOUND when none. */
int tv_code_latest(struct bakq *b, int64_t account, const char *purpose, struct tv_code *out);
int tv_code_mark_used(struct bakq *b, int64_t id);
int tv_code_add_try(struct bakq *b, struct tv_code *c);
void tv_code_wipe(struct tv_code *c);

/* n random decimal digits. */
void tv_random_digits(char *out, int n);

enum tv_code_check { TV_CODE_OK, TV_CODE_NONE, TV_CODE_WRONG, TV_CODE_STALE };
/* Check a submitted value against the latest code (constant time; a wrong
 * value counts a try and the code dies after TV_CODE_MAX_TRIES); consumes it
 * on success.  STALE: expired, used or tried out. */
enum tv_code_check tv_code_verify(struct bakq *b, int64_t account, const char *purpose,
                                  const char *value, const char *payload);



/* Make the latest code of a purpose usable again (activation codes serve
 * every restart of the activation), or delete the purpose's codes. */
int tv_code_reopen(struct bakq *b, int64_t account, const char *purpose);
int tv_code_delete(struct bakq *b, int64_t account, const char *purpose);
#endif
