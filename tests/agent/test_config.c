/* Configuration files: the generic parser (common/tv_conf) and the agent's
 * keys, with errors that name the file, the line and the key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "agent_config.h"
#include "tv_conf.h"
#include "tv_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int load_text(tv_config *c, const char *text, char *err, size_t n)
{
    char path[] = "/tmp/tv-config-XXXXXX";
    int fd = mkstemp(path), rc;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    tv_config_defaults(c);
    rc = tv_config_load_file(c, path, err, n);
    if (rc < 0) {
        /* The message names this file. */
        assert_non_null(strstr(err, path));
    }
    unlink(path);
    return rc;
}

static void good_file(void **state)
{
    tv_config c;
    char err[700] = "";

    assert_int_equal(load_text(&c, "# comment\n\nserver = https://127.0.0.1:8443/\nca = /x/ca.pem\n"
                               "user = 12345678z\nsession-lifetime = 30m\nsession-signatures = 50\n"
                               "prompt-program = \"/usr/bin/pinentry-tty\"\nautostart = no\n"
                               "request-timeout = 5\n", err, sizeof err), 0);
    assert_string_equal(c.server, "https://127.0.0.1:8443");
    assert_string_equal(c.user, "12345678Z");
    assert_int_equal(c.session_lifetime, 1800);
    assert_int_equal(c.session_signatures, 50);
    assert_string_equal(c.prompt_program, "/usr/bin/pinentry-tty");
    assert_false(c.autostart);
    assert_int_equal(c.request_timeout, 5);
    assert_true(tv_config_ready(&c, err, sizeof err));
}

static void errors_name_file_line_key(void **state)
{
    struct { const char *text; const char *want; } cases[] = {
        { "server = https://a\nuser = 12345678A\n", ":2: user: " },
        { "session-lifetime = soon\n", ":1: session-lifetime: expected a duration" },
        { "\n\nserver = http://plain\n", ":3: server: the BakQ service URL must start with https://" },
        { "colour = blue\n", ":1: colour: unknown key" },
        { "just words\n", ":1: just words: expected \"key = value\"" },
        { "session-signatures = 0\n", ":1: session-signatures: expected a whole number" },
        { "autostart = maybe\n", ":1: autostart: expected yes or no" },
        { "log-level = loud\n", ":1: log-level: " },
    };
    tv_config c;
    char err[700];

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err[0] = '\0';
        assert_int_equal(load_text(&c, cases[i].text, err, sizeof err), TV_ERR_CONFIG);
        if (strstr(err, cases[i].want) == NULL)
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err, cases[i].want);
    }
}

static void missing_file_is_not_an_error(void **state)
{
    tv_config c;
    char err[100] = "";

    tv_config_defaults(&c);
    assert_int_equal(tv_config_load_file(&c, "/nonexistent/agent.conf", err, sizeof err), 0);
    snprintf(c.source, sizeof c.source, "/home/x/agent.conf");
    assert_false(tv_config_ready(&c, err, sizeof err));
    assert_non_null(strstr(err, "tarjeta setup"));
}

static void durations_and_numbers(void **state)
{
    unsigned v;
    char why[200];

    assert_int_equal(tv_conf_duration("90", 1, 1000, &v, why, sizeof why), 0);
    assert_int_equal(v, 90);
    assert_int_equal(tv_conf_duration("2h", 1, 86400, &v, why, sizeof why), 0);
    assert_int_equal(v, 7200);
    assert_int_equal(tv_conf_duration("1d", 1, 3600, &v, why, sizeof why), TV_ERR_CONFIG);
    assert_int_equal(tv_conf_duration("5x", 1, 3600, &v, why, sizeof why), TV_ERR_CONFIG);
    assert_int_equal(tv_conf_duration("-5", 1, 3600, &v, why, sizeof why), TV_ERR_CONFIG);
    assert_int_equal(tv_conf_duration("99999999999999999999", 1, 3600, &v, why, sizeof why), TV_ERR_CONFIG);
    assert_int_equal(tv_conf_uint("12", 1, 20, &v, why, sizeof why), 0);
    assert_int_equal(tv_conf_uint("12a", 1, 20, &v, why, sizeof why), TV_ERR_CONFIG);
}

static void write_then_read_back(void **state)
{
    tv_config c, back;
    char path[] = "/tmp/tv-config-w-XXXXXX", err[700] = "";
    int fd = mkstemp(path);

    close(fd);
    tv_config_defaults(&c);
    snprintf(c.server, sizeof c.server, "https://127.0.0.1:1234");
    snprintf(c.ca, sizeof c.ca, "/tmp/ca.pem");
    snprintf(c.user, sizeof c.user, "X1234567L");
    snprintf(c.prompt_program, sizeof c.prompt_program, "/bin/prompt");
    c.session_lifetime = 42;
    assert_int_equal(tv_config_write(&c, path, err, sizeof err), 0);
    tv_config_defaults(&back);
    assert_int_equal(tv_config_load_file(&back, path, err, sizeof err), 0);
    assert_string_equal(back.server, c.server);
    assert_string_equal(back.user, c.user);
    assert_string_equal(back.prompt_program, c.prompt_program);
    assert_int_equal(back.session_lifetime, 42);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_file),
        cmocka_unit_test(errors_name_file_line_key),
        cmocka_unit_test(missing_file_is_not_an_error),
        cmocka_unit_test(durations_and_numbers),
        cmocka_unit_test(write_then_read_back),
    };
    return cmocka_run_group_tests_name("agent configuration", tests, NULL, NULL);
}
