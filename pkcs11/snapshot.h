/* The agent's SNAPSHOT reply (PROTOCOL.md), parsed.  Every field points into
 * the reply bytes, which the snapshot owns. */
#ifndef TV_SNAPSHOT_H
#define TV_SNAPSHOT_H

#include "der.h"
#include "tv_buf.h"

#include <stdbool.h>
#include <stdint.h>

struct tv_cred {
    tv_der id;               /* CKA_ID shared by certificate and keys */
    tv_der label;            /* UTF-8, no NUL */
    uint32_t usage;          /* TV_USAGE_* */
    uint32_t key_type;       /* TV_KEY_RSA / TV_KEY_EC */
    uint32_t key_bits;
    tv_der cert, subject, issuer, serial;
    tv_der modulus, exponent;      /* RSA */
    tv_der ec_params, ec_point;    /* EC */
    uint64_t not_before, not_after;
};

struct tv_cacert {
    tv_der id, label, cert, subject, issuer, serial;
};

struct tv_snapshot {
    uint64_t generation;
    uint32_t flags;          /* TV_SNAP_* */
    char dni[32];
    struct tv_cred *creds;
    size_t ncreds;
    struct tv_cacert *cas;
    size_t ncas;
    uint8_t fingerprint[32]; /* SHA-256 of everything but generation and flags */
    tv_buf raw;              /* the reply frame; the fields point into it */
};

/* Parse a SNAPSHOT reply.  *reply is moved into the snapshot (left empty);
 * body reads the reply's fields.  TV_ERR_PROTOCOL for a reply that makes no
 * sense (e.g. an RSA key without a modulus), TV_ERR_NOMEM. */
int tv_snapshot_parse(tv_buf *reply, tv_reader body, struct tv_snapshot **out);
void tv_snapshot_free(struct tv_snapshot *snap);

/* Token present: the agent has an identity with at least one credential. */
bool tv_snapshot_has_token(const struct tv_snapshot *snap);

#endif
