#include "credential.h"

#include "ca.h"
#include "db.h"
#include "hsm.h"
#include "store.h"
#include "tv_err.h"
#include "tv_log.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CRED_COLUMNS "id, account_id, kind, key_type, cert, serial, not_before, not_after, current, " \
                     "revoked_at"

static void credential_row(sqlite3_stmt *st, struct tv_credential *c)
{
    const void *der = sqlite3_column_blob(st, 4);
    int n = sqlite3_column_bytes(st, 4);

    memset(c, 0, sizeof *c);
    tv_db_text(st, 0, c->id, sizeof c->id);
    c->account_id = sqlite3_column_int64(st, 1);
    tv_db_text(st, 2, c->kind, sizeof c->kind);
    tv_db_text(st, 3, c->key_type, sizeof c->key_type);
    if (der != NULL && n > 0 && (c->cert = malloc((size_t)n)) != NULL) {
        memcpy(c->cert, der, (size_t)n);
        c->cert_len = (size_t)n;
    }
    tv_db_text(st, 5, c->serial, sizeof c->serial);
    c->not_before = sqlite3_column_int64(st, 6);
    c->not_after = sqlite3_column_int64(st, 7);
    c->current = sqlite3_column_int(st, 8) != 0;
    c->revoked_at = sqlite3_column_int64(st, 9);
}

void tv_credential_clear(struct tv_credential *c)
{
    free(c->cert);
    memset(c, 0, sizeof *c);
}

int tv_credential_get(struct bakq *b, const char *id, struct tv_credential *out)
{
    sqlite3_stmt *st = tv_db_prepare(b->db, "SELECT " CRED_COLUMNS " FROM credentials WHERE id = ?",
                                     "t", id);
    int rc;

    if (st == NULL)
        return TV_ERR_INTERNAL;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        credential_row(st, out);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? TV_ERR_NOT_FOUND : TV_ERR_INTERNAL;
}

int tv_credential_current(struct bakq *b, int64_t account, struct tv_credential out[2], int *n)
{
    sqlite3_stmt *st = tv_db_prepare(b->db, "SELECT " CRED_COLUMNS " FROM credentials WHERE "
                                            "account_id = ? AND current = 1 ORDER BY kind ASC", "i",
                                     account);

    *n = 0;
    if (st == NULL)
        return TV_ERR_INTERNAL;
    while (*n < 2 && sqlite3_step(st) == SQLITE_ROW)
        credential_row(st, &out[(*n)++]);
    sqlite3_finalize(st);
    return 0;
}

const char *tv_credential_status(const struct bakq *b, const struct tv_credential *c)
{
    if (c->revoked_at != 0)
        return "revoked";
    if (tv_now(b) >= c->not_after)
        return "expired";
    return "valid";
}

static int issue_one(struct bakq *b, const struct tv_account *a, const char *prefix,
                     enum tv_cert_kind kind, int64_t from, int64_t to)
{
    const char *kind_name = kind == TV_CERT_AUTH ? "auth" : "sign";
    struct tv_subject who = { a->dni, a->given_name, a->surname, a->email };
    enum tv_key_type type = strcmp(a->key_type, "p256") == 0 ? TV_KEY_P256 : TV_KEY_RSA2048;
    struct tv_hsm_pub pub;
    struct tv_issued cert = { 0 };
    EVP_PKEY *pkey = NULL;
    char id[72], url[160], crl_url[200];
    int rc;

    snprintf(id, sizeof id, "%s-%s", prefix, kind_name);
    tv_public_url(b, url, sizeof url);
    snprintf(crl_url, sizeof crl_url, "%s/ca/crl", url);
    rc = tv_hsm_generate(b->hsm, id, type, &pub);
    if (rc == 0)
        rc = tv_pubkey_from_hsm(&pub, &pkey);
    if (rc == 0)
        rc = tv_ca_issue_citizen(b->ca, pkey, &who, kind, (time_t)from, (time_t)to, crl_url, &cert);
    if (rc == 0)
        rc = tv_db_exec(b->db, "INSERT INTO credentials(id, account_id, kind, key_type, cert, serial, "
                               "not_before, not_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        "tittbtii", id, a->id, kind_name, a->key_type,
                        cert.der, cert.der_len, cert.serial, from, to);
    OPENSSL_free(cert.der);
    EVP_PKEY_free(pkey);
    return rc;
}

int tv_issue_credentials(struct bakq *b, struct tv_account *a)
{
    int64_t from = tv_now(b) - 300;
    int64_t to = from + 300 + (int64_t)b->cfg.cert_validity_days * 86400;
    char prefix[33];
    int rc;

    if (b->hsm == NULL || b->ca == NULL || tv_random_hex(12, prefix, sizeof prefix) < 0)
        return TV_ERR_INTERNAL;
    rc = tv_revoke_credentials(b, a->id, 4 /* superseded */);
    if (rc == 0)
        rc = tv_db_exec(b->db, "UPDATE credentials SET current = 0 WHERE account_id = ?", "i", a->id);
    if (rc == 0)
        rc = issue_one(b, a, prefix, TV_CERT_AUTH, from, to);
    if (rc == 0)
        rc = issue_one(b, a, prefix, TV_CERT_SIGN, from, to);
    if (rc < 0)
        return rc;
    a->valid_from = from;
    a->valid_to = to;
    a->notice_sent = false;
    tv_store_drop_sads(b->store, a->id);            /* they name the old credentials */
    tv_info("account %lld: certificates issued (credentials %s-*)", (long long)a->id, prefix);
    return tv_account_update(b, a);
}

int tv_revoke_credentials(struct bakq *b, int64_t account, int reason)
{
    int64_t count = tv_db_int(b->db, 0, "SELECT count(*) FROM credentials WHERE account_id = ? AND "
                                        "revoked_at IS NULL", "i", account);
    int rc;

    if (count == 0)
        return 0;
    rc = tv_db_exec(b->db, "UPDATE credentials SET revoked_at = ?, revoke_reason = ? WHERE "
                           "account_id = ? AND revoked_at IS NULL", "iii", tv_now(b), (int64_t)reason,
                    account);
    return rc == 0 ? tv_crl_refresh(b) : rc;
}

static int save_crl(struct bakq *b, const uint8_t *der, size_t len)
{
    char path[1100], tmp[1110];
    int fd;
    ssize_t w;

    if (tv_data_path(b, "crl.der", path, sizeof path) < 0)
        return TV_ERR_TOO_LARGE;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return TV_ERR_IO;
    w = write(fd, der, len);
    close(fd);
    if (w != (ssize_t)len || rename(tmp, path) != 0)
        return TV_ERR_IO;
    return 0;
}

static int load_revoked(struct bakq *b, struct tv_revoked **out, size_t *n)
{
    int64_t count = tv_db_int(b->db, 0, "SELECT count(*) FROM credentials WHERE revoked_at IS NOT NULL", "");
    sqlite3_stmt *st = tv_db_prepare(b->db, "SELECT serial, revoked_at, revoke_reason FROM credentials "
                                            "WHERE revoked_at IS NOT NULL", "");
    struct tv_revoked *list = calloc((size_t)count + 1, sizeof *list);
    size_t i = 0;

    if (st == NULL || list == NULL) {
        sqlite3_finalize(st);
        free(list);
        return TV_ERR_INTERNAL;
    }
    while (i < (size_t)count && sqlite3_step(st) == SQLITE_ROW) {
        tv_db_text(st, 0, list[i].serial, sizeof list[i].serial);
        list[i].when = sqlite3_column_int64(st, 1);
        list[i].reason = sqlite3_column_int(st, 2);
        i++;
    }
    sqlite3_finalize(st);
    *out = list;
    *n = i;
    return 0;
}

int tv_crl_refresh(struct bakq *b)
{
    struct tv_revoked *list = NULL;
    size_t n = 0, len = 0;
    uint8_t *der = NULL;
    long number = (long)tv_meta_int(b->db, "crl_number", 0) + 1;
    int rc = load_revoked(b, &list, &n);

    if (rc == 0)
        rc = tv_ca_make_crl(b->ca, list, n, number, (time_t)tv_now(b), &der, &len);
    free(list);
    if (rc == 0)
        rc = tv_meta_set_int(b->db, "crl_number", number);
    if (rc == 0)
        rc = save_crl(b, der, len);
    if (rc == 0) {
        OPENSSL_free(b->crl);
        b->crl = der;
        b->crl_len = len;
    } else {
        OPENSSL_free(der);
    }
    return rc;
}
