/* Secure memory: usable, wiped copies, bounded sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tv_secmem.h"

#include <string.h>

static void secure_copy_holds_the_string(void **state)
{
    char *s = tv_secure_strndup("Abcd1234", 8);

    assert_non_null(s);
    assert_string_equal(s, "Abcd1234");
    tv_secure_free(s);
    tv_secure_free(NULL);
}

static void secure_copy_is_truncated_to_max(void **state)
{
    char *s = tv_secure_strndup("123456789", 4);

    assert_non_null(s);
    assert_string_equal(s, "1234");
    tv_secure_free(s);
}

static void sizes_are_bounded(void **state)
{
    assert_null(tv_secure_alloc(0));
    assert_null(tv_secure_alloc((1u << 20) + 1));
}

static void wipe_zeroes(void **state)
{
    char buf[8] = "secret!";
    char zero[8] = { 0 };

    tv_wipe(buf, sizeof buf);
    assert_memory_equal(buf, zero, sizeof buf);
    tv_wipe(NULL, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(secure_copy_holds_the_string),
        cmocka_unit_test(secure_copy_is_truncated_to_max),
        cmocka_unit_test(sizes_are_bounded),
        cmocka_unit_test(wipe_zeroes),
    };
    return cmocka_run_group_tests_name("secmem", tests, NULL, NULL);
}
