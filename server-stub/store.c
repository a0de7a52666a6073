#include "store.h"

#include "bakq.h"
#include "tv_err.h"
#include "tv_secmem.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#define MAX_TOKENS 8192
#define MAX_SADS 8192

struct token {
    uint8_t hash[32];
    enum tv_token_kind kind;
    int64_t account_id;
    int64_t expires_at;
    bool live;
};

struct tv_store {
    struct token tokens[MAX_TOKENS];
    struct tv_sad sads[MAX_SADS];
    size_t next_token;            /* round-robin replacement when full */
    size_t next_sad;
};

void tv_hash_token(const char *token, uint8_t out[32])
{
    SHA256((const unsigned char *)token, strlen(token), out);
}

struct tv_store *tv_store_new(void)
{
    return calloc(1, sizeof(struct tv_store));
}

void tv_store_free(struct tv_store *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < MAX_SADS; i++)
        tv_sad_kill(&s->sads[i]);
    tv_wipe(s, sizeof *s);
    free(s);
}

/* Where the search for a hash starts: entries are placed at the first free
 * slot from there, so a lookup usually succeeds at once. */
static size_t start_of(const uint8_t hash[32], size_t size)
{
    return ((size_t)hash[0] << 16 | (size_t)hash[1] << 8 | hash[2]) % size;
}

static struct token *token_slot(struct tv_store *s, const uint8_t hash[32], int64_t now)
{
    size_t start = start_of(hash, MAX_TOKENS);

    for (size_t k = 0; k < MAX_TOKENS; k++) {
        struct token *t = &s->tokens[(start + k) % MAX_TOKENS];

        if (!t->live || t->expires_at + 86400 < now)
            return t;
    }
    s->next_token = (s->next_token + 1) % MAX_TOKENS;
    return &s->tokens[s->next_token];
}

int tv_token_create(struct tv_store *s, enum tv_token_kind kind, int64_t account, int64_t now,
                    int64_t lifetime, char out[TV_TOKEN_TEXT])
{
    uint8_t hash[32];
    struct token *t;

    if (tv_random_hex(32, out, TV_TOKEN_TEXT) < 0)
        return TV_ERR_INTERNAL;
    tv_hash_token(out, hash);
    t = token_slot(s, hash, now);
    memcpy(t->hash, hash, 32);
    t->kind = kind;
    t->account_id = account;
    t->expires_at = now + lifetime;
    t->live = true;
    return 0;
}

static struct token *token_find(struct tv_store *s, const uint8_t hash[32])
{
    size_t start = start_of(hash, MAX_TOKENS);

    for (size_t k = 0; k < MAX_TOKENS; k++) {
        struct token *t = &s->tokens[(start + k) % MAX_TOKENS];

        if (t->live && memcmp(t->hash, hash, 32) == 0)
            return t;
    }
    return NULL;
}

int tv_token_check(struct tv_store *s, enum tv_token_kind kind, const char *token, int64_t now,
                   int64_t *account)
{
    uint8_t hash[32];
    struct token *t;

    tv_hash_token(token, hash);
    t = token_find(s, hash);
    if (t == NULL || t->kind != kind)
        return TV_ERR_NOT_FOUND;
    if (now >= t->expires_at)
        return TV_ERR_EXPIRED;
    *account = t->account_id;
    return 0;
}

int tv_token_revoke(struct tv_store *s, const char *token, int64_t account)
{
    uint8_t hash[32];
    struct token *t;

    tv_hash_token(token, hash);
    t = token_find(s, hash);
    if (t == NULL || t->account_id != account)
        return TV_ERR_NOT_FOUND;
    t->live = false;
    for (size_t i = 0; i < MAX_SADS; i++)
        if (s->sads[i].live && memcmp(s->sads[i].token, hash, 32) == 0)
            tv_sad_kill(&s->sads[i]);
    return 0;
}

void tv_store_drop_account(struct tv_store *s, int64_t account)
{
    for (size_t i = 0; i < MAX_TOKENS; i++)
        if (s->tokens[i].account_id == account)
            s->tokens[i].live = false;
    for (size_t i = 0; i < MAX_SADS; i++)
        if (s->sads[i].live && s->sads[i].account_id == account)
            tv_sad_kill(&s->sads[i]);
}

void tv_store_drop_sads(struct tv_store *s, int64_t account)
{
    for (size_t i = 0; i < MAX_SADS; i++)
        if (s->sads[i].live && s->sads[i].account_id == account)
            tv_sad_kill(&s->sads[i]);
}

void tv_sad_kill(struct tv_sad *sad)
{
    free(sad->hashes);
    memset(sad, 0, sizeof *sad);
}

/* A free slot: dead, or expired long ago and its token gone. */
static struct tv_sad *sad_slot(struct tv_store *s, const uint8_t hash[32], int64_t now)
{
    size_t start = start_of(hash, MAX_SADS);

    for (size_t k = 0; k < MAX_SADS; k++) {
        struct tv_sad *sad = &s->sads[(start + k) % MAX_SADS];

        if (!sad->live || (sad->expires_at < now && token_find(s, sad->token) == NULL))
            return sad;
    }
    s->next_sad = (s->next_sad + 1) % MAX_SADS;
    return &s->sads[s->next_sad];
}

int tv_sad_create(struct tv_store *s, const struct tv_sad *tmpl, const char *bearer, int64_t now,
                  char out[TV_TOKEN_TEXT])
{
    uint8_t hash[32];
    struct tv_sad *sad;
    uint8_t (*hashes)[TV_HASH_MAX] = NULL;

    if (tmpl->nhashes > TV_SAD_MAX_HASHES)
        return TV_ERR_INVALID;
    if (tmpl->nhashes > 0) {
        hashes = calloc(tmpl->nhashes, TV_HASH_MAX);
        if (hashes == NULL)
            return TV_ERR_NOMEM;
        memcpy(hashes, tmpl->hashes, tmpl->nhashes * TV_HASH_MAX);
    }
    if (tv_random_hex(32, out, TV_TOKEN_TEXT) < 0) {
        free(hashes);
        return TV_ERR_INTERNAL;
    }
    tv_hash_token(out, hash);
    sad = sad_slot(s, hash, now);
    tv_sad_kill(sad);
    *sad = *tmpl;
    sad->hashes = hashes;
    memcpy(sad->hash, hash, 32);
    tv_hash_token(bearer, sad->token);
    sad->live = true;
    return 0;
}

struct tv_sad *tv_sad_find(struct tv_store *s, const char *text)
{
    uint8_t hash[32];

    size_t start;

    tv_hash_token(text, hash);
    start = start_of(hash, MAX_SADS);
    for (size_t k = 0; k < MAX_SADS; k++) {
        struct tv_sad *sad = &s->sads[(start + k) % MAX_SADS];

        if (sad->live && memcmp(sad->hash, hash, 32) == 0)
            return sad;
    }
    return NULL;
}
