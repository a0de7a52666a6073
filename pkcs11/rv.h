/* The one place where the module turns a TV_ERR_* into a CK_RV. */
#ifndef TV_RV_H
#define TV_RV_H

#include "tv_pkcs11.h"

/* What the failed call was doing: a few errors mean different things for a
 * login and for a signature. */
enum tv_rv_context {
    TV_CTX_GENERAL = 0,
    TV_CTX_LOGIN,
    TV_CTX_SIGN,
};

CK_RV tv_rv(int err, enum tv_rv_context ctx);

/* The CKR_* name, for the trace ("CKR_0x..." for unknown values is written
 * to buf). */
const char *tv_rv_name(CK_RV rv, char *buf, unsigned bufsz);

#endif
