#include "tv_proto.h"

#include "tv_err.h"

#include <string.h>

/* The one protocol table.  PROTOCOL.md describes each field. */
const tv_msg_spec tv_msg_table[] = {
    { TV_MSG_HELLO,      "HELLO",      "uus", "us" },
    { TV_MSG_SNAPSHOT,   "SNAPSHOT",   "",
      "qus[ysuuuyyyyyyyyqq][ysyyyy]" },
    { TV_MSG_LOGIN,      "LOGIN",      "uy", "u" },
    { TV_MSG_LOGOUT,     "LOGOUT",     "", "" },
    { TV_MSG_SIGN,       "SIGN",       "yuuuuuy", "y" },
    { TV_MSG_WAIT_EVENT, "WAIT_EVENT", "qu", "q" },
    { TV_MSG_STATUS,     "STATUS",     "",
      "ssuuq[ysuuqqs]s" },
    { TV_MSG_RELOAD,     "RELOAD",     "", "" },
    { TV_MSG_ACCOUNT,    "ACCOUNT",    "s[ss]", "u[ss]" },
    { TV_MSG_STATS,      "STATS",      "", "[sq]" },
};
const size_t tv_msg_table_len = sizeof tv_msg_table / sizeof tv_msg_table[0];

static const char error_layout[] = "us";

const tv_msg_spec *tv_msg_lookup(uint32_t type)
{
    for (size_t i = 0; i < tv_msg_table_len; i++)
        if (tv_msg_table[i].type == type)
            return &tv_msg_table[i];
    return NULL;
}

const char *tv_msg_layout(uint32_t frame_type)
{
    const tv_msg_spec *spec;

    if (frame_type == TV_MSG_ERROR)
        return error_layout;
    spec = tv_msg_lookup(frame_type & ~TV_MSG_REPLY);
    if (spec == NULL)
        return NULL;
    return (frame_type & TV_MSG_REPLY) ? spec->reply : spec->request;
}

const char *tv_msg_name(uint32_t frame_type)
{
    const tv_msg_spec *spec;

    if (frame_type == TV_MSG_ERROR)
        return "ERROR";
    spec = tv_msg_lookup(frame_type & ~TV_MSG_REPLY);
    return spec ? spec->name : "UNKNOWN";
}

/* Where the array that starts at layout[0] == '[' ends (its ']'), or NULL. */
static const char *array_end(const char *layout)
{
    int depth = 0;

    for (const char *p = layout; *p; p++) {
        if (*p == '[')
            depth++;
        else if (*p == ']' && --depth == 0)
            return p;
    }
    return NULL;
}

static int check_fields(const char *layout, size_t layout_len, tv_reader *r, int depth);

static int check_one(const char **pl, const char *end, tv_reader *r, int depth)
{
    const char *l = *pl;
    const uint8_t *p;
    size_t n;
    uint32_t u32;
    uint64_t u64;
    const char *close;

    switch (*l) {
    case 'u':
        *pl = l + 1;
        return tv_get_u32(r, &u32);
    case 'q':
        *pl = l + 1;
        return tv_get_u64(r, &u64);
    case 'y':
        *pl = l + 1;
        return tv_get_bytes(r, TV_FRAME_MAX, &p, &n);
    case 's':
        *pl = l + 1;
        if (tv_get_bytes(r, TV_STRING_MAX, &p, &n) < 0 || memchr(p, '\0', n) != NULL)
            return TV_ERR_PROTOCOL;
        return 0;
    case '[':
        close = array_end(l);
        if (close == NULL || close > end || close == l + 1 || depth >= TV_ARRAY_DEPTH)
            return TV_ERR_PROTOCOL;
        *pl = close + 1;
        if (tv_get_u32(r, &u32) < 0 || u32 > TV_ARRAY_MAX)
            return TV_ERR_PROTOCOL;
        for (uint32_t i = 0; i < u32; i++)
            if (check_fields(l + 1, (size_t)(close - l - 1), r, depth + 1) < 0)
                return TV_ERR_PROTOCOL;
        return 0;
    default:
        return TV_ERR_PROTOCOL;
    }
}

static int check_fields(const char *layout, size_t layout_len, tv_reader *r, int depth)
{
    const char *l = layout;
    const char *end = layout + layout_len;

    while (l < end)
        if (check_one(&l, end, r, depth) < 0)
            return TV_ERR_PROTOCOL;
    return 0;
}

int tv_msg_check(const char *layout, const uint8_t *body, size_t len)
{
    tv_reader r;

    if (layout == NULL)
        return TV_ERR_PROTOCOL;
    tv_reader_init(&r, body, len);
    if (check_fields(layout, strlen(layout), &r, 0) < 0 || tv_reader_left(&r) != 0)
        return TV_ERR_PROTOCOL;
    return 0;
}

void tv_frame_begin(tv_buf *b, uint32_t frame_type)
{
    tv_buf_reset(b);
    tv_buf_put_u32(b, 0);              /* length, filled by tv_frame_end */
    tv_buf_put_u32(b, frame_type);
}

int tv_frame_end(tv_buf *b)
{
    uint32_t type;

    if (!tv_buf_ok(b))
        return tv_buf_error(b);
    if (b->len < TV_FRAME_HEADER)
        return TV_ERR_PROTOCOL;
    if (b->len - 4 > TV_FRAME_MAX)
        return TV_ERR_TOO_LARGE;
    tv_buf_set_u32(b, 0, (uint32_t)(b->len - 4));
    type = tv_load_u32(b->data + 4);
    return tv_msg_check(tv_msg_layout(type), b->data + TV_FRAME_HEADER, b->len - TV_FRAME_HEADER);
}

int tv_frame_error(tv_buf *b, int code, const char *message)
{
    tv_frame_begin(b, TV_MSG_ERROR);
    tv_buf_put_u32(b, (uint32_t)(int32_t)code);
    tv_buf_put_bytes(b, message ? message : "",
                     message ? strnlen(message, TV_STRING_MAX) : 0);
    return tv_frame_end(b);
}

int tv_frame_peek(const uint8_t *in, size_t avail, size_t *frame_len)
{
    uint32_t len;

    if (avail < 4)
        return TV_ERR_TRUNCATED;
    len = tv_load_u32(in);
    if (len > TV_FRAME_MAX)
        return TV_ERR_TOO_LARGE;
    if (len < TV_FRAME_HEADER - 4)
        return TV_ERR_PROTOCOL;
    *frame_len = (size_t)len + 4;
    return 0;
}

int tv_frame_open(const uint8_t *frame, size_t frame_len, uint32_t *frame_type, tv_reader *body)
{
    size_t want;
    uint32_t type;
    const char *layout;
    int rc = tv_frame_peek(frame, frame_len, &want);

    if (rc < 0)
        return rc;
    if (want != frame_len)
        return TV_ERR_PROTOCOL;
    type = tv_load_u32(frame + 4);
    layout = tv_msg_layout(type);
    if (layout == NULL)
        return TV_ERR_UNKNOWN_MESSAGE;
    if (tv_msg_check(layout, frame + TV_FRAME_HEADER, frame_len - TV_FRAME_HEADER) < 0)
        return TV_ERR_PROTOCOL;
    *frame_type = type;
    tv_reader_init(body, frame + TV_FRAME_HEADER, frame_len - TV_FRAME_HEADER);
    return 0;
}

int tv_frame_read_error(tv_reader *body, int *code, char *message, size_t message_size)
{
    uint32_t raw;
    const uint8_t *p;
    size_t n;

    if (tv_get_u32(body, &raw) < 0 || tv_get_bytes(body, TV_STRING_MAX, &p, &n) < 0)
        return TV_ERR_PROTOCOL;
    *code = (int32_t)raw;
    if (*code >= 0)
        *code = TV_ERR_PROTOCOL;       /* an error reply must carry an error */
    if (message != NULL && message_size > 0) {
        size_t k = n < message_size - 1 ? n : message_size - 1;
        memcpy(message, p, k);
        message[k] = '\0';
    }
    return 0;
}
