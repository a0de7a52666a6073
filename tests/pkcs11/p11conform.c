/* Conformance checks for a PKCS#11 module holding one signing credential
 * (certificate, public key and private key under one CKA_ID, found by its
 * label), run the way applications call a module.
 *
 *   p11conform MODULE LABEL [--pin PIN] [--ours]        TAP-like lines, exit 1 on failure
 *   p11conform MODULE LABEL [--pin PIN] --transcript    only the answers the standard
 *                                                        fixes, for diffing two modules
 *   p11conform MODULE LABEL --held [--end CMD]          ours, while the agent holds a session:
 *                                                        the login rules of pkcs11/login.h;
 *                                                        CMD (e.g. `tarjeta logout`) ends it
 *
 * Without --pin, C_Login gets NULL (protected authentication path).
 * --ours adds what DESIGN §4 promises beyond the standard (profile object,
 * CA certificates, flags, no RNG).  Values that legitimately differ between
 * two modules (IDs, key bits, labels) appear in the transcript only as
 * relations ("equals the certificate's modulus"). */
#include "p11util.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct p11 p;
static bool transcript, ours, held;
static const char *pin, *label, *end_cmd;
static int failures, checks;
static CK_SLOT_ID slot;

/* One observation: `got` against what the standard says (`want`). */
static void see(bool in_transcript, const char *what, const char *want, const char *got)
{
    if (transcript) {
        if (in_transcript)
            printf("%s: %s\n", what, got);
        return;
    }
    checks++;
    if (strcmp(want, got) == 0) {
        printf("ok - %s\n", what);
    } else {
        failures++;
        printf("not ok - %s (got %s, want %s)\n", what, got, want);
    }
}

#define RV(in_t, what, want, call) see(in_t, what, p11_rv_name(want), p11_rv_name(call))

static const char *yes(bool b)
{
    return b ? "yes" : "no";
}

static const char *ul(CK_ULONG v)
{
    static char buf[8][32];
    static int i;

    i = (i + 1) % 8;
    if (v == CK_UNAVAILABLE_INFORMATION)
        return "UNAVAILABLE";
    snprintf(buf[i], sizeof buf[i], "%lu", v);
    return buf[i];
}

static CK_SESSION_HANDLE open_session(CK_FLAGS flags)
{
    CK_SESSION_HANDLE h = CK_INVALID_HANDLE;

    p11_must(p.f->C_OpenSession(slot, CKF_SERIAL_SESSION | flags, NULL, NULL, &h), "C_OpenSession");
    return h;
}

static CK_ULONG count_objects(CK_SESSION_HANDLE h, CK_ATTRIBUTE *t, CK_ULONG n)
{
    CK_OBJECT_HANDLE o[64];
    CK_ULONG count = 0;

    p11_must(p.f->C_FindObjectsInit(h, t, n), "C_FindObjectsInit");
    p11_must(p.f->C_FindObjects(h, o, 64, &count), "C_FindObjects");
    p11_must(p.f->C_FindObjectsFinal(h), "C_FindObjectsFinal");
    return count;
}

static CK_ULONG count_labelled(CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls)
{
    CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_LABEL, (void *)label, strlen(label) } };

    return count_objects(h, t, 2);
}

/* ---- general, slot, token ----------------------------------------------------------- */

static void general(void)
{
    CK_INFO info;
    CK_SLOT_ID slots[8];
    CK_ULONG n = 0;
    CK_SLOT_INFO si;
    CK_TOKEN_INFO ti;

    RV(true, "C_Initialize(NULL)", CKR_OK, p.f->C_Initialize(NULL));
    RV(true, "C_Initialize again", CKR_CRYPTOKI_ALREADY_INITIALIZED, p.f->C_Initialize(NULL));
    RV(true, "C_GetInfo(NULL)", CKR_ARGUMENTS_BAD, p.f->C_GetInfo(NULL));
    p11_must(p.f->C_GetInfo(&info), "C_GetInfo");
    see(true, "CK_INFO.cryptokiVersion.major >= 2", "yes", yes(info.cryptokiVersion.major >= 2));
    see(true, "CK_INFO.flags", "0", ul(info.flags));
    RV(true, "C_GetSlotList(pulCount NULL)", CKR_ARGUMENTS_BAD, p.f->C_GetSlotList(CK_TRUE, NULL, NULL));
    RV(true, "C_GetSlotList size query", CKR_OK, p.f->C_GetSlotList(CK_TRUE, NULL, &n));
    see(true, "slots with a token >= 1", "yes", yes(n >= 1));
    n = 0;
    RV(true, "C_GetSlotList buffer too small", CKR_BUFFER_TOO_SMALL, p.f->C_GetSlotList(CK_TRUE, slots, &n));
    see(true, "C_GetSlotList buffer too small sets the count", "yes", yes(n >= 1));
    n = 8;
    p11_must(p.f->C_GetSlotList(CK_TRUE, slots, &n), "C_GetSlotList");
    slot = slots[0];
    RV(true, "C_GetSlotInfo(invalid slot)", CKR_SLOT_ID_INVALID, p.f->C_GetSlotInfo(slot + 12345, &si));
    RV(true, "C_GetTokenInfo(invalid slot)", CKR_SLOT_ID_INVALID, p.f->C_GetTokenInfo(slot + 12345, &ti));
    RV(true, "C_GetTokenInfo(NULL)", CKR_ARGUMENTS_BAD, p.f->C_GetTokenInfo(slot, NULL));
    p11_must(p.f->C_GetSlotInfo(slot, &si), "C_GetSlotInfo");
    see(true, "slot flags: CKF_TOKEN_PRESENT", "yes", yes(si.flags & CKF_TOKEN_PRESENT));
    p11_must(p.f->C_GetTokenInfo(slot, &ti), "C_GetTokenInfo");
    see(true, "token flags: CKF_TOKEN_INITIALIZED", "yes", yes(ti.flags & CKF_TOKEN_INITIALIZED));
    see(true, "token flags: CKF_USER_PIN_INITIALIZED", "yes", yes(ti.flags & CKF_USER_PIN_INITIALIZED));
    see(true, "token flags: CKF_LOGIN_REQUIRED", "yes", yes(ti.flags & CKF_LOGIN_REQUIRED));
    if (ours) {
        see(false, "token flags: no CKF_RNG", "yes", yes(!(ti.flags & CKF_RNG)));
        see(false, "token flags: CKF_PROTECTED_AUTHENTICATION_PATH", "yes",
            yes(ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH));
        see(false, "slot flags: CKF_REMOVABLE_DEVICE", "yes", yes(si.flags & CKF_REMOVABLE_DEVICE));
        see(false, "token label starts with \"BakQ \"", "yes", yes(!memcmp(ti.label, "BakQ ", 5)));
    }
}

static void mechanisms(void)
{
    CK_MECHANISM_TYPE list[128];
    CK_ULONG n = 0;
    CK_MECHANISM_INFO mi;
    bool x509 = false;

    RV(true, "C_GetMechanismList size query", CKR_OK, p.f->C_GetMechanismList(slot, NULL, &n));
    n = 0;
    RV(true, "C_GetMechanismList buffer too small", CKR_BUFFER_TOO_SMALL,
       p.f->C_GetMechanismList(slot, list, &n));
    n = 128;
    p11_must(p.f->C_GetMechanismList(slot, list, &n), "C_GetMechanismList");
    for (CK_ULONG i = 0; i < n; i++)
        x509 |= list[i] == CKM_RSA_X_509;
    RV(true, "C_GetMechanismInfo(CKM_SHA256_RSA_PKCS)", CKR_OK,
       p.f->C_GetMechanismInfo(slot, CKM_SHA256_RSA_PKCS, &mi));
    see(true, "CKM_SHA256_RSA_PKCS can sign", "yes", yes(mi.flags & CKF_SIGN));
    see(true, "CKM_SHA256_RSA_PKCS takes 2048-bit keys", "yes",
        yes(mi.ulMinKeySize <= 2048 && mi.ulMaxKeySize >= 2048));
    RV(true, "C_GetMechanismInfo(vendor mechanism)", CKR_MECHANISM_INVALID,
       p.f->C_GetMechanismInfo(slot, CKM_VENDOR_DEFINED | 0x4242, &mi));
    RV(true, "C_GetMechanismInfo(NULL)", CKR_ARGUMENTS_BAD,
       p.f->C_GetMechanismInfo(slot, CKM_SHA256_RSA_PKCS, NULL));
    if (ours)
        see(false, "never CKM_RSA_X_509", "no", yes(x509));
}

/* ---- sessions ----------------------------------------------------------------------- */

static void sessions(CK_SESSION_HANDLE *ro, CK_SESSION_HANDLE *rw)
{
    CK_SESSION_HANDLE h;
    CK_SESSION_INFO si;

    RV(true, "C_OpenSession without CKF_SERIAL_SESSION", CKR_SESSION_PARALLEL_NOT_SUPPORTED,
       p.f->C_OpenSession(slot, 0, NULL, NULL, &h));
    RV(true, "C_OpenSession(phSession NULL)", CKR_ARGUMENTS_BAD,
       p.f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, NULL));
    RV(true, "C_OpenSession(invalid slot)", CKR_SLOT_ID_INVALID,
       p.f->C_OpenSession(slot + 12345, CKF_SERIAL_SESSION, NULL, NULL, &h));
    *ro = open_session(0);
    *rw = open_session(CKF_RW_SESSION);
    p11_must(p.f->C_GetSessionInfo(*ro, &si), "C_GetSessionInfo");
    see(true, "read-only session: state", ul(CKS_RO_PUBLIC_SESSION), ul(si.state));
    see(true, "read-only session: flags", ul(CKF_SERIAL_SESSION), ul(si.flags));
    see(true, "read-only session: slot", "yes", yes(si.slotID == slot));
    p11_must(p.f->C_GetSessionInfo(*rw, &si), "C_GetSessionInfo");
    see(true, "read/write session: state", ul(CKS_RW_PUBLIC_SESSION), ul(si.state));
    see(true, "read/write session: flags", ul(CKF_SERIAL_SESSION | CKF_RW_SESSION), ul(si.flags));
    RV(true, "C_GetSessionInfo(invalid handle)", CKR_SESSION_HANDLE_INVALID,
       p.f->C_GetSessionInfo(*ro + 0x7000000, &si));
    RV(true, "C_GetSessionInfo(NULL)", CKR_ARGUMENTS_BAD, p.f->C_GetSessionInfo(*ro, NULL));
    RV(true, "C_CloseSession(invalid handle)", CKR_SESSION_HANDLE_INVALID,
       p.f->C_CloseSession(*ro + 0x7000000));
    h = open_session(0);
    RV(true, "C_CloseSession", CKR_OK, p.f->C_CloseSession(h));
    RV(true, "C_CloseSession again", CKR_SESSION_HANDLE_INVALID, p.f->C_CloseSession(h));
}

/* ---- objects -------------------------------------------------------------------------- */

static void find_rules(CK_SESSION_HANDLE h)
{
    CK_OBJECT_HANDLE o;
    CK_ULONG n;

    RV(true, "C_FindObjects without C_FindObjectsInit", CKR_OPERATION_NOT_INITIALIZED,
       p.f->C_FindObjects(h, &o, 1, &n));
    RV(true, "C_FindObjectsFinal without C_FindObjectsInit", CKR_OPERATION_NOT_INITIALIZED,
       p.f->C_FindObjectsFinal(h));
    RV(true, "C_FindObjectsInit", CKR_OK, p.f->C_FindObjectsInit(h, NULL, 0));
    RV(true, "C_FindObjectsInit while active", CKR_OPERATION_ACTIVE, p.f->C_FindObjectsInit(h, NULL, 0));
    RV(true, "C_FindObjects(pulObjectCount NULL)", CKR_ARGUMENTS_BAD, p.f->C_FindObjects(h, &o, 1, NULL));
    RV(true, "C_FindObjectsFinal", CKR_OK, p.f->C_FindObjectsFinal(h));
    RV(true, "C_FindObjectsInit(invalid session)", CKR_SESSION_HANDLE_INVALID,
       p.f->C_FindObjectsInit(h + 0x7000000, NULL, 0));
}

static bool attr_equals(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t,
                        const void *want, size_t want_len)
{
    CK_ULONG len = 0;
    uint8_t *v = p11_attr(&p, h, o, t, &len);
    bool eq = v != NULL && len == want_len && memcmp(v, want, len) == 0;

    free(v);
    return eq;
}

static bool bool_attr(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t, bool want)
{
    CK_BBOOL b = want;

    return attr_equals(h, o, t, &b, 1);
}

/* The certificate's attributes against the certificate OpenSSL reads. */
static void certificate(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE cert, X509 **out)
{
    CK_ULONG der_len = 0, cls = 0;
    uint8_t *der = p11_attr(&p, h, cert, CKA_VALUE, &der_len), *buf = NULL;
    const unsigned char *q = der;
    X509 *x = der ? d2i_X509(NULL, &q, (long)der_len) : NULL;
    CK_BYTE small[4];
    CK_ATTRIBUTE t[] = {
        { CKA_CLASS, &cls, sizeof cls }, { CKA_VALUE, small, sizeof small },
        { CKA_MODULUS, small, sizeof small }, { CKA_SUBJECT, NULL, 0 },
    };
    int n;

    see(true, "certificate: CKA_VALUE is an X.509 certificate", "yes", yes(x != NULL));
    see(true, "certificate: CKA_CERTIFICATE_TYPE", ul(CKC_X_509), ul(p11_attr_ulong(&p, h, cert, CKA_CERTIFICATE_TYPE)));
    see(true, "certificate: CKA_TOKEN", "yes", yes(bool_attr(h, cert, CKA_TOKEN, true)));
    if (x != NULL) {
        n = i2d_X509_NAME(X509_get_subject_name(x), &buf);
        see(true, "certificate: CKA_SUBJECT is the certificate's subject", "yes",
            yes(attr_equals(h, cert, CKA_SUBJECT, buf, (size_t)n)));
        OPENSSL_free(buf);
        buf = NULL;
        n = i2d_X509_NAME(X509_get_issuer_name(x), &buf);
        see(true, "certificate: CKA_ISSUER is the certificate's issuer", "yes",
            yes(attr_equals(h, cert, CKA_ISSUER, buf, (size_t)n)));
        OPENSSL_free(buf);
        buf = NULL;
        n = i2d_ASN1_INTEGER(X509_get_serialNumber(x), &buf);
        see(true, "certificate: CKA_SERIAL_NUMBER is the DER serial", "yes",
            yes(attr_equals(h, cert, CKA_SERIAL_NUMBER, buf, (size_t)n)));
        OPENSSL_free(buf);
    }
    RV(true, "C_GetAttributeValue(mixed template)", CKR_ATTRIBUTE_TYPE_INVALID,
       p.f->C_GetAttributeValue(h, cert, t, 4));
    see(true, "  CKA_CLASS read", ul(CKO_CERTIFICATE), ul(cls));
    see(true, "  CKA_VALUE too small: length", "UNAVAILABLE", ul(t[1].ulValueLen));
    see(true, "  CKA_MODULUS of a certificate: length", "UNAVAILABLE", ul(t[2].ulValueLen));
    see(true, "  CKA_SUBJECT size query gives the length", "yes",
        yes(t[3].ulValueLen != CK_UNAVAILABLE_INFORMATION && t[3].ulValueLen > 0));
    t[1].ulValueLen = sizeof small;
    RV(true, "C_GetAttributeValue(buffer too small only)", CKR_BUFFER_TOO_SMALL,
       p.f->C_GetAttributeValue(h, cert, &t[1], 1));
    RV(true, "C_GetAttributeValue(pTemplate NULL)", CKR_ARGUMENTS_BAD,
       p.f->C_GetAttributeValue(h, cert, NULL, 1));
    RV(true, "C_GetAttributeValue(invalid object)", CKR_OBJECT_HANDLE_INVALID,
       p.f->C_GetAttributeValue(h, cert + 0x7000000, t, 1));
    free(der);
    *out = x;
}

/* An RSA public key attribute against the certificate's ("n" or "e"). */
static bool bn_attr_equals(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t,
                           EVP_PKEY *key, const char *param)
{
    BIGNUM *want = NULL, *got_bn = NULL;
    CK_ULONG len = 0;
    uint8_t *got = p11_attr(&p, h, o, t, &len);
    bool eq;

    EVP_PKEY_get_bn_param(key, param, &want);
    if (got != NULL)
        got_bn = BN_bin2bn(got, (int)len, NULL);
    eq = want != NULL && got_bn != NULL && BN_cmp(want, got_bn) == 0;
    BN_free(want);
    BN_free(got_bn);
    free(got);
    return eq;
}

static void public_key(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE pub, X509 *x)
{
    EVP_PKEY *key = x ? X509_get0_pubkey(x) : NULL;

    see(true, "public key: CKA_KEY_TYPE", ul(CKK_RSA), ul(p11_attr_ulong(&p, h, pub, CKA_KEY_TYPE)));
    see(true, "public key: CKA_PRIVATE", "no", yes(!bool_attr(h, pub, CKA_PRIVATE, false)));
    if (key == NULL)
        return;
    see(true, "public key: CKA_MODULUS is the certificate's modulus", "yes",
        yes(bn_attr_equals(h, pub, CKA_MODULUS, key, "n")));
    see(true, "public key: CKA_PUBLIC_EXPONENT is the certificate's", "yes",
        yes(bn_attr_equals(h, pub, CKA_PUBLIC_EXPONENT, key, "e")));
}

static bool ids_match(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE a, CK_OBJECT_HANDLE b)
{
    CK_ULONG la = 0, lb = 0;
    uint8_t *ia = p11_attr(&p, h, a, CKA_ID, &la), *ib = p11_attr(&p, h, b, CKA_ID, &lb);
    bool eq = ia && ib && la > 0 && la == lb && memcmp(ia, ib, la) == 0;

    free(ia);
    free(ib);
    return eq;
}

static void objects_before_login(CK_SESSION_HANDLE h, X509 **cert_x)
{
    CK_OBJECT_HANDLE cert, pub;

    find_rules(h);
    see(true, "before login: the certificate is visible", "1", ul(count_labelled(h, CKO_CERTIFICATE)));
    see(true, "before login: the public key is visible", "1", ul(count_labelled(h, CKO_PUBLIC_KEY)));
    see(true, "before login: the private key is not", "0", ul(count_labelled(h, CKO_PRIVATE_KEY)));
    cert = p11_find(&p, h, CKO_CERTIFICATE, label);
    pub = p11_find(&p, h, CKO_PUBLIC_KEY, label);
    see(true, "certificate and public key share a non-empty CKA_ID", "yes", yes(ids_match(h, cert, pub)));
    certificate(h, cert, cert_x);
    public_key(h, pub, *cert_x);
}

/* DESIGN §4 objects NSS relies on. */
static void our_objects(CK_SESSION_HANDLE h)
{
    CK_OBJECT_CLASS profile = CKO_PROFILE, certc = CKO_CERTIFICATE;
    CK_ULONG authority = CK_CERTIFICATE_CATEGORY_AUTHORITY, pid = CKP_PUBLIC_CERTIFICATES_TOKEN;
    CK_ATTRIBUTE by_profile[] = { { CKA_CLASS, &profile, sizeof profile }, { CKA_PROFILE_ID, &pid, sizeof pid } };
    CK_ATTRIBUTE cas[] = { { CKA_CLASS, &certc, sizeof certc },
                           { CKA_CERTIFICATE_CATEGORY, &authority, sizeof authority } };

    see(false, "a CKO_PROFILE object with CKP_PUBLIC_CERTIFICATES_TOKEN", "1", ul(count_objects(h, by_profile, 2)));
    see(false, "the CA certificates are certificate objects", "yes", yes(count_objects(h, cas, 2) >= 1));
}

static void private_key(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE priv, CK_OBJECT_HANDLE cert)
{
    CK_BYTE buf[512];
    CK_ATTRIBUTE secret = { CKA_PRIVATE_EXPONENT, buf, sizeof buf };

    see(true, "private key: CKA_SIGN", "yes", yes(bool_attr(h, priv, CKA_SIGN, true)));
    see(true, "private key: CKA_PRIVATE", "yes", yes(bool_attr(h, priv, CKA_PRIVATE, true)));
    see(true, "private key: CKA_SENSITIVE", "yes", yes(bool_attr(h, priv, CKA_SENSITIVE, true)));
    see(true, "private key: CKA_EXTRACTABLE", "no", yes(!bool_attr(h, priv, CKA_EXTRACTABLE, false)));
    see(true, "private key: same CKA_ID as the certificate", "yes", yes(ids_match(h, priv, cert)));
    RV(true, "private key: CKA_PRIVATE_EXPONENT", CKR_ATTRIBUTE_SENSITIVE,
       p.f->C_GetAttributeValue(h, priv, &secret, 1));
    see(true, "private key: CKA_PRIVATE_EXPONENT length", "UNAVAILABLE", ul(secret.ulValueLen));
    if (ours) {
        CK_ULONG len = 0;
        uint8_t *m = p11_attr(&p, h, priv, CKA_MODULUS, &len);
        see(false, "private key: CKA_MODULUS readable (NSS sizes keys with it)", "yes", yes(m != NULL));
        see(false, "private key: CKA_DECRYPT", "no", yes(!bool_attr(h, priv, CKA_DECRYPT, false)));
        free(m);
    }
}

/* ---- login ----------------------------------------------------------------------------- */

static void login_state(CK_SESSION_HANDLE ro, CK_SESSION_HANDLE rw)
{
    CK_SESSION_INFO si;
    CK_SESSION_HANDLE later;

    RV(true, "C_Login(invalid session)", CKR_SESSION_HANDLE_INVALID,
       p.f->C_Login(ro + 0x7000000, CKU_USER, (CK_UTF8CHAR_PTR)pin, pin ? strlen(pin) : 0));
    RV(true, "C_Login(bad user type)", CKR_USER_TYPE_INVALID,
       p.f->C_Login(ro, 42, (CK_UTF8CHAR_PTR)pin, pin ? strlen(pin) : 0));
    /* SoftHSM2 2.6 answers CKR_OK: kept out of the transcript */
    RV(false, "C_Logout while logged out", CKR_USER_NOT_LOGGED_IN, p.f->C_Logout(ro));
    RV(true, "C_Login", CKR_OK, p11_login(&p, ro, pin));
    RV(true, "C_Login again", CKR_USER_ALREADY_LOGGED_IN, p11_login(&p, rw, pin));
    p11_must(p.f->C_GetSessionInfo(ro, &si), "C_GetSessionInfo");
    see(true, "after login: read-only session state", ul(CKS_RO_USER_FUNCTIONS), ul(si.state));
    p11_must(p.f->C_GetSessionInfo(rw, &si), "C_GetSessionInfo");
    see(true, "after login: the other (read/write) session too", ul(CKS_RW_USER_FUNCTIONS), ul(si.state));
    later = open_session(0);
    p11_must(p.f->C_GetSessionInfo(later, &si), "C_GetSessionInfo");
    see(true, "after login: a new session starts logged in", ul(CKS_RO_USER_FUNCTIONS), ul(si.state));
    p.f->C_CloseSession(later);
}

/* ---- signing ---------------------------------------------------------------------------- */

static void sign_rules(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE priv, EVP_PKEY *pub)
{
    CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 }, bogus = { CKM_VENDOR_DEFINED | 0x4242, NULL, 0 };
    uint8_t sig[1024];
    CK_ULONG len = 0;
    const char *msg = "conformance";
    size_t want = (size_t)EVP_PKEY_size(pub);

    RV(true, "C_Sign without C_SignInit", CKR_OPERATION_NOT_INITIALIZED,
       p.f->C_Sign(h, (CK_BYTE_PTR)msg, 5, sig, &len));
    RV(true, "C_SignUpdate without C_SignInit", CKR_OPERATION_NOT_INITIALIZED,
       p.f->C_SignUpdate(h, (CK_BYTE_PTR)msg, 5));
    RV(true, "C_SignInit(NULL mechanism)", CKR_ARGUMENTS_BAD, p.f->C_SignInit(h, NULL, priv));
    RV(true, "C_SignInit(unknown mechanism)", CKR_MECHANISM_INVALID, p.f->C_SignInit(h, &bogus, priv));
    /* SoftHSM2 2.6 answers CKR_OBJECT_HANDLE_INVALID: kept out of the transcript */
    RV(false, "C_SignInit(invalid key)", CKR_KEY_HANDLE_INVALID, p.f->C_SignInit(h, &m, priv + 0x7000000));
    RV(true, "C_SignInit", CKR_OK, p.f->C_SignInit(h, &m, priv));
    RV(true, "C_SignInit while active", CKR_OPERATION_ACTIVE, p.f->C_SignInit(h, &m, priv));
    RV(true, "C_Sign size query", CKR_OK, p.f->C_Sign(h, (CK_BYTE_PTR)msg, strlen(msg), NULL, &len));
    see(true, "C_Sign size query: the key's size", "yes", yes(len == want));
    len = 3;
    RV(true, "C_Sign buffer too small", CKR_BUFFER_TOO_SMALL, p.f->C_Sign(h, (CK_BYTE_PTR)msg, strlen(msg), sig, &len));
    see(true, "C_Sign buffer too small: the length needed", "yes", yes(len == want));
    len = sizeof sig;
    RV(true, "C_Sign after a size query and a short buffer", CKR_OK,
       p.f->C_Sign(h, (CK_BYTE_PTR)msg, strlen(msg), sig, &len));
    see(true, "the signature verifies with the certificate", "yes",
        yes(p11_verify(pub, m.mechanism, msg, strlen(msg), sig, len)));
    RV(true, "C_Sign after the operation ended", CKR_OPERATION_NOT_INITIALIZED,
       p.f->C_Sign(h, (CK_BYTE_PTR)msg, strlen(msg), sig, &len));
    RV(true, "C_SignInit again", CKR_OK, p.f->C_SignInit(h, &m, priv));
    RV(true, "C_Sign(pulSignatureLen NULL)", CKR_ARGUMENTS_BAD, p.f->C_Sign(h, (CK_BYTE_PTR)msg, 5, sig, NULL));
    /* "A call to C_Sign always terminates the active signing operation unless it
     * returns CKR_BUFFER_TOO_SMALL or is a successful size query".  SoftHSM2 2.6
     * keeps it: kept out of the transcript. */
    len = sizeof sig;
    RV(false, "  ... ended the operation", CKR_OPERATION_NOT_INITIALIZED,
       p.f->C_Sign(h, (CK_BYTE_PTR)msg, 5, sig, &len));
}

static void sign_multi_part(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE priv, EVP_PKEY *pub,
                            CK_MECHANISM_TYPE mech, const void *param, CK_ULONG param_len)
{
    CK_MECHANISM m = { mech, (void *)param, param_len };
    const char *msg = "a message given to C_SignUpdate in three parts";
    uint8_t sig[1024];
    CK_ULONG len = 0;
    char what[96];

    snprintf(what, sizeof what, "mechanism 0x%lx: C_SignInit/Update x3/Final", mech);
    RV(true, what, CKR_OK, p.f->C_SignInit(h, &m, priv));
    p.f->C_SignUpdate(h, (CK_BYTE_PTR)msg, 3);
    p.f->C_SignUpdate(h, (CK_BYTE_PTR)msg + 3, 20);
    p.f->C_SignUpdate(h, (CK_BYTE_PTR)msg + 23, strlen(msg) - 23);
    RV(true, "  C_SignFinal size query", CKR_OK, p.f->C_SignFinal(h, NULL, &len));
    len = sizeof sig;
    RV(true, "  C_SignFinal", CKR_OK, p.f->C_SignFinal(h, sig, &len));
    see(true, "  verifies", "yes", yes(p11_verify(pub, mech, msg, strlen(msg), sig, len)));
    RV(true, "  C_SignFinal after the end", CKR_OPERATION_NOT_INITIALIZED, p.f->C_SignFinal(h, sig, &len));
}

static void pss_rules(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE priv, EVP_PKEY *pub)
{
    CK_RSA_PKCS_PSS_PARAMS good = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
    CK_RSA_PKCS_PSS_PARAMS wrong = { CKM_SHA384, CKG_MGF1_SHA384, 48 };
    CK_MECHANISM m = { CKM_SHA256_RSA_PKCS_PSS, &wrong, sizeof wrong };

    sign_multi_part(h, priv, pub, CKM_SHA256_RSA_PKCS_PSS, &good, sizeof good);
    /* SoftHSM2 says CKR_ARGUMENTS_BAD here: kept out of the transcript */
    RV(false, "CKM_SHA256_RSA_PKCS_PSS with SHA-384 parameters", CKR_MECHANISM_PARAM_INVALID,
       p.f->C_SignInit(h, &m, priv));
    m.ulParameterLen = 3;
    RV(false, "CKM_SHA256_RSA_PKCS_PSS with a short parameter block", CKR_MECHANISM_PARAM_INVALID,
       p.f->C_SignInit(h, &m, priv));
}

static void logout_rules(CK_SESSION_HANDLE ro, CK_SESSION_HANDLE rw, CK_OBJECT_HANDLE priv)
{
    CK_SESSION_INFO si;
    CK_ATTRIBUTE a = { CKA_CLASS, NULL, 0 };

    RV(true, "C_Logout", CKR_OK, p.f->C_Logout(ro));
    RV(false, "C_Logout again", CKR_USER_NOT_LOGGED_IN, p.f->C_Logout(rw));   /* SoftHSM2: CKR_OK */
    p11_must(p.f->C_GetSessionInfo(rw, &si), "C_GetSessionInfo");
    see(true, "after logout: state", ul(CKS_RW_PUBLIC_SESSION), ul(si.state));
    RV(true, "after logout: the private key's handle", CKR_OBJECT_HANDLE_INVALID,
       p.f->C_GetAttributeValue(ro, priv, &a, 1));
    see(true, "after logout: the private key is not found", "0", ul(count_labelled(ro, CKO_PRIVATE_KEY)));
}

/* ---- ours: the agent's session logs the program in (pkcs11/login.h) ------------------------ */

static CK_STATE state_of(CK_SESSION_HANDLE h)
{
    CK_SESSION_INFO si;

    p11_must(p.f->C_GetSessionInfo(h, &si), "C_GetSessionInfo");
    return si.state;
}

/* Bounded: the end of the agent's session reaches the module as a notice. */
static bool public_within(CK_SESSION_HANDLE h, int ms)
{
    for (int64_t end = p11_now_us() + ms * 1000LL; p11_now_us() < end; usleep(20000))
        if (state_of(h) == CKS_RO_PUBLIC_SESSION)
            return true;
    return false;
}

static void held_explicit_login(CK_SESSION_HANDLE ro, CK_SESSION_HANDLE rw)
{
    int64_t t0 = p11_now_us();

    RV(false, "held: C_Login answers CKR_OK (the login becomes this program's)", CKR_OK, p11_login(&p, ro, NULL));
    see(false, "held: ... at once (under 500 ms: no minimum)", "yes", yes(p11_now_us() - t0 < 500000));
    RV(false, "held: C_Login again", CKR_USER_ALREADY_LOGGED_IN, p11_login(&p, rw, NULL));
    RV(false, "held: C_Logout (local)", CKR_OK, p.f->C_Logout(ro));
    see(false, "held: after C_Logout: public", ul(CKS_RW_PUBLIC_SESSION), ul(state_of(rw)));
    see(false, "held: after C_Logout: no private key", "0", ul(count_labelled(ro, CKO_PRIVATE_KEY)));
    RV(false, "held: C_Logout again", CKR_USER_NOT_LOGGED_IN, p.f->C_Logout(rw));
    t0 = p11_now_us();
    RV(false, "held: C_Login after C_Logout (Firefox's pattern)", CKR_OK, p11_login(&p, ro, NULL));
    see(false, "held: ... held to login-minimum-ms (1000 by default), no dialog", "yes",
        yes(p11_now_us() - t0 >= 990000));
}

static void held_session_ends(CK_SESSION_HANDLE ro, CK_OBJECT_HANDLE priv)
{
    CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    uint8_t sig[1024];
    CK_ULONG len = sizeof sig;

    RV(false, "held: C_SignInit before the agent's session ends", CKR_OK, p.f->C_SignInit(ro, &m, priv));
    see(false, "held: the end command ran", "0", ul((CK_ULONG)system(end_cmd)));
    see(false, "held: the agent's session ended: public again", "yes", yes(public_within(ro, 5000)));
    RV(false, "held: C_Sign after the end", CKR_USER_NOT_LOGGED_IN, p.f->C_Sign(ro, (CK_BYTE_PTR) "x", 1, sig, &len));
    RV(false, "held: C_SignInit after the end", CKR_USER_NOT_LOGGED_IN, p.f->C_SignInit(ro, &m, priv));
    see(false, "held: no private key", "0", ul(count_labelled(ro, CKO_PRIVATE_KEY)));
    RV(false, "held: C_Login brings the agent's dialogs", CKR_OK, p11_login(&p, ro, NULL));
    see(false, "held: logged in again", ul(CKS_RO_USER_FUNCTIONS), ul(state_of(ro)));
}

static int held_session(void)
{
    CK_SESSION_HANDLE ro, rw;
    CK_OBJECT_HANDLE priv;
    EVP_PKEY *pub;
    CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    uint8_t sig[1024];
    CK_ULONG len = sizeof sig;

    p11_must(p.f->C_Initialize(NULL), "C_Initialize");
    slot = p11_first_slot(&p);
    ro = open_session(0);
    rw = open_session(CKF_RW_SESSION);
    see(false, "held: a new program is logged in by the agent's session", ul(CKS_RO_USER_FUNCTIONS), ul(state_of(ro)));
    see(false, "held: every session", ul(CKS_RW_USER_FUNCTIONS), ul(state_of(rw)));
    see(false, "held: the private key is visible without C_Login", "1", ul(count_labelled(ro, CKO_PRIVATE_KEY)));
    priv = p11_find(&p, ro, CKO_PRIVATE_KEY, label);
    pub = p11_key_pubkey(&p, ro, priv);
    RV(false, "held: C_SignInit without C_Login", CKR_OK, p.f->C_SignInit(ro, &m, priv));
    RV(false, "held: C_Sign without C_Login", CKR_OK, p.f->C_Sign(ro, (CK_BYTE_PTR) "held", 4, sig, &len));
    see(false, "held: the signature verifies", "yes", yes(pub && p11_verify(pub, m.mechanism, "held", 4, sig, len)));
    held_explicit_login(ro, rw);
    if (end_cmd != NULL)
        held_session_ends(ro, priv);
    EVP_PKEY_free(pub);
    p11_must(p.f->C_Finalize(NULL), "C_Finalize");
    printf("# %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}

static void refusals(CK_SESSION_HANDLE ro)
{
    CK_BYTE buf[16];
    CK_ATTRIBUTE t = { CKA_LABEL, buf, 4 };
    CK_OBJECT_HANDLE o;

    RV(false, "C_GenerateRandom: no RNG", CKR_RANDOM_NO_RNG, p.f->C_GenerateRandom(ro, buf, sizeof buf));
    RV(false, "C_CreateObject in a read-only session", CKR_SESSION_READ_ONLY, p.f->C_CreateObject(ro, &t, 1, &o));
}

static void finalize(CK_SESSION_HANDLE ro)
{
    CK_SESSION_INFO si;

    RV(true, "C_CloseAllSessions(invalid slot)", CKR_SLOT_ID_INVALID, p.f->C_CloseAllSessions(slot + 12345));
    RV(true, "C_CloseAllSessions", CKR_OK, p.f->C_CloseAllSessions(slot));
    RV(true, "a session after C_CloseAllSessions", CKR_SESSION_HANDLE_INVALID, p.f->C_GetSessionInfo(ro, &si));
    RV(true, "C_Finalize(pReserved not NULL)", CKR_ARGUMENTS_BAD, p.f->C_Finalize((CK_VOID_PTR)&si));
    RV(true, "C_Finalize", CKR_OK, p.f->C_Finalize(NULL));
    RV(true, "C_GetSlotList after C_Finalize", CKR_CRYPTOKI_NOT_INITIALIZED,
       p.f->C_GetSlotList(CK_TRUE, NULL, &si.flags));
}

int main(int argc, char **argv)
{
    CK_SESSION_HANDLE ro, rw;
    CK_OBJECT_HANDLE priv, cert;
    X509 *x = NULL;
    EVP_PKEY *pub;

    if (argc < 3) {
        fprintf(stderr, "usage: p11conform MODULE LABEL [--pin PIN] [--ours] [--transcript] | --held [--end CMD]\n");
        return 2;
    }
    label = argv[2];
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--pin") && i + 1 < argc)
            pin = argv[++i];
        else if (!strcmp(argv[i], "--ours"))
            ours = true;
        else if (!strcmp(argv[i], "--transcript"))
            transcript = true;
        else if (!strcmp(argv[i], "--held"))
            held = true;
        else if (!strcmp(argv[i], "--end") && i + 1 < argc)
            end_cmd = argv[++i];
    }
    p11_load(&p, argv[1]);
    if (held)
        return held_session();
    RV(true, "C_GetSlotList before C_Initialize", CKR_CRYPTOKI_NOT_INITIALIZED,
       p.f->C_GetSlotList(CK_TRUE, NULL, &(CK_ULONG){ 0 }));
    general();
    mechanisms();
    sessions(&ro, &rw);
    objects_before_login(ro, &x);
    if (ours)
        our_objects(ro);
    login_state(ro, rw);
    see(true, "after login: the private key is visible", "1", ul(count_labelled(ro, CKO_PRIVATE_KEY)));
    priv = p11_find(&p, ro, CKO_PRIVATE_KEY, label);
    cert = p11_find(&p, ro, CKO_CERTIFICATE, label);
    private_key(ro, priv, cert);
    pub = p11_key_pubkey(&p, ro, priv);
    if (pub == NULL) {
        printf("not ok - no public key for the private key\n");
        return 1;
    }
    sign_rules(ro, priv, pub);
    sign_multi_part(ro, priv, pub, CKM_SHA256_RSA_PKCS, NULL, 0);
    pss_rules(ro, priv, pub);
    if (ours)
        refusals(ro);
    logout_rules(ro, rw, priv);
    finalize(ro);
    EVP_PKEY_free(pub);
    X509_free(x);
    if (!transcript)
        printf("# %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
