#include "hsm.h"

#include "tv_err.h"
#include "tv_log.h"
#include "tv_secmem.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#define HSM_MAX_SESSIONS 64
#define HSM_KEY_CACHE 1024

struct key_slot {
    char id[72];
    CK_OBJECT_HANDLE handle;
};

struct tv_hsm {
    void *dl;
    CK_FUNCTION_LIST_PTR f;
    CK_SLOT_ID slot;
    bool logged_in;
    CK_SESSION_HANDLE sessions[HSM_MAX_SESSIONS];
    int nsessions;
    int free_idx[HSM_MAX_SESSIONS];
    int nfree;
    pthread_mutex_t lock;          /* sessions and key cache */
    pthread_cond_t available;
    struct key_slot keys[HSM_KEY_CACHE];
    int nkeys;
};

static int rv_err(const char *what, CK_RV rv)
{
    tv_error("%s failed: PKCS#11 error 0x%08lx", what, (unsigned long)rv);
    return rv == CKR_PIN_INCORRECT ? TV_ERR_CONFIG : TV_ERR_INTERNAL;
}

int tv_hsm_load(const char *module, struct tv_hsm **out)
{
    CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
    CK_C_GetFunctionList get_list;
    struct tv_hsm *h = calloc(1, sizeof *h);
    CK_RV rv;

    if (h == NULL)
        return TV_ERR_NOMEM;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->available, NULL);
    h->dl = dlopen(module, RTLD_NOW | RTLD_LOCAL);
    if (h->dl == NULL) {
        tv_error("cannot load the PKCS#11 module %s: %s (check hsm_module)", module, dlerror());
        goto fail;
    }
    *(void **)&get_list = dlsym(h->dl, "C_GetFunctionList");
    if (get_list == NULL || get_list(&h->f) != CKR_OK) {
        tv_error("%s is not a PKCS#11 module", module);
        goto fail;
    }
    rv = h->f->C_Initialize(&args);
    if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
        rv_err("C_Initialize", rv);
        h->f = NULL;
        goto fail;
    }
    *out = h;
    return 0;
fail:
    tv_hsm_free(h);
    return TV_ERR_CONFIG;
}

void tv_hsm_free(struct tv_hsm *h)
{
    if (h == NULL)
        return;
    if (h->f != NULL) {
        for (int i = 0; i < h->nsessions; i++)
            h->f->C_CloseSession(h->sessions[i]);
        h->f->C_Finalize(NULL);
    }
    /* The module is not dlclose()d: some modules register atexit handlers. */
    pthread_cond_destroy(&h->available);
    pthread_mutex_destroy(&h->lock);
    free(h);
}

static void pad_label(const char *label, CK_UTF8CHAR out[32])
{
    size_t n = strlen(label);

    memset(out, ' ', 32);
    memcpy(out, label, n < 32 ? n : 32);
}

/* Find the slot whose token has this label. */
static int find_token(struct tv_hsm *h, const char *label, CK_SLOT_ID *slot)
{
    CK_SLOT_ID ids[64];
    CK_ULONG n = 64;
    CK_UTF8CHAR want[32];
    CK_RV rv = h->f->C_GetSlotList(CK_TRUE, ids, &n);

    if (rv != CKR_OK)
        return rv_err("C_GetSlotList", rv);
    pad_label(label, want);
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO info;

        if (h->f->C_GetTokenInfo(ids[i], &info) == CKR_OK &&
            (info.flags & CKF_TOKEN_INITIALIZED) && memcmp(info.label, want, 32) == 0) {
            *slot = ids[i];
            return 0;
        }
    }
    return TV_ERR_NOT_FOUND;
}

static int find_blank_token(struct tv_hsm *h, CK_SLOT_ID *slot)
{
    CK_SLOT_ID ids[64];
    CK_ULONG n = 64;
    CK_RV rv = h->f->C_GetSlotList(CK_TRUE, ids, &n);

    if (rv != CKR_OK)
        return rv_err("C_GetSlotList", rv);
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO info;

        if (h->f->C_GetTokenInfo(ids[i], &info) == CKR_OK && !(info.flags & CKF_TOKEN_INITIALIZED)) {
            *slot = ids[i];
            return 0;
        }
    }
    tv_error("no uninitialised token is available in the PKCS#11 module");
    return TV_ERR_NOT_FOUND;
}

static int set_user_pin(struct tv_hsm *h, CK_SLOT_ID slot, const char *so_pin, const char *user_pin)
{
    CK_SESSION_HANDLE s;
    CK_RV rv = h->f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);

    if (rv != CKR_OK)
        return rv_err("C_OpenSession", rv);
    rv = h->f->C_Login(s, CKU_SO, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin));
    if (rv == CKR_OK) {
        rv = h->f->C_InitPIN(s, (CK_UTF8CHAR_PTR)user_pin, strlen(user_pin));
        h->f->C_Logout(s);
    }
    h->f->C_CloseSession(s);
    return rv == CKR_OK ? 0 : rv_err("C_InitPIN", rv);
}

int tv_hsm_prepare_token(struct tv_hsm *h, const char *label, const char *so_pin, const char *user_pin)
{
    CK_SLOT_ID slot;
    CK_UTF8CHAR padded[32];
    CK_RV rv;
    int rc = find_token(h, label, &slot);

    if (rc != TV_ERR_NOT_FOUND)
        return rc;
    rc = find_blank_token(h, &slot);
    if (rc < 0)
        return rc;
    pad_label(label, padded);
    rv = h->f->C_InitToken(slot, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin), padded);
    if (rv != CKR_OK)
        return rv_err("C_InitToken", rv);
    rc = find_token(h, label, &slot);     /* slot ids may change after C_InitToken */
    if (rc < 0)
        return rc;
    return set_user_pin(h, slot, so_pin, user_pin);
}

int tv_hsm_login(struct tv_hsm *h, const char *label, const char *pin, int nsessions)
{
    CK_RV rv;
    int rc = find_token(h, label, &h->slot);

    if (rc == TV_ERR_NOT_FOUND)
        tv_error("no token labelled \"%s\" in the PKCS#11 module (run `bakq-server init`)", label);
    if (rc < 0)
        return rc;
    if (nsessions < 1 || nsessions > HSM_MAX_SESSIONS)
        return TV_ERR_INVALID;
    for (h->nsessions = 0; h->nsessions < nsessions; h->nsessions++) {
        rv = h->f->C_OpenSession(h->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
                                 &h->sessions[h->nsessions]);
        if (rv != CKR_OK)
            return rv_err("C_OpenSession", rv);
        h->free_idx[h->nfree++] = h->nsessions;
    }
    rv = h->f->C_Login(h->sessions[0], CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
    if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
        tv_error("cannot log in to the token \"%s\" (check hsm_pin_file)", label);
        return rv_err("C_Login", rv);
    }
    h->logged_in = true;
    return 0;
}

static int session_take(struct tv_hsm *h)
{
    int idx;

    pthread_mutex_lock(&h->lock);
    while (h->nfree == 0)
        pthread_cond_wait(&h->available, &h->lock);
    idx = h->free_idx[--h->nfree];
    pthread_mutex_unlock(&h->lock);
    return idx;
}

static void session_give(struct tv_hsm *h, int idx)
{
    pthread_mutex_lock(&h->lock);
    h->free_idx[h->nfree++] = idx;
    pthread_cond_signal(&h->available);
    pthread_mutex_unlock(&h->lock);
}

static bool cache_get(struct tv_hsm *h, const char *id, CK_OBJECT_HANDLE *out)
{
    bool found = false;

    pthread_mutex_lock(&h->lock);
    for (int i = 0; i < h->nkeys && !found; i++) {
        if (strcmp(h->keys[i].id, id) == 0) {
            *out = h->keys[i].handle;
            found = true;
        }
    }
    pthread_mutex_unlock(&h->lock);
    return found;
}

static void cache_put(struct tv_hsm *h, const char *id, CK_OBJECT_HANDLE handle)
{
    struct key_slot *k;

    if (strlen(id) >= sizeof h->keys[0].id)
        return;
    pthread_mutex_lock(&h->lock);
    k = &h->keys[h->nkeys < HSM_KEY_CACHE ? h->nkeys++ : (int)(handle % HSM_KEY_CACHE)];
    memcpy(k->id, id, strlen(id) + 1);
    k->handle = handle;
    pthread_mutex_unlock(&h->lock);
}

static void cache_drop(struct tv_hsm *h, const char *id)
{
    pthread_mutex_lock(&h->lock);
    for (int i = 0; i < h->nkeys; i++)
        if (strcmp(h->keys[i].id, id) == 0)
            h->keys[i].id[0] = '\0';
    pthread_mutex_unlock(&h->lock);
}

static int find_private_key(struct tv_hsm *h, CK_SESSION_HANDLE s, const char *id, CK_OBJECT_HANDLE *out)
{
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE tmpl[] = {
        { CKA_CLASS, &cls, sizeof cls },
        { CKA_ID, (void *)id, strlen(id) },
    };
    CK_ULONG n = 0;
    CK_RV rv = h->f->C_FindObjectsInit(s, tmpl, 2);

    if (rv != CKR_OK)
        return rv_err("C_FindObjectsInit", rv);
    rv = h->f->C_FindObjects(s, out, 1, &n);
    h->f->C_FindObjectsFinal(s);
    if (rv != CKR_OK)
        return rv_err("C_FindObjects", rv);
    if (n == 0) {
        tv_error("key %s is not in the token", id);
        return TV_ERR_KEY;
    }
    cache_put(h, id, *out);
    return 0;
}

static int key_handle(struct tv_hsm *h, CK_SESSION_HANDLE s, const char *id, CK_OBJECT_HANDLE *out)
{
    if (cache_get(h, id, out))
        return 0;
    return find_private_key(h, s, id, out);
}

static CK_RV sign_once(struct tv_hsm *h, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, CK_MECHANISM *m,
                       const uint8_t *in, size_t in_len, uint8_t *sig, size_t *sig_len)
{
    CK_ULONG len = *sig_len;
    CK_RV rv = h->f->C_SignInit(s, m, key);

    if (rv != CKR_OK)
        return rv;
    rv = h->f->C_Sign(s, (CK_BYTE_PTR)in, in_len, sig, &len);
    if (rv == CKR_OK)
        *sig_len = len;
    return rv;
}

int tv_hsm_sign(struct tv_hsm *h, const char *id, unsigned long mech, const struct tv_pss *pss,
                const uint8_t *in, size_t in_len, uint8_t *sig, size_t *sig_len)
{
    CK_RSA_PKCS_PSS_PARAMS pp;
    CK_MECHANISM m = { mech, NULL, 0 };
    CK_OBJECT_HANDLE key;
    CK_RV rv;
    int idx, rc;

    if (h == NULL || !h->logged_in)
        return TV_ERR_INTERNAL;
    if (mech == TV_HSM_RSA_PSS) {
        pp.hashAlg = pss->hash_mech;
        pp.mgf = pss->mgf;
        pp.sLen = pss->salt_len;
        m.pParameter = &pp;
        m.ulParameterLen = sizeof pp;
    }
    idx = session_take(h);
    rc = key_handle(h, h->sessions[idx], id, &key);
    if (rc == 0) {
        rv = sign_once(h, h->sessions[idx], key, &m, in, in_len, sig, sig_len);
        if (rv == CKR_KEY_HANDLE_INVALID || rv == CKR_OBJECT_HANDLE_INVALID) {
            cache_drop(h, id);
            rc = find_private_key(h, h->sessions[idx], id, &key);
            rv = rc == 0 ? sign_once(h, h->sessions[idx], key, &m, in, in_len, sig, sig_len) : CKR_OK;
        }
        if (rc == 0 && rv != CKR_OK)
            rc = rv_err("C_Sign", rv);
    }
    session_give(h, idx);
    return rc;
}

/* DER of the prime256v1 OID, as CKA_EC_PARAMS wants it. */
static const uint8_t p256_oid[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };

static int read_public(struct tv_hsm *h, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE pubh, struct tv_hsm_pub *pub)
{
    uint8_t point[140];
    CK_ATTRIBUTE rsa[] = { { CKA_MODULUS, pub->n, sizeof pub->n },
                           { CKA_PUBLIC_EXPONENT, pub->e, sizeof pub->e } };
    CK_ATTRIBUTE ec[] = { { CKA_EC_POINT, point, sizeof point } };
    CK_RV rv;

    if (pub->type == TV_KEY_RSA2048) {
        rv = h->f->C_GetAttributeValue(s, pubh, rsa, 2);
        pub->n_len = rsa[0].ulValueLen;
        pub->e_len = rsa[1].ulValueLen;
        return rv == CKR_OK ? 0 : rv_err("C_GetAttributeValue", rv);
    }
    rv = h->f->C_GetAttributeValue(s, pubh, ec, 1);
    if (rv != CKR_OK)
        return rv_err("C_GetAttributeValue", rv);
    /* CKA_EC_POINT is a DER OCTET STRING around the point (04 41 04 ...). */
    if (ec[0].ulValueLen != 67 || point[0] != 0x04 || point[1] != 65 || point[2] != 0x04)
        return TV_ERR_INTERNAL;
    memcpy(pub->n, point + 2, 65);
    pub->n_len = 65;
    return 0;
}

int tv_hsm_generate(struct tv_hsm *h, const char *id, enum tv_key_type type, struct tv_hsm_pub *pub)
{
    CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
    CK_ULONG bits = 2048;
    CK_BYTE exponent[] = { 1, 0, 1 };
    CK_MECHANISM m = { type == TV_KEY_P256 ? CKM_EC_KEY_PAIR_GEN : CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
    CK_ATTRIBUTE pub_rsa[] = {
        { CKA_TOKEN, &yes, sizeof yes }, { CKA_VERIFY, &yes, sizeof yes },
        { CKA_ID, (void *)id, strlen(id) }, { CKA_LABEL, (void *)id, strlen(id) },
        { CKA_MODULUS_BITS, &bits, sizeof bits }, { CKA_PUBLIC_EXPONENT, exponent, sizeof exponent },
    };
    CK_ATTRIBUTE pub_ec[] = {
        { CKA_TOKEN, &yes, sizeof yes }, { CKA_VERIFY, &yes, sizeof yes },
        { CKA_ID, (void *)id, strlen(id) }, { CKA_LABEL, (void *)id, strlen(id) },
        { CKA_EC_PARAMS, (void *)p256_oid, sizeof p256_oid },
    };
    CK_ATTRIBUTE priv[] = {
        { CKA_TOKEN, &yes, sizeof yes }, { CKA_PRIVATE, &yes, sizeof yes },
        { CKA_SENSITIVE, &yes, sizeof yes }, { CKA_EXTRACTABLE, &no, sizeof no },
        { CKA_SIGN, &yes, sizeof yes }, { CKA_DECRYPT, &no, sizeof no },
        { CKA_ID, (void *)id, strlen(id) }, { CKA_LABEL, (void *)id, strlen(id) },
    };
    CK_OBJECT_HANDLE pubh, privh;
    CK_RV rv;
    int idx, rc;

    if (h == NULL || !h->logged_in)
        return TV_ERR_INTERNAL;
    memset(pub, 0, sizeof *pub);
    pub->type = type;
    idx = session_take(h);
    if (type == TV_KEY_P256)
        rv = h->f->C_GenerateKeyPair(h->sessions[idx], &m, pub_ec, 5, priv, 8, &pubh, &privh);
    else
        rv = h->f->C_GenerateKeyPair(h->sessions[idx], &m, pub_rsa, 6, priv, 8, &pubh, &privh);
    rc = rv == CKR_OK ? read_public(h, h->sessions[idx], pubh, pub) : rv_err("C_GenerateKeyPair", rv);
    session_give(h, idx);
    if (rc == 0)
        cache_put(h, id, privh);
    return rc;
}
