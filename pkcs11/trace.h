/* TARJETA_DEBUG=<file|stderr|syslog>: a call trace like OpenSC's
 * pkcs11-spy.  When set, the function lists handed out are spies that log
 * each call (function, arguments, result, duration, outputs) and forward it
 * to the real list; the module's own diagnostics go to the same place.
 * PINs are never written: only whether one was given and its length. */
#ifndef TV_TRACE_H
#define TV_TRACE_H

#include "tv_pkcs11.h"

#include <stdbool.h>

extern const CK_FUNCTION_LIST tv_trace_functions_240;
extern const CK_FUNCTION_LIST_3_0 tv_trace_functions_30;

/* Read TARJETA_DEBUG once; true when tracing. */
bool tv_trace_setup(void);

#endif
