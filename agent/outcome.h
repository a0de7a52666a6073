/* Every answer of the BakQ service, or failure to get one, becomes exactly
 * one TV_ERR_* and a message a person can act on.  This file is the one place
 * where that mapping lives (tv_outcome_from_http, tv_outcome_from_transport). */
#ifndef TV_AGENT_OUTCOME_H
#define TV_AGENT_OUTCOME_H

#include <jansson.h>
#include <stdarg.h>

typedef struct tv_outcome {
    int err;                 /* 0 or TV_ERR_* */
    char msg[512];           /* for people; empty on success */
    long http_status;        /* 0 when no answer came */
    char reason[48];         /* bakq_reason, else the CSC error code */
    int attempts_left;       /* -1 when the service did not say */
} tv_outcome;

void tv_outcome_clear(tv_outcome *o);
/* Set err and a formatted message; returns err. */
int tv_outcome_set(tv_outcome *o, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An HTTP error answer (status >= 300) with its JSON body (may be NULL). */
int tv_outcome_from_http(tv_outcome *o, long status, const json_t *body);
/* A transfer that got no answer: curl_code is the CURLcode, detail curl's text. */
int tv_outcome_from_transport(tv_outcome *o, int curl_code, const char *detail, const char *server,
                              const char *ca);

#endif
