/* Robustness checks that need real threads, forks and timing around a real
 * module (driven by tests/pkcs11/robustness.sh against the real agent and
 * bakq-server).  Each subcommand prints what it saw and exits 0 when all
 * was as the standard and DESIGN §4 say:
 *
 *   threads MODULE LABEL N M     N threads x M signatures, each verified
 *   fork MODULE LABEL            fork in the middle of an operation
 *   wait-finalize MODULE         C_Finalize releases a blocked C_WaitForSlotEvent
 *   killed MODULE SIGLABEL AUTHLABEL   a signature that the agent's death interrupts,
 *                                then success once the agent is back
 *   autostart MODULE             the agent starts on demand; no zombie is left
 *   atexit MODULE LABEL          C_Finalize from atexit and a destructor */
#include "p11util.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct p11 p;

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static CK_SESSION_HANDLE session(void)
{
    CK_SESSION_HANDLE h;

    p11_must(p.f->C_OpenSession(p11_first_slot(&p), CKF_SERIAL_SESSION, NULL, NULL, &h),
             "C_OpenSession");
    return h;
}

static CK_MECHANISM_TYPE mech_for(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key)
{
    return p11_attr_ulong(&p, h, key, CKA_KEY_TYPE) == CKK_EC ? CKM_ECDSA_SHA256 : CKM_SHA256_RSA_PKCS;
}

/* Sign and verify one message; returns the CK_RV, or CKR_GENERAL_ERROR when
 * the signature does not verify. */
static CK_RV sign_verify(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key, EVP_PKEY *pub, const char *msg)
{
    CK_MECHANISM m = { mech_for(h, key), NULL, 0 };
    uint8_t sig[1024];
    CK_ULONG len = sizeof sig;
    CK_RV rv = p.f->C_SignInit(h, &m, key);

    if (rv == CKR_OK)
        rv = p.f->C_Sign(h, (CK_BYTE_PTR)msg, strlen(msg), sig, &len);
    if (rv == CKR_OK && !p11_verify(pub, m.mechanism, msg, strlen(msg), sig, len))
        rv = CKR_GENERAL_ERROR;
    return rv;
}

/* ---- threads ------------------------------------------------------------------ */

struct worker {
    int id, count, good, bad;
    const char *label;
    CK_RV last;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    CK_SESSION_HANDLE h = session();
    CK_OBJECT_HANDLE key = p11_find(&p, h, CKO_PRIVATE_KEY, w->label);
    EVP_PKEY *pub = p11_key_pubkey(&p, h, key);
    char msg[64];

    for (int i = 0; i < w->count; i++) {
        snprintf(msg, sizeof msg, "thread %d message %d", w->id, i);
        w->last = sign_verify(h, key, pub, msg);
        if (w->last == CKR_OK)
            w->good++;
        else
            w->bad++;
    }
    EVP_PKEY_free(pub);
    p.f->C_CloseSession(h);
    return NULL;
}

static int cmd_threads(const char *label, int n, int m)
{
    struct worker w[64];
    pthread_t th[64];
    CK_SESSION_HANDLE h;
    int good = 0, bad = 0;
    int64_t t0;

    if (n > 64)
        n = 64;
    p11_must(p.f->C_Initialize(NULL), "C_Initialize");
    h = session();
    p11_must(p11_login(&p, h, getenv("P11_PIN")), "C_Login");
    t0 = p11_now_us();
    for (int i = 0; i < n; i++) {
        w[i] = (struct worker){ .id = i, .count = m, .label = label };
        pthread_create(&th[i], NULL, worker_main, &w[i]);
    }
    for (int i = 0; i < n; i++) {
        pthread_join(th[i], NULL);
        good += w[i].good;
        bad += w[i].bad;
        if (w[i].bad)
            printf("thread %d: last error %s\n", i, p11_rv_name(w[i].last));
    }
    printf("%d threads x %d signatures: %d verified, %d failed, %.1f ms\n", n, m, good, bad,
           (p11_now_us() - t0) / 1000.0);
    p.f->C_Finalize(NULL);
    return bad == 0 && good == n * m ? 0 : 1;
}

/* ---- fork ----------------------------------------------------------------------- */

static int child_after_fork(const char *label, CK_SESSION_HANDLE parent)
{
    CK_SESSION_INFO si;
    CK_ULONG n = 0;
    CK_SESSION_HANDLE h;
    CK_OBJECT_HANDLE key;
    EVP_PKEY *pub;
    CK_RV rv;

    if ((rv = p.f->C_GetSlotList(CK_TRUE, NULL, &n)) != CKR_CRYPTOKI_NOT_INITIALIZED) {
        printf("child: C_GetSlotList before C_Initialize: %s\n", p11_rv_name(rv));
        return 1;
    }
    if ((rv = p.f->C_GetSessionInfo(parent, &si)) != CKR_CRYPTOKI_NOT_INITIALIZED) {
        printf("child: the parent's session: %s\n", p11_rv_name(rv));
        return 1;
    }
    p11_must(p.f->C_Initialize(NULL), "child C_Initialize");
    h = session();
    p11_must(p11_login(&p, h, getenv("P11_PIN")), "child C_Login");
    key = p11_find(&p, h, CKO_PRIVATE_KEY, label);
    pub = p11_key_pubkey(&p, h, key);
    rv = sign_verify(h, key, pub, "signed by the child");
    printf("child: signature %s\n", p11_rv_name(rv));
    EVP_PKEY_free(pub);
    p.f->C_Finalize(NULL);
    return rv == CKR_OK ? 0 : 1;
}

static int cmd_fork(const char *label)
{
    CK_SESSION_HANDLE h;
    CK_OBJECT_HANDLE key;
    CK_MECHANISM m;
    EVP_PKEY *pub;
    uint8_t sig[1024];
    CK_ULONG len = sizeof sig;
    int status = 0, bad = 0;
    const char *msg = "finished by the parent after the fork";
    pid_t pid;

    p11_must(p.f->C_Initialize(NULL), "C_Initialize");
    h = session();
    p11_must(p11_login(&p, h, getenv("P11_PIN")), "C_Login");
    key = p11_find(&p, h, CKO_PRIVATE_KEY, label);
    pub = p11_key_pubkey(&p, h, key);
    bad += sign_verify(h, key, pub, "before the fork") != CKR_OK;
    m = (CK_MECHANISM){ mech_for(h, key), NULL, 0 };
    p11_must(p.f->C_SignInit(h, &m, key), "C_SignInit");
    p11_must(p.f->C_SignUpdate(h, (CK_BYTE_PTR)msg, 10), "C_SignUpdate");
    fflush(stdout);
    pid = fork();
    if (pid == 0)
        _exit(child_after_fork(label, h));
    waitpid(pid, &status, 0);
    bad += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    p11_must(p.f->C_SignUpdate(h, (CK_BYTE_PTR)msg + 10, strlen(msg) - 10), "parent C_SignUpdate");
    p11_must(p.f->C_SignFinal(h, sig, &len), "parent C_SignFinal");
    bad += !p11_verify(pub, m.mechanism, msg, strlen(msg), sig, len);
    bad += sign_verify(h, key, pub, "after the fork") != CKR_OK;
    printf("child exit %d; parent: %s\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
           bad ? "FAILED" : "operation, session and signatures fine");
    EVP_PKEY_free(pub);
    p.f->C_Finalize(NULL);
    return bad ? 1 : 0;
}

/* ---- wait + finalize --------------------------------------------------------------- */

struct waiter {
    CK_RV rv;
    int64_t returned_us;
};

static void *wait_main(void *arg)
{
    struct waiter *w = arg;
    CK_SLOT_ID slot;

    w->rv = p.f->C_WaitForSlotEvent(0, &slot, NULL);
    w->returned_us = p11_now_us();
    return NULL;
}

static int cmd_wait_finalize(void)
{
    struct waiter w = { 0 };
    pthread_t th;
    int64_t t0;
    CK_RV rv;

    p11_must(p.f->C_Initialize(NULL), "C_Initialize");
    pthread_create(&th, NULL, wait_main, &w);
    sleep_ms(500);
    t0 = p11_now_us();
    rv = p.f->C_Finalize(NULL);
    pthread_join(th, NULL);
    printf("C_Finalize %s; the blocked wait returned %s after %.1f ms\n", p11_rv_name(rv),
           p11_rv_name(w.rv), (w.returned_us - t0) / 1000.0);
    return rv == CKR_OK && w.rv == CKR_CRYPTOKI_NOT_INITIALIZED && w.returned_us - t0 < 2000000 ? 0 : 1;
}

/* ---- the agent killed mid-signature --------------------------------------------------- */

static long long realtime_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool wait_token(int ms)
{
    for (int waited = 0; waited < ms; waited += 100) {
        CK_ULONG n = 0;
        if (p.f->C_GetSlotList(CK_TRUE, NULL, &n) == CKR_OK && n > 0)
            return true;
        sleep_ms(100);
    }
    return false;
}

static int cmd_killed(const char *sig_label, const char *auth_label)
{
    CK_SESSION_HANDLE h;
    CK_OBJECT_HANDLE key;
    EVP_PKEY *pub;
    int64_t t0;
    CK_RV rv;

    p11_must(p.f->C_Initialize(NULL), "C_Initialize");
    h = session();
    p11_must(p11_login(&p, h, getenv("P11_PIN")), "C_Login");
    key = p11_find(&p, h, CKO_PRIVATE_KEY, sig_label);
    pub = p11_key_pubkey(&p, h, key);
    printf("signing\n");
    fflush(stdout);
    t0 = p11_now_us();
    rv = sign_verify(h, key, pub, "interrupted");        /* the script kills the agent now */
    printf("interrupted signature: %s after %.1f ms, returned at %lld ms\n", p11_rv_name(rv),
           (p11_now_us() - t0) / 1000.0, (long long)(realtime_ms()));
    EVP_PKEY_free(pub);
    if (rv != CKR_DEVICE_REMOVED && rv != CKR_TOKEN_NOT_PRESENT)
        return 1;
    printf("waiting for the token\n");
    fflush(stdout);
    if (!wait_token(30000)) {
        printf("the token did not come back\n");
        return 1;
    }
    h = session();
    p11_must(p11_login(&p, h, getenv("P11_PIN")), "C_Login again");
    key = p11_find(&p, h, CKO_PRIVATE_KEY, auth_label);
    pub = p11_key_pubkey(&p, h, key);
    rv = sign_verify(h, key, pub, "after the restart");
    printf("signature after the agent came back: %s\n", p11_rv_name(rv));
    EVP_PKEY_free(pub);
    p.f->C_Finalize(NULL);
    return rv == CKR_OK ? 0 : 1;
}

/* ---- autostart ------------------------------------------------------------------------- */

static int zombie_children(void)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int zombies = 0;

    while (d != NULL && (e = readdir(d)) != NULL) {
        char path[300], buf[512], state;
        int pid, ppid;
        FILE *f;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        if ((f = fopen(path, "r")) == NULL)
            continue;
        if (fgets(buf, sizeof buf, f) != NULL) {
            char *close = strrchr(buf, ')');
            if (close && sscanf(buf, "%d", &pid) == 1 && sscanf(close + 2, "%c %d", &state, &ppid) == 2 &&
                ppid == getpid() && state == 'Z')
                zombies++;
        }
        fclose(f);
    }
    if (d != NULL)
        closedir(d);
    return zombies;
}

static int cmd_autostart(void)
{
    int64_t t0 = p11_now_us();
    CK_ULONG n = 0;
    int zombies;

    p11_must(p.f->C_Initialize(NULL), "C_Initialize");
    printf("C_Initialize with autostart took %.1f ms\n", (p11_now_us() - t0) / 1000.0);
    if (!wait_token(5000)) {
        printf("no token after autostart\n");
        return 1;
    }
    p.f->C_GetSlotList(CK_TRUE, NULL, &n);
    sleep_ms(300);
    zombies = zombie_children();
    printf("token present: %lu; zombie children: %d\n", n, zombies);
    p.f->C_Finalize(NULL);
    return n == 1 && zombies == 0 ? 0 : 1;
}

/* ---- called after exit ------------------------------------------------------------------ */

static void finalize_at_exit(void)
{
    p.f->C_CloseAllSessions(0);
    p.f->C_Finalize(NULL);
}

__attribute__((destructor)) static void finalize_in_destructor(void)
{
    if (p.f != NULL) {
        CK_RV rv = p.f->C_Finalize(NULL);   /* already finalised by atexit */
        if (rv != CKR_CRYPTOKI_NOT_INITIALIZED)
            _exit(3);
    }
}

static int cmd_atexit(const char *label)
{
    CK_SESSION_HANDLE h;

    p11_must(p.f->C_Initialize(NULL), "C_Initialize");
    h = session();
    p11_must(p11_login(&p, h, getenv("P11_PIN")), "C_Login");
    if (p11_find(&p, h, CKO_PRIVATE_KEY, label) == CK_INVALID_HANDLE)
        return 1;
    atexit(finalize_at_exit);
    printf("leaving main with a session open\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: p11stress threads|fork|wait-finalize|killed|autostart|atexit MODULE ...\n");
        return 2;
    }
    p11_load(&p, argv[2]);
    if (!strcmp(argv[1], "threads") && argc == 6)
        return cmd_threads(argv[3], atoi(argv[4]), atoi(argv[5]));
    if (!strcmp(argv[1], "fork") && argc == 4)
        return cmd_fork(argv[3]);
    if (!strcmp(argv[1], "wait-finalize"))
        return cmd_wait_finalize();
    if (!strcmp(argv[1], "killed") && argc == 5)
        return cmd_killed(argv[3], argv[4]);
    if (!strcmp(argv[1], "autostart"))
        return cmd_autostart();
    if (!strcmp(argv[1], "atexit") && argc == 4)
        return cmd_atexit(argv[3]);
    fprintf(stderr, "p11stress: bad arguments\n");
    return 2;
}
