#include "account.h"

#include "db.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_secmem.h"

#include <string.h>

#define ACCOUNT_COLUMNS                                                                         \
    "id, dni, given_name, surname, birth_date, email, phone, second_factor, key_type, level, "  \
    "status, allow_shared, pw_salt, pw_hash, pw_iterations, pw_stage, terms_accepted, failures, " \
    "card, valid_from, valid_to, renewal_notice_sent"

static void blob(sqlite3_stmt *st, int col, uint8_t *out, size_t size, bool *present)
{
    const void *p = sqlite3_column_blob(st, col);
    int n = sqlite3_column_bytes(st, col);

    if (p != NULL && (size_t)n == size) {
        memcpy(out, p, size);
        if (present)
            *present = true;
    }
}

static void account_row(sqlite3_stmt *st, struct tv_account *a)
{
    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    tv_db_text(st, 1, a->dni, sizeof a->dni);
    tv_db_text(st, 2, a->given_name, sizeof a->given_name);
    tv_db_text(st, 3, a->surname, sizeof a->surname);
    tv_db_text(st, 4, a->birth_date, sizeof a->birth_date);
    tv_db_text(st, 5, a->email, sizeof a->email);
    tv_db_text(st, 6, a->phone, sizeof a->phone);
    tv_db_text(st, 7, a->second_factor, sizeof a->second_factor);
    tv_db_text(st, 8, a->key_type, sizeof a->key_type);
    tv_db_text(st, 9, a->level, sizeof a->level);
    tv_db_text(st, 10, a->status, sizeof a->status);
    a->allow_shared = sqlite3_column_int(st, 11) != 0;
    blob(st, 12, a->pw_salt, sizeof a->pw_salt, NULL);
    blob(st, 13, a->pw_hash, sizeof a->pw_hash, &a->has_password);
    a->pw_iterations = sqlite3_column_int(st, 14);
    a->pw_stage = sqlite3_column_int(st, 15);
    a->terms_accepted = sqlite3_column_int(st, 16) != 0;
    a->failures = sqlite3_column_int(st, 17);
    tv_db_text(st, 18, a->card, sizeof a->card);
    a->valid_from = sqlite3_column_int64(st, 19);
    a->valid_to = sqlite3_column_int64(st, 20);
    a->notice_sent = sqlite3_column_int(st, 21) != 0;
}

static int account_query(sqlite3_stmt *st, struct tv_account *out)
{
    int rc;

    if (st == NULL)
        return TV_ERR_INTERNAL;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        account_row(st, out);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? TV_ERR_NOT_FOUND : TV_ERR_INTERNAL;
}

int tv_account_by_id(struct bakq *b, int64_t id, struct tv_account *out)
{
    return account_query(tv_db_prepare(b->db, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE id = ?",
                                       "i", id), out);
}

int tv_account_by_dni(struct bakq *b, const char *dni, struct tv_account *out)
{
    return account_query(tv_db_prepare(b->db, "SELECT " ACCOUNT_COLUMNS " FROM accounts WHERE dni = ? "
                                       "AND status != 'replaced' ORDER BY id DESC LIMIT 1", "t", dni),
                         out);
}

int tv_account_insert(struct bakq *b, struct tv_account *a)
{
    int rc = tv_db_exec(b->db,
                        "INSERT INTO accounts(dni, given_name, surname, birth_date, email, phone, "
                        "second_factor, key_type, level, status, allow_shared, card, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        "ttttttttttiti", a->dni, a->given_name, a->surname, a->birth_date, a->email,
                        a->phone, a->second_factor, a->key_type, a->level, a->status,
                        (int64_t)a->allow_shared, a->card[0] ? a->card : NULL, tv_now(b));

    if (rc == 0)
        a->id = sqlite3_last_insert_rowid(b->db);
    return rc;
}

int tv_account_update(struct bakq *b, const struct tv_account *a)
{
    return tv_db_exec(b->db,
                      "UPDATE accounts SET email = ?, phone = ?, second_factor = ?, status = ?, "
                      "pw_salt = ?, pw_hash = ?, pw_iterations = ?, pw_stage = ?, terms_accepted = ?, "
                      "failures = ?, card = ?, valid_from = ?, valid_to = ?, renewal_notice_sent = ? "
                      "WHERE id = ?",
                      "ttttbbiiiitiiii", a->email, a->phone, a->second_factor, a->status,
                      a->pw_salt, a->has_password ? sizeof a->pw_salt : (size_t)0,
                      a->pw_hash, a->has_password ? sizeof a->pw_hash : (size_t)0,
                      (int64_t)a->pw_iterations, (int64_t)a->pw_stage, (int64_t)a->terms_accepted,
                      (int64_t)a->failures, a->card[0] ? a->card : NULL, a->valid_from, a->valid_to,
                      (int64_t)a->notice_sent, a->id);
}

void tv_account_wipe(struct tv_account *a)
{
    tv_wipe(a, sizeof *a);
}

enum tv_state tv_account_state(const struct bakq *b, const struct tv_account *a)
{
    if (strcmp(a->status, "replaced") == 0)
        return TV_STATE_REPLACED;
    if (strcmp(a->status, "revoked") == 0)
        return TV_STATE_REVOKED;
    if (strcmp(a->status, "active") == 0 && a->valid_to > 0 && tv_now(b) >= a->valid_to)
        return TV_STATE_EXPIRED;
    if (a->failures >= TV_MAX_FAILURES)
        return TV_STATE_BLOCKED;
    if (strcmp(a->status, "active") == 0)
        return TV_STATE_ACTIVE;
    return TV_STATE_PENDING;
}

const char *tv_state_name(enum tv_state s)
{
    static const char *const names[] = { "pending_activation", "active", "blocked",
                                         "revoked", "expired", "replaced" };

    return names[s];
}

int tv_account_attempts_left(const struct tv_account *a)
{
    return a->failures >= TV_MAX_FAILURES ? 0 : TV_MAX_FAILURES - a->failures;
}

int tv_account_set_password(struct bakq *b, struct tv_account *a, const char *pw, int stage)
{
    int rc = tv_password_hash(pw, b->cfg.password_iterations, a->pw_salt, a->pw_hash);

    if (rc < 0)
        return rc;
    a->has_password = true;
    a->pw_iterations = b->cfg.password_iterations;
    a->pw_stage = stage;
    return tv_account_update(b, a);
}

bool tv_account_check_password(const struct tv_account *a, const char *pw)
{
    if (!a->has_password)
        return false;
    return tv_password_verify(pw, a->pw_iterations, a->pw_salt, sizeof a->pw_salt, a->pw_hash,
                              sizeof a->pw_hash);
}

int tv_account_fail(struct bakq *b, struct tv_account *a)
{
    if (a->failures < TV_MAX_FAILURES)
        a->failures++;
    if (a->failures == TV_MAX_FAILURES)
        tv_warn("account %lld blocked after %d failed attempts", (long long)a->id, TV_MAX_FAILURES);
    (void)tv_db_exec(b->db, "UPDATE accounts SET failures = ? WHERE id = ?", "ii",
                     (int64_t)a->failures, a->id);
    return tv_account_attempts_left(a);
}

int tv_account_succeed(struct bakq *b, struct tv_account *a)
{
    if (a->failures == 0)
        return 0;
    a->failures = 0;
    return tv_db_exec(b->db, "UPDATE accounts SET failures = 0 WHERE id = ?", "i", a->id);
}

int64_t tv_contact_holder(struct bakq *b, const char *field, const char *value, int64_t except_id)
{
    const char *sql = strcmp(field, "email") == 0
        ? "SELECT id FROM accounts WHERE email = ?1 COLLATE NOCASE AND id != ?2 AND "
          "(status = 'pending_activation' OR (status = 'active' AND (valid_to = 0 OR valid_to > ?3))) "
          "LIMIT 1"
        : "SELECT id FROM accounts WHERE phone = ?1 AND id != ?2 AND "
          "(status = 'pending_activation' OR (status = 'active' AND (valid_to = 0 OR valid_to > ?3))) "
          "LIMIT 1";

    return tv_db_int(b->db, 0, sql, "tii", value, except_id, tv_now(b));
}
