/* Credentials: the two key pairs (in the HSM) and certificates of a BakQ,
 * their issuance, revocation and the CRL. */
#ifndef TV_SRV_CREDENTIAL_H
#define TV_SRV_CREDENTIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "account.h"
#include "bakq.h"

struct tv_credential {
    char id[72];
    int64_t account_id;
    char kind[8];                 /* auth | sign */
    char key_type[16];            /* rsa2048 | p256 */
    uint8_t *cert;                /* DER, malloc'd */
    size_t cert_len;
    char serial[41];
    int64_t not_before;
    int64_t not_after;
    bool current;
    int64_t revoked_at;           /* 0 = not revoked */
};

int tv_credential_get(struct bakq *b, const char *id, struct tv_credential *out);
/* The current credentials of an account, authentication first (0, 1 or 2). */
int tv_credential_current(struct bakq *b, int64_t account, struct tv_credential out[2], int *n);
void tv_credential_clear(struct tv_credential *c);
/* "valid", "expired" or "revoked" on the server clock. */
const char *tv_credential_status(const struct bakq *b, const struct tv_credential *c);

/* Generate two key pairs in the HSM, issue both certificates, make them the
 * account's current credentials (earlier ones are revoked as superseded)
 * and set the account's validity (saved). */
int tv_issue_credentials(struct bakq *b, struct tv_account *a);
/* Revoke the account's unrevoked certificates and refresh the CRL. */
int tv_revoke_credentials(struct bakq *b, int64_t account, int reason);
/* Rebuild the CRL from the database (b->crl and DATA_DIR/crl.der). */
int tv_crl_refresh(struct bakq *b);

#endif
