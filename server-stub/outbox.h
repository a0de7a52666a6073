/* The SMS and e-mail gateway of the stand-in: every message is stored in the
 * outbox table (readable at /testing/v1/outbox with --testing).  Logs name
 * the channel and a masked recipient, never the text. */
#ifndef TV_SRV_OUTBOX_H
#define TV_SRV_OUTBOX_H

#include "bakq.h"

/* code: the machine-readable code of the message (or NULL); card: 48 digits
 * of a coordinate card (or NULL). */
int tv_send_sms(struct bakq *b, const char *phone, const char *body, const char *code);
int tv_send_email(struct bakq *b, const char *email, const char *subject, const char *body,
                  const char *code, const char *card);

/* "******789" */
void tv_mask_phone(const char *phone, char *out, size_t outsz);

#endif
