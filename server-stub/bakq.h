/* The server's state, shared by every request handler.
 *
 * One mutex (lock) guards the database, the in-memory token/SAD store and the
 * testing clock; handlers run with it held, except signatures/signHash, which
 * only holds it to check and consume its SAD and signs in the HSM without it,
 * so concurrent signatures run in parallel. */
#ifndef TV_SRV_BAKQ_H
#define TV_SRV_BAKQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "config.h"

struct tv_hsm;
struct tv_ca;
struct tv_store;

struct bakq {
    struct tv_config cfg;
    char data_dir[1024];
    sqlite3 *db;
    struct tv_hsm *hsm;
    struct tv_ca *ca;
    struct tv_store *store;
    pthread_mutex_t lock;
    bool testing;
    int64_t clock_offset;         /* seconds; only with --testing */
    char url[96];                 /* https://127.0.0.1:PORT while serving */
    uint8_t admin_hash[32];       /* SHA-256 of the admin token */
    bool have_admin;
    uint8_t *crl;                 /* current DER CRL */
    size_t crl_len;
};

/* The server's clock: real time plus the testing offset. */
int64_t tv_now(const struct bakq *b);

/* DATA_DIR/name into out; TV_ERR_TOO_LARGE when it does not fit. */
int tv_data_path(const struct bakq *b, const char *name, char *out, size_t outsz);

/* Open everything a running server needs (config, database, CA, HSM, admin
 * token, CRL) from b->data_dir. hsm=false skips the HSM (tools, fuzzing). */
int tv_bakq_open(struct bakq *b, bool hsm);
void tv_bakq_close(struct bakq *b);

/* Create (idempotently) what tv_bakq_open needs. */
int tv_bakq_init(const char *data_dir, const char *hsm_module, const char *hsm_label);

/* The base URL for certificates: public_url, else the URL served, else the
 * last URL this data directory was served on. */
void tv_public_url(const struct bakq *b, char *out, size_t outsz);

/* Random bytes as lower-case hex (n bytes -> 2n characters). */
int tv_random_hex(size_t n, char *out, size_t outsz);
/* A uniformly random number below bound. */
uint32_t tv_random_below(uint32_t bound);

#endif
