/* bakq-server pure pieces: password policy and hash, coordinate cards,
 * strict base64, registration field checks (age, e-mail, phone). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "b64.h"
#include "card.h"
#include "lifecycle.h"
#include "password.h"
#include "tv_err.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void password_is_exactly_eight_characters(void **state)
{
    assert_true(tv_password_policy_ok("abcd1234"));
    assert_true(tv_password_policy_ok("Goñi#123"));          /* 8 characters, 9 bytes */
    assert_false(tv_password_policy_ok("abcd123"));
    assert_false(tv_password_policy_ok("abcd12345"));
    assert_false(tv_password_policy_ok(""));
    assert_false(tv_password_policy_ok("abc\td123"));
    assert_false(tv_password_policy_ok("abcd12\xff" "4"));    /* invalid UTF-8 */
}

static void password_hash_verifies_and_is_salted(void **state)
{
    uint8_t s1[TV_PW_SALT], h1[TV_PW_HASH], s2[TV_PW_SALT], h2[TV_PW_HASH];

    assert_int_equal(tv_password_hash("abcd1234", 1000, s1, h1), 0);
    assert_int_equal(tv_password_hash("abcd1234", 1000, s2, h2), 0);
    assert_memory_not_equal(h1, h2, TV_PW_HASH);
    assert_true(tv_password_verify("abcd1234", 1000, s1, sizeof s1, h1, sizeof h1));
    assert_false(tv_password_verify("abcd1235", 1000, s1, sizeof s1, h1, sizeof h1));
    assert_false(tv_password_verify("abcd1234", 1001, s1, sizeof s1, h1, sizeof h1));
}

static void cards_have_sixteen_positions(void **state)
{
    char card[TV_CARD_TEXT + 1], pos[3], value[4];

    assert_int_equal(tv_card_generate(card), 0);
    assert_true(tv_card_valid(card));
    assert_int_equal(tv_card_index("A1"), 0);
    assert_int_equal(tv_card_index("B3"), 6);
    assert_int_equal(tv_card_index("D4"), 15);
    assert_int_equal(tv_card_index("E1"), -1);
    assert_int_equal(tv_card_index("A5"), -1);
    assert_int_equal(tv_card_index("A"), -1);
    tv_card_position(6, pos);
    assert_string_equal(pos, "B3");
    tv_card_value(card, 6, value);
    assert_true(tv_card_check(card, 6, value));
    value[0] = value[0] == '9' ? '0' : (char)(value[0] + 1);
    assert_false(tv_card_check(card, 6, value));
    assert_false(tv_card_check(card, 16, "123"));
    assert_false(tv_card_check(card, 6, "12"));
}

static void base64_is_strict(void **state)
{
    uint8_t *out = NULL;
    size_t n = 0;
    char *text = tv_b64_encode((const uint8_t *)"hello", 5);

    assert_string_equal(text, "aGVsbG8=");
    assert_int_equal(tv_b64_decode(text, strlen(text), 64, &out, &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(out, "hello", 5);
    free(out);
    free(text);
    static const char *const bad[] = { "aGVsbG8", "aGVs bG8=", "aGVsbG9=", "a===", "=AAA", "aG=sbG8=",
                                       "aGVsbG8_", "aGVsbG8-" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tv_b64_decode(bad[i], strlen(bad[i]), 64, &out, &n), TV_ERR_INVALID);
    assert_int_equal(tv_b64_decode("AAAAAAAA", 8, 5, &out, &n), TV_ERR_TOO_LARGE);
    assert_int_equal(tv_b64_decode("", 0, 5, &out, &n), 0);
    assert_int_equal(n, 0);
    free(out);
}

static void age_is_counted_in_whole_years(void **state)
{
    struct tm tm = { .tm_year = 2026 - 1900, .tm_mon = 4, .tm_mday = 17, .tm_hour = 12 };
    int64_t now = (int64_t)timegm(&tm);

    assert_int_equal(tv_age_years("2010-05-17", now), 16);
    assert_int_equal(tv_age_years("2010-05-18", now), 15);
    assert_int_equal(tv_age_years("2001-02-29", now), -1);
    assert_int_equal(tv_age_years("2000-02-29", now), 26);
    assert_int_equal(tv_age_years("17-05-2010", now), -1);
    assert_int_equal(tv_age_years("2010-05-17x", now), -1);
}

static void contacts_are_checked(void **state)
{
    assert_true(tv_valid_email("miren@example.org"));
    assert_false(tv_valid_email("miren"));
    assert_false(tv_valid_email("a@b@c.org"));
    assert_false(tv_valid_email("a b@c.org"));
    assert_true(tv_valid_phone("+34600111222"));
    assert_true(tv_valid_phone("600111222"));
    assert_false(tv_valid_phone("+34 600"));
    assert_false(tv_valid_phone("12345678"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(password_is_exactly_eight_characters),
        cmocka_unit_test(password_hash_verifies_and_is_salted),
        cmocka_unit_test(cards_have_sixteen_positions),
        cmocka_unit_test(base64_is_strict),
        cmocka_unit_test(age_is_counted_in_whole_years),
        cmocka_unit_test(contacts_are_checked),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
