/* The module's one lock, made the way CK_C_INITIALIZE_ARGS asks:
 *   - no mutex functions (with or without CKF_OS_LOCKING_OK): a pthread mutex
 *     (harmless when the application promised a single thread);
 *   - mutex functions without CKF_OS_LOCKING_OK: the application's functions;
 *   - mutex functions with CKF_OS_LOCKING_OK: either; we take the OS lock.
 * The module never creates threads, so CKF_LIBRARY_CANT_CREATE_OS_THREADS
 * needs nothing. */
#ifndef TV_LOCK_H
#define TV_LOCK_H

#include "tv_pkcs11.h"

/* Validate args (NULL is fine) and create the lock.  CKR_ARGUMENTS_BAD when
 * only some mutex functions are given, or the CreateMutex result. */
CK_RV tv_lock_setup(const CK_C_INITIALIZE_ARGS *args);
void tv_lock_teardown(void);
/* In a forked child: drop the parent's lock without touching it (it may be
 * held by a thread that does not exist here). */
void tv_lock_forget(void);

void tv_lock(void);
void tv_unlock(void);

#endif
