/* SQLite state: accounts, credentials (certificates), one-time codes and the
 * outbox.  WAL journal; the schema version is PRAGMA user_version and
 * tv_db_open() applies the missing migrations in one transaction each. */
#ifndef TV_SRV_DB_H
#define TV_SRV_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#define TV_DB_SCHEMA_VERSION 1

int tv_db_open(const char *path, sqlite3 **out);
void tv_db_close(sqlite3 *db);
int tv_db_version(sqlite3 *db);

/* Prepare sql and bind the arguments described by types: 'i' int64_t,
 * 't' const char * (NULL binds NULL), 'b' const void * + size_t.
 * Returns NULL (logged) on failure. */
sqlite3_stmt *tv_db_prepare(sqlite3 *db, const char *sql, const char *types, ...);
/* Prepare, bind, step to completion, finalize. Returns 0 or TV_ERR_INTERNAL;
 * a UNIQUE violation is TV_ERR_INVALID. */
int tv_db_exec(sqlite3 *db, const char *sql, const char *types, ...);
/* First column of the first row as an integer; dflt when there is no row. */
int64_t tv_db_int(sqlite3 *db, int64_t dflt, const char *sql, const char *types, ...);

int tv_db_begin(sqlite3 *db);
int tv_db_commit(sqlite3 *db);
void tv_db_rollback(sqlite3 *db);

/* Copy column col as text into out (always NUL-terminated). */
void tv_db_text(sqlite3_stmt *st, int col, char *out, size_t outsz);

/* meta table: small named values (CRL number, last served URL, ...). */
int64_t tv_meta_int(sqlite3 *db, const char *key, int64_t dflt);
int tv_meta_set_int(sqlite3 *db, const char *key, int64_t value);
void tv_meta_text(sqlite3 *db, const char *key, char *out, size_t outsz);
int tv_meta_set_text(sqlite3 *db, const char *key, const char *value);

#endif
