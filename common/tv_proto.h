/* The module <-> agent protocol (see PROTOCOL.md).
 *
 * A frame is: u32 length (big-endian, counting what follows, capped at
 * TV_FRAME_MAX and checked before anything is buffered), u32 message type,
 * then the fields in the order the message table gives.  One table
 * (tv_msg_table) names every message and its request and reply layouts; the
 * encoder validates what it built against it (tv_frame_end) and the decoder
 * validates what it received against it (tv_frame_open) before any handler
 * sees a byte.
 *
 * Field layout characters:
 *   u  u32             q  u64
 *   y  bytes: u32 length + bytes (at most TV_FRAME_MAX)
 *   s  string: u32 length + bytes, no NUL, at most TV_STRING_MAX
 *   [..]  array: u32 count (at most TV_ARRAY_MAX) + count records of the
 *         enclosed layout
 */
#ifndef TV_PROTO_H
#define TV_PROTO_H

#include "tv_buf.h"

#include <stddef.h>
#include <stdint.h>

#define TV_PROTOCOL_VERSION 1
#define TV_FRAME_MAX   (1u << 20)      /* bytes after the length word */
#define TV_FRAME_HEADER 8              /* length + type */
#define TV_STRING_MAX  4096
#define TV_ARRAY_MAX   256
#define TV_ARRAY_DEPTH 2

enum tv_msg_type {
    TV_MSG_HELLO = 1,
    TV_MSG_SNAPSHOT = 2,
    TV_MSG_LOGIN = 3,
    TV_MSG_LOGOUT = 4,
    TV_MSG_SIGN = 5,
    TV_MSG_WAIT_EVENT = 6,
    TV_MSG_STATUS = 7,
    TV_MSG_RELOAD = 8,
    TV_MSG_ACCOUNT = 9,                /* CLI: BakQ holder operations */
    TV_MSG_STATS = 10,                 /* CLI / bench: agent counters */
    TV_MSG_ERROR = 0x7fff,             /* reply only: "us" = code, message */
};
#define TV_MSG_REPLY 0x8000u           /* reply type = request type | TV_MSG_REPLY */

/* SNAPSHOT / STATUS flags */
#define TV_SNAP_TOKEN_PRESENT  0x1u
#define TV_SNAP_SESSION_ACTIVE 0x2u
/* LOGIN request flags */
#define TV_LOGIN_PIN_GIVEN     0x1u
/* LOGIN reply flags */
#define TV_LOGIN_WAS_ACTIVE    0x1u    /* no dialog was needed */
/* SNAPSHOT credential usage (the credential's CSC "scal") */
#define TV_USAGE_AUTHENTICATION 1u
#define TV_USAGE_SIGNATURE      2u
/* key types */
#define TV_KEY_RSA 0u
#define TV_KEY_EC  1u
/* SIGN input kinds */
#define TV_INPUT_AS_GIVEN 0u           /* what the application passed for this mechanism */
#define TV_INPUT_DIGEST   1u           /* hash-and-sign mechanism, digest already computed */

typedef struct tv_msg_spec {
    uint32_t type;
    const char *name;
    const char *request;               /* layout of the request body */
    const char *reply;                 /* layout of the reply body */
} tv_msg_spec;

extern const tv_msg_spec tv_msg_table[];
extern const size_t tv_msg_table_len;

/* The spec of a request type, or NULL. */
const tv_msg_spec *tv_msg_lookup(uint32_t type);
/* The layout a frame of this type must have (request, reply or error), or NULL. */
const char *tv_msg_layout(uint32_t frame_type);
const char *tv_msg_name(uint32_t frame_type);

/* Check that body matches layout exactly (no trailing bytes). 0 or TV_ERR_PROTOCOL. */
int tv_msg_check(const char *layout, const uint8_t *body, size_t len);

/* Encoding: tv_frame_begin(), tv_buf_put_*() the fields, tv_frame_end().
 * tv_frame_end() fills in the length and validates the frame against the
 * table; it returns TV_ERR_TOO_LARGE / TV_ERR_PROTOCOL / TV_ERR_NOMEM. */
void tv_frame_begin(tv_buf *b, uint32_t frame_type);
int tv_frame_end(tv_buf *b);
/* A complete error reply frame. */
int tv_frame_error(tv_buf *b, int code, const char *message);

/* Decoding.  tv_frame_peek() looks at the first bytes of a stream: it sets
 * *frame_len to the length of the whole frame (header included) or returns
 * TV_ERR_TRUNCATED (need more bytes) / TV_ERR_TOO_LARGE (cap exceeded: drop
 * the connection).  It consumes nothing. */
int tv_frame_peek(const uint8_t *in, size_t avail, size_t *frame_len);
/* Validate one whole frame against the table and point body at its fields.
 * TV_ERR_UNKNOWN_MESSAGE for a type not in the table, TV_ERR_PROTOCOL for a
 * body that does not match its layout. */
int tv_frame_open(const uint8_t *frame, size_t frame_len, uint32_t *frame_type, tv_reader *body);
/* Read the fields of a TV_MSG_ERROR body: code and message (may be NULL). */
int tv_frame_read_error(tv_reader *body, int *code, char *message, size_t message_size);

#endif
