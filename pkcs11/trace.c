#include "trace.h"

#include "interface.h"
#include "rv.h"
#include "tv_log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_once_t trace_once = PTHREAD_ONCE_INIT;
static bool trace_on;

static void trace_init(void)
{
    const char *target = getenv("TARJETA_DEBUG");

    if (target == NULL || target[0] == '\0')
        return;
    trace_on = tv_log_open("tarjeta-pkcs11", TV_LOG_DEBUG, target) == 0;
}

bool tv_trace_setup(void)
{
    pthread_once(&trace_once, trace_init);
    return trace_on;
}

static const CK_FUNCTION_LIST_3_0 *real(void)
{
    return &tv_functions_30;
}

/* ---- one line per call ------------------------------------------------- */

struct call {
    const char *name;
    struct timespec start;
    char text[900];
    size_t len;
};

static void put(struct call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct call *c, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (c->len >= sizeof c->text - 1)
        return;
    va_start(ap, fmt);
    n = vsnprintf(c->text + c->len, sizeof c->text - c->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        c->len = c->len + (size_t)n < sizeof c->text ? c->len + (size_t)n : sizeof c->text - 1;
}

static void begin(struct call *c, const char *name)
{
    c->name = name;
    c->len = 0;
    c->text[0] = '\0';
    clock_gettime(CLOCK_MONOTONIC, &c->start);
}

static CK_RV end(struct call *c, CK_RV rv)
{
    struct timespec now;
    char buf[24];
    long us;

    clock_gettime(CLOCK_MONOTONIC, &now);
    us = (now.tv_sec - c->start.tv_sec) * 1000000L + (now.tv_nsec - c->start.tv_nsec) / 1000;
    tv_log_write(TV_LOG_DEBUG, c->name, "%s = %s (%ld us)", c->text, tv_rv_name(rv, buf, sizeof buf),
                 us);
    return rv;
}

static void put_ulong_ptr(struct call *c, const char *what, const CK_ULONG *p)
{
    if (p == NULL)
        put(c, " %s=NULL", what);
    else if (*p == CK_UNAVAILABLE_INFORMATION)
        put(c, " *%s=UNAVAILABLE", what);
    else
        put(c, " *%s=%lu", what, *p);
}

static void put_hex(struct call *c, const void *p, CK_ULONG len)
{
    const CK_BYTE *b = p;

    for (CK_ULONG i = 0; i < len && i < 24; i++)
        put(c, "%02x", b[i]);
    if (len > 24)
        put(c, "...");
}

static const char *attr_name(CK_ATTRIBUTE_TYPE t)
{
    static const struct { CK_ATTRIBUTE_TYPE t; const char *n; } names[] = {
        { CKA_CLASS, "CLASS" }, { CKA_TOKEN, "TOKEN" }, { CKA_PRIVATE, "PRIVATE" },
        { CKA_LABEL, "LABEL" }, { CKA_VALUE, "VALUE" }, { CKA_CERTIFICATE_TYPE, "CERTIFICATE_TYPE" },
        { CKA_ISSUER, "ISSUER" }, { CKA_SERIAL_NUMBER, "SERIAL_NUMBER" }, { CKA_TRUSTED, "TRUSTED" },
        { CKA_CERTIFICATE_CATEGORY, "CERTIFICATE_CATEGORY" }, { CKA_KEY_TYPE, "KEY_TYPE" },
        { CKA_SUBJECT, "SUBJECT" }, { CKA_ID, "ID" }, { CKA_SENSITIVE, "SENSITIVE" },
        { CKA_DECRYPT, "DECRYPT" }, { CKA_SIGN, "SIGN" }, { CKA_SIGN_RECOVER, "SIGN_RECOVER" },
        { CKA_UNWRAP, "UNWRAP" }, { CKA_DERIVE, "DERIVE" }, { CKA_MODULUS, "MODULUS" },
        { CKA_MODULUS_BITS, "MODULUS_BITS" }, { CKA_PUBLIC_EXPONENT, "PUBLIC_EXPONENT" },
        { CKA_PRIVATE_EXPONENT, "PRIVATE_EXPONENT" }, { CKA_EXTRACTABLE, "EXTRACTABLE" },
        { CKA_LOCAL, "LOCAL" }, { CKA_EC_PARAMS, "EC_PARAMS" }, { CKA_EC_POINT, "EC_POINT" },
        { CKA_ALWAYS_AUTHENTICATE, "ALWAYS_AUTHENTICATE" }, { CKA_PROFILE_ID, "PROFILE_ID" },
        { CKA_ALLOWED_MECHANISMS, "ALLOWED_MECHANISMS" }, { CKA_PUBLIC_KEY_INFO, "PUBLIC_KEY_INFO" },
        { CKA_VERIFY, "VERIFY" }, { CKA_ENCRYPT, "ENCRYPT" }, { CKA_WRAP, "WRAP" },
        { CKA_MODIFIABLE, "MODIFIABLE" }, { CKA_START_DATE, "START_DATE" }, { CKA_END_DATE, "END_DATE" },
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].t == t)
            return names[i].n;
    return NULL;
}

static void put_attr_type(struct call *c, CK_ATTRIBUTE_TYPE t)
{
    const char *n = attr_name(t);

    if (n != NULL)
        put(c, " %s", n);
    else
        put(c, " 0x%lx", t);
}

/* Template before a call: types, and short values of a search template. */
static void put_template(struct call *c, const CK_ATTRIBUTE *t, CK_ULONG n, bool values)
{
    put(c, " [");
    for (CK_ULONG i = 0; t != NULL && i < n; i++) {
        put_attr_type(c, t[i].type);
        if (values && t[i].pValue != NULL && t[i].ulValueLen == sizeof(CK_ULONG) &&
            (t[i].type == CKA_CLASS || t[i].type == CKA_KEY_TYPE || t[i].type == CKA_CERTIFICATE_TYPE))
            put(c, "=%lu", *(const CK_ULONG *)t[i].pValue);
        else if (values && t[i].pValue != NULL) {
            put(c, "=");
            put_hex(c, t[i].pValue, t[i].ulValueLen);
        }
    }
    put(c, " ]");
}

/* Template after C_GetAttributeValue: the lengths returned. */
static void put_lengths(struct call *c, const CK_ATTRIBUTE *t, CK_ULONG n)
{
    put(c, " ->");
    for (CK_ULONG i = 0; t != NULL && i < n; i++) {
        put_attr_type(c, t[i].type);
        if (t[i].ulValueLen == CK_UNAVAILABLE_INFORMATION)
            put(c, ":UNAVAILABLE");
        else
            put(c, ":%lu", t[i].ulValueLen);
    }
}

static void put_mechanism(struct call *c, const CK_MECHANISM *m)
{
    if (m == NULL) {
        put(c, " pMechanism=NULL");
        return;
    }
    put(c, " mechanism=0x%lx ulParameterLen=%lu", m->mechanism, m->ulParameterLen);
    if (m->pParameter != NULL && m->ulParameterLen == sizeof(CK_RSA_PKCS_PSS_PARAMS)) {
        const CK_RSA_PKCS_PSS_PARAMS *p = m->pParameter;
        put(c, " (hashAlg=0x%lx mgf=0x%lx sLen=%lu)", p->hashAlg, p->mgf, p->sLen);
    }
}

/* ---- general ----------------------------------------------------------- */

static CK_RV spy_C_Initialize(CK_VOID_PTR a)
{
    const CK_C_INITIALIZE_ARGS *args = a;
    struct call c;

    begin(&c, "C_Initialize");
    if (args == NULL)
        put(&c, "pInitArgs=NULL");
    else
        put(&c, "flags=0x%lx mutex functions %s pReserved=%s", args->flags,
            args->CreateMutex ? "given" : "none", args->pReserved ? "set" : "NULL");
    return end(&c, real()->C_Initialize(a));
}

static CK_RV spy_C_Finalize(CK_VOID_PTR r)
{
    struct call c;

    begin(&c, "C_Finalize");
    put(&c, "pReserved=%s", r ? "set" : "NULL");
    return end(&c, real()->C_Finalize(r));
}

static CK_RV info_common(CK_INFO_PTR i, CK_RV (*fn)(CK_INFO_PTR))
{
    struct call c;
    CK_RV rv;

    begin(&c, "C_GetInfo");
    rv = fn(i);
    if (rv == CKR_OK)
        put(&c, "-> cryptokiVersion=%u.%u", i->cryptokiVersion.major, i->cryptokiVersion.minor);
    return end(&c, rv);
}

static CK_RV spy_C_GetInfo(CK_INFO_PTR i)
{
    return info_common(i, tv_functions_240.C_GetInfo);
}

static CK_RV spy_C_GetInfo_3_0(CK_INFO_PTR i)
{
    return info_common(i, real()->C_GetInfo);
}

static CK_RV spy_C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR pp)
{
    struct call c;

    begin(&c, "C_GetFunctionList");
    return end(&c, real()->C_GetFunctionList(pp));
}

static CK_RV spy_C_GetInterfaceList(CK_INTERFACE_PTR l, CK_ULONG_PTR n)
{
    struct call c;
    CK_RV rv;

    begin(&c, "C_GetInterfaceList");
    put(&c, "pInterfacesList=%s", l ? "buf" : "NULL");
    rv = real()->C_GetInterfaceList(l, n);
    put_ulong_ptr(&c, "pulCount", n);
    return end(&c, rv);
}

static CK_RV spy_C_GetInterface(CK_UTF8CHAR_PTR name, CK_VERSION_PTR v, CK_INTERFACE_PTR_PTR pp,
                                CK_FLAGS f)
{
    struct call c;

    begin(&c, "C_GetInterface");
    put(&c, "name=%s", name ? (const char *)name : "NULL");
    if (v != NULL)
        put(&c, " version=%u.%u", v->major, v->minor);
    put(&c, " flags=0x%lx", f);
    return end(&c, real()->C_GetInterface(name, v, pp, f));
}

/* ---- slot and token ----------------------------------------------------- */

static CK_RV spy_C_GetSlotList(CK_BBOOL p, CK_SLOT_ID_PTR l, CK_ULONG_PTR n)
{
    struct call c;
    CK_RV rv;

    begin(&c, "C_GetSlotList");
    put(&c, "tokenPresent=%u pSlotList=%s", p, l ? "buf" : "NULL");
    put_ulong_ptr(&c, "pulCount", n);
    rv = real()->C_GetSlotList(p, l, n);
    put(&c, " ->");
    put_ulong_ptr(&c, "pulCount", n);
    return end(&c, rv);
}

static CK_RV spy_C_GetSlotInfo(CK_SLOT_ID s, CK_SLOT_INFO_PTR i)
{
    struct call c;
    CK_RV rv;

    begin(&c, "C_GetSlotInfo");
    put(&c, "slotID=%lu", s);
    rv = real()->C_GetSlotInfo(s, i);
    if (rv == CKR_OK)
        put(&c, " -> flags=0x%lx", i->flags);
    return end(&c, rv);
}

static CK_RV spy_C_GetTokenInfo(CK_SLOT_ID s, CK_TOKEN_INFO_PTR i)
{
    struct call c;
    CK_RV rv;

    begin(&c, "C_GetTokenInfo");
    put(&c, "slotID=%lu", s);
    rv = real()->C_GetTokenInfo(s, i);
    if (rv == CKR_OK)
        put(&c, " -> label=\"%.32s\" flags=0x%lx", (const char *)i->label, i->flags);
    return end(&c, rv);
}

static CK_RV spy_C_GetMechanismList(CK_SLOT_ID s, CK_MECHANISM_TYPE_PTR l, CK_ULONG_PTR n)
{
    struct call c;
    CK_RV rv;

    begin(&c, "C_GetMechanismList");
    put(&c, "slotID=%lu pMechanismList=%s", s, l ? "buf" : "NULL");
    rv = real()->C_GetMechanismList(s, l, n);
    put(&c, " ->");
    put_ulong_ptr(&c, "pulCount", n);
    return end(&c, rv);
}

static CK_RV spy_C_GetMechanismInfo(CK_SLOT_ID s, CK_MECHANISM_TYPE t, CK_MECHANISM_INFO_PTR i)
{
    struct call c;
    CK_RV rv;

    begin(&c, "C_GetMechanismInfo");
    put(&c, "slotID=%lu type=0x%lx", s, t);
    rv = real()->C_GetMechanismInfo(s, t, i);
    if (rv == CKR_OK)
        put(&c, " -> min=%lu max=%lu flags=0x%lx", i->ulMinKeySize, i->ulMaxKeySize, i->flags);
    return end(&c, rv);
}

static CK_RV spy_C_WaitForSlotEvent(CK_FLAGS f, CK_SLOT_ID_PTR s, CK_VOID_PTR r)
{
    struct call c;
    CK_RV rv;

    begin(&c, "C_WaitForSlotEvent");
    put(&c, "flags=0x%lx", f);
    rv = real()->C_WaitForSlotEvent(f, s, r);
    if (rv == CKR_OK)
        put(&c, " -> slot=%lu", *s);
    return end(&c, rv);
}

/* ---- sessions and login -------------------------------------------------- */

static CK_RV spy_C_OpenSession(CK_SLOT_ID s, CK_FLAGS f, CK_VOID_PTR a, CK_NOTIFY n,
                               CK_SESSION_HANDLE_PTR h)
{
    struct call c;
    CK_RV rv;

    begin(&c, "C_OpenSession");
    put(&c, "slotID=%lu flags=0x%lx", s, f);
    rv = real()->C_OpenSession(s, f, a, n, h);
    if (rv == CKR_OK)
        put(&c, " -> hSession=0x%lx", *h);
    return end(&c, rv);
}

static CK_RV spy_C_CloseSession(CK_SESSION_HANDLE h)
{
    struct call c;

    begin(&c, "C_CloseSession");
    put(&c, "hSession=0x%lx", h);
    return end(&c, real()->C_CloseSession(h));
}

static CK_RV spy_C_CloseAllSessions(CK_SLOT_ID s)
{
    struct call c;

    begin(&c, "C_CloseAllSessions");
    put(&c, "slotID=%lu", s);
    return end(&c, real()->C_CloseAllSessions(s));
}

static CK_RV spy_C_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR i)
{
    struct call c;
    CK_RV rv;

    begin(&c, "C_GetSessionInfo");
    put(&c, "hSession=0x%lx", h);
    rv = real()->C_GetSessionInfo(h, i);
    if (rv == CKR_OK)
        put(&c, " -> state=%lu flags=0x%lx", i->state, i->flags);
    return end(&c, rv);
}

/* Never the PIN itself. */
static CK_RV spy_C_Login(CK_SESSION_HANDLE h, CK_USER_TYPE u, CK_UTF8CHAR_PTR p, CK_ULONG n)
{
    struct call c;

    begin(&c, "C_Login");
    put(&c, "hSession=0x%lx userType=%lu pPin=%s ulPinLen=%lu", h, u, p ? "(given)" : "NULL", n);
    return end(&c, real()->C_Login(h, u, p, n));
}

static CK_RV spy_C_LoginUser(CK_SESSION_HANDLE h, CK_USER_TYPE u, CK_UTF8CHAR_PTR p, CK_ULONG n,
                             CK_UTF8CHAR_PTR un, CK_ULONG unn)
{
    struct call c;

    begin(&c, "C_LoginUser");
    put(&c, "hSession=0x%lx userType=%lu pPin=%s ulPinLen=%lu ulUsernameLen=%lu", h, u,
        p ? "(given)" : "NULL", n, unn);
    return end(&c, real()->C_LoginUser(h, u, p, n, un, unn));
}

static CK_RV spy_C_Logout(CK_SESSION_HANDLE h)
{
    struct call c;

    begin(&c, "C_Logout");
    put(&c, "hSession=0x%lx", h);
    return end(&c, real()->C_Logout(h));
}

/* ---- objects ---------------------------------------------------------------- */

static CK_RV spy_C_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_PTR t,
                                     CK_ULONG n)
{
    struct call c;
    CK_RV rv;

    begin(&c, "C_GetAttributeValue");
    put(&c, "hSession=0x%lx hObject=0x%lx", h, o);
    put_template(&c, t, n, false);
    rv = real()->C_GetAttributeValue(h, o, t, n);
    put_lengths(&c, t, n);
    return end(&c, rv);
}

static CK_RV spy_C_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
    struct call c;

    begin(&c, "C_FindObjectsInit");
    put(&c, "hSession=0x%lx", h);
    put_template(&c, t, n, true);
    return end(&c, real()->C_FindObjectsInit(h, t, n));
}

static CK_RV spy_C_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR o, CK_ULONG m,
                               CK_ULONG_PTR n)
{
    struct call c;
    CK_RV rv;

    begin(&c, "C_FindObjects");
    put(&c, "hSession=0x%lx ulMaxObjectCount=%lu", h, m);
    rv = real()->C_FindObjects(h, o, m, n);
    if (rv == CKR_OK) {
        put(&c, " -> count=%lu", *n);
        for (CK_ULONG i = 0; i < *n && i < 16; i++)
            put(&c, " 0x%lx", o[i]);
    }
    return end(&c, rv);
}

static CK_RV spy_C_FindObjectsFinal(CK_SESSION_HANDLE h)
{
    struct call c;

    begin(&c, "C_FindObjectsFinal");
    put(&c, "hSession=0x%lx", h);
    return end(&c, real()->C_FindObjectsFinal(h));
}

/* ---- signing ------------------------------------------------------------------ */

static CK_RV spy_C_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR m, CK_OBJECT_HANDLE k)
{
    struct call c;

    begin(&c, "C_SignInit");
    put(&c, "hSession=0x%lx hKey=0x%lx", h, k);
    put_mechanism(&c, m);
    return end(&c, real()->C_SignInit(h, m, k));
}

static CK_RV spy_C_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR d, CK_ULONG n, CK_BYTE_PTR s,
                        CK_ULONG_PTR sn)
{
    struct call c;
    CK_RV rv;

    begin(&c, "C_Sign");
    put(&c, "hSession=0x%lx ulDataLen=%lu pSignature=%s", h, n, s ? "buf" : "NULL");
    put_ulong_ptr(&c, "pulSignatureLen", sn);
    rv = real()->C_Sign(h, d, n, s, sn);
    put(&c, " ->");
    put_ulong_ptr(&c, "pulSignatureLen", sn);
    return end(&c, rv);
}

static CK_RV spy_C_SignUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR p, CK_ULONG n)
{
    struct call c;

    begin(&c, "C_SignUpdate");
    put(&c, "hSession=0x%lx ulPartLen=%lu", h, n);
    return end(&c, real()->C_SignUpdate(h, p, n));
}

static CK_RV spy_C_SignFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR s, CK_ULONG_PTR sn)
{
    struct call c;
    CK_RV rv;

    begin(&c, "C_SignFinal");
    put(&c, "hSession=0x%lx pSignature=%s", h, s ? "buf" : "NULL");
    put_ulong_ptr(&c, "pulSignatureLen", sn);
    rv = real()->C_SignFinal(h, s, sn);
    put(&c, " ->");
    put_ulong_ptr(&c, "pulSignatureLen", sn);
    return end(&c, rv);
}

/* ---- the rest: name and result --------------------------------------------- */

#define SPY_PLAIN(name, params, args)              \
    static CK_RV spy_##name params                 \
    {                                              \
        struct call call_;                         \
        begin(&call_, #name);                      \
        return end(&call_, real()->name args);     \
    }

#define H CK_SESSION_HANDLE
#define B CK_BYTE_PTR
#define U CK_ULONG
#define UP CK_ULONG_PTR
#define M CK_MECHANISM_PTR
#define O CK_OBJECT_HANDLE
#define T CK_ATTRIBUTE_PTR
#define V CK_VOID_PTR
SPY_PLAIN(C_InitToken, (CK_SLOT_ID s, CK_UTF8CHAR_PTR p, U n, CK_UTF8CHAR_PTR l), (s, p, n, l))
SPY_PLAIN(C_InitPIN, (H h, CK_UTF8CHAR_PTR p, U n), (h, p, n))
SPY_PLAIN(C_SetPIN, (H h, CK_UTF8CHAR_PTR o, U on, CK_UTF8CHAR_PTR p, U n), (h, o, on, p, n))
SPY_PLAIN(C_GetOperationState, (H h, B p, UP n), (h, p, n))
SPY_PLAIN(C_SetOperationState, (H h, B p, U n, O e, O a), (h, p, n, e, a))
SPY_PLAIN(C_CreateObject, (H h, T t, U n, CK_OBJECT_HANDLE_PTR o), (h, t, n, o))
SPY_PLAIN(C_CopyObject, (H h, O o, T t, U n, CK_OBJECT_HANDLE_PTR no), (h, o, t, n, no))
SPY_PLAIN(C_DestroyObject, (H h, O o), (h, o))
SPY_PLAIN(C_GetObjectSize, (H h, O o, UP n), (h, o, n))
SPY_PLAIN(C_SetAttributeValue, (H h, O o, T t, U n), (h, o, t, n))
SPY_PLAIN(C_EncryptInit, (H h, M m, O k), (h, m, k))
SPY_PLAIN(C_Encrypt, (H h, B d, U n, B e, UP en), (h, d, n, e, en))
SPY_PLAIN(C_EncryptUpdate, (H h, B d, U n, B e, UP en), (h, d, n, e, en))
SPY_PLAIN(C_EncryptFinal, (H h, B e, UP en), (h, e, en))
SPY_PLAIN(C_DecryptInit, (H h, M m, O k), (h, m, k))
SPY_PLAIN(C_Decrypt, (H h, B e, U en, B d, UP n), (h, e, en, d, n))
SPY_PLAIN(C_DecryptUpdate, (H h, B e, U en, B d, UP n), (h, e, en, d, n))
SPY_PLAIN(C_DecryptFinal, (H h, B d, UP n), (h, d, n))
SPY_PLAIN(C_DigestInit, (H h, M m), (h, m))
SPY_PLAIN(C_Digest, (H h, B d, U n, B o, UP on), (h, d, n, o, on))
SPY_PLAIN(C_DigestUpdate, (H h, B p, U n), (h, p, n))
SPY_PLAIN(C_DigestKey, (H h, O k), (h, k))
SPY_PLAIN(C_DigestFinal, (H h, B o, UP on), (h, o, on))
SPY_PLAIN(C_SignRecoverInit, (H h, M m, O k), (h, m, k))
SPY_PLAIN(C_SignRecover, (H h, B d, U n, B s, UP sn), (h, d, n, s, sn))
SPY_PLAIN(C_VerifyInit, (H h, M m, O k), (h, m, k))
SPY_PLAIN(C_Verify, (H h, B d, U n, B s, U sn), (h, d, n, s, sn))
SPY_PLAIN(C_VerifyUpdate, (H h, B p, U n), (h, p, n))
SPY_PLAIN(C_VerifyFinal, (H h, B s, U sn), (h, s, sn))
SPY_PLAIN(C_VerifyRecoverInit, (H h, M m, O k), (h, m, k))
SPY_PLAIN(C_VerifyRecover, (H h, B s, U sn, B d, UP n), (h, s, sn, d, n))
SPY_PLAIN(C_DigestEncryptUpdate, (H h, B p, U n, B e, UP en), (h, p, n, e, en))
SPY_PLAIN(C_DecryptDigestUpdate, (H h, B e, U en, B p, UP n), (h, e, en, p, n))
SPY_PLAIN(C_SignEncryptUpdate, (H h, B p, U n, B e, UP en), (h, p, n, e, en))
SPY_PLAIN(C_DecryptVerifyUpdate, (H h, B e, U en, B p, UP n), (h, e, en, p, n))
SPY_PLAIN(C_GenerateKey, (H h, M m, T t, U n, CK_OBJECT_HANDLE_PTR k), (h, m, t, n, k))
SPY_PLAIN(C_GenerateKeyPair, (H h, M m, T pt, U pn, T st, U sn, CK_OBJECT_HANDLE_PTR pk,
                              CK_OBJECT_HANDLE_PTR sk), (h, m, pt, pn, st, sn, pk, sk))
SPY_PLAIN(C_WrapKey, (H h, M m, O w, O k, B o, UP on), (h, m, w, k, o, on))
SPY_PLAIN(C_UnwrapKey, (H h, M m, O u, B w, U wn, T t, U n, CK_OBJECT_HANDLE_PTR k),
          (h, m, u, w, wn, t, n, k))
SPY_PLAIN(C_DeriveKey, (H h, M m, O b, T t, U n, CK_OBJECT_HANDLE_PTR k), (h, m, b, t, n, k))
SPY_PLAIN(C_SeedRandom, (H h, B s, U n), (h, s, n))
SPY_PLAIN(C_GenerateRandom, (H h, B r, U n), (h, r, n))
SPY_PLAIN(C_GetFunctionStatus, (H h), (h))
SPY_PLAIN(C_CancelFunction, (H h), (h))
SPY_PLAIN(C_SessionCancel, (H h, CK_FLAGS f), (h, f))
SPY_PLAIN(C_MessageEncryptInit, (H h, M m, O k), (h, m, k))
SPY_PLAIN(C_EncryptMessage, (H h, V p, U pn, B a, U an, B t, U tn, B c, UP cn),
          (h, p, pn, a, an, t, tn, c, cn))
SPY_PLAIN(C_EncryptMessageBegin, (H h, V p, U pn, B a, U an), (h, p, pn, a, an))
SPY_PLAIN(C_EncryptMessageNext, (H h, V p, U pn, B t, U tn, B c, UP cn, CK_FLAGS f),
          (h, p, pn, t, tn, c, cn, f))
SPY_PLAIN(C_MessageEncryptFinal, (H h), (h))
SPY_PLAIN(C_MessageDecryptInit, (H h, M m, O k), (h, m, k))
SPY_PLAIN(C_DecryptMessage, (H h, V p, U pn, B a, U an, B c, U cn, B t, UP tn),
          (h, p, pn, a, an, c, cn, t, tn))
SPY_PLAIN(C_DecryptMessageBegin, (H h, V p, U pn, B a, U an), (h, p, pn, a, an))
SPY_PLAIN(C_DecryptMessageNext, (H h, V p, U pn, B c, U cn, B t, UP tn, CK_FLAGS f),
          (h, p, pn, c, cn, t, tn, f))
SPY_PLAIN(C_MessageDecryptFinal, (H h), (h))
SPY_PLAIN(C_MessageSignInit, (H h, M m, O k), (h, m, k))
SPY_PLAIN(C_SignMessage, (H h, V p, U pn, B d, U dn, B s, UP sn), (h, p, pn, d, dn, s, sn))
SPY_PLAIN(C_SignMessageBegin, (H h, V p, U pn), (h, p, pn))
SPY_PLAIN(C_SignMessageNext, (H h, V p, U pn, B d, U dn, B s, UP sn), (h, p, pn, d, dn, s, sn))
SPY_PLAIN(C_MessageSignFinal, (H h), (h))
SPY_PLAIN(C_MessageVerifyInit, (H h, M m, O k), (h, m, k))
SPY_PLAIN(C_VerifyMessage, (H h, V p, U pn, B d, U dn, B s, U sn), (h, p, pn, d, dn, s, sn))
SPY_PLAIN(C_VerifyMessageBegin, (H h, V p, U pn), (h, p, pn))
SPY_PLAIN(C_VerifyMessageNext, (H h, V p, U pn, B d, U dn, B s, U sn), (h, p, pn, d, dn, s, sn))
SPY_PLAIN(C_MessageVerifyFinal, (H h), (h))
#undef H
#undef B
#undef U
#undef UP
#undef M
#undef O
#undef T
#undef V

#define SPY_ENTRY(name, params) spy_##name,
const CK_FUNCTION_LIST tv_trace_functions_240 = {
    { 2, 40 },
    TV_P11_FUNCTIONS_2_40(SPY_ENTRY)
};

/* The 3.0 list reports version 3.0 from C_GetInfo. */
#define spy_C_GetInfo spy_C_GetInfo_3_0
const CK_FUNCTION_LIST_3_0 tv_trace_functions_30 = {
    { 3, 0 },
    TV_P11_FUNCTIONS_2_40(SPY_ENTRY)
    TV_P11_FUNCTIONS_3_0(SPY_ENTRY)
};
#undef spy_C_GetInfo
