#include "snapshot.h"

#include "hash.h"
#include "tv_err.h"
#include "tv_proto.h"

#include <stdlib.h>
#include <string.h>

static int get_span(tv_reader *r, tv_der *out)
{
    const uint8_t *p = NULL;
    size_t n = 0;
    int rc = tv_get_bytes(r, TV_FRAME_MAX, &p, &n);

    if (rc < 0)
        return rc;
    out->p = p;
    out->len = n;
    return 0;
}

static int read_key(tv_reader *r, struct tv_cred *c)
{
    if (get_span(r, &c->modulus) < 0 || get_span(r, &c->exponent) < 0 ||
        get_span(r, &c->ec_params) < 0 || get_span(r, &c->ec_point) < 0 ||
        tv_get_u64(r, &c->not_before) < 0 || tv_get_u64(r, &c->not_after) < 0)
        return TV_ERR_PROTOCOL;
    if (c->key_type == TV_KEY_RSA)
        return c->modulus.len > 0 && c->exponent.len > 0 && c->key_bits >= 512 &&
               c->key_bits <= 16384 ? 0 : TV_ERR_PROTOCOL;
    if (c->key_type == TV_KEY_EC)
        return c->ec_params.len > 0 && c->ec_point.len > 0 && c->key_bits >= 160 &&
               c->key_bits <= 1024 ? 0 : TV_ERR_PROTOCOL;
    return TV_ERR_PROTOCOL;
}

static int read_cred(tv_reader *r, struct tv_cred *c)
{
    if (get_span(r, &c->id) < 0 || get_span(r, &c->label) < 0 ||
        tv_get_u32(r, &c->usage) < 0 || tv_get_u32(r, &c->key_type) < 0 ||
        tv_get_u32(r, &c->key_bits) < 0 || get_span(r, &c->cert) < 0 ||
        get_span(r, &c->subject) < 0 || get_span(r, &c->issuer) < 0 ||
        get_span(r, &c->serial) < 0)
        return TV_ERR_PROTOCOL;
    if (c->id.len == 0 || c->cert.len == 0)
        return TV_ERR_PROTOCOL;
    return read_key(r, c);
}

static int read_ca(tv_reader *r, struct tv_cacert *ca)
{
    if (get_span(r, &ca->id) < 0 || get_span(r, &ca->label) < 0 || get_span(r, &ca->cert) < 0 ||
        get_span(r, &ca->subject) < 0 || get_span(r, &ca->issuer) < 0 ||
        get_span(r, &ca->serial) < 0)
        return TV_ERR_PROTOCOL;
    return ca->cert.len > 0 ? 0 : TV_ERR_PROTOCOL;
}

/* The layout was validated by tv_frame_open; the counts are <= TV_ARRAY_MAX. */
static int read_arrays(tv_reader *r, struct tv_snapshot *s)
{
    uint32_t n;

    if (tv_get_u32(r, &n) < 0)
        return TV_ERR_PROTOCOL;
    s->creds = calloc(n ? n : 1, sizeof *s->creds);
    if (s->creds == NULL)
        return TV_ERR_NOMEM;
    for (s->ncreds = 0; s->ncreds < n; s->ncreds++)
        if (read_cred(r, &s->creds[s->ncreds]) < 0)
            return TV_ERR_PROTOCOL;
    if (tv_get_u32(r, &n) < 0)
        return TV_ERR_PROTOCOL;
    s->cas = calloc(n ? n : 1, sizeof *s->cas);
    if (s->cas == NULL)
        return TV_ERR_NOMEM;
    for (s->ncas = 0; s->ncas < n; s->ncas++)
        if (read_ca(r, &s->cas[s->ncas]) < 0)
            return TV_ERR_PROTOCOL;
    return tv_reader_left(r) == 0 ? 0 : TV_ERR_PROTOCOL;
}

static int read_snapshot(tv_reader *r, struct tv_snapshot *s)
{
    size_t identity_start;
    int rc;

    if (tv_get_u64(r, &s->generation) < 0 || tv_get_u32(r, &s->flags) < 0)
        return TV_ERR_PROTOCOL;
    identity_start = r->pos;
    if (tv_get_string(r, s->dni, sizeof s->dni) < 0)
        return TV_ERR_PROTOCOL;
    if ((rc = read_arrays(r, s)) < 0)
        return rc;
    uint8_t digest[TV_HASH_MAX];
    tv_hash(TV_HASH_SHA256, r->data + identity_start, r->len - identity_start, digest);
    memcpy(s->fingerprint, digest, sizeof s->fingerprint);
    return 0;
}

int tv_snapshot_parse(tv_buf *reply, tv_reader body, struct tv_snapshot **out)
{
    struct tv_snapshot *s = calloc(1, sizeof *s);
    int rc;

    if (s == NULL)
        return TV_ERR_NOMEM;
    s->raw = *reply;                  /* body points into these bytes */
    tv_buf_init(reply, reply->limit);
    rc = read_snapshot(&body, s);
    if (rc < 0) {
        tv_snapshot_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void tv_snapshot_free(struct tv_snapshot *snap)
{
    if (snap == NULL)
        return;
    free(snap->creds);
    free(snap->cas);
    tv_buf_free(&snap->raw);
    free(snap);
}

bool tv_snapshot_has_token(const struct tv_snapshot *snap)
{
    return snap != NULL && (snap->flags & TV_SNAP_TOKEN_PRESENT) && snap->ncreds > 0;
}
