/* Expiry and renewal: the 30-day window, the renewal notice sweep,
 * renewal itself and revocation. */
#ifndef TV_SRV_RENEWAL_H
#define TV_SRV_RENEWAL_H

#include <stdbool.h>

#include "account.h"
#include "api.h"

#define TV_RENEWAL_WINDOW (30 * 86400)

bool tv_renewal_due(const struct bakq *b, const struct tv_account *a);
/* E-mail a renewal notice to every active holder within 30 days of expiry
 * who has not had one; returns how many were sent. */
int tv_renewal_sweep(struct bakq *b);
/* Revoke a BakQ: certificates into the CRL, status revoked, sessions gone. */
int tv_revoke_account(struct bakq *b, struct tv_account *a, int reason);

bool tv_holder_confirmed(struct tv_req *r, struct tv_account *a, const char *phone, const char *payload);

#endif
