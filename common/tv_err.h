/* One error vocabulary for every component.
 *
 * Internal functions return 0 on success or a negative TV_ERR_* value.
 * tv_strerror() names it for logs and people.  The PKCS#11 module maps these
 * to CK_RV in exactly one place; the agent maps server answers to them in
 * exactly one place; the wire protocol carries them as signed 32-bit values,
 * so their numbers are stable: append, never renumber. */
#ifndef TV_ERR_H
#define TV_ERR_H

#define TV_ERR_LIST(X)                                                              \
    X(TV_OK,                      0,  "success")                                    \
    X(TV_ERR_INTERNAL,           -1,  "internal error")                             \
    X(TV_ERR_NOMEM,              -2,  "out of memory")                              \
    X(TV_ERR_INVALID,            -3,  "invalid argument")                           \
    X(TV_ERR_TOO_LARGE,          -4,  "message or value too large")                 \
    X(TV_ERR_TRUNCATED,          -5,  "incomplete data")                            \
    X(TV_ERR_PROTOCOL,           -6,  "malformed message")                          \
    X(TV_ERR_UNKNOWN_MESSAGE,    -7,  "unknown message type")                       \
    X(TV_ERR_IO,                 -8,  "input/output error")                         \
    X(TV_ERR_CLOSED,             -9,  "connection closed")                          \
    X(TV_ERR_TIMEOUT,           -10,  "timed out")                                  \
    X(TV_ERR_PEER_UID,          -11,  "peer belongs to another user")               \
    X(TV_ERR_NOT_FOUND,         -12,  "not found")                                  \
    X(TV_ERR_CONFIG,            -13,  "invalid configuration")                      \
    X(TV_ERR_BAD_DNI,           -14,  "invalid DNI/NIE")                            \
    X(TV_ERR_NO_AGENT,          -15,  "agent not running")                          \
    X(TV_ERR_VERSION,           -16,  "protocol version not supported")             \
    X(TV_ERR_CANCELLED,         -20,  "cancelled by the user")                      \
    X(TV_ERR_NO_IDENTITY,       -21,  "no BakQ identity configured")                \
    X(TV_ERR_NOT_LOGGED_IN,     -22,  "not logged in")                              \
    X(TV_ERR_WRONG_PASSWORD,    -23,  "wrong password")                             \
    X(TV_ERR_WRONG_SECOND_FACTOR,-24, "wrong SMS code or coordinate")               \
    X(TV_ERR_BLOCKED,           -25,  "BakQ blocked after too many failed attempts")\
    X(TV_ERR_EXPIRED,           -26,  "BakQ certificate expired")                   \
    X(TV_ERR_REVOKED,           -27,  "BakQ certificate revoked")                   \
    X(TV_ERR_BAK_ONLY,          -28,  "account is Bak only, BakQ needed")           \
    X(TV_ERR_NOT_ACTIVE,        -29,  "BakQ not activated")                         \
    X(TV_ERR_UNREACHABLE,       -30,  "BakQ service unreachable")                   \
    X(TV_ERR_TLS_VERIFY,        -31,  "BakQ service certificate not trusted")       \
    X(TV_ERR_SERVER,            -32,  "unexpected answer from the BakQ service")    \
    X(TV_ERR_MECHANISM,         -33,  "mechanism not supported")                    \
    X(TV_ERR_MECHANISM_PARAM,   -34,  "invalid mechanism parameters")               \
    X(TV_ERR_KEY,               -35,  "unknown key")                                \
    X(TV_ERR_DATA_INVALID,      -36,  "data to sign is invalid")                    \
    X(TV_ERR_DENIED,            -37,  "operation not authorised")                   \
    X(TV_ERR_PROMPT,            -38,  "dialog program failed")                      \
    X(TV_ERR_RATE_LIMITED,      -39,  "too many requests")                          \
    X(TV_ERR_NO_DISPLAY,        -40,  "no display to show the dialog on")

typedef enum {
#define TV_ERR_ENUM(name, value, text) name = value,
    TV_ERR_LIST(TV_ERR_ENUM)
#undef TV_ERR_ENUM
} tv_err;

/* Short English description; never NULL, also for unknown values. */
const char *tv_strerror(int err);
/* Symbolic name ("TV_ERR_BLOCKED"); never NULL. */
const char *tv_errname(int err);

#endif
