#include "outbox.h"

#include "db.h"
#include "tv_log.h"

#include <stdio.h>
#include <string.h>

void tv_mask_phone(const char *phone, char *out, size_t outsz)
{
    size_t n = strlen(phone);

    snprintf(out, outsz, "******%s", n > 3 ? phone + n - 3 : phone);
}

int tv_send_sms(struct bakq *b, const char *phone, const char *body, const char *code)
{
    char masked[32];

    tv_mask_phone(phone, masked, sizeof masked);
    tv_info("SMS to %s", masked);
    return tv_db_exec(b->db, "INSERT INTO outbox(channel, recipient, subject, body, code, sent_at) "
                             "VALUES ('sms', ?, '', ?, ?, ?)", "ttti", phone, body, code, tv_now(b));
}

int tv_send_email(struct bakq *b, const char *email, const char *subject, const char *body,
                  const char *code, const char *card)
{
    const char *at = strchr(email, '@');

    tv_info("e-mail \"%s\" to ***%s", subject, at ? at : "");
    return tv_db_exec(b->db, "INSERT INTO outbox(channel, recipient, subject, body, code, card, sent_at) "
                             "VALUES ('email', ?, ?, ?, ?, ?, ?)", "ttttti",
                      email, subject, body, code, card, tv_now(b));
}
