/* The error vocabulary: every code has a distinct value, a name and a text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tv_err.h"

#include <string.h>

static const int all_codes[] = {
#define TV_ERR_VALUE(name, value, text) value,
    TV_ERR_LIST(TV_ERR_VALUE)
#undef TV_ERR_VALUE
};

static void codes_are_unique_and_named(void **state)
{
    size_t n = sizeof all_codes / sizeof all_codes[0];

    for (size_t i = 0; i < n; i++) {
        assert_true(all_codes[i] <= 0);
        assert_string_not_equal(tv_strerror(all_codes[i]), "unknown error");
        assert_true(strncmp(tv_errname(all_codes[i]), "TV_", 3) == 0);
        for (size_t j = i + 1; j < n; j++)
            assert_int_not_equal(all_codes[i], all_codes[j]);
    }
}

static void unknown_codes_still_give_text(void **state)
{
    assert_string_equal(tv_strerror(-9999), "unknown error");
    assert_string_equal(tv_errname(12345), "TV_ERR_UNKNOWN");
    assert_string_equal(tv_strerror(TV_ERR_BLOCKED), "BakQ blocked after too many failed attempts");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes_are_unique_and_named),
        cmocka_unit_test(unknown_codes_still_give_text),
    };
    return cmocka_run_group_tests_name("err", tests, NULL, NULL);
}
