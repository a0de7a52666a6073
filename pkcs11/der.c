#include "der.h"

#include "tv_err.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define TAG_INTEGER     0x02
#define TAG_OCTETSTRING 0x04
#define TAG_NULL        0x05
#define TAG_OID         0x06
#define TAG_UTCTIME     0x17
#define TAG_GENTIME     0x18
#define TAG_SEQUENCE    0x30
#define TAG_VERSION     0xa0  /* [0] EXPLICIT, constructed */

/* Contents length from the header at p (avail bytes).  Long forms up to
 * four length bytes, minimal encodings only. */
static int read_length(const uint8_t *p, size_t avail, size_t *len, size_t *hdr)
{
    size_t n, v = 0;

    if (avail < 1)
        return TV_ERR_PROTOCOL;
    if (p[0] < 0x80) {
        *len = p[0];
        *hdr = 1;
        return 0;
    }
    n = p[0] & 0x7f;
    if (n == 0 || n > 4 || avail - 1 < n || p[1] == 0)
        return TV_ERR_PROTOCOL;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[1 + i];
    if (v < 0x80)
        return TV_ERR_PROTOCOL;
    *len = v;
    *hdr = 1 + n;
    return 0;
}

int tv_der_next(tv_der *in, uint8_t *tag, tv_der *contents, tv_der *whole)
{
    size_t len, hdr;

    if (in->len < 2 || (in->p[0] & 0x1f) == 0x1f)
        return TV_ERR_PROTOCOL;
    if (read_length(in->p + 1, in->len - 1, &len, &hdr) < 0)
        return TV_ERR_PROTOCOL;
    if (len > in->len - 1 - hdr)
        return TV_ERR_PROTOCOL;
    *tag = in->p[0];
    contents->p = in->p + 1 + hdr;
    contents->len = len;
    if (whole != NULL) {
        whole->p = in->p;
        whole->len = 1 + hdr + len;
    }
    in->p += 1 + hdr + len;
    in->len -= 1 + hdr + len;
    return 0;
}

/* Read an element that must carry `want`. */
static int expect(tv_der *in, uint8_t want, tv_der *contents, tv_der *whole)
{
    tv_der probe = *in;
    uint8_t tag;

    if (tv_der_next(&probe, &tag, contents, whole) < 0 || tag != want)
        return TV_ERR_PROTOCOL;
    *in = probe;
    return 0;
}

/* The OIDs' contents bytes: 1.3.14.3.2.26 and 2.16.840.1.101.3.4.2.{4,1,2,3}. */
static const struct {
    CK_MECHANISM_TYPE mech;
    size_t digest_len;
    uint8_t oid_len;
    uint8_t oid[9];
} hash_oids[] = {
    { CKM_SHA_1, 20, 5, { 0x2b, 0x0e, 0x03, 0x02, 0x1a } },
    { CKM_SHA224, 28, 9, { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04 } },
    { CKM_SHA256, 32, 9, { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 } },
    { CKM_SHA384, 48, 9, { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02 } },
    { CKM_SHA512, 64, 9, { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03 } },
};

size_t tv_hash_mech_len(CK_MECHANISM_TYPE hash)
{
    for (size_t i = 0; i < sizeof hash_oids / sizeof hash_oids[0]; i++)
        if (hash_oids[i].mech == hash)
            return hash_oids[i].digest_len;
    return 0;
}

static int hash_from_oid(const tv_der *oid, size_t *index)
{
    for (size_t i = 0; i < sizeof hash_oids / sizeof hash_oids[0]; i++)
        if (oid->len == hash_oids[i].oid_len && memcmp(oid->p, hash_oids[i].oid, oid->len) == 0) {
            *index = i;
            return 0;
        }
    return TV_ERR_DATA_INVALID;
}

/* AlgorithmIdentifier { OID, NULL } or { OID }. */
static int parse_hash_algorithm(tv_der alg, size_t *index)
{
    tv_der oid, params;

    if (expect(&alg, TAG_OID, &oid, NULL) < 0 || hash_from_oid(&oid, index) < 0)
        return TV_ERR_DATA_INVALID;
    if (alg.len == 0)
        return 0;
    if (expect(&alg, TAG_NULL, &params, NULL) < 0 || params.len != 0 || alg.len != 0)
        return TV_ERR_DATA_INVALID;
    return 0;
}

int tv_digestinfo_parse(const uint8_t *in, size_t len, CK_MECHANISM_TYPE *hash,
                        const uint8_t **digest, size_t *digest_len)
{
    tv_der all = { in, len }, seq, alg, dig;
    size_t index = 0;

    if (in == NULL || expect(&all, TAG_SEQUENCE, &seq, NULL) < 0 || all.len != 0)
        return TV_ERR_DATA_INVALID;
    if (expect(&seq, TAG_SEQUENCE, &alg, NULL) < 0 || parse_hash_algorithm(alg, &index) < 0)
        return TV_ERR_DATA_INVALID;
    if (expect(&seq, TAG_OCTETSTRING, &dig, NULL) < 0 || seq.len != 0)
        return TV_ERR_DATA_INVALID;
    if (dig.len != hash_oids[index].digest_len)
        return TV_ERR_DATA_INVALID;
    *hash = hash_oids[index].mech;
    *digest = dig.p;
    *digest_len = dig.len;
    return 0;
}

static int two_digits(const uint8_t *p)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return -1;
    return (p[0] - '0') * 10 + (p[1] - '0');
}

/* UTCTime YYMMDD... or GeneralizedTime YYYYMMDD... -> CK_DATE. */
static int parse_time(tv_der *in, CK_DATE *out)
{
    tv_der probe = *in, t;
    uint8_t tag;
    char year[4];

    if (tv_der_next(&probe, &tag, &t, NULL) < 0)
        return TV_ERR_PROTOCOL;
    if (tag == TAG_UTCTIME && t.len >= 6 && two_digits(t.p) >= 0) {
        memcpy(year, two_digits(t.p) >= 50 ? "19" : "20", 2);
        memcpy(year + 2, t.p, 2);
        t.p += 2;
    } else if (tag == TAG_GENTIME && t.len >= 8 && two_digits(t.p) >= 0 && two_digits(t.p + 2) >= 0) {
        memcpy(year, t.p, 4);
        t.p += 4;
    } else {
        return TV_ERR_PROTOCOL;
    }
    if (two_digits(t.p) < 0 || two_digits(t.p + 2) < 0)
        return TV_ERR_PROTOCOL;
    memcpy(out->year, year, 4);
    memcpy(out->month, t.p, 2);
    memcpy(out->day, t.p + 2, 2);
    *in = probe;
    return 0;
}

int tv_cert_parse(const uint8_t *der, size_t len, tv_cert_info *out)
{
    tv_der all = { der, len }, cert, tbs, skip, validity, spki;
    tv_cert_info info;
    uint8_t tag;

    if (der == NULL || expect(&all, TAG_SEQUENCE, &cert, NULL) < 0)
        return TV_ERR_PROTOCOL;
    if (expect(&cert, TAG_SEQUENCE, &tbs, NULL) < 0)
        return TV_ERR_PROTOCOL;
    if (tbs.len > 0 && tbs.p[0] == TAG_VERSION && tv_der_next(&tbs, &tag, &skip, NULL) < 0)
        return TV_ERR_PROTOCOL;
    if (expect(&tbs, TAG_INTEGER, &skip, NULL) < 0 ||       /* serialNumber */
        expect(&tbs, TAG_SEQUENCE, &skip, NULL) < 0 ||      /* signature */
        expect(&tbs, TAG_SEQUENCE, &skip, NULL) < 0 ||      /* issuer */
        expect(&tbs, TAG_SEQUENCE, &validity, NULL) < 0)
        return TV_ERR_PROTOCOL;
    if (parse_time(&validity, &info.not_before) < 0 || parse_time(&validity, &info.not_after) < 0)
        return TV_ERR_PROTOCOL;
    if (expect(&tbs, TAG_SEQUENCE, &skip, NULL) < 0 ||      /* subject */
        expect(&tbs, TAG_SEQUENCE, &skip, &spki) < 0)
        return TV_ERR_PROTOCOL;
    info.spki = spki;
    *out = info;
    return 0;
}

/* gmtime_r + digits: strftime would read the time zone files. */
void tv_date_from_unix(uint64_t t, CK_DATE *out)
{
    char buf[40];
    struct tm tm;
    time_t tt = (time_t)t;

    if (t == 0 || gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0) {
        memset(out, ' ', sizeof *out);
        return;
    }
    snprintf(buf, sizeof buf, "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    memcpy(out->year, buf, 4);
    memcpy(out->month, buf + 4, 2);
    memcpy(out->day, buf + 6, 2);
}
