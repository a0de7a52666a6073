#include "bakq.h"

#include "ca.h"
#include "credential.h"
#include "db.h"
#include "hsm.h"
#include "store.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_secmem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <openssl/sha.h>

#define CONF_NAME "bakq-server.conf"

int64_t tv_now(const struct bakq *b)
{
    return (int64_t)time(NULL) + (b ? __atomic_load_n(&b->clock_offset, __ATOMIC_RELAXED) : 0);
}

int tv_data_path(const struct bakq *b, const char *name, char *out, size_t outsz)
{
    int n = snprintf(out, outsz, "%s/%s", b->data_dir, name);

    return n < 0 || (size_t)n >= outsz ? TV_ERR_TOO_LARGE : 0;
}

int tv_random_hex(size_t n, char *out, size_t outsz)
{
    uint8_t raw[64];

    if (n > sizeof raw || outsz < 2 * n + 1 || RAND_bytes(raw, (int)n) != 1)
        return TV_ERR_INTERNAL;
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    tv_wipe(raw, sizeof raw);
    return 0;
}

uint32_t tv_random_below(uint32_t bound)
{
    uint32_t v, limit = UINT32_MAX - UINT32_MAX % bound;

    do {
        if (RAND_bytes((unsigned char *)&v, sizeof v) != 1)
            v = (uint32_t)random();     /* not reached with a working OpenSSL */
    } while (v >= limit);
    return v % bound;
}

void tv_public_url(const struct bakq *b, char *out, size_t outsz)
{
    char last[128];

    if (b->cfg.public_url[0]) {
        snprintf(out, outsz, "%s", b->cfg.public_url);
        return;
    }
    if (b->url[0]) {
        snprintf(out, outsz, "%s", b->url);
        return;
    }
    tv_meta_text(b->db, "last_url", last, sizeof last);
    snprintf(out, outsz, "%s", last[0] ? last : "https://127.0.0.1:8443");
}

/* Read a one-line secret file (PIN, token) into buf, without the newline. */
static int read_line_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return errno == ENOENT ? TV_ERR_NOT_FOUND : TV_ERR_IO;
    n = read(fd, buf, size - 1);
    close(fd);
    if (n <= 0)
        return TV_ERR_IO;
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf[0] ? 0 : TV_ERR_IO;
}

static int write_new_file(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    size_t n = strlen(text);
    ssize_t w;

    if (fd < 0)
        return errno == EEXIST ? 0 : TV_ERR_IO;
    w = write(fd, text, n);
    if (close(fd) != 0 || w != (ssize_t)n)
        return TV_ERR_IO;
    return 0;
}

/* A random secret file (PIN, admin token) unless it already exists. */
static int ensure_secret(const struct bakq *b, const char *name, size_t bytes)
{
    char path[1100], text[130];
    int rc;

    if (tv_data_path(b, name, path, sizeof path) < 0 || tv_random_hex(bytes, text, sizeof text) < 0)
        return TV_ERR_INTERNAL;
    text[2 * bytes] = '\n';
    text[2 * bytes + 1] = '\0';
    rc = write_new_file(path, text, 0600);
    tv_wipe(text, sizeof text);
    return rc;
}

static bool exists(const struct bakq *b, const char *name)
{
    char path[1100];

    return tv_data_path(b, name, path, sizeof path) == 0 && access(path, F_OK) == 0;
}

/* SoftHSM2 keeps this server's tokens in DATA_DIR/tokens, through its own
 * configuration file, so data directories never share a token. */
static int softhsm_isolate(const struct bakq *b, bool create)
{
    char conf[1100], tokens[1100], text[2400];

    if (b->cfg.hsm_softhsm_conf[0] == '\0')
        return 0;
    if (b->cfg.hsm_softhsm_conf[0] == '/')
        snprintf(conf, sizeof conf, "%s", b->cfg.hsm_softhsm_conf);
    else if (tv_data_path(b, b->cfg.hsm_softhsm_conf, conf, sizeof conf) < 0)
        return TV_ERR_TOO_LARGE;
    if (create) {
        if (tv_data_path(b, "tokens", tokens, sizeof tokens) < 0 ||
            (mkdir(tokens, 0700) != 0 && errno != EEXIST))
            return TV_ERR_IO;
        snprintf(text, sizeof text, "# SoftHSM2 configuration of this bakq-server data directory\n"
                 "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n"
                 "slots.removable = false\n", tokens);
        if (write_new_file(conf, text, 0600) < 0)
            return TV_ERR_IO;
    }
    return setenv("SOFTHSM2_CONF", conf, 1) == 0 ? 0 : TV_ERR_INTERNAL;
}

static int load_config(struct bakq *b)
{
    char path[1100];
    int rc;

    tv_config_defaults(&b->cfg);
    if (tv_data_path(b, CONF_NAME, path, sizeof path) < 0)
        return TV_ERR_TOO_LARGE;
    rc = tv_config_load(&b->cfg, path);
    if (rc == TV_ERR_NOT_FOUND)
        tv_error("%s is not a bakq-server data directory (run `bakq-server init --data-dir %s`)",
                 b->data_dir, b->data_dir);
    return rc;
}

static int init_config(struct bakq *b, const char *module, const char *label)
{
    char path[1100];
    struct tv_config c;

    if (tv_data_path(b, CONF_NAME, path, sizeof path) < 0)
        return TV_ERR_TOO_LARGE;
    if (access(path, F_OK) != 0) {
        tv_config_defaults(&c);
        if (module)
            snprintf(c.hsm_module, sizeof c.hsm_module, "%s", module);
        if (label)
            snprintf(c.hsm_token_label, sizeof c.hsm_token_label, "%s", label);
        if (tv_config_write(&c, path) < 0)
            return TV_ERR_IO;
    }
    return load_config(b);
}

static int init_pki(struct bakq *b)
{
    char key[1100], crt[1100], tkey[1100], tcrt[1100], instance[20] = "Instance ";
    int rc = 0;

    if (tv_data_path(b, "ca.key", key, sizeof key) < 0 || tv_data_path(b, "ca.crt", crt, sizeof crt) < 0 ||
        tv_data_path(b, "tls.key", tkey, sizeof tkey) < 0 ||
        tv_data_path(b, "tls.crt", tcrt, sizeof tcrt) < 0)
        return TV_ERR_TOO_LARGE;
    if (!exists(b, "ca.key") || !exists(b, "ca.crt")) {
        if (tv_random_hex(4, instance + 9, sizeof instance - 9) < 0)
            return TV_ERR_INTERNAL;
        rc = tv_ca_create(key, crt, instance);
    }
    if (rc == 0)
        rc = tv_ca_load(key, crt, &b->ca);
    if (rc == 0 && (!exists(b, "tls.key") || !exists(b, "tls.crt")))
        rc = tv_ca_issue_tls(b->ca, tkey, tcrt);
    return rc;
}

static int init_hsm(struct bakq *b)
{
    char path[1100], so_path[1100], pin[130], so_pin[130];
    struct tv_hsm *h = NULL;
    int rc;

    if (b->cfg.hsm_pin_file[0] == '/')
        snprintf(path, sizeof path, "%s", b->cfg.hsm_pin_file);
    else if (tv_data_path(b, b->cfg.hsm_pin_file, path, sizeof path) < 0)
        return TV_ERR_TOO_LARGE;
    if (tv_data_path(b, "hsm.so-pin", so_path, sizeof so_path) < 0)
        return TV_ERR_TOO_LARGE;
    if ((b->cfg.hsm_pin_file[0] != '/' && ensure_secret(b, b->cfg.hsm_pin_file, 12) < 0) ||
        ensure_secret(b, "hsm.so-pin", 12) < 0)
        return TV_ERR_IO;
    rc = read_line_file(path, pin, sizeof pin);
    if (rc == 0)
        rc = read_line_file(so_path, so_pin, sizeof so_pin);
    if (rc == 0)
        rc = tv_hsm_load(b->cfg.hsm_module, &h);
    if (rc == 0)
        rc = tv_hsm_prepare_token(h, b->cfg.hsm_token_label, so_pin, pin);
    tv_wipe(pin, sizeof pin);
    tv_wipe(so_pin, sizeof so_pin);
    b->hsm = h;
    return rc;
}

int tv_bakq_init(const char *data_dir, const char *hsm_module, const char *hsm_label)
{
    struct bakq b = { 0 };
    char path[1100];
    int rc;

    pthread_mutex_init(&b.lock, NULL);
    snprintf(b.data_dir, sizeof b.data_dir, "%s", data_dir);
    if (mkdir(data_dir, 0700) != 0 && errno != EEXIST) {
        tv_error("cannot create %s: %s", data_dir, strerror(errno));
        return TV_ERR_IO;
    }
    rc = init_config(&b, hsm_module, hsm_label);
    if (rc == 0)
        rc = init_pki(&b);
    if (rc == 0)
        rc = ensure_secret(&b, "admin.token", 24);
    if (rc == 0)
        rc = tv_data_path(&b, "bakq.db", path, sizeof path);
    if (rc == 0)
        rc = tv_db_open(path, &b.db);
    if (rc == 0 && !exists(&b, "crl.der"))
        rc = tv_crl_refresh(&b);
    if (rc == 0)
        rc = softhsm_isolate(&b, true);
    if (rc == 0)
        rc = init_hsm(&b);
    tv_bakq_close(&b);
    return rc;
}

static int load_admin(struct bakq *b)
{
    char path[1100], token[130];
    int rc;

    if (tv_data_path(b, "admin.token", path, sizeof path) < 0)
        return TV_ERR_TOO_LARGE;
    rc = read_line_file(path, token, sizeof token);
    if (rc == TV_ERR_NOT_FOUND)
        return 0;                        /* no admin API */
    if (rc < 0)
        return rc;
    SHA256((const unsigned char *)token, strlen(token), b->admin_hash);
    b->have_admin = true;
    tv_wipe(token, sizeof token);
    return 0;
}

static int load_crl(struct bakq *b)
{
    char path[1100];
    FILE *f;
    uint8_t buf[1 << 16];
    size_t n = 0;

    if (tv_data_path(b, "crl.der", path, sizeof path) < 0)
        return TV_ERR_TOO_LARGE;
    f = fopen(path, "rbe");
    if (f != NULL) {
        n = fread(buf, 1, sizeof buf, f);
        fclose(f);
    }
    if (n == 0 || n == sizeof buf)
        return tv_crl_refresh(b);
    b->crl = OPENSSL_malloc(n);
    if (b->crl == NULL)
        return TV_ERR_NOMEM;
    memcpy(b->crl, buf, n);
    b->crl_len = n;
    return 0;
}

static int open_hsm(struct bakq *b)
{
    char path[1100], pin[130];
    int rc;

    if (b->cfg.hsm_pin_file[0] == '/')
        snprintf(path, sizeof path, "%s", b->cfg.hsm_pin_file);
    else if (tv_data_path(b, b->cfg.hsm_pin_file, path, sizeof path) < 0)
        return TV_ERR_TOO_LARGE;
    rc = read_line_file(path, pin, sizeof pin);
    if (rc < 0) {
        tv_error("cannot read the HSM PIN from %s", path);
        return rc;
    }
    rc = softhsm_isolate(b, false);
    if (rc == 0)
        rc = tv_hsm_load(b->cfg.hsm_module, &b->hsm);
    if (rc == 0)
        rc = tv_hsm_login(b->hsm, b->cfg.hsm_token_label, pin, b->cfg.hsm_sessions);
    tv_wipe(pin, sizeof pin);
    return rc;
}

int tv_bakq_open(struct bakq *b, bool hsm)
{
    char path[1100], key[1100];
    int rc;

    pthread_mutex_init(&b->lock, NULL);
    rc = load_config(b);
    if (rc == 0)
        rc = tv_data_path(b, "bakq.db", path, sizeof path);
    if (rc == 0)
        rc = tv_db_open(path, &b->db);
    if (rc == 0 && (tv_data_path(b, "ca.key", key, sizeof key) < 0 ||
                    tv_data_path(b, "ca.crt", path, sizeof path) < 0))
        rc = TV_ERR_TOO_LARGE;
    if (rc == 0)
        rc = tv_ca_load(key, path, &b->ca);
    if (rc == 0)
        rc = load_admin(b);
    if (rc == 0)
        rc = load_crl(b);
    if (rc == 0 && (b->store = tv_store_new()) == NULL)
        rc = TV_ERR_NOMEM;
    if (rc == 0 && hsm)
        rc = open_hsm(b);
    return rc;
}

void tv_bakq_close(struct bakq *b)
{
    tv_hsm_free(b->hsm);
    b->hsm = NULL;
    tv_store_free(b->store);
    b->store = NULL;
    tv_ca_free(b->ca);
    b->ca = NULL;
    if (b->db)
        tv_db_close(b->db);
    b->db = NULL;
    OPENSSL_free(b->crl);
    b->crl = NULL;
    pthread_mutex_destroy(&b->lock);
}
