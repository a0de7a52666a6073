#include "renewal.h"

#include "auth.h"
#include "credential.h"
#include "db.h"
#include "lifecycle.h"
#include "outbox.h"
#include "tv_err.h"
#include "tv_log.h"

#include <stdio.h>
#include <string.h>

bool tv_renewal_due(const struct bakq *b, const struct tv_account *a)
{
    int64_t now = tv_now(b);

    return strcmp(a->status, "active") == 0 && a->valid_to > now && a->valid_to - now <= TV_RENEWAL_WINDOW;
}

static int notify(struct bakq *b, struct tv_account *a)
{
    char body[512], date[16];
    struct tm tm;
    time_t t = (time_t)a->valid_to;

    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y-%m-%d", &tm);
    snprintf(body, sizeof body, "Kaixo %s,\n\nSu BakQ caduca el %s. Puede renovarla desde el panel de "
             "gestion (o con `tarjeta renew`) durante los 30 dias anteriores a esa fecha. Si caduca, "
             "debera solicitar una BakQ nueva.\n", a->given_name, date);
    if (tv_send_email(b, a->email, "BakQ: aviso de renovacion", body, NULL, NULL) < 0)
        return TV_ERR_INTERNAL;
    a->notice_sent = true;
    return tv_db_exec(b->db, "UPDATE accounts SET renewal_notice_sent = 1 WHERE id = ?", "i", a->id);
}

int tv_renewal_sweep(struct bakq *b)
{
    int64_t now = tv_now(b), ids[256];
    sqlite3_stmt *st = tv_db_prepare(b->db, "SELECT id FROM accounts WHERE status = 'active' AND "
                                            "renewal_notice_sent = 0 AND valid_to > ? AND valid_to <= ? "
                                            "LIMIT 256", "ii", now, now + TV_RENEWAL_WINDOW);
    int n = 0, sent = 0;

    if (st == NULL)
        return 0;
    while (n < 256 && sqlite3_step(st) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    for (int i = 0; i < n; i++) {
        struct tv_account a;

        if (tv_account_by_id(b, ids[i], &a) == 0 && notify(b, &a) == 0)
            sent++;
        tv_account_wipe(&a);
    }
    if (sent > 0)
        tv_info("renewal notices sent: %d", sent);
    return sent;
}

int tv_revoke_account(struct bakq *b, struct tv_account *a, int reason)
{
    int rc;

    if (tv_db_begin(b->db) < 0)
        return TV_ERR_INTERNAL;
    snprintf(a->status, sizeof a->status, "revoked");
    rc = tv_account_update(b, a);
    if (rc == 0)
        rc = tv_revoke_credentials(b, a->id, reason);
    if (rc < 0) {
        tv_db_rollback(b->db);
        return rc;
    }
    tv_store_drop_account(b->store, a->id);
    tv_info("account %lld revoked", (long long)a->id);
    return tv_db_commit(b->db);
}

/* The other holder sharing the mobile loses their BakQ and is told. */
static int revoke_sharer(struct bakq *b, int64_t other_id)
{
    struct tv_account other;
    int rc = tv_account_by_id(b, other_id, &other);

    if (rc == 0)
        rc = tv_revoke_account(b, &other, 1 /* keyCompromise: the mobile is someone else's */);
    if (rc == 0)
        rc = tv_send_email(b, other.email, "BakQ revocada",
                           "Su BakQ ha sido revocada por seguridad: otra persona titular de BakQ ha "
                           "confirmado que el telefono movil que usted registro es suyo. Solicite una "
                           "BakQ nueva con un movil de uso exclusivo.\n", NULL, NULL);
    tv_account_wipe(&other);
    return rc;
}

/* A mobile shared with another holder: "change" it or "keep" it (the other
 * holder's BakQ is revoked). Returns false when the request was answered. */
static bool phone_conflict(struct tv_req *r, struct tv_account *a, int64_t other, bool *revoke_other)
{
    const char *choice, *phone;
    char payload[64];

    if (!tv_jstr(r, "phone_conflict", false, 8, &choice) || !tv_jstr(r, "phone", false, 20, &phone))
        return false;
    if (choice == NULL || (strcmp(choice, "keep") != 0 && strcmp(choice, "change") != 0)) {
        tv_fail(r, 409, "invalid_request", "phone_in_use", "Your mobile number is also registered by "
                "another BakQ holder: renew with \"phone_conflict\": \"change\" (and a new \"phone\") "
                "or \"keep\" (the other holder's BakQ is then revoked)");
        return false;
    }
    if (strcmp(choice, "keep") == 0) {
        *revoke_other = true;
        return tv_holder_confirmed(r, a, a->phone, "renew:keep");
    }
    if (phone == NULL || !tv_valid_phone(phone)) {
        tv_bad_request(r, "\"phone_conflict\": \"change\" needs a valid new \"phone\"");
        return false;
    }
    if (tv_contact_holder(r->b, "phone", phone, a->id) != 0) {
        tv_fail(r, 409, "invalid_request", "phone_in_use", "The new mobile number is used by another holder");
        return false;
    }
    snprintf(payload, sizeof payload, "renew:change:%s", phone);
    if (!tv_holder_confirmed(r, a, phone, payload))
        return false;
    (void)other;
    snprintf(a->phone, sizeof a->phone, "%s", phone);
    return true;
}

static int renew(struct bakq *b, struct tv_account *a)
{
    int rc;

    snprintf(a->second_factor, sizeof a->second_factor, "sms");   /* coordinates are replaced */
    memset(a->card, 0, sizeof a->card);
    a->allow_shared = false;
    if (strcmp(a->level, "bakq") != 0) {
        a->valid_from = tv_now(b);
        a->valid_to = a->valid_from + (int64_t)b->cfg.cert_validity_days * 86400;
        a->notice_sent = false;
        return tv_account_update(b, a);
    }
    if (tv_db_begin(b->db) < 0)
        return TV_ERR_INTERNAL;
    rc = tv_issue_credentials(b, a);
    if (rc < 0) {
        tv_db_rollback(b->db);
        return rc;
    }
    return tv_db_commit(b->db);
}

static bool renewal_allowed(struct tv_req *r, struct tv_account *a)
{
    if (!tv_auth_account(r, a) || tv_auth_refused(r, a, false))
        return false;
    if (!tv_renewal_due(r->b, a)) {
        tv_fail(r, 400, "invalid_request", "renewal_not_due",
                "Renewal is possible only in the 30 days before expiry");
        return false;
    }
    if (tv_contact_holder(r->b, "email", a->email, a->id) != 0) {
        tv_fail(r, 409, "invalid_request", "email_in_use", "Your e-mail address is also used by another "
                "BakQ holder: change it first (POST /bakq/v1/account/contact)");
        return false;
    }
    return true;
}

void tv_holder_renew(struct tv_req *r)
{
    struct tv_account a = { 0 };
    bool revoke_other = false;
    int64_t other;

    if (!renewal_allowed(r, &a))
        goto wipe;
    other = tv_contact_holder(r->b, "phone", a.phone, a.id);
    if (other != 0 && !phone_conflict(r, &a, other, &revoke_other))
        goto wipe;
    if ((revoke_other && revoke_sharer(r->b, other) < 0) || renew(r->b, &a) < 0) {
        tv_fail_internal(r);
        goto wipe;
    }
    tv_info("account %lld renewed", (long long)a.id);
    tv_reply_json(r, 200, json_pack("{s:I}", "valid_to", (json_int_t)a.valid_to));
wipe:
    tv_account_wipe(&a);
}
