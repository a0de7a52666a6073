/* The citizen's credentials as the agent knows them: built from the service's
 * credentials/list answer (or the on-disk cache of it, public data only),
 * with the certificate fields the PKCS#11 module needs already extracted and
 * encoded as SNAPSHOT records.  Immutable once built; shared by reference. */
#ifndef TV_AGENT_CREDS_H
#define TV_AGENT_CREDS_H

#include "tv_buf.h"
#include "tv_dni.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define TV_CREDS_MAX 8
#define TV_CKAID_LEN 20

enum { TV_CERT_VALID = 0, TV_CERT_EXPIRED = 1, TV_CERT_REVOKED = 2 };

typedef struct tv_cred {
    char id[72];                  /* CSC credentialID */
    uint8_t ckaid[TV_CKAID_LEN];  /* SHA-1 of the public key */
    char label[64];
    char subject[256];            /* one-line subject, for dialogs and status */
    uint32_t usage;               /* TV_USAGE_* (= scal) */
    uint32_t key_type, key_bits;
    uint32_t multisign;
    uint32_t status;              /* TV_CERT_* */
    char generator[16];           /* second factor: "sms" or "coordinates" */
    char phone_hint[32];
    uint64_t not_before, not_after;
} tv_cred;

typedef struct tv_creds {
    int refs;
    char dni[TV_DNI_LEN + 1];
    size_t n;
    tv_cred cred[TV_CREDS_MAX];
    uint32_t n_ca;
    tv_buf cred_records;          /* SNAPSHOT "[ysuuuyyyyyyyyqq]" body: count + records */
    tv_buf ca_records;            /* SNAPSHOT "[ysyyyy]" body: count + records */
    json_t *public_json;          /* what the cache file holds */
} tv_creds;

/* From a credentials/list answer (credentialInfos with chains).  0 or
 * TV_ERR_SERVER with a reason in err. */
int tv_creds_from_list(const char *dni, const json_t *list, tv_creds **out, char *err, size_t err_size);
tv_creds *tv_creds_ref(tv_creds *c);
void tv_creds_unref(tv_creds *c);                      /* NULL is fine */

const tv_cred *tv_creds_by_usage(const tv_creds *c, uint32_t usage);
const tv_cred *tv_creds_by_ckaid(const tv_creds *c, const uint8_t *id, size_t len);
/* A usable identity: at least one credential that is not revoked. */
bool tv_creds_present(const tv_creds *c);
/* A copy with every credential marked revoked (after `tarjeta revoke`). */
int tv_creds_mark_revoked(const tv_creds *c, tv_creds **out);

/* The cache: $XDG_CACHE_HOME/tarjeta-virtual/credentials-<DNI>.json (0600). */
int tv_creds_save(const tv_creds *c, const char *server);
/* TV_ERR_NOT_FOUND when there is no cache for this identity and server. */
int tv_creds_load(const char *dni, const char *server, tv_creds **out);

#endif
