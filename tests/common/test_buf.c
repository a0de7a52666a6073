/* tv_buf / tv_reader: bounds, sticky errors, reads that consume nothing on failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tv_buf.h"
#include "tv_err.h"

#include <string.h>

static void integers_round_trip_big_endian(void **state)
{
    tv_buf b;
    tv_reader r;
    uint32_t u32 = 0;
    uint64_t u64 = 0;

    tv_buf_init(&b, 64);
    tv_buf_put_u32(&b, 0x01020304u);
    tv_buf_put_u64(&b, 0x1122334455667788ull);
    assert_true(tv_buf_ok(&b));
    assert_int_equal(b.len, 12);
    assert_int_equal(b.data[0], 0x01);
    assert_int_equal(b.data[4], 0x11);
    tv_reader_init(&r, b.data, b.len);
    assert_int_equal(tv_get_u32(&r, &u32), 0);
    assert_int_equal(tv_get_u64(&r, &u64), 0);
    assert_int_equal(u32, 0x01020304u);
    assert_true(u64 == 0x1122334455667788ull);
    assert_int_equal(tv_reader_left(&r), 0);
    tv_buf_free(&b);
}

static void limit_sets_sticky_error_and_keeps_content(void **state)
{
    tv_buf b;

    tv_buf_init(&b, 10);
    tv_buf_put_u32(&b, 1);
    tv_buf_put_bytes(&b, "abcdefgh", 8);   /* 12 bytes would exceed 10 */
    assert_false(tv_buf_ok(&b));
    assert_int_equal(tv_buf_error(&b), TV_ERR_TOO_LARGE);
    assert_int_equal(b.len, 4);
    tv_buf_put_u32(&b, 2);                 /* sticky: nothing more is added */
    assert_int_equal(b.len, 4);
    tv_buf_reset(&b);
    assert_true(tv_buf_ok(&b));
    tv_buf_free(&b);
}

static void growth_keeps_earlier_bytes(void **state)
{
    tv_buf b;
    uint8_t big[5000];

    memset(big, 0xab, sizeof big);
    tv_buf_init(&b, 1 << 20);
    tv_buf_put_string(&b, "head");
    tv_buf_put_bytes(&b, big, sizeof big);
    assert_true(tv_buf_ok(&b));
    assert_memory_equal(b.data + 4, "head", 4);
    assert_int_equal(b.len, 4 + 4 + 4 + sizeof big);
    tv_buf_free(&b);
    tv_buf_free(NULL);
}

/* For every truncation point, a failed read leaves the reader where it was. */
static void failed_reads_consume_nothing(void **state)
{
    tv_buf b;
    tv_reader r;
    const uint8_t *p = NULL;
    size_t n = 0;
    uint32_t u32 = 7;
    uint64_t u64 = 7;
    char s[16] = "keep";

    tv_buf_init(&b, 64);
    tv_buf_put_bytes(&b, "0123456789", 10);
    for (size_t cut = 0; cut < b.len; cut++) {
        tv_reader_init(&r, b.data, cut);
        assert_int_equal(tv_get_bytes(&r, 64, &p, &n), TV_ERR_TRUNCATED);
        assert_int_equal(r.pos, 0);
        assert_true(tv_get_string(&r, s, sizeof s) < 0);
        assert_int_equal(r.pos, 0);
        assert_string_equal(s, "keep");
        if (cut < 4) {
            assert_int_equal(tv_get_u32(&r, &u32), TV_ERR_TRUNCATED);
            assert_int_equal(u32, 7);
        }
        if (cut < 8) {
            assert_int_equal(tv_get_u64(&r, &u64), TV_ERR_TRUNCATED);
            assert_true(u64 == 7);
        }
        assert_int_equal(r.pos, 0);
    }
    tv_buf_free(&b);
}

static void length_above_max_is_too_large_and_consumes_nothing(void **state)
{
    tv_buf b;
    tv_reader r;
    const uint8_t *p;
    size_t n;
    char small[4];

    tv_buf_init(&b, 64);
    tv_buf_put_bytes(&b, "0123456789", 10);
    tv_reader_init(&r, b.data, b.len);
    assert_int_equal(tv_get_bytes(&r, 9, &p, &n), TV_ERR_TOO_LARGE);
    assert_int_equal(r.pos, 0);
    assert_int_equal(tv_get_string(&r, small, sizeof small), TV_ERR_TOO_LARGE);
    assert_int_equal(r.pos, 0);
    tv_buf_free(&b);
}

static void huge_declared_length_cannot_overflow(void **state)
{
    const uint8_t evil[] = { 0xff, 0xff, 0xff, 0xff, 'a' };
    tv_reader r;
    const uint8_t *p;
    size_t n;

    tv_reader_init(&r, evil, sizeof evil);
    assert_int_equal(tv_get_bytes(&r, SIZE_MAX, &p, &n), TV_ERR_TRUNCATED);
    assert_int_equal(r.pos, 0);
}

static void string_with_nul_is_refused(void **state)
{
    const uint8_t bad[] = { 0, 0, 0, 3, 'a', 0, 'b' };
    tv_reader r;
    char out[8] = "keep";

    tv_reader_init(&r, bad, sizeof bad);
    assert_int_equal(tv_get_string(&r, out, sizeof out), TV_ERR_PROTOCOL);
    assert_int_equal(r.pos, 0);
    assert_string_equal(out, "keep");
}

static void consume_moves_the_rest_forward(void **state)
{
    tv_buf b;

    tv_buf_init(&b, 64);
    tv_buf_put_raw(&b, "abcdef", 6);
    tv_buf_consume(&b, 2);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, "cdef", 4);
    tv_buf_consume(&b, 10);
    assert_int_equal(b.len, 0);
    tv_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(integers_round_trip_big_endian),
        cmocka_unit_test(limit_sets_sticky_error_and_keeps_content),
        cmocka_unit_test(growth_keeps_earlier_bytes),
        cmocka_unit_test(failed_reads_consume_nothing),
        cmocka_unit_test(length_above_max_is_too_large_and_consumes_nothing),
        cmocka_unit_test(huge_declared_length_cannot_overflow),
        cmocka_unit_test(string_with_nul_is_refused),
        cmocka_unit_test(consume_moves_the_rest_forward),
    };
    return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
