#include "db.h"

#include "tv_err.h"
#include "tv_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Migration n brings the schema from version n to n + 1. */
static const char *const migrations[] = {
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value);"
    "CREATE TABLE accounts ("
    "  id INTEGER PRIMARY KEY,"
    "  dni TEXT NOT NULL,"
    "  given_name TEXT NOT NULL, surname TEXT NOT NULL, birth_date TEXT NOT NULL,"
    "  email TEXT NOT NULL, phone TEXT NOT NULL,"
    "  second_factor TEXT NOT NULL,"          /* sms | coordinates */
    "  key_type TEXT NOT NULL,"               /* rsa2048 | p256 */
    "  level TEXT NOT NULL,"                  /* bakq | bak */
    "  status TEXT NOT NULL,"                 /* pending_activation | active | revoked | replaced */
    "  allow_shared INTEGER NOT NULL DEFAULT 0,"
    "  pw_salt BLOB, pw_hash BLOB, pw_iterations INTEGER NOT NULL DEFAULT 0,"
    "  pw_stage INTEGER NOT NULL DEFAULT 0,"  /* 0 none, 1 initial (activation), 2 chosen */
    "  terms_accepted INTEGER NOT NULL DEFAULT 0,"
    "  failures INTEGER NOT NULL DEFAULT 0,"
    "  card TEXT,"                            /* 16 three-digit values, A1..D4 */
    "  valid_from INTEGER NOT NULL DEFAULT 0, valid_to INTEGER NOT NULL DEFAULT 0,"
    "  renewal_notice_sent INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL);"
    "CREATE INDEX accounts_dni ON accounts(dni);"
    "CREATE INDEX accounts_email ON accounts(email);"
    "CREATE INDEX accounts_phone ON accounts(phone);"
    "CREATE TABLE credentials ("
    "  id TEXT PRIMARY KEY,"
    "  account_id INTEGER NOT NULL REFERENCES accounts(id),"
    "  kind TEXT NOT NULL,"                   /* auth | sign */
    "  key_type TEXT NOT NULL,"
    "  cert BLOB NOT NULL, serial TEXT NOT NULL,"
    "  not_before INTEGER NOT NULL, not_after INTEGER NOT NULL,"
    "  current INTEGER NOT NULL DEFAULT 1,"
    "  revoked_at INTEGER, revoke_reason INTEGER);"
    "CREATE INDEX credentials_account ON credentials(account_id);"
    "CREATE TABLE codes ("
    "  id INTEGER PRIMARY KEY,"
    "  account_id INTEGER NOT NULL,"
    "  purpose TEXT NOT NULL,"                /* activation | otp | position | reset | confirm */
    "  value TEXT NOT NULL,"
    "  payload TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
    "  used INTEGER NOT NULL DEFAULT 0, tries INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX codes_account ON codes(account_id, purpose);"
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  channel TEXT NOT NULL, recipient TEXT NOT NULL,"
    "  subject TEXT NOT NULL, body TEXT NOT NULL,"
    "  code TEXT, card TEXT, sent_at INTEGER NOT NULL);"
    "CREATE INDEX outbox_recipient ON outbox(recipient);",
};

static int exec_script(sqlite3 *db, const char *sql)
{
    char *err = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        tv_error("database: %s", err ? err : sqlite3_errmsg(db));
        sqlite3_free(err);
        return TV_ERR_INTERNAL;
    }
    return 0;
}

int tv_db_version(sqlite3 *db)
{
    return (int)tv_db_int(db, -1, "PRAGMA user_version", "");
}

static int migrate(sqlite3 *db)
{
    int version = tv_db_version(db);
    int count = (int)(sizeof migrations / sizeof migrations[0]);
    char set[64];

    if (version > count) {
        tv_error("the database schema (version %d) is newer than this bakq-server (%d)", version, count);
        return TV_ERR_VERSION;
    }
    for (; version < count; version++) {
        snprintf(set, sizeof set, "PRAGMA user_version = %d", version + 1);
        if (exec_script(db, "BEGIN IMMEDIATE") < 0)
            return TV_ERR_INTERNAL;
        if (exec_script(db, migrations[version]) < 0 || exec_script(db, set) < 0) {
            exec_script(db, "ROLLBACK");
            return TV_ERR_INTERNAL;
        }
        if (exec_script(db, "COMMIT") < 0)
            return TV_ERR_INTERNAL;
    }
    return 0;
}

int tv_db_open(const char *path, sqlite3 **out)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;

    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        tv_error("cannot open the database %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return TV_ERR_IO;
    }
    sqlite3_busy_timeout(db, 10000);
    if (exec_script(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                        "PRAGMA foreign_keys = ON;") < 0 || migrate(db) < 0) {
        sqlite3_close(db);
        return TV_ERR_INTERNAL;
    }
    *out = db;
    return 0;
}

void tv_db_close(sqlite3 *db)
{
    sqlite3_close(db);
}

static sqlite3_stmt *prepare_v(sqlite3 *db, const char *sql, const char *types, va_list ap)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

    for (int i = 0; rc == SQLITE_OK && types[i]; i++) {
        if (types[i] == 'i') {
            rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
        } else if (types[i] == 't') {
            const char *s = va_arg(ap, const char *);
            rc = s ? sqlite3_bind_text(st, i + 1, s, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i + 1);
        } else {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            rc = sqlite3_bind_blob(st, i + 1, p, (int)n, SQLITE_TRANSIENT);
        }
    }
    if (rc != SQLITE_OK) {
        tv_error("database: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

sqlite3_stmt *tv_db_prepare(sqlite3 *db, const char *sql, const char *types, ...)
{
    va_list ap;
    sqlite3_stmt *st;

    va_start(ap, types);
    st = prepare_v(db, sql, types, ap);
    va_end(ap);
    return st;
}

int tv_db_exec(sqlite3 *db, const char *sql, const char *types, ...)
{
    va_list ap;
    sqlite3_stmt *st;
    int rc;

    va_start(ap, types);
    st = prepare_v(db, sql, types, ap);
    va_end(ap);
    if (st == NULL)
        return TV_ERR_INTERNAL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc == SQLITE_CONSTRAINT)
        return TV_ERR_INVALID;
    tv_error("database: %s", sqlite3_errmsg(db));
    return TV_ERR_INTERNAL;
}

int64_t tv_db_int(sqlite3 *db, int64_t dflt, const char *sql, const char *types, ...)
{
    va_list ap;
    sqlite3_stmt *st;
    int64_t v = dflt;

    va_start(ap, types);
    st = prepare_v(db, sql, types, ap);
    va_end(ap);
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int tv_db_begin(sqlite3 *db)
{
    return exec_script(db, "BEGIN IMMEDIATE");
}

int tv_db_commit(sqlite3 *db)
{
    return exec_script(db, "COMMIT");
}

void tv_db_rollback(sqlite3 *db)
{
    (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

void tv_db_text(sqlite3_stmt *st, int col, char *out, size_t outsz)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = t ? strlen((const char *)t) : 0;

    if (n >= outsz)
        n = outsz - 1;
    if (n > 0)
        memcpy(out, t, n);
    out[n] = '\0';
}

int64_t tv_meta_int(sqlite3 *db, const char *key, int64_t dflt)
{
    return tv_db_int(db, dflt, "SELECT value FROM meta WHERE key = ?", "t", key);
}

int tv_meta_set_int(sqlite3 *db, const char *key, int64_t value)
{
    return tv_db_exec(db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", "ti", key, value);
}

void tv_meta_text(sqlite3 *db, const char *key, char *out, size_t outsz)
{
    sqlite3_stmt *st = tv_db_prepare(db, "SELECT value FROM meta WHERE key = ?", "t", key);

    out[0] = '\0';
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
        tv_db_text(st, 0, out, outsz);
    sqlite3_finalize(st);
}

int tv_meta_set_text(sqlite3 *db, const char *key, const char *value)
{
    return tv_db_exec(db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", "tt", key, value);
}
