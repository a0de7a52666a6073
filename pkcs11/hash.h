/* SHA-256, SHA-384 and SHA-512 (FIPS 180-4), for the hash-and-sign
 * mechanisms: the module hashes the data locally and sends only the digest
 * to the agent, so multi-part C_SignUpdate never buffers a document. */
#ifndef TV_HASH_H
#define TV_HASH_H

#include <stddef.h>
#include <stdint.h>

enum tv_hash_alg {
    TV_HASH_NONE = 0,
    TV_HASH_SHA256,
    TV_HASH_SHA384,
    TV_HASH_SHA512,
};

#define TV_HASH_MAX 64

typedef struct tv_hash_ctx {
    enum tv_hash_alg alg;
    uint64_t state[8];          /* SHA-256 uses the low 32 bits of the first 8 */
    uint64_t length_lo;         /* message length in bytes (128-bit for SHA-512) */
    uint64_t length_hi;
    uint8_t block[128];
    size_t used;                /* bytes waiting in block */
} tv_hash_ctx;

/* Digest length in bytes; 0 for TV_HASH_NONE. */
size_t tv_hash_len(enum tv_hash_alg alg);
void tv_hash_init(tv_hash_ctx *ctx, enum tv_hash_alg alg);
void tv_hash_update(tv_hash_ctx *ctx, const void *data, size_t len);
/* Writes tv_hash_len(alg) bytes and wipes the context; returns that length. */
size_t tv_hash_final(tv_hash_ctx *ctx, uint8_t out[TV_HASH_MAX]);
/* One call: init, update, final. */
size_t tv_hash(enum tv_hash_alg alg, const void *data, size_t len, uint8_t out[TV_HASH_MAX]);

#endif
