#include "lock.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

static struct {
    bool app;                    /* use the application's functions */
    void *app_mutex;
    CK_DESTROYMUTEX destroy;
    CK_LOCKMUTEX lock;
    CK_UNLOCKMUTEX unlock;
    pthread_mutex_t os;
} lk = { .os = PTHREAD_MUTEX_INITIALIZER };

CK_RV tv_lock_setup(const CK_C_INITIALIZE_ARGS *args)
{
    int given;
    CK_RV rv;

    lk.app = false;
    lk.app_mutex = NULL;
    pthread_mutex_init(&lk.os, NULL);
    if (args == NULL)
        return CKR_OK;
    given = !!args->CreateMutex + !!args->DestroyMutex + !!args->LockMutex + !!args->UnlockMutex;
    if (given != 0 && given != 4)
        return CKR_ARGUMENTS_BAD;
    if (given == 0 || (args->flags & CKF_OS_LOCKING_OK))
        return CKR_OK;
    rv = args->CreateMutex(&lk.app_mutex);
    if (rv != CKR_OK)
        return rv;
    lk.app = true;
    lk.destroy = args->DestroyMutex;
    lk.lock = args->LockMutex;
    lk.unlock = args->UnlockMutex;
    return CKR_OK;
}

void tv_lock_teardown(void)
{
    if (lk.app && lk.destroy != NULL)
        lk.destroy(lk.app_mutex);
    lk.app = false;
    lk.app_mutex = NULL;
}

void tv_lock_forget(void)
{
    lk.app = false;
    lk.app_mutex = NULL;
    pthread_mutex_init(&lk.os, NULL);
}

void tv_lock(void)
{
    if (lk.app)
        lk.lock(lk.app_mutex);
    else
        pthread_mutex_lock(&lk.os);
}

void tv_unlock(void)
{
    if (lk.app)
        lk.unlock(lk.app_mutex);
    else
        pthread_mutex_unlock(&lk.os);
}
