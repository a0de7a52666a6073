/* Fuzz target: bakq-server's request parsing and dispatch (tv_api_handle),
 * the same code the HTTPS front end calls, over a real (temporary) data
 * directory: SQLite database, CA, CRL, one active BakQ holder, one Bak-only
 * and one pending account.  No HSM: signing answers 500, which is fine.
 *
 * Input: METHOD \n PATH \n CONTENT-TYPE \n AUTHORIZATION \n QUERY-TO \n BODY
 * In AUTHORIZATION, "Bearer @" stands for a valid access token and
 * "Bearer !" for the admin token. */
#include "api.h"
#include "account.h"
#include "ca.h"
#include "credential.h"
#include "db.h"
#include "lifecycle.h"
#include "store.h"
#include "tv_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bakq b;
static char token[TV_TOKEN_TEXT];
static const char admin[] = "fuzz-admin-token";

static void add_account(const char *dni, const char *phone, const char *level, bool active, bool cred)
{
    struct tv_registration reg = { dni, "Miren", "Etxeberria", "1980-05-17", NULL, phone, "coordinates",
                                   "rsa2048", level, false };
    struct tv_account a;
    char email[64], msg[200];
    unsigned char *der = NULL;
    int n;

    snprintf(email, sizeof email, "%s@example.org", dni);
    reg.email = email;
    if (tv_register(&b, &reg, &a, msg, sizeof msg) != TV_REG_OK)
        abort();
    tv_account_set_password(&b, &a, "abcd1234", 2);
    if (active) {
        snprintf(a.status, sizeof a.status, "active");
        a.valid_from = tv_now(&b);
        a.valid_to = a.valid_from + 86400 * 365;
        tv_account_update(&b, &a);
    }
    if (cred) {
        n = i2d_X509(b.ca->cert, &der);
        tv_db_exec(b.db, "INSERT INTO credentials(id, account_id, kind, key_type, cert, serial, not_before, "
                         "not_after) VALUES ('fuzz-auth', ?, 'auth', 'rsa2048', ?, '4A', ?, ?), "
                         "('fuzz-sign', ?, 'sign', 'rsa2048', ?, '4B', ?, ?)", "ibiiibii",
                   a.id, der, (size_t)n, a.valid_from, a.valid_to, a.id, der, (size_t)n, a.valid_from,
                   a.valid_to);
        OPENSSL_free(der);
        tv_token_create(b.store, TV_TOKEN_ACCESS, a.id, tv_now(&b), 1L << 40, token);
    }
}

static char dir[] = "/tmp/fuzz-bakq-XXXXXX";

static void cleanup(void)
{
    static const char *const names[] = { "ca.key", "ca.crt", "crl.der", "crl.der.tmp" };
    char path[128];

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static void setup(void)
{
    char key[128], crt[128];

    if (mkdtemp(dir) == NULL)
        abort();
    atexit(cleanup);
    snprintf(b.data_dir, sizeof b.data_dir, "%s", dir);
    snprintf(key, sizeof key, "%s/ca.key", dir);
    snprintf(crt, sizeof crt, "%s/ca.crt", dir);
    tv_config_defaults(&b.cfg);
    b.cfg.password_iterations = 1;
    b.testing = true;
    pthread_mutex_init(&b.lock, NULL);
    tv_api_global_init();
    if (tv_db_open(":memory:", &b.db) < 0 || tv_ca_create(key, crt, "fuzz") < 0 ||
        tv_ca_load(key, crt, &b.ca) < 0 || (b.store = tv_store_new()) == NULL || tv_crl_refresh(&b) < 0)
        abort();
    SHA256((const unsigned char *)admin, strlen(admin), b.admin_hash);
    b.have_admin = true;
    add_account("12345678Z", "+34600000001", "bakq", true, true);
    add_account("00000023T", "+34600000002", "bak", true, false);
    add_account("X1234567L", "+34600000003", "bakq", false, false);
}

/* Next line of the input as a NUL-terminated copy (empty when absent). */
static char *next_line(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
    size_t n = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
    char *s = malloc(n + 1);

    if (s == NULL)
        abort();
    memcpy(s, *p, n);
    s[n] = '\0';
    *p = nl ? nl + 1 : end;
    return s;
}

static const char *query(void *ctx, const char *name)
{
    const char *to = ctx;

    return strcmp(name, "to") == 0 && *to ? to : NULL;
}

static char *authorization(char *raw)
{
    char *out;

    if (strcmp(raw, "Bearer @") == 0 || strcmp(raw, "Bearer !") == 0) {
        out = malloc(160);
        if (out == NULL)
            abort();
        snprintf(out, 160, "Bearer %s", raw[7] == '@' ? token : admin);
        free(raw);
        return out;
    }
    return raw;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    const uint8_t *p = data, *end = data + size;
    struct tv_http_request rq = { 0 };
    struct tv_http_response rs;
    char *method, *path, *ctype, *auth, *to;

    if (!ready) {
        tv_log_open("fuzz_server", TV_LOG_ERROR, "/dev/null");
        setup();
        ready = true;
    }
    method = next_line(&p, end);
    path = next_line(&p, end);
    ctype = next_line(&p, end);
    auth = authorization(next_line(&p, end));
    to = next_line(&p, end);
    rq = (struct tv_http_request){ method, path, *ctype ? ctype : NULL, *auth ? auth : NULL, p,
                                   (size_t)(end - p), (size_t)(end - p) > TV_BODY_MAX, query, to };
    tv_api_handle(&b, &rq, &rs);
    if (rs.status < 200 || rs.status > 599 || (rs.body == NULL && rs.status != 204))
        abort();
    tv_http_response_free(&rs);
    free(method);
    free(path);
    free(ctype);
    free(auth);
    free(to);
    return 0;
}
