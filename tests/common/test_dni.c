/* DNI/NIE validation: check letters, NIE prefixes, normalisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tv_dni.h"
#include "tv_err.h"

#include <string.h>

static void valid_dni_numbers_are_accepted(void **state)
{
    static const char *const good[] = { "12345678Z", "00000000T", "99999999R", "X1234567L",
                                        "Y1234567X", "Z1234567R", "00000023T" };
    char out[TV_DNI_LEN + 1];

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_int_equal(tv_dni_normalize(good[i], out), 0);
        assert_string_equal(out, good[i]);
    }
}

static void wrong_check_letter_is_refused(void **state)
{
    static const char *const bad[] = { "12345678A", "X1234567A", "00000000R", "Z1234567L" };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(tv_dni_valid(bad[i]));
}

static void malformed_input_is_refused_and_output_untouched(void **state)
{
    static const char *const bad[] = { "", "1234567Z", "123456789Z", "1234567AZ", "W1234567L",
                                       "X12345678L", "12 45678Z", "12345678", "123456789",
                                       "12345678Z ", "+2345678Z", "12345678-" };
    char out[TV_DNI_LEN + 1] = "untouched";

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tv_dni_normalize(bad[i], out), TV_ERR_BAD_DNI);
    assert_int_equal(tv_dni_normalize(NULL, out), TV_ERR_BAD_DNI);
    assert_string_equal(out, "untouched");
}

static void lower_case_and_separator_are_normalised(void **state)
{
    char out[TV_DNI_LEN + 1];

    assert_int_equal(tv_dni_normalize("12345678z", out), 0);
    assert_string_equal(out, "12345678Z");
    assert_int_equal(tv_dni_normalize("x1234567-l", out), 0);
    assert_string_equal(out, "X1234567L");
    assert_int_equal(tv_dni_normalize("12345678 Z", out), 0);
    assert_string_equal(out, "12345678Z");
}

static void letter_table_follows_modulo_23(void **state)
{
    assert_int_equal(tv_dni_letter(0), 'T');
    assert_int_equal(tv_dni_letter(22), 'E');
    assert_int_equal(tv_dni_letter(23), 'T');
    assert_int_equal(tv_dni_letter(12345678), 'Z');
    assert_int_equal(tv_dni_letter(100000000u), '\0');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_dni_numbers_are_accepted),
        cmocka_unit_test(wrong_check_letter_is_refused),
        cmocka_unit_test(malformed_input_is_refused_and_output_untouched),
        cmocka_unit_test(lower_case_and_separator_are_normalised),
        cmocka_unit_test(letter_table_follows_modulo_23),
    };
    return cmocka_run_group_tests_name("dni", tests, NULL, NULL);
}
