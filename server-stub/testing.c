/* /testing/v1/ (only with --testing): the outbox and the clock offset; and
 * the public CA endpoints /ca/ca.crt and /ca/crl. */
#include "api.h"
#include "ca.h"
#include "card.h"
#include "db.h"
#include "renewal.h"
#include "tv_log.h"

#include <openssl/pem.h>

static json_t *card_object(const char *digits)
{
    json_t *o = json_object();
    char pos[3], value[4];

    for (int i = 0; o && i < TV_CARD_POSITIONS; i++) {
        tv_card_position(i, pos);
        tv_card_value(digits, i, value);
        json_object_set_new(o, pos, json_string(value));
    }
    return o;
}

static json_t *message_row(sqlite3_stmt *st)
{
    const char *code = (const char *)sqlite3_column_text(st, 5);
    const char *card = (const char *)sqlite3_column_text(st, 6);
    json_t *m = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I}", "id", (json_int_t)sqlite3_column_int64(st, 0),
                          "channel", (const char *)sqlite3_column_text(st, 1),
                          "to", (const char *)sqlite3_column_text(st, 2),
                          "subject", (const char *)sqlite3_column_text(st, 3),
                          "body", (const char *)sqlite3_column_text(st, 4),
                          "sent_at", (json_int_t)sqlite3_column_int64(st, 7));

    if (m && code)
        json_object_set_new(m, "code", json_string(code));
    if (m && card && tv_card_valid(card))
        json_object_set_new(m, "card", card_object(card));
    return m;
}

void tv_testing_outbox(struct tv_req *r)
{
    const char *to = r->http->arg ? r->http->arg(r->http->arg_ctx, "to") : NULL;
    sqlite3_stmt *st = to
        ? tv_db_prepare(r->b->db, "SELECT id, channel, recipient, subject, body, code, card, sent_at FROM "
                                  "outbox WHERE recipient = ? COLLATE NOCASE ORDER BY id", "t", to)
        : tv_db_prepare(r->b->db, "SELECT id, channel, recipient, subject, body, code, card, sent_at FROM "
                                  "outbox ORDER BY id", "");
    json_t *list = json_array();

    if (st == NULL || list == NULL) {
        sqlite3_finalize(st);
        json_decref(list);
        tv_fail_internal(r);
        return;
    }
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(list, message_row(st));
    sqlite3_finalize(st);
    tv_reply_json(r, 200, json_pack("{s:o}", "messages", list));
}

void tv_testing_clock_get(struct tv_req *r)
{
    tv_reply_json(r, 200, json_pack("{s:I, s:I}", "now", (json_int_t)tv_now(r->b), "offset_seconds",
                                    (json_int_t)r->b->clock_offset));
}

void tv_testing_clock_set(struct tv_req *r)
{
    long long offset;

    if (!tv_jint(r, "offset_seconds", true, -100LL * 365 * 86400, 100LL * 365 * 86400, &offset, NULL))
        return;
    __atomic_store_n(&r->b->clock_offset, (int64_t)offset, __ATOMIC_RELAXED);
    tv_info("testing clock offset set to %lld s", offset);
    (void)tv_renewal_sweep(r->b);
    tv_reply_json(r, 200, json_pack("{s:I}", "now", (json_int_t)tv_now(r->b)));
}

void tv_ca_get_cert(struct tv_req *r)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *p;
    long n;

    if (b == NULL || !PEM_write_bio_X509(b, r->b->ca->cert)) {
        BIO_free(b);
        tv_fail_internal(r);
        return;
    }
    n = BIO_get_mem_data(b, &p);
    tv_reply_raw(r, "application/x-pem-file", p, (size_t)n);
    BIO_free(b);
}

void tv_ca_get_crl(struct tv_req *r)
{
    tv_reply_raw(r, "application/pkix-crl", r->b->crl, r->b->crl_len);
}
