#include "general.h"

#include "event.h"
#include "lock.h"
#include "module.h"
#include "session.h"
#include "slot.h"
#include "token.h"
#include "trace.h"
#include "tv_log.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct tv_module tv_mod;
volatile unsigned tv_fork_epoch;

/* C_Initialize and C_Finalize one at a time. */
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
/* A forked child's copy of the parent's state: never used, kept reachable
 * (not static, so the stores to it are kept). */
struct tv_module tv_inherited;

static void in_forked_child(void)
{
    tv_fork_epoch++;
    pthread_mutex_init(&init_lock, NULL);
}

static void register_atfork(void)
{
    pthread_atfork(NULL, NULL, in_forked_child);
}

static bool ours(void)
{
    return tv_mod.initialized && tv_mod.fork_epoch == tv_fork_epoch;
}

/* C_Initialize also compares the pid, for a child made without fork()'s
 * handlers (a raw clone); too slow for every call. */
static bool ours_here(void)
{
    return ours() && tv_mod.pid == getpid();
}

CK_RV tv_enter(void)
{
    if (!ours())
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    tv_lock();
    if (!ours() || tv_mod.finalizing) {
        tv_unlock();
        return CKR_CRYPTOKI_NOT_INITIALIZED;
    }
    return CKR_OK;
}

void tv_leave(void)
{
    tv_unlock();
}

void tv_busy_begin(void)
{
    tv_mod.busy++;
}

CK_RV tv_busy_end(void)
{
    tv_lock();
    tv_mod.busy--;
    return tv_mod.finalizing ? CKR_CRYPTOKI_NOT_INITIALIZED : CKR_OK;
}

/* In a child: the parent's connections are closed (our copies only), its
 * memory left alone (another thread may have been changing it at fork). */
static void drop_inherited(void)
{
    tv_fd_close_inherited();
    tv_inherited = tv_mod;
    memset(&tv_mod, 0, sizeof tv_mod);
    tv_lock_forget();
}

static CK_RV check_args(const CK_C_INITIALIZE_ARGS *args, const char **params)
{
    *params = NULL;
    if (args == NULL)
        return CKR_OK;
    /* NSS passes the module's parameter string here; see config.h. */
    *params = args->pReserved;
    return CKR_OK;
}

static void start(const char *params)
{
    memset(&tv_mod, 0, sizeof tv_mod);
    tv_modcfg_load(&tv_mod.cfg, params);
    tv_mod.protected_path = tv_modcfg_protected_path(&tv_mod.cfg);
    tv_agent_init(&tv_mod.agent);
    tv_mod.fork_epoch = tv_fork_epoch;
    tv_mod.pid = getpid();
    tv_mod.initialized = true;
    tv_info("%s (%s): protected authentication path %s, autostart %s", tv_mod.cfg.program,
            tv_mod.cfg.comm, tv_mod.protected_path ? "on" : "off",
            tv_mod.cfg.autostart ? "on" : "off");
    tv_lock();
    tv_token_connect();
    tv_mod.event_pending = false;     /* what is there at C_Initialize is no event */
    tv_unlock();
}

CK_RV tv_initialize(CK_VOID_PTR pargs)
{
    const CK_C_INITIALIZE_ARGS *args = pargs;
    const char *params = NULL;
    CK_RV rv;

    pthread_once(&atfork_once, register_atfork);
    tv_trace_setup();
    pthread_mutex_lock(&init_lock);
    if (ours_here()) {
        rv = CKR_CRYPTOKI_ALREADY_INITIALIZED;
        goto out_unlock;
    }
    if (tv_mod.initialized)
        drop_inherited();
    if ((rv = check_args(args, &params)) != CKR_OK || (rv = tv_lock_setup(args)) != CKR_OK)
        goto out_unlock;
    start(params);
out_unlock:
    pthread_mutex_unlock(&init_lock);
    return rv;
}

static void sleep_1ms(void)
{
    struct timespec ts = { 0, 1000000L };

    nanosleep(&ts, NULL);
}

/* Let calls waiting outside the lock notice and leave; bounded. */
static bool wait_for_busy(void)
{
    for (int waited = 0; waited < TV_FINALIZE_WAIT_MS; waited++) {
        unsigned busy;
        tv_lock();
        busy = tv_mod.busy;
        tv_unlock();
        if (busy == 0)
            return true;
        sleep_1ms();
    }
    return false;
}

static void release_everything(void)
{
    tv_session_close_all();
    tv_token_drop();
    tv_agent_cleanup(&tv_mod.agent);
    free(tv_mod.sessions);
    tv_mod.sessions = NULL;
    tv_mod.session_cap = 0;
}

CK_RV tv_finalize(CK_VOID_PTR reserved)
{
    bool idle;
    CK_RV rv;

    pthread_mutex_lock(&init_lock);
    if ((rv = tv_enter()) != CKR_OK)
        goto out_unlock;
    if (reserved != NULL) {
        tv_leave();
        rv = CKR_ARGUMENTS_BAD;
        goto out_unlock;
    }
    tv_mod.finalizing = true;
    tv_event_wake_all();
    tv_agent_abort_active(&tv_mod.agent);
    tv_leave();
    idle = wait_for_busy();
    tv_lock();
    if (idle)
        release_everything();
    else
        tv_warn("calls still running after %d ms; leaving their memory alone", TV_FINALIZE_WAIT_MS);
    tv_mod.initialized = false;
    tv_unlock();
    if (idle)
        tv_lock_teardown();
out_unlock:
    pthread_mutex_unlock(&init_lock);
    return rv;
}

CK_RV tv_get_info(CK_INFO_PTR info, CK_VERSION version)
{
    CK_RV rv = tv_enter();
    unsigned major = 0, minor = 1;

    if (rv != CKR_OK)
        return rv;
    tv_leave();
    if (info == NULL)
        return CKR_ARGUMENTS_BAD;
    sscanf(TV_VERSION, "%u.%u", &major, &minor);
    memset(info, 0, sizeof *info);
    info->cryptokiVersion = version;
    tv_pad(info->manufacturerID, sizeof info->manufacturerID, "Tarjeta virtual");
    info->flags = 0;
    tv_pad(info->libraryDescription, sizeof info->libraryDescription, "BakQ virtual smart card");
    info->libraryVersion.major = (CK_BYTE)major;
    info->libraryVersion.minor = (CK_BYTE)minor;
    return CKR_OK;
}
