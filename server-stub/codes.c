#include "codes.h"

#include "db.h"
#include "tv_err.h"
#include "tv_secmem.h"

#include <string.h>

#include <openssl/crypto.h>

int tv_code_new(struct bakq *b, int64_t account, const char *purpose, const char *value,
                const char *payload, int64_t lifetime)
{
    int64_t now = tv_now(b);

    if (tv_db_exec(b->db, "DELETE FROM codes WHERE account_id = ? AND purpose = ?", "it", account,
                   purpose) < 0)
        return TV_ERR_INTERNAL;
    return tv_db_exec(b->db, "INSERT INTO codes(account_id, purpose, value, payload, created_at, "
                             "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                      "itttii", account, purpose, value, payload ? payload : "", now, now + lifetime);
}

int tv_code_latest(struct bakq *b, int64_t account, const char *purpose, struct tv_code *out)
{
    sqlite3_stmt *st = tv_db_prepare(b->db, "SELECT id, value, payload, created_at, expires_at, used, "
                                            "tries FROM codes WHERE account_id = ? AND purpose = ? "
                                            "ORDER BY id DESC LIMIT 1", "it", account, purpose);
    int rc;

    if (st == NULL)
        return TV_ERR_INTERNAL;
    memset(out, 0, sizeof *out);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        tv_db_text(st, 1, out->value, sizeof out->value);
        tv_db_text(st, 2, out->payload, sizeof out->payload);
        out->created_at = sqlite3_column_int64(st, 3);
        out->expires_at = sqlite3_column_int64(st, 4);
        out->used = sqlite3_column_int(st, 5) != 0;
        out->tries = sqlite3_column_int(st, 6);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? TV_ERR_NOT_FOUND : TV_ERR_INTERNAL;
}

int tv_code_mark_used(struct bakq *b, int64_t id)
{
    return tv_db_exec(b->db, "UPDATE codes SET used = 1 WHERE id = ?", "i", id);
}

int tv_code_add_try(struct bakq *b, struct tv_code *c)
{
    c->tries++;
    return tv_db_exec(b->db, "UPDATE codes SET tries = ? WHERE id = ?", "ii", (int64_t)c->tries, c->id);
}

void tv_code_wipe(struct tv_code *c)
{
    tv_wipe(c, sizeof *c);
}

void tv_random_digits(char *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = (char)('0' + tv_random_below(10));
    out[n] = '\0';
}

static bool same_text(const char *a, const char *b)
{
    size_t n = strlen(a);

    return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
}

enum tv_code_check tv_code_verify(struct bakq *b, int64_t account, const char *purpose,
                                  const char *value, const char *payload)
{
    struct tv_code c;
    enum tv_code_check result;

    if (tv_code_latest(b, account, purpose, &c) < 0)
        return TV_CODE_NONE;
    if (c.used || c.tries >= TV_CODE_MAX_TRIES || tv_now(b) >= c.expires_at)
        result = TV_CODE_STALE;
    else if (!same_text(c.value, value) || (payload && strcmp(c.payload, payload) != 0))
        result = TV_CODE_WRONG;
    else
        result = TV_CODE_OK;
    if (result == TV_CODE_WRONG)
        (void)tv_code_add_try(b, &c);
    if (result == TV_CODE_OK)
        (void)tv_code_mark_used(b, c.id);
    tv_code_wipe(&c);
    return result;
}

int tv_code_reopen(struct bakq *b, int64_t account, const char *purpose)
{
    return tv_db_exec(b->db, "UPDATE codes SET used = 0 WHERE account_id = ? AND purpose = ?", "it",
                      account, purpose);
}

int tv_code_delete(struct bakq *b, int64_t account, const char *purpose)
{
    return tv_db_exec(b->db, "DELETE FROM codes WHERE account_id = ? AND purpose = ?", "it", account,
                      purpose);
}
