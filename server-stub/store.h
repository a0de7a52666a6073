/* In-memory bearer tokens and SADs (Signature Activation Data).  Only their
 * SHA-256 is kept; lookups compare hashes, so timing reveals nothing about a
 * token.  The store is guarded by the server lock (bakq.h). */
#ifndef TV_SRV_STORE_H
#define TV_SRV_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TV_TOKEN_TEXT 65          /* 64 hex characters + NUL */
#define TV_SAD_MAX_HASHES 100
#define TV_HASH_MAX 64

enum tv_token_kind { TV_TOKEN_ACCESS, TV_TOKEN_ACTIVATION };

struct tv_store;

struct tv_sad {
    uint8_t hash[32];
    uint8_t token[32];            /* hash of the bearer token it was obtained with */
    int64_t account_id;
    char credential[72];
    int key_type;                 /* enum tv_key_type of the credential */
    int64_t cert_not_after;       /* the certificate's end of validity */
    int scal;
    int num;                      /* signatures authorised */
    int remaining;
    int64_t expires_at;
    size_t hash_len;              /* SCAL 2: the bound hashes */
    size_t nhashes;
    uint8_t (*hashes)[TV_HASH_MAX];
    bool live;
};

struct tv_store *tv_store_new(void);
void tv_store_free(struct tv_store *s);

int tv_token_create(struct tv_store *s, enum tv_token_kind kind, int64_t account, int64_t now,
                    int64_t lifetime, char out[TV_TOKEN_TEXT]);
/* 0 and *account, TV_ERR_NOT_FOUND (unknown, revoked, other kind) or
 * TV_ERR_EXPIRED. */
int tv_token_check(struct tv_store *s, enum tv_token_kind kind, const char *token, int64_t now,
                   int64_t *account);
/* Revoke a token and its SADs; returns TV_ERR_NOT_FOUND when unknown. */
int tv_token_revoke(struct tv_store *s, const char *token, int64_t account);
/* Forget every token and SAD of an account (revocation, password reset...). */
void tv_store_drop_account(struct tv_store *s, int64_t account);

/* Forget every SAD of an account (its credentials changed). */
void tv_store_drop_sads(struct tv_store *s, int64_t account);

/* A new SAD; hashes may be NULL (SCAL 1). Its fields are copied. */
int tv_sad_create(struct tv_store *s, const struct tv_sad *tmpl, const char *bearer, int64_t now,
                  char out[TV_TOKEN_TEXT]);
/* The live SAD for this text, or NULL. Valid while the server lock is held. */
struct tv_sad *tv_sad_find(struct tv_store *s, const char *sad);
void tv_sad_kill(struct tv_sad *sad);

void tv_hash_token(const char *token, uint8_t out[32]);

#endif
