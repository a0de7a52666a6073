/* Assuan framing: percent-escaping both ways, line splitting across reads,
 * over-long lines, UTF-8 checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "assuan.h"
#include "tv_err.h"

#include <stdio.h>
#include <string.h>

static void unescape_decodes_percent_cr_lf(void **state)
{
    char s[] = "a%25b%0D%0Ac%41%7e";

    assert_int_equal(tv_assuan_unescape(s), 0);
    assert_string_equal(s, "a%b\r\ncA~");
}

static void unescape_rejects_bad_escapes(void **state)
{
    const char *bad[] = { "%", "%4", "abc%zz", "%g0", "x%00y" };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char s[16];
        snprintf(s, sizeof s, "%s", bad[i]);
        assert_int_equal(tv_assuan_unescape(s), TV_ERR_PROTOCOL);
    }
}

static void escape_round_trips_every_byte(void **state)
{
    char raw[255], esc[255 * 3 + 1];

    for (int i = 0; i < 255; i++)
        raw[i] = (char)(i + 1);
    assert_int_equal(tv_assuan_escape(raw, sizeof raw, esc, sizeof esc) > 0, 1);
    assert_null(strchr(esc, '\n'));
    assert_null(strchr(esc, '\r'));
    assert_int_equal(tv_assuan_unescape(esc), 0);
    assert_memory_equal(esc, raw, sizeof raw);
}

static void escape_writes_exactly_the_reserved_bytes(void **state)
{
    char out[32];

    assert_int_equal(tv_assuan_escape("a%b\nc\r", 6, out, sizeof out), 12);
    assert_string_equal(out, "a%25b%0Ac%0D");
}

static void escape_refuses_to_overflow(void **state)
{
    char out[4];

    assert_int_equal(tv_assuan_escape("abcd", 4, out, sizeof out), TV_ERR_TOO_LARGE);
    assert_string_equal(out, "");
    assert_int_equal(tv_assuan_escape("a%", 2, out, sizeof out), TV_ERR_TOO_LARGE);
    assert_int_equal(tv_assuan_escape("abc", 3, out, sizeof out), 3);
    assert_int_equal(tv_assuan_escape("x", 1, out, 0), TV_ERR_TOO_LARGE);
}

static void split_upper_cases_the_command(void **state)
{
    char line[] = "  getpin   ";
    char line2[] = "SETDESC Hello  world";
    char *cmd, *args;

    tv_assuan_split(line, &cmd, &args);
    assert_string_equal(cmd, "GETPIN");
    assert_string_equal(args, "");
    tv_assuan_split(line2, &cmd, &args);
    assert_string_equal(cmd, "SETDESC");
    assert_string_equal(args, "Hello  world");
}

static void utf8_checks(void **state)
{
    assert_true(tv_text_is_printable_utf8("Contraseña — BakQ\n\tok"));
    assert_true(tv_text_is_printable_utf8("\xf0\x9f\x94\x91"));       /* U+1F511 */
    assert_false(tv_text_is_printable_utf8("bell\a"));
    assert_false(tv_text_is_printable_utf8("cr\r"));
    assert_false(tv_text_is_printable_utf8("del\x7f"));
    assert_false(tv_text_is_printable_utf8("\xc3"));                  /* cut */
    assert_false(tv_text_is_printable_utf8("\xc0\xaf"));              /* overlong */
    assert_false(tv_text_is_printable_utf8("\xe0\x80\xaf"));          /* overlong */
    assert_false(tv_text_is_printable_utf8("\xed\xa0\x80"));          /* surrogate */
    assert_false(tv_text_is_printable_utf8("\xf4\x90\x80\x80"));      /* > U+10FFFF */
    assert_false(tv_text_is_printable_utf8("\xff"));
}

typedef struct {
    char lines[8][TV_ASSUAN_LINE_MAX];
    int errs[8];
    int n;
    int stop_at;
} collected;

static int collect(void *ctx, char *line, int err)
{
    collected *c = ctx;

    if (c->n < 8) {
        snprintf(c->lines[c->n], sizeof c->lines[c->n], "%s", line ? line : "(null)");
        c->errs[c->n] = err;
    }
    c->n++;
    return c->n == c->stop_at ? 1 : 0;
}

static void lines_survive_chunk_boundaries(void **state)
{
    tv_line_reader r;
    collected c = { .n = 0 };
    const char *stream = "OPTION a=b\r\nGETPIN\nBY";

    tv_line_reader_init(&r);
    for (size_t i = 0; i < strlen(stream); i++)
        assert_int_equal(tv_line_feed(&r, stream + i, 1, collect, &c), 0);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.lines[0], "OPTION a=b");
    assert_string_equal(c.lines[1], "GETPIN");
    assert_int_equal(tv_line_feed(&r, "E\n", 2, collect, &c), 0);
    assert_string_equal(c.lines[2], "BYE");
}

static void overlong_line_is_reported_once_then_reading_goes_on(void **state)
{
    tv_line_reader r;
    collected c = { .n = 0 };
    char big[2500];

    memset(big, 'A', sizeof big);
    tv_line_reader_init(&r);
    tv_line_feed(&r, big, sizeof big, collect, &c);
    assert_int_equal(c.n, 0);
    tv_line_feed(&r, "\nNOP\n", 5, collect, &c);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.errs[0], TV_ERR_TOO_LARGE);
    assert_string_equal(c.lines[1], "NOP");
}

static void longest_line_fits(void **state)
{
    tv_line_reader r;
    collected c = { .n = 0 };
    char line[TV_ASSUAN_LINE_MAX];

    memset(line, 'B', sizeof line - 1);
    line[sizeof line - 1] = '\n';                     /* 999 bytes + LF = 1000 */
    tv_line_reader_init(&r);
    tv_line_feed(&r, line, sizeof line, collect, &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.errs[0], 0);
    assert_int_equal(strlen(c.lines[0]), TV_ASSUAN_LINE_MAX - 1);
}

static void nul_in_line_is_an_error(void **state)
{
    tv_line_reader r;
    collected c = { .n = 0 };

    tv_line_reader_init(&r);
    tv_line_feed(&r, "GET\0PIN\n", 8, collect, &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.errs[0], TV_ERR_PROTOCOL);
}

static void callback_can_stop_the_feed(void **state)
{
    tv_line_reader r;
    collected c = { .n = 0, .stop_at = 1 };

    tv_line_reader_init(&r);
    assert_int_equal(tv_line_feed(&r, "BYE\nNOP\n", 8, collect, &c), 1);
    assert_int_equal(c.n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unescape_decodes_percent_cr_lf),
        cmocka_unit_test(unescape_rejects_bad_escapes),
        cmocka_unit_test(escape_round_trips_every_byte),
        cmocka_unit_test(escape_writes_exactly_the_reserved_bytes),
        cmocka_unit_test(escape_refuses_to_overflow),
        cmocka_unit_test(split_upper_cases_the_command),
        cmocka_unit_test(utf8_checks),
        cmocka_unit_test(lines_survive_chunk_boundaries),
        cmocka_unit_test(overlong_line_is_reported_once_then_reading_goes_on),
        cmocka_unit_test(longest_line_fits),
        cmocka_unit_test(nul_in_line_is_an_error),
        cmocka_unit_test(callback_can_stop_the_feed),
    };
    return cmocka_run_group_tests_name("assuan", tests, NULL, NULL);
}
