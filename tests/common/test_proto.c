/* The protocol table and frame codec: layouts, round trips, and rejection of
 * truncated, oversized, unknown and malformed frames. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tv_err.h"
#include "tv_proto.h"

#include <string.h>

static bool layout_well_formed(const char *l)
{
    int depth = 0;

    for (const char *p = l; *p; p++) {
        if (*p == '[') {
            if (p[1] == ']' || ++depth > TV_ARRAY_DEPTH)
                return false;
        } else if (*p == ']') {
            if (--depth < 0)
                return false;
        } else if (strchr("uqys", *p) == NULL) {
            return false;
        }
    }
    return depth == 0;
}

static void table_is_consistent(void **state)
{
    for (size_t i = 0; i < tv_msg_table_len; i++) {
        const tv_msg_spec *a = &tv_msg_table[i];
        assert_true(a->type != 0 && (a->type & TV_MSG_REPLY) == 0 && a->type != TV_MSG_ERROR);
        assert_true(layout_well_formed(a->request));
        assert_true(layout_well_formed(a->reply));
        assert_ptr_equal(tv_msg_lookup(a->type), a);
        for (size_t j = i + 1; j < tv_msg_table_len; j++) {
            assert_int_not_equal(a->type, tv_msg_table[j].type);
            assert_string_not_equal(a->name, tv_msg_table[j].name);
        }
    }
    assert_null(tv_msg_lookup(0));
    assert_string_equal(tv_msg_layout(TV_MSG_ERROR), "us");
}

static void build_hello(tv_buf *b)
{
    tv_frame_begin(b, TV_MSG_HELLO);
    tv_buf_put_u32(b, TV_PROTOCOL_VERSION);
    tv_buf_put_u32(b, 4242);
    tv_buf_put_string(b, "firefox-esr");
    assert_int_equal(tv_frame_end(b), 0);
}

static void hello_round_trips(void **state)
{
    tv_buf b;
    tv_reader body;
    uint32_t type = 0, version = 0, pid = 0;
    char name[32];

    tv_buf_init(&b, TV_FRAME_MAX + 4);
    build_hello(&b);
    assert_int_equal(tv_frame_open(b.data, b.len, &type, &body), 0);
    assert_int_equal(type, TV_MSG_HELLO);
    assert_int_equal(tv_get_u32(&body, &version), 0);
    assert_int_equal(tv_get_u32(&body, &pid), 0);
    assert_int_equal(tv_get_string(&body, name, sizeof name), 0);
    assert_int_equal(version, TV_PROTOCOL_VERSION);
    assert_int_equal(pid, 4242);
    assert_string_equal(name, "firefox-esr");
    assert_int_equal(tv_reader_left(&body), 0);
    tv_buf_free(&b);
}

static void put_credential(tv_buf *b)
{
    static const uint8_t blob[3] = { 1, 2, 3 };

    tv_buf_put_bytes(b, blob, sizeof blob);          /* id */
    tv_buf_put_string(b, "BakQ autenticación");      /* label */
    tv_buf_put_u32(b, TV_USAGE_AUTHENTICATION);
    tv_buf_put_u32(b, TV_KEY_RSA);
    tv_buf_put_u32(b, 2048);
    for (int i = 0; i < 8; i++)                      /* cert .. ec_point */
        tv_buf_put_bytes(b, blob, sizeof blob);
    tv_buf_put_u64(b, 1700000000);
    tv_buf_put_u64(b, 1800000000);
}

static void snapshot_reply_with_arrays_round_trips(void **state)
{
    tv_buf b;
    tv_reader body;
    uint32_t type, count;

    tv_buf_init(&b, TV_FRAME_MAX + 4);
    tv_frame_begin(&b, TV_MSG_SNAPSHOT | TV_MSG_REPLY);
    tv_buf_put_u64(&b, 7);
    tv_buf_put_u32(&b, TV_SNAP_TOKEN_PRESENT);
    tv_buf_put_string(&b, "12345678Z");
    tv_buf_put_u32(&b, 2);
    put_credential(&b);
    put_credential(&b);
    tv_buf_put_u32(&b, 0);                           /* no CA certificates */
    assert_int_equal(tv_frame_end(&b), 0);
    assert_int_equal(tv_frame_open(b.data, b.len, &type, &body), 0);
    assert_int_equal(type, TV_MSG_SNAPSHOT | TV_MSG_REPLY);

    /* one credential short: the layout no longer matches */
    tv_frame_begin(&b, TV_MSG_SNAPSHOT | TV_MSG_REPLY);
    tv_buf_put_u64(&b, 7);
    tv_buf_put_u32(&b, 0);
    tv_buf_put_string(&b, "");
    tv_buf_put_u32(&b, 2);
    put_credential(&b);
    tv_buf_put_u32(&b, 0);
    assert_int_equal(tv_frame_end(&b), TV_ERR_PROTOCOL);
    (void)count;
    tv_buf_free(&b);
}

static void every_truncation_is_rejected(void **state)
{
    tv_buf b;
    tv_reader body;
    uint32_t type;
    size_t frame_len;

    tv_buf_init(&b, TV_FRAME_MAX + 4);
    build_hello(&b);
    for (size_t cut = 0; cut < b.len; cut++) {
        int rc = tv_frame_peek(b.data, cut, &frame_len);
        if (rc == 0)
            assert_true(frame_len > cut);            /* caller must wait for more */
        else
            assert_int_equal(rc, TV_ERR_TRUNCATED);
        assert_int_not_equal(tv_frame_open(b.data, cut, &type, &body), 0);
    }
    tv_buf_free(&b);
}

static void trailing_bytes_are_rejected(void **state)
{
    tv_buf b;
    tv_reader body;
    uint32_t type;

    tv_buf_init(&b, TV_FRAME_MAX + 4);
    build_hello(&b);
    tv_buf_put_u32(&b, 0);
    tv_buf_set_u32(&b, 0, (uint32_t)(b.len - 4));
    assert_int_equal(tv_frame_open(b.data, b.len, &type, &body), TV_ERR_PROTOCOL);
    tv_buf_free(&b);
}

static void oversized_frame_is_refused_from_its_header(void **state)
{
    uint8_t header[4];
    size_t frame_len = 0;

    tv_store_u32(header, TV_FRAME_MAX + 1);
    assert_int_equal(tv_frame_peek(header, sizeof header, &frame_len), TV_ERR_TOO_LARGE);
    tv_store_u32(header, 0xffffffffu);
    assert_int_equal(tv_frame_peek(header, sizeof header, &frame_len), TV_ERR_TOO_LARGE);
    tv_store_u32(header, 0);                         /* too short to hold a type */
    assert_int_equal(tv_frame_peek(header, sizeof header, &frame_len), TV_ERR_PROTOCOL);
}

static void unknown_type_is_rejected(void **state)
{
    uint8_t frame[8];
    tv_reader body;
    uint32_t type;

    tv_store_u32(frame, 4);
    tv_store_u32(frame + 4, 0x1234);
    assert_int_equal(tv_frame_open(frame, sizeof frame, &type, &body), TV_ERR_UNKNOWN_MESSAGE);
    tv_store_u32(frame + 4, 0x1234 | TV_MSG_REPLY);
    assert_int_equal(tv_frame_open(frame, sizeof frame, &type, &body), TV_ERR_UNKNOWN_MESSAGE);
}

static void array_count_above_limit_is_rejected(void **state)
{
    tv_buf b;
    tv_reader body;
    uint32_t type;

    tv_buf_init(&b, TV_FRAME_MAX + 4);
    tv_frame_begin(&b, TV_MSG_SNAPSHOT | TV_MSG_REPLY);
    tv_buf_put_u64(&b, 1);
    tv_buf_put_u32(&b, 0);
    tv_buf_put_string(&b, "");
    tv_buf_put_u32(&b, TV_ARRAY_MAX + 1);
    tv_buf_put_u32(&b, 0);
    tv_buf_set_u32(&b, 0, (uint32_t)(b.len - 4));
    assert_int_equal(tv_frame_open(b.data, b.len, &type, &body), TV_ERR_PROTOCOL);
    tv_buf_free(&b);
}

static void error_frame_round_trips(void **state)
{
    tv_buf b;
    tv_reader body;
    uint32_t type;
    int code = 0;
    char text[64];

    tv_buf_init(&b, TV_FRAME_MAX + 4);
    assert_int_equal(tv_frame_error(&b, TV_ERR_BLOCKED, "blocked: run tarjeta reset-password"), 0);
    assert_int_equal(tv_frame_open(b.data, b.len, &type, &body), 0);
    assert_int_equal(type, TV_MSG_ERROR);
    assert_int_equal(tv_frame_read_error(&body, &code, text, sizeof text), 0);
    assert_int_equal(code, TV_ERR_BLOCKED);
    assert_string_equal(text, "blocked: run tarjeta reset-password");
    tv_buf_free(&b);
}

static void error_frame_with_success_code_reads_as_protocol_error(void **state)
{
    tv_buf b;
    tv_reader body;
    uint32_t type;
    int code = 0;

    tv_buf_init(&b, TV_FRAME_MAX + 4);
    assert_int_equal(tv_frame_error(&b, 0, NULL), 0);
    assert_int_equal(tv_frame_open(b.data, b.len, &type, &body), 0);
    assert_int_equal(tv_frame_read_error(&body, &code, NULL, 0), 0);
    assert_int_equal(code, TV_ERR_PROTOCOL);
    tv_buf_free(&b);
}

static void encoder_reports_too_large(void **state)
{
    tv_buf b;
    static uint8_t big[TV_FRAME_MAX];

    tv_buf_init(&b, TV_FRAME_MAX + 4);
    tv_frame_begin(&b, TV_MSG_SIGN);
    tv_buf_put_bytes(&b, "id", 2);
    for (int i = 0; i < 5; i++)
        tv_buf_put_u32(&b, 0);
    tv_buf_put_bytes(&b, big, sizeof big);
    assert_int_equal(tv_frame_end(&b), TV_ERR_TOO_LARGE);
    tv_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_is_consistent),
        cmocka_unit_test(hello_round_trips),
        cmocka_unit_test(snapshot_reply_with_arrays_round_trips),
        cmocka_unit_test(every_truncation_is_rejected),
        cmocka_unit_test(trailing_bytes_are_rejected),
        cmocka_unit_test(oversized_frame_is_refused_from_its_header),
        cmocka_unit_test(unknown_type_is_rejected),
        cmocka_unit_test(array_count_above_limit_is_rejected),
        cmocka_unit_test(error_frame_round_trips),
        cmocka_unit_test(error_frame_with_success_code_reads_as_protocol_error),
        cmocka_unit_test(encoder_reports_too_large),
    };
    return cmocka_run_group_tests_name("proto", tests, NULL, NULL);
}
