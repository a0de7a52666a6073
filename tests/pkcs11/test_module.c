/* The whole module through its function lists, against a fake agent (this
 * unit test only; the tests/pkcs11 scripts use the real agent and server):
 * initialisation, slot/token, sessions and their states, login semantics,
 * objects, every signing path and its operation state, the agent going and
 * coming back, slot events, fork, threads, refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../pkcs11/hash.h"
#include "../../pkcs11/tv_pkcs11.h"
#include "fake_agent.h"
#include "tv_err.h"
#include "tv_proto.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* login-minimum-ms for this test (the default is longer) */
#define TEST_LOGIN_MIN_MS 300
#define TEST_LOGIN_MIN_MS_STR "300"

static CK_FUNCTION_LIST_3_0 *p11;
static struct fake_agent *fa;

static const CK_BYTE rsa_id[] = { 0x01 };
static const CK_BYTE ec_id[] = { 0x02 };
static const CK_BYTE sha256_di_prefix[] = {
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
    0x05, 0x00, 0x04, 0x20,
};

/* ---- helpers --------------------------------------------------------------- */

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static CK_ULONG present_slots(void)
{
    CK_ULONG n = 99;

    assert_int_equal(p11->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
    return n;
}

/* Bounded wait for the slot to show (or not) a token. */
static bool wait_present(CK_ULONG want, int ms)
{
    for (int64_t end = now_ms() + ms; now_ms() < end; sleep_ms(20))
        if (present_slots() == want)
            return true;
    return present_slots() == want;
}

/* Bounded wait for an event seen by the non-blocking form. */
static bool wait_event(int ms)
{
    CK_SLOT_ID slot = 99;

    for (int64_t end = now_ms() + ms; now_ms() < end; sleep_ms(10))
        if (p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL) == CKR_OK)
            return slot == 0;
    return false;
}

/* Bounded wait until a session handle stops being valid. */
static bool wait_session_gone(CK_SESSION_HANDLE h, int ms)
{
    CK_SESSION_INFO si;

    for (int64_t end = now_ms() + ms; now_ms() < end; sleep_ms(10))
        if (p11->C_GetSessionInfo(h, &si) == CKR_SESSION_HANDLE_INVALID)
            return true;
    return false;
}

/* Bounded wait for the state a session reports (the agent's changes reach
 * the module as a notice, a moment later). */
static bool wait_state(CK_SESSION_HANDLE h, CK_STATE want, int ms)
{
    CK_SESSION_INFO si;
    int64_t end = now_ms() + ms;

    for (;;) {
        if (p11->C_GetSessionInfo(h, &si) == CKR_OK && si.state == want)
            return true;
        if (now_ms() >= end)
            return false;
        sleep_ms(10);
    }
}

static void drain_events(void)
{
    CK_SLOT_ID slot;

    while (p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL) == CKR_OK)
        ;
}

static CK_SESSION_HANDLE open_session(CK_FLAGS extra)
{
    CK_SESSION_HANDLE h = 0;

    assert_int_equal(p11->C_OpenSession(0, CKF_SERIAL_SESSION | extra, NULL, NULL, &h), CKR_OK);
    return h;
}

static void login(CK_SESSION_HANDLE h)
{
    assert_int_equal(p11->C_Login(h, CKU_USER, NULL, 0), CKR_OK);
}

static CK_ULONG find(CK_SESSION_HANDLE h, CK_ATTRIBUTE *tmpl, CK_ULONG n, CK_OBJECT_HANDLE *out,
                     CK_ULONG max)
{
    CK_ULONG count = 0;

    assert_int_equal(p11->C_FindObjectsInit(h, tmpl, n), CKR_OK);
    assert_int_equal(p11->C_FindObjects(h, out, max, &count), CKR_OK);
    assert_int_equal(p11->C_FindObjectsFinal(h), CKR_OK);
    return count;
}

static CK_OBJECT_HANDLE find_key(CK_SESSION_HANDLE h, CK_OBJECT_CLASS cls, const CK_BYTE *id)
{
    CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof cls }, { CKA_ID, (void *)id, 1 } };
    CK_OBJECT_HANDLE o = 0;

    assert_int_equal(find(h, t, 2, &o, 1), 1);
    return o;
}

static CK_RV sign_once(CK_SESSION_HANDLE h, CK_MECHANISM *m, CK_OBJECT_HANDLE key,
                       const void *data, CK_ULONG len, CK_BYTE *sig, CK_ULONG *siglen)
{
    CK_RV rv = p11->C_SignInit(h, m, key);

    if (rv != CKR_OK)
        return rv;
    return p11->C_Sign(h, (CK_BYTE_PTR)data, len, sig, siglen);
}

static int up(void **state)
{
    CK_INTERFACE_PTR iface = NULL;

    fa = fa_start(false);
    assert_int_equal(C_GetInterface(NULL, NULL, &iface, 0), CKR_OK);
    p11 = iface->pFunctionList;
    assert_int_equal(p11->C_Initialize(NULL), CKR_OK);
    return 0;
}

static int down(void **state)
{
    p11->C_Finalize(NULL);
    fa_stop(fa);
    fa = NULL;
    return 0;
}

/* ---- interfaces and initialisation ------------------------------------------ */

static void interfaces(void **state)
{
    CK_INTERFACE list[4];
    CK_ULONG n = 0;
    CK_INTERFACE_PTR iface = NULL;
    CK_VERSION v240 = { 2, 40 }, v31 = { 3, 1 };
    CK_FUNCTION_LIST_PTR fl = NULL;

    assert_int_equal(C_GetInterfaceList(NULL, &n), CKR_OK);
    assert_int_equal(n, 2);
    n = 1;
    assert_int_equal(C_GetInterfaceList(list, &n), CKR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 2);
    n = 4;
    assert_int_equal(C_GetInterfaceList(list, &n), CKR_OK);
    assert_string_equal((char *)list[0].pInterfaceName, "PKCS 11");
    assert_int_equal(((CK_VERSION *)list[0].pFunctionList)->major, 3);
    assert_int_equal(((CK_VERSION *)list[1].pFunctionList)->minor, 40);
    assert_int_equal(list[0].flags & CKF_INTERFACE_FORK_SAFE, 0);
    assert_int_equal(C_GetInterfaceList(list, NULL), CKR_ARGUMENTS_BAD);
    assert_int_equal(C_GetInterface((CK_UTF8CHAR_PTR) "PKCS 11", &v240, &iface, 0), CKR_OK);
    assert_int_equal(((CK_VERSION *)iface->pFunctionList)->minor, 40);
    assert_int_equal(C_GetInterface(NULL, &v31, &iface, 0), CKR_ARGUMENTS_BAD);
    assert_int_equal(C_GetInterface((CK_UTF8CHAR_PTR) "Vendor", NULL, &iface, 0), CKR_ARGUMENTS_BAD);
    assert_int_equal(C_GetInterface(NULL, NULL, &iface, CKF_INTERFACE_FORK_SAFE), CKR_ARGUMENTS_BAD);
    assert_int_equal(C_GetInterface(NULL, NULL, NULL, 0), CKR_ARGUMENTS_BAD);
    assert_int_equal(C_GetFunctionList(&fl), CKR_OK);
    assert_int_equal(fl->version.major, 2);
    assert_int_equal(C_GetFunctionList(NULL), CKR_ARGUMENTS_BAD);
}

/* Every function but the four that work before C_Initialize, called with
 * zeroed arguments, says CKR_CRYPTOKI_NOT_INITIALIZED and does not crash. */
static void everything_needs_initialize(void **state)
{
    CK_INTERFACE_PTR iface = NULL;
    typedef CK_RV (*any_fn)(CK_ULONG, CK_ULONG, CK_ULONG, CK_ULONG, CK_ULONG, CK_ULONG,
                            CK_ULONG, CK_ULONG, CK_ULONG);
    CK_FUNCTION_LIST_3_0 *l;
    size_t count = (sizeof(CK_FUNCTION_LIST_3_0) - sizeof(CK_VERSION)) / sizeof(void *);
    void *const *fns;

    assert_int_equal(C_GetInterface(NULL, NULL, &iface, 0), CKR_OK);
    l = iface->pFunctionList;
    fns = (void *const *)&l->C_Initialize;
    assert_int_equal(count, 68 + 24);
    for (size_t i = 0; i < count; i++) {
        any_fn fn;
        memcpy(&fn, &fns[i], sizeof fn);
        if (fns[i] == (void *)l->C_Initialize || fns[i] == (void *)l->C_GetFunctionList ||
            fns[i] == (void *)l->C_GetInterfaceList || fns[i] == (void *)l->C_GetInterface)
            continue;
        assert_int_equal(fn(0, 0, 0, 0, 0, 0, 0, 0, 0), CKR_CRYPTOKI_NOT_INITIALIZED);
    }
}

static unsigned app_locks;
static CK_RV app_create(CK_VOID_PTR_PTR m) { *m = malloc(sizeof(pthread_mutex_t)); pthread_mutex_init(*m, NULL); return CKR_OK; }
static CK_RV app_destroy(CK_VOID_PTR m) { pthread_mutex_destroy(m); free(m); return CKR_OK; }
static CK_RV app_lock(CK_VOID_PTR m) { __atomic_add_fetch(&app_locks, 1, __ATOMIC_RELAXED); pthread_mutex_lock(m); return CKR_OK; }
static CK_RV app_unlock(CK_VOID_PTR m) { pthread_mutex_unlock(m); return CKR_OK; }

static void initialize_arguments(void **state)
{
    CK_C_INITIALIZE_ARGS args = { 0 };
    CK_INTERFACE_PTR iface = NULL;
    static char nss_params[] = "configdir='sql:/tmp' certPrefix='' autostart=no";

    fa = fa_start(false);
    assert_int_equal(C_GetInterface(NULL, NULL, &iface, 0), CKR_OK);
    p11 = iface->pFunctionList;
    /* some but not all mutex functions */
    args.CreateMutex = app_create;
    assert_int_equal(p11->C_Initialize(&args), CKR_ARGUMENTS_BAD);
    /* the application's mutexes, as the standard requires without OS locking */
    args.DestroyMutex = app_destroy;
    args.LockMutex = app_lock;
    args.UnlockMutex = app_unlock;
    assert_int_equal(p11->C_Initialize(&args), CKR_OK);
    assert_int_equal(p11->C_Initialize(&args), CKR_CRYPTOKI_ALREADY_INITIALIZED);
    app_locks = 0;
    assert_int_equal(present_slots(), 1);
    assert_true(app_locks > 0);
    assert_int_equal(p11->C_Finalize((CK_VOID_PTR)1), CKR_ARGUMENTS_BAD);
    assert_int_equal(p11->C_Finalize(NULL), CKR_OK);
    assert_int_equal(p11->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
    /* what NSS passes: no threads of ours, OS locking, its parameter string */
    memset(&args, 0, sizeof args);
    args.flags = CKF_LIBRARY_CANT_CREATE_OS_THREADS | CKF_OS_LOCKING_OK;
    args.pReserved = nss_params;
    assert_int_equal(p11->C_Initialize(&args), CKR_OK);
    assert_int_equal(present_slots(), 1);
    assert_int_equal(p11->C_Finalize(NULL), CKR_OK);
    fa_stop(fa);
}

static void info(void **state)
{
    CK_INFO i;
    CK_FUNCTION_LIST_PTR fl;

    assert_int_equal(p11->C_GetInfo(&i), CKR_OK);
    assert_int_equal(i.cryptokiVersion.major, 3);
    assert_memory_equal(i.manufacturerID, "Tarjeta virtual ", 16);
    assert_int_equal(i.flags, 0);
    assert_int_equal(C_GetFunctionList(&fl), CKR_OK);
    assert_int_equal(fl->C_GetInfo(&i), CKR_OK);
    assert_int_equal(i.cryptokiVersion.major, 2);
    assert_int_equal(i.cryptokiVersion.minor, 40);
    assert_int_equal(p11->C_GetInfo(NULL), CKR_ARGUMENTS_BAD);
}

/* ---- slot and token ----------------------------------------------------------- */

static void slot_and_token(void **state)
{
    CK_SLOT_ID slots[2];
    CK_ULONG n = 0;
    CK_SLOT_INFO si;
    CK_TOKEN_INFO ti;

    assert_int_equal(p11->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(p11->C_GetSlotList(CK_FALSE, slots, &n), CKR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 1);
    n = 2;
    assert_int_equal(p11->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(slots[0], 0);
    assert_int_equal(p11->C_GetSlotList(CK_TRUE, slots, NULL), CKR_ARGUMENTS_BAD);
    assert_int_equal(p11->C_GetSlotInfo(0, &si), CKR_OK);
    assert_int_equal(si.flags, CKF_REMOVABLE_DEVICE | CKF_TOKEN_PRESENT);
    assert_int_equal(p11->C_GetSlotInfo(1, &si), CKR_SLOT_ID_INVALID);
    assert_int_equal(p11->C_GetSlotInfo(0, NULL), CKR_ARGUMENTS_BAD);
    assert_int_equal(p11->C_GetTokenInfo(0, &ti), CKR_OK);
    assert_memory_equal(ti.label, "BakQ 12345678Z                  ", 32);
    assert_int_equal(ti.flags, CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED |
                                   CKF_LOGIN_REQUIRED | CKF_PROTECTED_AUTHENTICATION_PATH);
    assert_int_equal(ti.flags & CKF_RNG, 0);
    assert_int_equal(ti.ulMaxSessionCount, CK_EFFECTIVELY_INFINITE);
    assert_int_equal(ti.ulMinPinLen, 8);
    assert_int_equal(p11->C_GetTokenInfo(7, &ti), CKR_SLOT_ID_INVALID);
}

static void mechanisms(void **state)
{
    CK_MECHANISM_TYPE list[16];
    CK_ULONG n = 0;
    CK_MECHANISM_INFO mi;

    assert_int_equal(p11->C_GetMechanismList(0, NULL, &n), CKR_OK);
    assert_int_equal(n, 12);
    n = 3;
    assert_int_equal(p11->C_GetMechanismList(0, list, &n), CKR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 12);
    n = 16;
    assert_int_equal(p11->C_GetMechanismList(0, list, &n), CKR_OK);
    for (CK_ULONG i = 0; i < n; i++)
        assert_int_not_equal(list[i], CKM_RSA_X_509);
    assert_int_equal(p11->C_GetMechanismInfo(0, CKM_SHA256_RSA_PKCS_PSS, &mi), CKR_OK);
    assert_int_equal(mi.ulMinKeySize, 2048);
    assert_int_equal(mi.flags, CKF_HW | CKF_SIGN);
    assert_int_equal(p11->C_GetMechanismInfo(0, CKM_ECDSA, &mi), CKR_OK);
    assert_int_equal(mi.ulMaxKeySize, 256);
    assert_true(mi.flags & CKF_EC_UNCOMPRESS);
    assert_int_equal(p11->C_GetMechanismInfo(0, CKM_RSA_X_509, &mi), CKR_MECHANISM_INVALID);
    assert_int_equal(p11->C_GetMechanismInfo(0, CKM_SHA256, &mi), CKR_MECHANISM_INVALID);
    assert_int_equal(p11->C_GetMechanismInfo(1, CKM_ECDSA, &mi), CKR_SLOT_ID_INVALID);
}

static void no_agent_then_agent(void **state)
{
    CK_INTERFACE_PTR iface = NULL;
    CK_TOKEN_INFO ti;
    CK_SLOT_INFO si;
    CK_SESSION_HANDLE h;

    fa = fa_start(false);
    fa_kill(fa);                                    /* nothing listens */
    assert_int_equal(C_GetInterface(NULL, NULL, &iface, 0), CKR_OK);
    p11 = iface->pFunctionList;
    assert_int_equal(p11->C_Initialize(NULL), CKR_OK);   /* succeeds without the agent */
    assert_int_equal(present_slots(), 0);
    assert_int_equal(p11->C_GetSlotInfo(0, &si), CKR_OK);
    assert_int_equal(si.flags & CKF_TOKEN_PRESENT, 0);
    assert_int_equal(p11->C_GetTokenInfo(0, &ti), CKR_TOKEN_NOT_PRESENT);
    assert_int_equal(p11->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_TOKEN_NOT_PRESENT);
    fa_revive(fa);
    assert_true(wait_present(1, 2000));             /* no restart of the host */
    h = open_session(0);
    login(h);
    assert_int_equal(p11->C_Finalize(NULL), CKR_OK);
    fa_stop(fa);
}

/* An agent that accepts connections but never answers delays C_Initialize
 * by the quick timeout once; later calls do not wait for it again. */
static void hung_agent_does_not_hang_the_host(void **state)
{
    CK_INTERFACE_PTR iface = NULL;
    int64_t t0;

    fa = fa_start(false);
    fa_set_mute(fa, true);
    assert_int_equal(C_GetInterface(NULL, NULL, &iface, 0), CKR_OK);
    p11 = iface->pFunctionList;
    t0 = now_ms();
    assert_int_equal(p11->C_Initialize(NULL), CKR_OK);
    assert_true(now_ms() - t0 < 2500);
    t0 = now_ms();
    for (int i = 0; i < 20; i++)
        assert_int_equal(present_slots(), 0);
    assert_true(now_ms() - t0 < 500);
    assert_int_equal(p11->C_Finalize(NULL), CKR_OK);
    fa_stop(fa);
}

/* ---- sessions ------------------------------------------------------------------- */

static void sessions(void **state)
{
    CK_SESSION_HANDLE ro, rw, h;
    CK_SESSION_INFO si;
    CK_TOKEN_INFO ti;

    assert_int_equal(p11->C_OpenSession(0, 0, NULL, NULL, &h), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
    assert_int_equal(p11->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, NULL), CKR_ARGUMENTS_BAD);
    assert_int_equal(p11->C_OpenSession(3, CKF_SERIAL_SESSION, NULL, NULL, &h), CKR_SLOT_ID_INVALID);
    ro = open_session(0);
    rw = open_session(CKF_RW_SESSION);
    assert_int_not_equal(ro, rw);
    assert_int_equal(p11->C_GetSessionInfo(ro, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
    assert_int_equal(si.flags, CKF_SERIAL_SESSION);
    assert_int_equal(si.slotID, 0);
    assert_int_equal(p11->C_GetSessionInfo(rw, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RW_PUBLIC_SESSION);
    assert_int_equal(p11->C_GetTokenInfo(0, &ti), CKR_OK);
    assert_int_equal(ti.ulSessionCount, 2);
    assert_int_equal(ti.ulRwSessionCount, 1);
    assert_int_equal(p11->C_GetSessionInfo(ro, NULL), CKR_ARGUMENTS_BAD);
    assert_int_equal(p11->C_GetSessionInfo(0, &si), CKR_SESSION_HANDLE_INVALID);
    assert_int_equal(p11->C_GetSessionInfo(ro + 0x10000, &si), CKR_SESSION_HANDLE_INVALID);
    assert_int_equal(p11->C_CloseSession(ro), CKR_OK);
    assert_int_equal(p11->C_CloseSession(ro), CKR_SESSION_HANDLE_INVALID);
    h = open_session(0);
    assert_int_not_equal(h, ro);                    /* handles are not reused */
    assert_int_equal(p11->C_CloseAllSessions(1), CKR_SLOT_ID_INVALID);
    assert_int_equal(p11->C_CloseAllSessions(0), CKR_OK);
    assert_int_equal(p11->C_GetSessionInfo(rw, &si), CKR_SESSION_HANDLE_INVALID);
}

/* ---- login ---------------------------------------------------------------------- */

static void login_protected_path(void **state)
{
    CK_SESSION_HANDLE a = open_session(0), b = open_session(CKF_RW_SESSION);
    CK_SESSION_INFO si;

    assert_false(fa_session(fa));
    assert_int_equal(p11->C_Login(a, CKU_USER, NULL, 0), CKR_OK);
    assert_int_equal(fa_last_login_flags(fa), 0);          /* the agent asks, not us */
    assert_true(fa_session(fa));
    /* per application: every session sees it */
    assert_int_equal(p11->C_GetSessionInfo(b, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RW_USER_FUNCTIONS);
    assert_int_equal(p11->C_GetSessionInfo(a, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_USER_FUNCTIONS);
    /* GnuTLS logs in again and expects this */
    assert_int_equal(p11->C_Login(b, CKU_USER, NULL, 0), CKR_USER_ALREADY_LOGGED_IN);
    assert_int_equal(fa_count(fa, TV_MSG_LOGIN), 1);
    assert_int_equal(p11->C_Login(a, CKU_SO, NULL, 0), CKR_USER_TYPE_INVALID);
    assert_int_equal(p11->C_Login(a, 77, NULL, 0), CKR_USER_TYPE_INVALID);
}

/* The agent holds a session: every session of the application is logged in
 * without C_Login (NSS then never calls it: no Firefox window); when the
 * agent's session ends the application is public again. */
static void agent_session_logs_the_application_in(void **state)
{
    CK_SESSION_HANDLE h = open_session(0), rw;
    CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    CK_OBJECT_HANDLE key;
    CK_BYTE sig[256];
    CK_ULONG siglen = sizeof sig;
    CK_SESSION_INFO si;
    int64_t t0;

    assert_int_equal(p11->C_GetSessionInfo(h, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
    fa_set_session(fa, true);                  /* `tarjeta login`, or another program */
    assert_true(wait_state(h, CKS_RO_USER_FUNCTIONS, 3000));
    rw = open_session(CKF_RW_SESSION);
    assert_true(wait_state(rw, CKS_RW_USER_FUNCTIONS, 1));
    key = find_key(h, CKO_PRIVATE_KEY, rsa_id);
    assert_int_equal(sign_once(h, &m, key, "x", 1, sig, &siglen), CKR_OK);
    assert_int_equal(fa_count(fa, TV_MSG_LOGIN), 0);
    /* an explicit C_Login: CKR_OK the first time, with no minimum, then the
     * usual CKR_USER_ALREADY_LOGGED_IN */
    t0 = now_ms();
    assert_int_equal(p11->C_Login(rw, CKU_USER, NULL, 0), CKR_OK);
    assert_true(now_ms() - t0 < TEST_LOGIN_MIN_MS);
    assert_int_equal(p11->C_Login(h, CKU_USER, NULL, 0), CKR_USER_ALREADY_LOGGED_IN);
    assert_int_equal(fa_count(fa, TV_MSG_LOGIN), 1);
    /* the agent's session ends (`tarjeta logout`, its lifetime) */
    assert_int_equal(p11->C_SignInit(h, &m, key), CKR_OK);
    fa_set_session(fa, false);
    assert_true(wait_state(h, CKS_RO_PUBLIC_SESSION, 3000));
    assert_true(wait_state(rw, CKS_RW_PUBLIC_SESSION, 1));
    siglen = sizeof sig;
    assert_int_equal(p11->C_Sign(h, (CK_BYTE_PTR) "x", 1, sig, &siglen), CKR_USER_NOT_LOGGED_IN);
    assert_int_equal(p11->C_SignInit(h, &m, key), CKR_USER_NOT_LOGGED_IN);
    assert_int_equal(fa_count(fa, TV_MSG_SIGN), 1);
    /* the next C_Login goes to the agent (its dialogs) and counts as new */
    login(h);
    assert_int_equal(fa_count(fa, TV_MSG_LOGIN), 2);
    assert_true(fa_session(fa));
    assert_true(wait_state(rw, CKS_RW_USER_FUNCTIONS, 1));
    assert_int_equal(p11->C_Login(rw, CKU_USER, NULL, 0), CKR_USER_ALREADY_LOGGED_IN);
}

static void logout_is_local_and_firefox_pattern(void **state)
{
    CK_SESSION_HANDLE h = open_session(0), later;
    int64_t t0;

    assert_int_equal(p11->C_Logout(h), CKR_USER_NOT_LOGGED_IN);
    login(h);
    drain_events();
    assert_int_equal(p11->C_Logout(h), CKR_OK);
    assert_true(fa_session(fa));                            /* the agent keeps its session */
    assert_int_equal(fa_count(fa, TV_MSG_LOGOUT), 0);
    assert_true(wait_state(h, CKS_RO_PUBLIC_SESSION, 1));
    /* this program stays out while the agent's session lasts */
    later = open_session(CKF_RW_SESSION);
    assert_true(wait_state(later, CKS_RW_PUBLIC_SESSION, 1));
    assert_int_equal(p11->C_Logout(h), CKR_USER_NOT_LOGGED_IN);
    /* Firefox: Logout + Login(NULL) -> no dialog, but held to the minimum */
    t0 = now_ms();
    assert_int_equal(p11->C_Login(h, CKU_USER, NULL, 0), CKR_OK);
    assert_true(now_ms() - t0 >= TEST_LOGIN_MIN_MS - 2);
    assert_int_equal(fa_count(fa, TV_MSG_LOGIN), 2);
    assert_true(wait_state(later, CKS_RW_USER_FUNCTIONS, 1));
    /* a C_Logout lasts until the agent's session ends; the next one logs
     * this program in again */
    assert_int_equal(p11->C_Logout(later), CKR_OK);
    drain_events();
    fa_set_session(fa, false);
    assert_true(wait_event(3000));
    fa_set_session(fa, true);
    assert_true(wait_state(h, CKS_RO_USER_FUNCTIONS, 3000));
    assert_int_equal(fa_count(fa, TV_MSG_LOGIN), 2);
}

static void login_with_pin_is_the_password(void **state)
{
    CK_SESSION_HANDLE h = open_session(0);

    assert_int_equal(p11->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR) "abc", 3), CKR_PIN_LEN_RANGE);
    assert_int_equal(fa_count(fa, TV_MSG_LOGIN), 0);        /* no attempt wasted */
    assert_int_equal(p11->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR) "Pa55word", 8), CKR_OK);
    assert_int_equal(fa_last_login_flags(fa), TV_LOGIN_PIN_GIVEN);
    assert_true(fa_last_pin_is(fa, "Pa55word"));
}

static void login_errors(void **state)
{
    static const struct { int err; CK_RV rv; } cases[] = {
        { TV_ERR_WRONG_PASSWORD, CKR_PIN_INCORRECT },
        { TV_ERR_WRONG_SECOND_FACTOR, CKR_PIN_INCORRECT },
        { TV_ERR_BLOCKED, CKR_PIN_LOCKED },
        { TV_ERR_CANCELLED, CKR_FUNCTION_CANCELED },
        { TV_ERR_UNREACHABLE, CKR_DEVICE_ERROR },
        { TV_ERR_EXPIRED, CKR_FUNCTION_FAILED },
    };
    CK_SESSION_HANDLE h = open_session(0);
    CK_SESSION_INFO si;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fa_set_login(fa, cases[i].err, 0);
        assert_int_equal(p11->C_Login(h, CKU_USER, NULL, 0), cases[i].rv);
        assert_int_equal(p11->C_GetSessionInfo(h, &si), CKR_OK);
        assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
    }
    fa_set_login(fa, 0, 0);
    login(h);
}

static void closing_last_session_logs_out(void **state)
{
    CK_SESSION_HANDLE a = open_session(0), b = open_session(0);
    CK_SESSION_INFO si;

    login(a);
    assert_int_equal(p11->C_CloseSession(a), CKR_OK);
    assert_int_equal(p11->C_GetSessionInfo(b, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_USER_FUNCTIONS);
    assert_int_equal(p11->C_CloseSession(b), CKR_OK);
    /* the application's own login ended with its last session; the agent's
     * session still logs a new one in */
    b = open_session(0);
    assert_int_equal(p11->C_GetSessionInfo(b, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_USER_FUNCTIONS);
    assert_int_equal(p11->C_Login(b, CKU_USER, NULL, 0), CKR_OK);
    assert_int_equal(p11->C_Login(b, CKU_USER, NULL, 0), CKR_USER_ALREADY_LOGGED_IN);
    assert_int_equal(p11->C_CloseAllSessions(0), CKR_OK);
    b = open_session(0);
    assert_int_equal(p11->C_Login(b, CKU_USER, NULL, 0), CKR_OK);
}

/* ---- objects ---------------------------------------------------------------------- */

static void objects_before_and_after_login(void **state)
{
    CK_SESSION_HANDLE h = open_session(0);
    CK_OBJECT_HANDLE o[16], priv_after;
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY, profile = CKO_PROFILE;
    CK_ATTRIBUTE by_class = { CKA_CLASS, &cls, sizeof cls };
    CK_ATTRIBUTE by_profile = { CKA_CLASS, &profile, sizeof profile };
    CK_ULONG n;

    /* certificates (2 + CA), public keys (2), the profile: readable without login */
    assert_int_equal(find(h, NULL, 0, o, 16), 6);
    assert_int_equal(find(h, &by_class, 1, o, 16), 0);
    assert_int_equal(find(h, &by_profile, 1, o, 16), 1);
    login(h);
    assert_int_equal(find(h, NULL, 0, o, 16), 8);
    assert_int_equal(find(h, &by_class, 1, o, 16), 2);
    priv_after = o[0];
    /* handed out in pieces */
    assert_int_equal(p11->C_FindObjectsInit(h, NULL, 0), CKR_OK);
    assert_int_equal(p11->C_FindObjectsInit(h, NULL, 0), CKR_OPERATION_ACTIVE);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(p11->C_FindObjects(h, o, 1, &n), CKR_OK);
        assert_int_equal(n, 1);
    }
    assert_int_equal(p11->C_FindObjects(h, o, 1, &n), CKR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(p11->C_FindObjects(h, o, 1, NULL), CKR_ARGUMENTS_BAD);
    assert_int_equal(p11->C_FindObjectsFinal(h), CKR_OK);
    assert_int_equal(p11->C_FindObjectsFinal(h), CKR_OPERATION_NOT_INITIALIZED);
    assert_int_equal(p11->C_FindObjects(h, o, 1, &n), CKR_OPERATION_NOT_INITIALIZED);
    /* a private object is gone again after logout */
    assert_int_equal(p11->C_Logout(h), CKR_OK);
    CK_ATTRIBUTE a = { CKA_LABEL, NULL, 0 };
    assert_int_equal(p11->C_GetAttributeValue(h, priv_after, &a, 1), CKR_OBJECT_HANDLE_INVALID);
}

static void attributes_nss_needs(void **state)
{
    CK_SESSION_HANDLE h = open_session(0);
    CK_OBJECT_HANDLE cert, priv;
    CK_OBJECT_CLASS cc = CKO_CERTIFICATE;
    CK_BYTE id[8], value[2048], modulus[300];
    CK_BBOOL sensitive = 0, sign = 0;
    CK_KEY_TYPE kt = 99;
    CK_ULONG cat = 9;
    CK_ATTRIBUTE cert_attrs[] = {
        { CKA_ID, id, sizeof id }, { CKA_VALUE, value, sizeof value },
        { CKA_CERTIFICATE_CATEGORY, &cat, sizeof cat },
    };
    CK_ATTRIBUTE key_attrs[] = {
        { CKA_KEY_TYPE, &kt, sizeof kt }, { CKA_SENSITIVE, &sensitive, 1 }, { CKA_SIGN, &sign, 1 },
        { CKA_MODULUS, modulus, sizeof modulus },
    };
    CK_ATTRIBUTE secret = { CKA_PRIVATE_EXPONENT, value, sizeof value };
    CK_ULONG size = 0;

    cert = find_key(h, cc, rsa_id);
    assert_int_equal(p11->C_GetAttributeValue(h, cert, cert_attrs, 3), CKR_OK);
    assert_int_equal(cert_attrs[0].ulValueLen, 1);
    assert_int_equal(id[0], 0x01);
    assert_int_equal(cert_attrs[1].ulValueLen, 749);
    assert_int_equal(cat, CK_CERTIFICATE_CATEGORY_TOKEN_USER);
    assert_int_equal(p11->C_GetAttributeValue(h, cert, NULL, 1), CKR_ARGUMENTS_BAD);
    assert_int_equal(p11->C_GetAttributeValue(h, 0x7777, cert_attrs, 1), CKR_OBJECT_HANDLE_INVALID);
    assert_int_equal(p11->C_GetObjectSize(h, cert, &size), CKR_OK);
    assert_true(size > 749);
    login(h);
    priv = find_key(h, CKO_PRIVATE_KEY, rsa_id);
    assert_int_equal(p11->C_GetAttributeValue(h, priv, key_attrs, 4), CKR_OK);
    assert_int_equal(kt, CKK_RSA);
    assert_true(sensitive && sign);
    assert_int_equal(key_attrs[3].ulValueLen, 257);
    assert_int_equal(p11->C_GetAttributeValue(h, priv, &secret, 1), CKR_ATTRIBUTE_SENSITIVE);
    assert_int_equal(secret.ulValueLen, CK_UNAVAILABLE_INFORMATION);
}

/* ---- signing ------------------------------------------------------------------------ */

static void sign_rsa_pkcs_digestinfo(void **state)
{
    CK_SESSION_HANDLE h = open_session(0);
    CK_OBJECT_HANDLE key;
    CK_MECHANISM m = { CKM_RSA_PKCS, NULL, 0 };
    CK_BYTE di[51], sig[512];
    CK_ULONG siglen = sizeof sig;
    struct fa_sign s;

    memcpy(di, sha256_di_prefix, sizeof sha256_di_prefix);
    memset(di + sizeof sha256_di_prefix, 0xab, 32);
    login(h);
    key = find_key(h, CKO_PRIVATE_KEY, rsa_id);
    assert_int_equal(sign_once(h, &m, key, di, sizeof di, sig, &siglen), CKR_OK);
    assert_int_equal(siglen, 256);
    s = fa_last_sign(fa);
    assert_int_equal(s.mech, CKM_RSA_PKCS);
    assert_int_equal(s.kind, TV_INPUT_AS_GIVEN);
    assert_int_equal(s.input_len, sizeof di);
    assert_memory_equal(s.input, di, sizeof di);
    assert_int_equal(s.key_id_len, 1);
    assert_int_equal(s.key_id[0], 0x01);
    /* not a DigestInfo: refused here, nothing sent, operation over */
    fa_reset_counts(fa);
    assert_int_equal(sign_once(h, &m, key, "not a digestinfo", 16, sig, &siglen), CKR_DATA_INVALID);
    assert_int_equal(fa_count(fa, TV_MSG_SIGN), 0);
    assert_int_equal(p11->C_Sign(h, di, sizeof di, sig, &siglen), CKR_OPERATION_NOT_INITIALIZED);
}

static void sign_hash_and_sign_sends_the_digest(void **state)
{
    static const struct { CK_MECHANISM_TYPE mech; enum tv_hash_alg hash; const CK_BYTE *id; CK_ULONG siglen; } cases[] = {
        { CKM_SHA256_RSA_PKCS, TV_HASH_SHA256, rsa_id, 256 },
        { CKM_SHA384_RSA_PKCS, TV_HASH_SHA384, rsa_id, 256 },
        { CKM_SHA512_RSA_PKCS, TV_HASH_SHA512, rsa_id, 256 },
        { CKM_ECDSA_SHA256, TV_HASH_SHA256, ec_id, 64 },
        { CKM_ECDSA_SHA384, TV_HASH_SHA384, ec_id, 64 },
        { CKM_ECDSA_SHA512, TV_HASH_SHA512, ec_id, 64 },
    };
    CK_SESSION_HANDLE h = open_session(0);
    CK_BYTE sig[512], digest[TV_HASH_MAX];
    const char *doc = "a document to sign";

    login(h);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CK_MECHANISM m = { cases[i].mech, NULL, 0 };
        CK_OBJECT_HANDLE key = find_key(h, CKO_PRIVATE_KEY, cases[i].id);
        CK_ULONG siglen = sizeof sig;
        size_t dlen = tv_hash(cases[i].hash, doc, strlen(doc), digest);
        assert_int_equal(sign_once(h, &m, key, doc, strlen(doc), sig, &siglen), CKR_OK);
        assert_int_equal(siglen, cases[i].siglen);
        struct fa_sign s = fa_last_sign(fa);
        assert_int_equal(s.mech, cases[i].mech);
        assert_int_equal(s.kind, TV_INPUT_DIGEST);     /* only hashes leave */
        assert_int_equal(s.input_len, dlen);
        assert_memory_equal(s.input, digest, dlen);
    }
}

static void sign_pss_and_ecdsa_raw(void **state)
{
    CK_SESSION_HANDLE h = open_session(0);
    CK_RSA_PKCS_PSS_PARAMS pp = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
    CK_MECHANISM pss = { CKM_RSA_PKCS_PSS, &pp, sizeof pp };
    CK_MECHANISM spss = { CKM_SHA384_RSA_PKCS_PSS, &pp, sizeof pp };
    CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
    CK_BYTE hash[32], sig[512];
    CK_ULONG siglen = sizeof sig;
    CK_OBJECT_HANDLE rsa, ec;
    struct fa_sign s;

    memset(hash, 7, sizeof hash);
    login(h);
    rsa = find_key(h, CKO_PRIVATE_KEY, rsa_id);
    ec = find_key(h, CKO_PRIVATE_KEY, ec_id);
    assert_int_equal(sign_once(h, &pss, rsa, hash, 32, sig, &siglen), CKR_OK);
    s = fa_last_sign(fa);
    assert_int_equal(s.pss_hash, CKM_SHA256);
    assert_int_equal(s.pss_mgf, CKG_MGF1_SHA256);
    assert_int_equal(s.pss_salt, 32);
    assert_int_equal(s.kind, TV_INPUT_AS_GIVEN);
    /* a hash of the wrong length for the parameters */
    siglen = sizeof sig;
    assert_int_equal(sign_once(h, &pss, rsa, hash, 20, sig, &siglen), CKR_DATA_LEN_RANGE);
    /* SHA384-RSA-PKCS-PSS with SHA-256 parameters */
    assert_int_equal(p11->C_SignInit(h, &spss, rsa), CKR_MECHANISM_PARAM_INVALID);
    pp.hashAlg = CKM_SHA384;
    pp.mgf = CKG_MGF1_SHA384;
    assert_int_equal(sign_once(h, &spss, rsa, "data", 4, sig, &siglen), CKR_OK);
    assert_int_equal(fa_last_sign(fa).input_len, 48);
    siglen = sizeof sig;
    assert_int_equal(sign_once(h, &ecdsa, ec, hash, 32, sig, &siglen), CKR_OK);
    assert_int_equal(siglen, 64);                                  /* raw r||s */
    assert_int_equal(fa_last_sign(fa).key_id[0], 0x02);
}

static void sign_size_queries_keep_the_operation(void **state)
{
    CK_SESSION_HANDLE h = open_session(0);
    CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    CK_OBJECT_HANDLE key;
    CK_BYTE sig[512];
    CK_ULONG siglen = 0;

    login(h);
    key = find_key(h, CKO_PRIVATE_KEY, rsa_id);
    fa_reset_counts(fa);
    assert_int_equal(p11->C_SignInit(h, &m, key), CKR_OK);
    assert_int_equal(p11->C_SignInit(h, &m, key), CKR_OPERATION_ACTIVE);
    assert_int_equal(p11->C_Sign(h, (CK_BYTE_PTR) "x", 1, NULL, &siglen), CKR_OK);
    assert_int_equal(siglen, 256);
    siglen = 10;
    assert_int_equal(p11->C_Sign(h, (CK_BYTE_PTR) "x", 1, sig, &siglen), CKR_BUFFER_TOO_SMALL);
    assert_int_equal(siglen, 256);
    assert_int_equal(fa_count(fa, TV_MSG_SIGN), 0);                /* answered locally */
    assert_int_equal(p11->C_Sign(h, (CK_BYTE_PTR) "x", 1, sig, &siglen), CKR_OK);
    assert_int_equal(fa_count(fa, TV_MSG_SIGN), 1);                /* one round trip */
    assert_int_equal(p11->C_Sign(h, (CK_BYTE_PTR) "x", 1, sig, &siglen), CKR_OPERATION_NOT_INITIALIZED);
    /* bad arguments end the operation */
    assert_int_equal(p11->C_SignInit(h, &m, key), CKR_OK);
    assert_int_equal(p11->C_Sign(h, (CK_BYTE_PTR) "x", 1, sig, NULL), CKR_ARGUMENTS_BAD);
    assert_int_equal(p11->C_Sign(h, (CK_BYTE_PTR) "x", 1, sig, &siglen), CKR_OPERATION_NOT_INITIALIZED);
    assert_int_equal(p11->C_SignInit(h, &m, key), CKR_OK);
    assert_int_equal(p11->C_Sign(h, NULL, 5, sig, &siglen), CKR_ARGUMENTS_BAD);
    assert_int_equal(p11->C_SignFinal(h, sig, &siglen), CKR_OPERATION_NOT_INITIALIZED);
}

static void sign_multi_part(void **state)
{
    CK_SESSION_HANDLE h = open_session(0);
    CK_MECHANISM m = { CKM_SHA512_RSA_PKCS, NULL, 0 };
    CK_MECHANISM raw = { CKM_RSA_PKCS, NULL, 0 };
    CK_OBJECT_HANDLE key;
    CK_BYTE big[100000], sig[512], digest[TV_HASH_MAX], di[51];
    CK_ULONG siglen = 0;

    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (CK_BYTE)(i * 7);
    login(h);
    key = find_key(h, CKO_PRIVATE_KEY, rsa_id);
    assert_int_equal(p11->C_SignInit(h, &m, key), CKR_OK);
    for (size_t at = 0; at < sizeof big; at += 9999)
        assert_int_equal(p11->C_SignUpdate(h, big + at, at + 9999 > sizeof big ? sizeof big - at : 9999), CKR_OK);
    assert_int_equal(p11->C_SignFinal(h, NULL, &siglen), CKR_OK);     /* size query */
    assert_int_equal(p11->C_SignFinal(h, sig, &siglen), CKR_OK);
    tv_hash(TV_HASH_SHA512, big, sizeof big, digest);
    assert_int_equal(fa_last_sign(fa).input_len, 64);
    assert_memory_equal(fa_last_sign(fa).input, digest, 64);
    /* C_Sign cannot finish a multi-part operation */
    assert_int_equal(p11->C_SignInit(h, &m, key), CKR_OK);
    assert_int_equal(p11->C_SignUpdate(h, big, 10), CKR_OK);
    assert_int_equal(p11->C_Sign(h, big, 10, sig, &siglen), CKR_OPERATION_ACTIVE);
    assert_int_equal(p11->C_SignFinal(h, sig, &siglen), CKR_OPERATION_NOT_INITIALIZED);
    /* raw CKM_RSA_PKCS gathers its parts (pkcs11-tool --test does this) */
    memcpy(di, sha256_di_prefix, sizeof sha256_di_prefix);
    memset(di + sizeof sha256_di_prefix, 1, 32);
    assert_int_equal(p11->C_SignInit(h, &raw, key), CKR_OK);
    assert_int_equal(p11->C_SignUpdate(h, di, 5), CKR_OK);
    assert_int_equal(p11->C_SignUpdate(h, di + 5, sizeof di - 5), CKR_OK);
    siglen = sizeof sig;
    assert_int_equal(p11->C_SignFinal(h, sig, &siglen), CKR_OK);
    assert_memory_equal(fa_last_sign(fa).input, di, sizeof di);
    assert_int_equal(p11->C_SignInit(h, &raw, key), CKR_OK);
    assert_int_equal(p11->C_SignUpdate(h, big, 300), CKR_DATA_LEN_RANGE);   /* > k - 11 */
    assert_int_equal(p11->C_SignFinal(h, sig, &siglen), CKR_OPERATION_NOT_INITIALIZED);
}

static void sign_init_checks(void **state)
{
    CK_SESSION_HANDLE h = open_session(0);
    CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 }, rsa = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    CK_MECHANISM x509 = { CKM_RSA_X_509, NULL, 0 };
    CK_OBJECT_HANDLE priv, pub, cert;
    CK_BYTE sig[256];
    CK_ULONG siglen = sizeof sig;

    pub = find_key(h, CKO_PUBLIC_KEY, rsa_id);
    cert = find_key(h, CKO_CERTIFICATE, rsa_id);
    login(h);
    priv = find_key(h, CKO_PRIVATE_KEY, rsa_id);
    assert_int_equal(p11->C_SignInit(h, NULL, priv), CKR_ARGUMENTS_BAD);
    assert_int_equal(p11->C_SignInit(h, &x509, priv), CKR_MECHANISM_INVALID);
    assert_int_equal(p11->C_SignInit(h, &ecdsa, priv), CKR_KEY_TYPE_INCONSISTENT);
    assert_int_equal(p11->C_SignInit(h, &rsa, pub), CKR_KEY_FUNCTION_NOT_PERMITTED);
    assert_int_equal(p11->C_SignInit(h, &rsa, cert), CKR_KEY_HANDLE_INVALID);
    assert_int_equal(p11->C_SignInit(h, &rsa, 0x12345), CKR_KEY_HANDLE_INVALID);
    assert_int_equal(p11->C_SignInit(0, &rsa, priv), CKR_SESSION_HANDLE_INVALID);
    assert_int_equal(p11->C_Sign(h, sig, 1, sig, &siglen), CKR_OPERATION_NOT_INITIALIZED);
    assert_int_equal(p11->C_SignUpdate(h, sig, 1), CKR_OPERATION_NOT_INITIALIZED);
    /* after logout the key handle asks for a login */
    assert_int_equal(p11->C_Logout(h), CKR_OK);
    assert_int_equal(p11->C_SignInit(h, &rsa, priv), CKR_USER_NOT_LOGGED_IN);
}

/* The agent's session ended just before a signature, too recently for the
 * module to have seen it: the signature fails with CKR_USER_NOT_LOGGED_IN
 * (no dialog in the middle of it) and the application is public at once. */
static void agent_session_ended_unseen(void **state)
{
    CK_SESSION_HANDLE h = open_session(0);
    CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    CK_OBJECT_HANDLE key;
    CK_BYTE sig[256];
    CK_ULONG siglen = sizeof sig;
    CK_SESSION_INFO si;

    login(h);
    key = find_key(h, CKO_PRIVATE_KEY, rsa_id);
    fa_end_session_unseen(fa);
    fa_reset_counts(fa);
    assert_int_equal(sign_once(h, &m, key, "x", 1, sig, &siglen), CKR_USER_NOT_LOGGED_IN);
    assert_int_equal(fa_count(fa, TV_MSG_LOGIN), 0);
    assert_int_equal(fa_count(fa, TV_MSG_SIGN), 1);
    assert_int_equal(p11->C_GetSessionInfo(h, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
    login(h);
    assert_int_equal(fa_count(fa, TV_MSG_LOGIN), 1);
    siglen = sizeof sig;
    assert_int_equal(sign_once(h, &m, key, "x", 1, sig, &siglen), CKR_OK);
    /* the agent refuses outright */
    fa_set_sign(fa, TV_ERR_CANCELLED, 0);
    assert_int_equal(sign_once(h, &m, key, "x", 1, sig, &siglen), CKR_FUNCTION_CANCELED);
    fa_set_sign(fa, TV_ERR_REVOKED, 0);
    assert_int_equal(sign_once(h, &m, key, "x", 1, sig, &siglen), CKR_KEY_FUNCTION_NOT_PERMITTED);
    fa_set_sign(fa, 0, 0);
}

static void pool_reuses_connections(void **state)
{
    CK_SESSION_HANDLE h = open_session(0);
    CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };
    CK_OBJECT_HANDLE key;
    CK_BYTE sig[64];
    CK_ULONG siglen;

    login(h);
    key = find_key(h, CKO_PRIVATE_KEY, ec_id);
    fa_reset_counts(fa);
    for (int i = 0; i < 20; i++) {
        siglen = sizeof sig;
        assert_int_equal(sign_once(h, &m, key, "x", 1, sig, &siglen), CKR_OK);
    }
    assert_int_equal(fa_count(fa, TV_MSG_SIGN), 20);        /* one round trip each */
    assert_int_equal(fa_count(fa, TV_MSG_HELLO), 0);        /* no new connection */
    assert_int_equal(fa_count(fa, TV_MSG_SNAPSHOT), 0);     /* nothing changed */
}

/* ---- the agent going and coming back --------------------------------------------- */

struct sign_thread {
    CK_SESSION_HANDLE h;
    CK_OBJECT_HANDLE key;
    int count;
    CK_RV rv;
    int64_t took_ms;
};

static void *sign_thread_main(void *arg)
{
    struct sign_thread *t = arg;
    CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    CK_BYTE sig[256];
    int64_t t0 = now_ms();

    t->rv = CKR_OK;
    for (int i = 0; i < t->count && t->rv == CKR_OK; i++) {
        CK_ULONG siglen = sizeof sig;
        t->rv = sign_once(t->h, &m, t->key, &i, sizeof i, sig, &siglen);
    }
    t->took_ms = now_ms() - t0;
    return NULL;
}

static void agent_killed_mid_signature(void **state)
{
    struct sign_thread t = { .count = 1 };
    pthread_t th;
    CK_SESSION_HANDLE h;

    t.h = open_session(0);
    login(t.h);
    t.key = find_key(t.h, CKO_PRIVATE_KEY, rsa_id);
    fa_set_sign(fa, 0, 3000);
    pthread_create(&th, NULL, sign_thread_main, &t);
    sleep_ms(300);
    fa_kill(fa);
    pthread_join(th, NULL);
    assert_int_equal(t.rv, CKR_DEVICE_REMOVED);
    assert_true(t.took_ms < 2500);                          /* promptly, not after the delay */
    assert_true(wait_present(0, 2000));                     /* the slot shows no token */
    fa_set_sign(fa, 0, 0);
    fa_revive(fa);
    assert_true(wait_present(1, 2000));                     /* and it comes back */
    h = open_session(0);
    login(h);
    t.h = h;
    t.key = find_key(h, CKO_PRIVATE_KEY, rsa_id);
    t.count = 3;
    sign_thread_main(&t);
    assert_int_equal(t.rv, CKR_OK);
}

static void signing_while_agent_down_fails_fast(void **state)
{
    CK_SESSION_HANDLE h = open_session(0);
    CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    CK_OBJECT_HANDLE key;
    CK_BYTE sig[256];
    CK_ULONG siglen = sizeof sig;
    int64_t t0;

    login(h);
    key = find_key(h, CKO_PRIVATE_KEY, rsa_id);
    assert_int_equal(p11->C_SignInit(h, &m, key), CKR_OK);
    fa_kill(fa);
    t0 = now_ms();
    assert_int_equal(p11->C_Sign(h, (CK_BYTE_PTR) "x", 1, sig, &siglen), CKR_DEVICE_REMOVED);
    assert_true(now_ms() - t0 < 2000);
    fa_revive(fa);
}

static void token_replaced_or_removed(void **state)
{
    CK_SESSION_HANDLE h = open_session(0);
    CK_SESSION_INFO si;
    CK_OBJECT_HANDLE cert = find_key(h, CKO_CERTIFICATE, rsa_id);
    CK_ATTRIBUTE a = { CKA_LABEL, NULL, 0 };

    login(h);
    drain_events();
    /* a change that keeps the identity (the agent's session, here) keeps
     * sessions and handles; its end logs the application out */
    fa_set_session(fa, false);
    assert_true(wait_event(3000));                             /* the module saw it */
    assert_int_equal(p11->C_GetSessionInfo(h, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
    assert_int_equal(p11->C_GetAttributeValue(h, cert, &a, 1), CKR_OK);
    /* other credentials: another token, as if a card were swapped */
    fa_set_rsa_only(fa, true);
    assert_true(wait_session_gone(h, 3000));
    h = open_session(0);
    assert_int_equal(p11->C_GetAttributeValue(h, cert, &a, 1), CKR_OBJECT_HANDLE_INVALID);
    assert_int_equal(p11->C_GetSessionInfo(h, &si), CKR_OK);
    assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
    /* no identity: no token */
    fa_set_present(fa, false);
    assert_true(wait_present(0, 3000));
    assert_int_equal(p11->C_GetSessionInfo(h, &si), CKR_SESSION_HANDLE_INVALID);
    fa_set_present(fa, true);
    assert_true(wait_present(1, 3000));
}

/* ---- slot events ---------------------------------------------------------------------- */

struct wait_thread {
    CK_FLAGS flags;
    CK_SLOT_ID slot;
    CK_RV rv;
    int64_t took_ms;
};

static void *wait_thread_main(void *arg)
{
    struct wait_thread *w = arg;
    int64_t t0 = now_ms();

    w->slot = 99;
    w->rv = p11->C_WaitForSlotEvent(w->flags, &w->slot, NULL);
    w->took_ms = now_ms() - t0;
    return NULL;
}

static void slot_events_non_blocking(void **state)
{
    CK_SLOT_ID slot = 9;

    assert_int_equal(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT);
    assert_int_equal(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, NULL, NULL), CKR_ARGUMENTS_BAD);
    assert_int_equal(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, &slot), CKR_ARGUMENTS_BAD);
    fa_bump(fa);
    assert_true(wait_event(3000));
    assert_int_equal(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT);
    fa_kill(fa);
    assert_true(wait_event(3000));                                                  /* removed */
    fa_revive(fa);
    assert_true(wait_present(1, 2000));
    assert_int_equal(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_OK);  /* inserted */
}

static void slot_events_blocking(void **state)
{
    struct wait_thread w = { 0 };
    pthread_t th;

    pthread_create(&th, NULL, wait_thread_main, &w);
    sleep_ms(200);
    fa_bump(fa);
    pthread_join(th, NULL);
    assert_int_equal(w.rv, CKR_OK);
    assert_int_equal(w.slot, 0);
    /* while the agent is away, then back */
    fa_kill(fa);
    assert_true(wait_present(0, 3000));
    p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &w.slot, NULL);     /* consume the removal */
    pthread_create(&th, NULL, wait_thread_main, &w);
    sleep_ms(200);
    fa_revive(fa);
    pthread_join(th, NULL);
    assert_int_equal(w.rv, CKR_OK);
    assert_true(w.took_ms < 3000);
}

static void finalize_releases_a_blocked_wait(void **state)
{
    struct wait_thread w = { 0 };
    pthread_t th;
    int64_t t0;

    pthread_create(&th, NULL, wait_thread_main, &w);
    sleep_ms(200);
    t0 = now_ms();
    assert_int_equal(p11->C_Finalize(NULL), CKR_OK);
    pthread_join(th, NULL);
    assert_int_equal(w.rv, CKR_CRYPTOKI_NOT_INITIALIZED);
    assert_true(now_ms() - t0 < 2000);
    /* Firefox initialises again right after */
    assert_int_equal(p11->C_Initialize(NULL), CKR_OK);
    assert_int_equal(present_slots(), 1);
}

/* ---- fork and threads ------------------------------------------------------------------ */

static int child_checks(CK_SESSION_HANDLE parent_session)
{
    CK_SESSION_INFO si;
    CK_ULONG n;
    CK_SESSION_HANDLE h;
    CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof cls };
    CK_OBJECT_HANDLE key;
    CK_BYTE sig[256];
    CK_ULONG siglen = sizeof sig;

    if (p11->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_CRYPTOKI_NOT_INITIALIZED)
        return 1;
    if (p11->C_GetSessionInfo(parent_session, &si) != CKR_CRYPTOKI_NOT_INITIALIZED)
        return 2;
    if (p11->C_Finalize(NULL) != CKR_CRYPTOKI_NOT_INITIALIZED)
        return 3;
    if (p11->C_Initialize(NULL) != CKR_OK)
        return 4;
    if (p11->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK || n != 1)
        return 5;
    if (p11->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h) != CKR_OK)
        return 6;
    if (p11->C_Login(h, CKU_USER, NULL, 0) != CKR_OK)
        return 7;
    if (p11->C_FindObjectsInit(h, &t, 1) != CKR_OK || p11->C_FindObjects(h, &key, 1, &n) != CKR_OK ||
        n != 1 || p11->C_FindObjectsFinal(h) != CKR_OK)
        return 8;
    if (sign_once(h, &m, key, "child", 5, sig, &siglen) != CKR_OK)
        return 9;
    return p11->C_Finalize(NULL) == CKR_OK ? 0 : 10;
}

static void fork_in_the_middle(void **state)
{
    CK_SESSION_HANDLE h = open_session(0);
    CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
    CK_OBJECT_HANDLE key;
    CK_BYTE sig[256];
    CK_ULONG siglen = sizeof sig;
    int status = 0;
    pid_t pid;

    login(h);
    key = find_key(h, CKO_PRIVATE_KEY, rsa_id);
    assert_int_equal(sign_once(h, &m, key, "before", 6, sig, &siglen), CKR_OK);
    assert_int_equal(p11->C_SignInit(h, &m, key), CKR_OK);     /* an operation in progress */
    pid = fork();
    if (pid == 0)
        _exit(child_checks(h));
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* the parent is unaffected: its operation, session and connections work */
    assert_int_equal(p11->C_Sign(h, (CK_BYTE_PTR) "after", 5, sig, &siglen), CKR_OK);
    assert_int_equal(sign_once(h, &m, key, "again", 5, sig, &siglen), CKR_OK);
}

static void threads_sign_in_parallel(void **state)
{
    struct sign_thread t[8];
    pthread_t th[8];
    CK_SESSION_HANDLE first = open_session(0);

    login(first);
    fa_set_sign(fa, 0, 5);
    fa_reset_counts(fa);
    for (int i = 0; i < 8; i++) {
        t[i] = (struct sign_thread){ .h = open_session(0), .count = 25 };
        t[i].key = find_key(t[i].h, CKO_PRIVATE_KEY, rsa_id);
        pthread_create(&th[i], NULL, sign_thread_main, &t[i]);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(t[i].rv, CKR_OK);
    }
    assert_int_equal(fa_count(fa, TV_MSG_SIGN), 200);
    assert_true(fa_max_parallel_signs(fa) >= 2);           /* separate connections at once */
    fa_set_sign(fa, 0, 0);
}

/* ---- what the token refuses ---------------------------------------------------------- */

static void refusals(void **state)
{
    CK_SESSION_HANDLE ro = open_session(0), rw = open_session(CKF_RW_SESSION);
    CK_OBJECT_HANDLE cert = find_key(ro, CKO_CERTIFICATE, rsa_id), out;
    CK_BYTE buf[16];
    CK_ATTRIBUTE t = { CKA_LABEL, buf, 4 };
    CK_MECHANISM m = { CKM_SHA256, NULL, 0 };

    assert_int_equal(p11->C_CreateObject(ro, &t, 1, &out), CKR_SESSION_READ_ONLY);
    assert_int_equal(p11->C_CreateObject(rw, &t, 1, &out), CKR_ACTION_PROHIBITED);
    assert_int_equal(p11->C_CreateObject(rw, &t, 1, NULL), CKR_ARGUMENTS_BAD);
    assert_int_equal(p11->C_DestroyObject(rw, cert), CKR_ACTION_PROHIBITED);
    assert_int_equal(p11->C_DestroyObject(rw, 0x4242), CKR_OBJECT_HANDLE_INVALID);
    assert_int_equal(p11->C_SetAttributeValue(rw, cert, &t, 1), CKR_ACTION_PROHIBITED);
    assert_int_equal(p11->C_CopyObject(rw, cert, NULL, 0, &out), CKR_ACTION_PROHIBITED);
    assert_int_equal(p11->C_GenerateRandom(ro, buf, sizeof buf), CKR_RANDOM_NO_RNG);
    assert_int_equal(p11->C_GenerateRandom(ro, NULL, 4), CKR_ARGUMENTS_BAD);
    assert_int_equal(p11->C_SeedRandom(ro, buf, sizeof buf), CKR_RANDOM_NO_RNG);
    assert_int_equal(p11->C_GenerateRandom(0, buf, 4), CKR_SESSION_HANDLE_INVALID);
    assert_int_equal(p11->C_GetFunctionStatus(ro), CKR_FUNCTION_NOT_PARALLEL);
    assert_int_equal(p11->C_CancelFunction(ro), CKR_FUNCTION_NOT_PARALLEL);
    assert_int_equal(p11->C_DigestInit(ro, &m), CKR_FUNCTION_NOT_SUPPORTED);
    assert_int_equal(p11->C_EncryptInit(ro, &m, cert), CKR_FUNCTION_NOT_SUPPORTED);
    assert_int_equal(p11->C_GenerateKeyPair(rw, &m, NULL, 0, NULL, 0, &out, &out), CKR_FUNCTION_NOT_SUPPORTED);
    assert_int_equal(p11->C_SetPIN(ro, NULL, 0, NULL, 0), CKR_FUNCTION_NOT_SUPPORTED);
    assert_int_equal(p11->C_SetPIN(0, NULL, 0, NULL, 0), CKR_SESSION_HANDLE_INVALID);
    assert_int_equal(p11->C_SessionCancel(ro, CKF_SIGN | CKF_FIND_OBJECTS), CKR_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(interfaces),
        cmocka_unit_test(everything_needs_initialize),
        cmocka_unit_test(initialize_arguments),
        cmocka_unit_test_setup_teardown(info, up, down),
        cmocka_unit_test_setup_teardown(slot_and_token, up, down),
        cmocka_unit_test_setup_teardown(mechanisms, up, down),
        cmocka_unit_test(no_agent_then_agent),
        cmocka_unit_test(hung_agent_does_not_hang_the_host),
        cmocka_unit_test_setup_teardown(sessions, up, down),
        cmocka_unit_test_setup_teardown(login_protected_path, up, down),
        cmocka_unit_test_setup_teardown(agent_session_logs_the_application_in, up, down),
        cmocka_unit_test_setup_teardown(logout_is_local_and_firefox_pattern, up, down),
        cmocka_unit_test_setup_teardown(login_with_pin_is_the_password, up, down),
        cmocka_unit_test_setup_teardown(login_errors, up, down),
        cmocka_unit_test_setup_teardown(closing_last_session_logs_out, up, down),
        cmocka_unit_test_setup_teardown(objects_before_and_after_login, up, down),
        cmocka_unit_test_setup_teardown(attributes_nss_needs, up, down),
        cmocka_unit_test_setup_teardown(sign_rsa_pkcs_digestinfo, up, down),
        cmocka_unit_test_setup_teardown(sign_hash_and_sign_sends_the_digest, up, down),
        cmocka_unit_test_setup_teardown(sign_pss_and_ecdsa_raw, up, down),
        cmocka_unit_test_setup_teardown(sign_size_queries_keep_the_operation, up, down),
        cmocka_unit_test_setup_teardown(sign_multi_part, up, down),
        cmocka_unit_test_setup_teardown(sign_init_checks, up, down),
        cmocka_unit_test_setup_teardown(agent_session_ended_unseen, up, down),
        cmocka_unit_test_setup_teardown(pool_reuses_connections, up, down),
        cmocka_unit_test_setup_teardown(agent_killed_mid_signature, up, down),
        cmocka_unit_test_setup_teardown(signing_while_agent_down_fails_fast, up, down),
        cmocka_unit_test_setup_teardown(token_replaced_or_removed, up, down),
        cmocka_unit_test_setup_teardown(slot_events_non_blocking, up, down),
        cmocka_unit_test_setup_teardown(slot_events_blocking, up, down),
        cmocka_unit_test_setup_teardown(finalize_releases_a_blocked_wait, up, down),
        cmocka_unit_test_setup_teardown(fork_in_the_middle, up, down),
        cmocka_unit_test_setup_teardown(threads_sign_in_parallel, up, down),
        cmocka_unit_test_setup_teardown(refusals, up, down),
    };

    setenv("TARJETA_AUTOSTART", "0", 1);
    setenv("XDG_CONFIG_HOME", "/nonexistent/tarjeta-test", 1);
    unsetenv("TARJETA_DEBUG");
    unsetenv("TARJETA_PROTECTED_AUTH");
    setenv("TARJETA_LOGIN_MIN_MS", TEST_LOGIN_MIN_MS_STR, 1);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
