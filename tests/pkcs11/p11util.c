#include "p11util.h"

#include <dlfcn.h>
#include <openssl/ecdsa.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t p11_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *p11_rv_name(CK_RV rv)
{
    static const struct { CK_RV rv; const char *name; } names[] = {
        { CKR_OK, "CKR_OK" },
        { CKR_CANCEL, "CKR_CANCEL" },
        { CKR_HOST_MEMORY, "CKR_HOST_MEMORY" },
        { CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID" },
        { CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR" },
        { CKR_FUNCTION_FAILED, "CKR_FUNCTION_FAILED" },
        { CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD" },
        { CKR_NO_EVENT, "CKR_NO_EVENT" },
        { CKR_NEED_TO_CREATE_THREADS, "CKR_NEED_TO_CREATE_THREADS" },
        { CKR_CANT_LOCK, "CKR_CANT_LOCK" },
        { CKR_ATTRIBUTE_READ_ONLY, "CKR_ATTRIBUTE_READ_ONLY" },
        { CKR_ATTRIBUTE_SENSITIVE, "CKR_ATTRIBUTE_SENSITIVE" },
        { CKR_ATTRIBUTE_TYPE_INVALID, "CKR_ATTRIBUTE_TYPE_INVALID" },
        { CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID" },
        { CKR_ACTION_PROHIBITED, "CKR_ACTION_PROHIBITED" },
        { CKR_DATA_INVALID, "CKR_DATA_INVALID" },
        { CKR_DATA_LEN_RANGE, "CKR_DATA_LEN_RANGE" },
        { CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR" },
        { CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY" },
        { CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED" },
        { CKR_ENCRYPTED_DATA_INVALID, "CKR_ENCRYPTED_DATA_INVALID" },
        { CKR_ENCRYPTED_DATA_LEN_RANGE, "CKR_ENCRYPTED_DATA_LEN_RANGE" },
        { CKR_FUNCTION_CANCELED, "CKR_FUNCTION_CANCELED" },
        { CKR_FUNCTION_NOT_PARALLEL, "CKR_FUNCTION_NOT_PARALLEL" },
        { CKR_FUNCTION_NOT_SUPPORTED, "CKR_FUNCTION_NOT_SUPPORTED" },
        { CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID" },
        { CKR_KEY_SIZE_RANGE, "CKR_KEY_SIZE_RANGE" },
        { CKR_KEY_TYPE_INCONSISTENT, "CKR_KEY_TYPE_INCONSISTENT" },
        { CKR_KEY_NOT_NEEDED, "CKR_KEY_NOT_NEEDED" },
        { CKR_KEY_CHANGED, "CKR_KEY_CHANGED" },
        { CKR_KEY_NEEDED, "CKR_KEY_NEEDED" },
        { CKR_KEY_INDIGESTIBLE, "CKR_KEY_INDIGESTIBLE" },
        { CKR_KEY_FUNCTION_NOT_PERMITTED, "CKR_KEY_FUNCTION_NOT_PERMITTED" },
        { CKR_KEY_NOT_WRAPPABLE, "CKR_KEY_NOT_WRAPPABLE" },
        { CKR_KEY_UNEXTRACTABLE, "CKR_KEY_UNEXTRACTABLE" },
        { CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID" },
        { CKR_MECHANISM_PARAM_INVALID, "CKR_MECHANISM_PARAM_INVALID" },
        { CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID" },
        { CKR_OPERATION_ACTIVE, "CKR_OPERATION_ACTIVE" },
        { CKR_OPERATION_NOT_INITIALIZED, "CKR_OPERATION_NOT_INITIALIZED" },
        { CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT" },
        { CKR_PIN_INVALID, "CKR_PIN_INVALID" },
        { CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE" },
        { CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED" },
        { CKR_PIN_LOCKED, "CKR_PIN_LOCKED" },
        { CKR_SESSION_CLOSED, "CKR_SESSION_CLOSED" },
        { CKR_SESSION_COUNT, "CKR_SESSION_COUNT" },
        { CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID" },
        { CKR_SESSION_PARALLEL_NOT_SUPPORTED, "CKR_SESSION_PARALLEL_NOT_SUPPORTED" },
        { CKR_SESSION_READ_ONLY, "CKR_SESSION_READ_ONLY" },
        { CKR_SESSION_EXISTS, "CKR_SESSION_EXISTS" },
        { CKR_SESSION_READ_ONLY_EXISTS, "CKR_SESSION_READ_ONLY_EXISTS" },
        { CKR_SESSION_READ_WRITE_SO_EXISTS, "CKR_SESSION_READ_WRITE_SO_EXISTS" },
        { CKR_SIGNATURE_INVALID, "CKR_SIGNATURE_INVALID" },
        { CKR_SIGNATURE_LEN_RANGE, "CKR_SIGNATURE_LEN_RANGE" },
        { CKR_TEMPLATE_INCOMPLETE, "CKR_TEMPLATE_INCOMPLETE" },
        { CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT" },
        { CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT" },
        { CKR_TOKEN_NOT_RECOGNIZED, "CKR_TOKEN_NOT_RECOGNIZED" },
        { CKR_TOKEN_WRITE_PROTECTED, "CKR_TOKEN_WRITE_PROTECTED" },
        { CKR_UNWRAPPING_KEY_HANDLE_INVALID, "CKR_UNWRAPPING_KEY_HANDLE_INVALID" },
        { CKR_UNWRAPPING_KEY_SIZE_RANGE, "CKR_UNWRAPPING_KEY_SIZE_RANGE" },
        { CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT, "CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT" },
        { CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN" },
        { CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN" },
        { CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED" },
        { CKR_USER_TYPE_INVALID, "CKR_USER_TYPE_INVALID" },
        { CKR_USER_ANOTHER_ALREADY_LOGGED_IN, "CKR_USER_ANOTHER_ALREADY_LOGGED_IN" },
        { CKR_USER_TOO_MANY_TYPES, "CKR_USER_TOO_MANY_TYPES" },
        { CKR_WRAPPED_KEY_INVALID, "CKR_WRAPPED_KEY_INVALID" },
        { CKR_WRAPPED_KEY_LEN_RANGE, "CKR_WRAPPED_KEY_LEN_RANGE" },
        { CKR_WRAPPING_KEY_HANDLE_INVALID, "CKR_WRAPPING_KEY_HANDLE_INVALID" },
        { CKR_WRAPPING_KEY_SIZE_RANGE, "CKR_WRAPPING_KEY_SIZE_RANGE" },
        { CKR_WRAPPING_KEY_TYPE_INCONSISTENT, "CKR_WRAPPING_KEY_TYPE_INCONSISTENT" },
        { CKR_RANDOM_SEED_NOT_SUPPORTED, "CKR_RANDOM_SEED_NOT_SUPPORTED" },
        { CKR_RANDOM_NO_RNG, "CKR_RANDOM_NO_RNG" },
        { CKR_DOMAIN_PARAMS_INVALID, "CKR_DOMAIN_PARAMS_INVALID" },
        { CKR_CURVE_NOT_SUPPORTED, "CKR_CURVE_NOT_SUPPORTED" },
        { CKR_BUFFER_TOO_SMALL, "CKR_BUFFER_TOO_SMALL" },
        { CKR_SAVED_STATE_INVALID, "CKR_SAVED_STATE_INVALID" },
        { CKR_INFORMATION_SENSITIVE, "CKR_INFORMATION_SENSITIVE" },
        { CKR_STATE_UNSAVEABLE, "CKR_STATE_UNSAVEABLE" },
        { CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED" },
        { CKR_CRYPTOKI_ALREADY_INITIALIZED, "CKR_CRYPTOKI_ALREADY_INITIALIZED" },
        { CKR_MUTEX_BAD, "CKR_MUTEX_BAD" },
        { CKR_MUTEX_NOT_LOCKED, "CKR_MUTEX_NOT_LOCKED" },
        { CKR_NEW_PIN_MODE, "CKR_NEW_PIN_MODE" },
        { CKR_NEXT_OTP, "CKR_NEXT_OTP" },
        { CKR_EXCEEDED_MAX_ITERATIONS, "CKR_EXCEEDED_MAX_ITERATIONS" },
        { CKR_FIPS_SELF_TEST_FAILED, "CKR_FIPS_SELF_TEST_FAILED" },
        { CKR_LIBRARY_LOAD_FAILED, "CKR_LIBRARY_LOAD_FAILED" },
        { CKR_PIN_TOO_WEAK, "CKR_PIN_TOO_WEAK" },
        { CKR_PUBLIC_KEY_INVALID, "CKR_PUBLIC_KEY_INVALID" },
        { CKR_FUNCTION_REJECTED, "CKR_FUNCTION_REJECTED" },
        { CKR_TOKEN_RESOURCE_EXCEEDED, "CKR_TOKEN_RESOURCE_EXCEEDED" },
        { CKR_OPERATION_CANCEL_FAILED, "CKR_OPERATION_CANCEL_FAILED" },
    };
    static char buf[32];

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].rv == rv)
            return names[i].name;
    snprintf(buf, sizeof buf, "CKR_0x%lx", rv);
    return buf;
}

void p11_must(CK_RV rv, const char *what)
{
    if (rv == CKR_OK)
        return;
    fprintf(stderr, "%s: %s\n", what, p11_rv_name(rv));
    exit(2);
}

void p11_load(struct p11 *p, const char *path)
{
    CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);

    p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (p->dl == NULL) {
        fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
        exit(2);
    }
    *(void **)&get = dlsym(p->dl, "C_GetFunctionList");
    if (get == NULL) {
        fprintf(stderr, "%s: no C_GetFunctionList\n", path);
        exit(2);
    }
    p11_must(get(&p->f), "C_GetFunctionList");
}

void p11_unload(struct p11 *p)
{
    if (p->dl != NULL)
        dlclose(p->dl);
    p->dl = NULL;
}

CK_SLOT_ID p11_first_slot(struct p11 *p)
{
    CK_SLOT_ID slots[16];
    CK_ULONG n = 16;

    p11_must(p->f->C_GetSlotList(CK_TRUE, slots, &n), "C_GetSlotList");
    if (n == 0) {
        fprintf(stderr, "no token\n");
        exit(2);
    }
    return slots[0];
}

CK_RV p11_login(struct p11 *p, CK_SESSION_HANDLE h, const char *pin)
{
    return p->f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR)pin, pin ? strlen(pin) : 0);
}

static CK_OBJECT_HANDLE find_tmpl(struct p11 *p, CK_SESSION_HANDLE h, CK_ATTRIBUTE *t, CK_ULONG n)
{
    CK_OBJECT_HANDLE o = CK_INVALID_HANDLE;
    CK_ULONG count = 0;

    p11_must(p->f->C_FindObjectsInit(h, t, n), "C_FindObjectsInit");
    p11_must(p->f->C_FindObjects(h, &o, 1, &count), "C_FindObjects");
    p11_must(p->f->C_FindObjectsFinal(h), "C_FindObjectsFinal");
    return count == 1 ? o : CK_INVALID_HANDLE;
}

CK_OBJECT_HANDLE p11_find(struct p11 *p, CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls,
                          const char *label)
{
    CK_ATTRIBUTE t[] = {
        { CKA_CLASS, &cls, sizeof cls },
        { CKA_LABEL, (void *)label, label ? strlen(label) : 0 },
    };

    return find_tmpl(p, h, t, label ? 2 : 1);
}

CK_OBJECT_HANDLE p11_find_id(struct p11 *p, CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls,
                             const uint8_t *id, size_t id_len)
{
    CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_ID, (void *)id, id_len } };

    return find_tmpl(p, h, t, 2);
}

uint8_t *p11_attr(struct p11 *p, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type,
                  CK_ULONG *len)
{
    CK_ATTRIBUTE a = { type, NULL, 0 };
    uint8_t *v;

    if (p->f->C_GetAttributeValue(h, o, &a, 1) != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
        return NULL;
    v = malloc(a.ulValueLen + 1);
    a.pValue = v;
    if (p->f->C_GetAttributeValue(h, o, &a, 1) != CKR_OK) {
        free(v);
        return NULL;
    }
    *len = a.ulValueLen;
    return v;
}

CK_ULONG p11_attr_ulong(struct p11 *p, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t)
{
    CK_ULONG v = CK_UNAVAILABLE_INFORMATION;
    CK_ATTRIBUTE a = { t, &v, sizeof v };

    p->f->C_GetAttributeValue(h, o, &a, 1);
    return v;
}

EVP_PKEY *p11_key_pubkey(struct p11 *p, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE priv)
{
    CK_ULONG id_len = 0, der_len = 0;
    uint8_t *id = p11_attr(p, h, priv, CKA_ID, &id_len), *der = NULL;
    CK_OBJECT_HANDLE cert = id ? p11_find_id(p, h, CKO_CERTIFICATE, id, id_len) : CK_INVALID_HANDLE;
    const unsigned char *q;
    X509 *x = NULL;
    EVP_PKEY *pub = NULL;

    if (cert != CK_INVALID_HANDLE)
        der = p11_attr(p, h, cert, CKA_VALUE, &der_len);
    q = der;
    if (der != NULL && (x = d2i_X509(NULL, &q, (long)der_len)) != NULL)
        pub = X509_get_pubkey(x);
    X509_free(x);
    free(der);
    free(id);
    return pub;
}

static const EVP_MD *md_of(CK_MECHANISM_TYPE m)
{
    switch (m) {
    case CKM_SHA384_RSA_PKCS: case CKM_SHA384_RSA_PKCS_PSS: case CKM_ECDSA_SHA384:
        return EVP_sha384();
    case CKM_SHA512_RSA_PKCS: case CKM_SHA512_RSA_PKCS_PSS: case CKM_ECDSA_SHA512:
        return EVP_sha512();
    default:
        return EVP_sha256();
    }
}

/* Raw r||s to DER ECDSA-Sig-Value. */
static unsigned char *ecdsa_der(const uint8_t *sig, size_t len, int *der_len)
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    unsigned char *der = NULL;

    ECDSA_SIG_set0(s, BN_bin2bn(sig, (int)len / 2, NULL), BN_bin2bn(sig + len / 2, (int)len / 2, NULL));
    *der_len = i2d_ECDSA_SIG(s, &der);
    ECDSA_SIG_free(s);
    return der;
}

int p11_verify(EVP_PKEY *pub, CK_MECHANISM_TYPE mech, const void *data, size_t len,
               const uint8_t *sig, size_t sig_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char *der = NULL;
    int der_len = 0, ok;
    bool pss = mech == CKM_SHA256_RSA_PKCS_PSS || mech == CKM_SHA384_RSA_PKCS_PSS ||
               mech == CKM_SHA512_RSA_PKCS_PSS;

    if (mech == CKM_ECDSA) {                     /* data is the digest */
        EVP_PKEY_CTX *vctx = EVP_PKEY_CTX_new(pub, NULL);
        der = ecdsa_der(sig, sig_len, &der_len);
        ok = EVP_PKEY_verify_init(vctx) == 1 &&
             EVP_PKEY_verify(vctx, der, (size_t)der_len, data, len) == 1;
        EVP_PKEY_CTX_free(vctx);
        OPENSSL_free(der);
        EVP_MD_CTX_free(ctx);
        return ok;
    }
    EVP_DigestVerifyInit(ctx, &pctx, md_of(mech), NULL, pub);
    if (pss) {
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    }
    if (EVP_PKEY_base_id(pub) == EVP_PKEY_EC) {
        der = ecdsa_der(sig, sig_len, &der_len);
        ok = EVP_DigestVerify(ctx, der, (size_t)der_len, data, len);
    } else {
        ok = EVP_DigestVerify(ctx, sig, sig_len, data, len);
    }
    OPENSSL_free(der);
    EVP_MD_CTX_free(ctx);
    return ok == 1;
}
