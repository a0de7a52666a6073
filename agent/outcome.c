#include "outcome.h"

#include "json.h"
#include "tv_err.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

void tv_outcome_clear(tv_outcome *o)
{
    memset(o, 0, sizeof *o);
    o->attempts_left = -1;
}

int tv_outcome_set(tv_outcome *o, int err, const char *fmt, ...)
{
    va_list ap;

    o->err = err;
    va_start(ap, fmt);
    vsnprintf(o->msg, sizeof o->msg, fmt, ap);
    va_end(ap);
    return err;
}

static const char *attempts_text(int left, char *buf, size_t n)
{
    if (left < 0)
        return "";
    snprintf(buf, n, ": %d attempt%s left before your BakQ is blocked", left, left == 1 ? "" : "s");
    return buf;
}

/* Outcomes named by bakq_reason; NULL when the reason is not one of them. */
static int from_reason(tv_outcome *o, const char *reason, const char *desc)
{
    char left[96];

    if (strcmp(reason, "wrong_password") == 0)
        return tv_outcome_set(o, TV_ERR_WRONG_PASSWORD, "Wrong password%s",
                              attempts_text(o->attempts_left, left, sizeof left));
    if (strcmp(reason, "wrong_second_factor") == 0)
        return tv_outcome_set(o, TV_ERR_WRONG_SECOND_FACTOR, "Wrong SMS code or coordinate value%s",
                              attempts_text(o->attempts_left, left, sizeof left));
    if (strcmp(reason, "otp_expired") == 0)
        return tv_outcome_set(o, TV_ERR_WRONG_SECOND_FACTOR,
                              "The SMS code expired or was already used: ask for a new one");
    if (strcmp(reason, "wrong_code") == 0)
        return tv_outcome_set(o, TV_ERR_WRONG_SECOND_FACTOR, "Wrong code: %s", desc);
    if (strcmp(reason, "blocked") == 0)
        return tv_outcome_set(o, TV_ERR_BLOCKED, "BakQ blocked after 5 failed attempts: reset your "
                              "password with `tarjeta reset-password`");
    if (strcmp(reason, "expired") == 0)
        return tv_outcome_set(o, TV_ERR_EXPIRED, "Your BakQ has expired: register again at a BakQ "
                              "service point to get new certificates");
    if (strcmp(reason, "revoked") == 0)
        return tv_outcome_set(o, TV_ERR_REVOKED, "Your BakQ was revoked (anulada): register again "
                              "at a BakQ service point to use certificates");
    if (strcmp(reason, "bak_only") == 0)
        return tv_outcome_set(o, TV_ERR_BAK_ONLY, "This account is Bak (password only) and has no "
                              "certificates: ask for a BakQ at a service point");
    if (strcmp(reason, "not_active") == 0)
        return tv_outcome_set(o, TV_ERR_NOT_ACTIVE, "Your BakQ is not activated yet: run "
                              "`tarjeta activate` with the code from the activation e-mail");
    if (strcmp(reason, "unsupported_algorithm") == 0)
        return tv_outcome_set(o, TV_ERR_MECHANISM, "The BakQ service refused the algorithm: %s", desc);
    if (strcmp(reason, "invalid_sad") == 0 || strcmp(reason, "hash_not_authorized") == 0)
        return tv_outcome_set(o, TV_ERR_NOT_LOGGED_IN, "The signing authorization is no longer "
                              "valid: %s", desc);
    if (strcmp(reason, "bad_dni") == 0)
        return tv_outcome_set(o, TV_ERR_BAD_DNI, "%s", desc);
    if (strcmp(reason, "password_policy") == 0 || strcmp(reason, "underage") == 0 ||
        strcmp(reason, "no_challenge") == 0 || strcmp(reason, "unknown_credential") == 0)
        return tv_outcome_set(o, TV_ERR_INVALID, "%s", desc);
    if (strcmp(reason, "renewal_not_due") == 0 || strstr(reason, "_in_use") != NULL ||
        strcmp(reason, "already_registered") == 0 || strcmp(reason, "forbidden") == 0)
        return tv_outcome_set(o, TV_ERR_DENIED, "%s", desc);
    return 0;
}

int tv_outcome_from_http(tv_outcome *o, long status, const json_t *body)
{
    const char *reason = body ? tv_json_str(body, "bakq_reason") : NULL;
    const char *error = body ? tv_json_str(body, "error") : NULL;
    const char *desc = body ? tv_json_str(body, "error_description") : NULL;

    o->http_status = status;
    o->attempts_left = body ? (int)tv_json_int(body, "attempts_left", -1) : -1;
    snprintf(o->reason, sizeof o->reason, "%s", reason ? reason : error ? error : "");
    if (desc == NULL)
        desc = "no details given";
    if (reason != NULL && from_reason(o, reason, desc) != 0)
        return o->err;
    if (status == 401 && error != NULL && (strcmp(error, "invalid_token") == 0 ||
                                           strcmp(error, "expired_token") == 0))
        return tv_outcome_set(o, TV_ERR_NOT_LOGGED_IN, "The BakQ session ended: log in again");
    if (status == 401)
        return tv_outcome_set(o, TV_ERR_WRONG_PASSWORD, "Wrong DNI/NIE or password");
    if (status == 429)
        return tv_outcome_set(o, TV_ERR_RATE_LIMITED, "The BakQ service is busy: try again later");
    if (status >= 500)
        return tv_outcome_set(o, TV_ERR_SERVER, "The BakQ service failed (HTTP %ld): %s; try again "
                              "later", status, desc);
    if (status == 400 && error != NULL && strcmp(error, "invalid_request") == 0)
        return tv_outcome_set(o, TV_ERR_INVALID, "The BakQ service refused the request: %s", desc);
    return tv_outcome_set(o, TV_ERR_SERVER, "Unexpected answer from the BakQ service (HTTP %ld%s%s): "
                          "%s", status, error ? ", " : "", error ? error : "", desc);
}

int tv_outcome_from_transport(tv_outcome *o, int curl_code, const char *detail, const char *server,
                              const char *ca)
{
    o->http_status = 0;
    switch (curl_code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        return tv_outcome_set(o, TV_ERR_TLS_VERIFY, "The BakQ service at %s is not trusted: its "
                              "certificate was not issued by the pinned CA %s (%s). Check the "
                              "server URL and the `ca` key of the configuration", server, ca, detail);
    case CURLE_SSL_CACERT_BADFILE:
        return tv_outcome_set(o, TV_ERR_CONFIG, "Cannot read the pinned CA file %s: run `tarjeta "
                              "setup` again with --ca", ca);
    case CURLE_OPERATION_TIMEDOUT:
        return tv_outcome_set(o, TV_ERR_UNREACHABLE, "The BakQ service at %s did not answer in time "
                              "(%s): check your network and try again", server, detail);
    case CURLE_WRITE_ERROR:
        return tv_outcome_set(o, TV_ERR_SERVER, "The BakQ service at %s sent an answer that is too "
                              "large", server);
    case CURLE_UNSUPPORTED_PROTOCOL:
        return tv_outcome_set(o, TV_ERR_CONFIG, "The BakQ service URL %s must use https://", server);
    default:
        return tv_outcome_set(o, TV_ERR_UNREACHABLE, "Cannot reach the BakQ service at %s (%s): "
                              "check your network and the server URL", server, detail);
    }
}
