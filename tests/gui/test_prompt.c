/* The protocol core through its line handler, with a scripted front end
 * and the replies captured in memory: every command, escaping, outcomes,
 * timeouts, malformed input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "assuan.h"
#include "prompt.h"
#include "tv_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct fixture {
    tv_prompt *p;
    char out[16384];
    size_t out_len;
    int fail_writes;
    /* scripted front end */
    int show_calls;
    tv_prompt_ask last_ask;
    unsigned last_timeout;
    char seen_error[TV_ASSUAN_LINE_MAX];
    int show_rc;
    tv_prompt_outcome outcome;
    const char *secret;
    size_t secret_len;
    const char *failure;
} fixture;

static int capture(void *ctx, const char *p, size_t n)
{
    fixture *f = ctx;

    if (f->fail_writes)
        return TV_ERR_IO;
    assert_true(f->out_len + n < sizeof f->out);
    memcpy(f->out + f->out_len, p, n);
    f->out_len += n;
    f->out[f->out_len] = '\0';
    return 0;
}

static int scripted_show(void *ctx, tv_prompt *p, tv_prompt_ask ask, tv_prompt_outcome *outcome)
{
    fixture *f = ctx;

    f->show_calls++;
    f->last_ask = ask;
    f->last_timeout = tv_prompt_timeout(p);
    snprintf(f->seen_error, sizeof f->seen_error, "%s", tv_prompt_get(p, TV_F_ERROR));
    if (f->show_rc < 0) {
        tv_prompt_set_failure(p, f->failure ? f->failure : "no display here");
        return f->show_rc;
    }
    *outcome = f->outcome;
    if (ask == TV_ASK_PIN && f->outcome == TV_OUTCOME_OK && f->secret != NULL)
        return tv_prompt_send_secret(p, f->secret, f->secret_len);
    return 0;
}

static const char *flavor(void *ctx)
{
    return "scripted";
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    tv_prompt_frontend fe = { .show = scripted_show, .flavor = flavor };

    fe.ctx = f;
    f->p = tv_prompt_new(&fe, capture, f);
    assert_non_null(f->p);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    tv_prompt_free(f->p);
    free(f);
    return 0;
}

/* Sends one line; returns the handler's result. */
static int send(fixture *f, const char *line)
{
    char copy[4096];

    f->out_len = 0;
    f->out[0] = '\0';
    snprintf(copy, sizeof copy, "%s", line);
    return tv_prompt_handle_line(f->p, copy, 0);
}

static void expect(fixture *f, const char *line, const char *reply)
{
    assert_int_equal(send(f, line), 0);
    assert_string_equal(f->out, reply);
}

static void greeting_is_ok(void **state)
{
    fixture *f = *state;

    assert_int_equal(tv_prompt_greet(f->p), 0);
    assert_true(strncmp(f->out, "OK Pleased to meet you", 22) == 0);
    assert_non_null(strchr(f->out, '\n'));
}

static void setters_store_unescaped_text(void **state)
{
    fixture *f = *state;
    static const struct { const char *cmd; tv_prompt_field field; } setters[] = {
        { "SETTITLE", TV_F_TITLE }, { "SETDESC", TV_F_DESC }, { "SETPROMPT", TV_F_PROMPT },
        { "SETERROR", TV_F_ERROR }, { "SETOK", TV_F_OK }, { "SETCANCEL", TV_F_CANCEL },
        { "SETNOTOK", TV_F_NOTOK },
    };
    char line[128];

    for (size_t i = 0; i < sizeof setters / sizeof setters[0]; i++) {
        snprintf(line, sizeof line, "%s Línea 1%%0Aline 2 100%%25", setters[i].cmd);
        expect(f, line, "OK\n");
        assert_string_equal(tv_prompt_get(f->p, setters[i].field), "Línea 1\nline 2 100%");
    }
    expect(f, "setdesc lower case command", "OK\n");
    assert_string_equal(tv_prompt_get(f->p, TV_F_DESC), "lower case command");
}

static void setters_reject_bad_text(void **state)
{
    fixture *f = *state;

    expect(f, "SETDESC bad %zz escape", "ERR 83886356 Invalid percent escape <Pinentry>\n");
    expect(f, "SETDESC bell %07", "ERR 83886360 Text must be UTF-8 without control characters <Pinentry>\n");
    expect(f, "SETDESC \xff\xfe", "ERR 83886360 Text must be UTF-8 without control characters <Pinentry>\n");
    assert_string_equal(tv_prompt_get(f->p, TV_F_DESC), "");
}

static void tarjeta_options_are_checked(void **state)
{
    fixture *f = *state;

    expect(f, "OPTION tarjeta-dialog=password", "OK\n");
    expect(f, "OPTION tarjeta-dni=12345678Z", "OK\n");
    expect(f, "OPTION --tarjeta-phone=******789", "OK\n");
    expect(f, "OPTION tarjeta-position B3", "OK\n");
    expect(f, "OPTION tarjeta-attempts=3", "OK\n");
    expect(f, "OPTION tarjeta-credential=CN%3DGARC%C3%8DA", "OK\n");
    expect(f, "OPTION tarjeta-hash=9F86d081", "OK\n");
    expect(f, "OPTION tarjeta-notice=renewal", "OK\n");
    expect(f, "OPTION tarjeta-days=12", "OK\n");
    expect(f, "OPTION tarjeta-second-factor=coordinates", "OK\n");
    assert_string_equal(tv_prompt_get(f->p, TV_F_DIALOG), "password");
    assert_string_equal(tv_prompt_get(f->p, TV_F_PHONE), "******789");
    assert_string_equal(tv_prompt_get(f->p, TV_F_POSITION), "B3");
    assert_string_equal(tv_prompt_get(f->p, TV_F_CREDENTIAL), "CN=GARCÍA");
    assert_int_equal(tv_prompt_get_long(f->p, TV_F_ATTEMPTS, -1), 3);
    assert_int_equal(tv_prompt_get_long(f->p, TV_F_COUNT, 7), 7);
}

static void bad_option_values_are_refused(void **state)
{
    fixture *f = *state;
    const char *bad[] = {
        "OPTION tarjeta-dialog=shell", "OPTION tarjeta-dni=12345678A",
        "OPTION tarjeta-attempts=-1", "OPTION tarjeta-attempts=3x",
        "OPTION tarjeta-count=1234567890", "OPTION tarjeta-hash=xyz",
        "OPTION tarjeta-phone=call me", "OPTION tarjeta-position=B%0A3",
        "OPTION tarjeta-notice=maybe", "OPTION tarjeta-second-factor=email",
        "OPTION tarjeta-days=", "OPTION tarjeta-position=%zz",
    };

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(send(f, bad[i]), 0);
        assert_true(strncmp(f->out, "ERR 8388", 8) == 0);
    }
    assert_false(tv_prompt_has(f->p, TV_F_DIALOG));
    assert_false(tv_prompt_has(f->p, TV_F_DNI));
}

static void standard_options(void **state)
{
    fixture *f = *state;

    expect(f, "OPTION lc-messages=eu_ES.UTF-8", "OK\n");
    expect(f, "OPTION lc-ctype=es_ES.UTF-8", "OK\n");
    expect(f, "OPTION ttyname=/dev/pts/3", "OK\n");
    expect(f, "OPTION display=:0", "OK\n");
    expect(f, "OPTION no-grab", "OK\n");
    expect(f, "OPTION default-ok=_OK", "OK\n");
    expect(f, "OPTION allow-external-password-cache", "OK\n");
    expect(f, "OPTION bogus=1", "ERR 83886254 Unknown option <Pinentry>\n");
    expect(f, "OPTION tarjeta-bogus=1", "ERR 83886254 Unknown option <Pinentry>\n");
    expect(f, "OPTION", "ERR 83886254 Unknown option <Pinentry>\n");
    assert_string_equal(tv_prompt_get(f->p, TV_F_LC_MESSAGES), "eu_ES.UTF-8");
}

static void getpin_sends_the_secret_escaped(void **state)
{
    fixture *f = *state;

    f->outcome = TV_OUTCOME_OK;
    f->secret = "a%b\nc\r8";
    f->secret_len = 7;
    expect(f, "GETPIN", "D a%25b%0Ac%0D8\nOK\n");
    assert_int_equal(f->last_ask, TV_ASK_PIN);
}

static void getpin_empty_secret_sends_no_data(void **state)
{
    fixture *f = *state;

    f->outcome = TV_OUTCOME_OK;
    f->secret = "";
    f->secret_len = 0;
    expect(f, "GETPIN", "OK\n");
}

static void long_secret_is_split_into_data_lines(void **state)
{
    fixture *f = *state;
    char secret[800];
    char joined[4000] = "";
    char *line, *save = NULL;

    memset(secret, '%', sizeof secret);                /* 2400 escaped bytes */
    f->outcome = TV_OUTCOME_OK;
    f->secret = secret;
    f->secret_len = sizeof secret;
    assert_int_equal(send(f, "GETPIN"), 0);
    for (line = strtok_r(f->out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        assert_true(strlen(line) + 1 <= TV_ASSUAN_LINE_MAX);
        if (strcmp(line, "OK") == 0)
            break;
        assert_true(strncmp(line, "D ", 2) == 0);
        strcat(joined, line + 2);
    }
    assert_int_equal(tv_assuan_unescape(joined), 0);
    assert_int_equal(strlen(joined), sizeof secret);
}

static void outcomes_map_to_pinentry_errors(void **state)
{
    fixture *f = *state;

    f->outcome = TV_OUTCOME_CANCELLED;
    expect(f, "GETPIN", "ERR 83886179 Operation cancelled <Pinentry>\n");
    f->outcome = TV_OUTCOME_NOTOK;
    expect(f, "GETPIN", "ERR 83886194 Not confirmed <Pinentry>\n");
    f->outcome = TV_OUTCOME_TIMEOUT;
    expect(f, "GETPIN", "ERR 83886142 Timeout <Pinentry>\n");
    f->outcome = TV_OUTCOME_NOTOK;
    expect(f, "CONFIRM", "ERR 83886194 Not confirmed <Pinentry>\n");
    f->outcome = TV_OUTCOME_OK;
    expect(f, "CONFIRM", "OK\n");
    assert_int_equal(f->last_ask, TV_ASK_CONFIRM);
}

static void message_and_one_button_confirm(void **state)
{
    fixture *f = *state;

    f->outcome = TV_OUTCOME_OK;
    expect(f, "MESSAGE", "OK\n");
    assert_int_equal(f->last_ask, TV_ASK_MESSAGE);
    f->last_ask = TV_ASK_PIN;
    expect(f, "CONFIRM --one-button", "OK\n");
    assert_int_equal(f->last_ask, TV_ASK_MESSAGE);
    expect(f, "CONFIRM --two", "ERR 83886360 CONFIRM takes no argument but --one-button <Pinentry>\n");
    f->outcome = TV_OUTCOME_CANCELLED;
    expect(f, "MESSAGE", "ERR 83886179 Operation cancelled <Pinentry>\n");
}

static void frontend_failure_is_a_clear_error(void **state)
{
    fixture *f = *state;

    f->show_rc = TV_ERR_PROMPT;
    expect(f, "GETPIN", "ERR 83886166 no display here <Pinentry>\n");
}

static void error_line_is_shown_once(void **state)
{
    fixture *f = *state;

    f->outcome = TV_OUTCOME_CANCELLED;
    expect(f, "SETERROR Wrong password: 3 attempts left", "OK\n");
    send(f, "GETPIN");
    assert_string_equal(f->seen_error, "Wrong password: 3 attempts left");
    send(f, "GETPIN");
    assert_string_equal(f->seen_error, "");
}

static void settimeout_reaches_the_frontend(void **state)
{
    fixture *f = *state;

    expect(f, "SETTIMEOUT 30", "OK\n");
    f->outcome = TV_OUTCOME_TIMEOUT;
    send(f, "GETPIN");
    assert_int_equal(f->last_timeout, 30);
    expect(f, "SETTIMEOUT 99999999", "OK\n");
    assert_int_equal(tv_prompt_timeout(f->p), 86400);
    expect(f, "SETTIMEOUT soon", "ERR 83886360 SETTIMEOUT needs a number of seconds <Pinentry>\n");
    expect(f, "SETTIMEOUT 5s", "ERR 83886360 SETTIMEOUT needs a number of seconds <Pinentry>\n");
    expect(f, "SETTIMEOUT 0", "OK\n");
    assert_int_equal(tv_prompt_timeout(f->p), 0);
}

static void getinfo(void **state)
{
    fixture *f = *state;
    char pid[64];

    expect(f, "GETINFO version", "D " TV_VERSION "\nOK\n");
    expect(f, "GETINFO flavor", "D scripted\nOK\n");
    snprintf(pid, sizeof pid, "D %ld\nOK\n", (long)getpid());
    expect(f, "GETINFO pid", pid);
    expect(f, "GETINFO ttyinfo", "D - - -\nOK\n");
    expect(f, "OPTION ttyname=/dev/pts/9", "OK\n");
    expect(f, "GETINFO ttyinfo", "D /dev/pts/9 - -\nOK\n");
    expect(f, "GETINFO secrets", "ERR 83886360 GETINFO knows version, pid, flavor and ttyinfo <Pinentry>\n");
}

static void reset_clears_texts_but_keeps_options(void **state)
{
    fixture *f = *state;

    send(f, "SETTITLE t");
    send(f, "SETTIMEOUT 9");
    send(f, "OPTION tarjeta-dialog=sms");
    expect(f, "RESET", "OK\n");
    assert_string_equal(tv_prompt_get(f->p, TV_F_TITLE), "");
    assert_int_equal(tv_prompt_timeout(f->p), 0);
    assert_string_equal(tv_prompt_get(f->p, TV_F_DIALOG), "sms");
}

static void harmless_commands(void **state)
{
    fixture *f = *state;

    expect(f, "NOP", "OK\n");
    expect(f, "SETKEYINFO n/ABC", "OK\n");
    expect(f, "SETQUALITYBAR", "OK\n");
    expect(f, "# a comment", "");
    assert_int_equal(f->show_calls, 0);
}

static void bye_ends_the_session(void **state)
{
    fixture *f = *state;

    assert_int_equal(send(f, "BYE"), 1);
    assert_string_equal(f->out, "OK closing connection\n");
}

static void malformed_input_gets_an_error_reply(void **state)
{
    fixture *f = *state;

    expect(f, "FROBNICATE now", "ERR 83886355 Unknown IPC command <Pinentry>\n");
    expect(f, "", "ERR 83886356 Empty line <Pinentry>\n");
    expect(f, "   ", "ERR 83886356 Empty line <Pinentry>\n");
    f->out_len = 0;
    assert_int_equal(tv_prompt_handle_line(f->p, NULL, TV_ERR_TOO_LARGE), 0);
    assert_string_equal(f->out, "ERR 83886343 Line too long <Pinentry>\n");
    f->out_len = 0;
    assert_int_equal(tv_prompt_handle_line(f->p, NULL, TV_ERR_PROTOCOL), 0);
    assert_string_equal(f->out, "ERR 83886356 Invalid line (NUL byte) <Pinentry>\n");
    assert_int_equal(f->show_calls, 0);
}

static void err_text_cannot_break_the_line(void **state)
{
    fixture *f = *state;

    f->show_rc = TV_ERR_PROMPT;
    f->failure = "two\nlines\r100%";     /* front-end text: escaped, one line */
    expect(f, "GETPIN", "ERR 83886166 two%0Alines%0D100%25 <Pinentry>\n");
}

static void write_failure_stops_the_loop(void **state)
{
    fixture *f = *state;

    f->fail_writes = 1;
    assert_true(send(f, "NOP") < 0);
    f->outcome = TV_OUTCOME_OK;
    f->secret = "12345678";
    f->secret_len = 8;
    assert_true(send(f, "GETPIN") < 0);
}

static void over_the_line_reader(void **state)
{
    fixture *f = *state;
    tv_line_reader r;
    char big[1500];

    memset(big, 'x', sizeof big);
    tv_line_reader_init(&r);
    f->out_len = 0;
    tv_line_feed(&r, big, sizeof big, tv_prompt_handle_line, f->p);
    assert_int_equal(tv_line_feed(&r, "\nNOP\nBYE\nNOP\n", 13, tv_prompt_handle_line, f->p), 1);
    assert_string_equal(f->out, "ERR 83886343 Line too long <Pinentry>\nOK\nOK closing connection\n");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(greeting_is_ok), T(setters_store_unescaped_text), T(setters_reject_bad_text),
        T(tarjeta_options_are_checked), T(bad_option_values_are_refused), T(standard_options),
        T(getpin_sends_the_secret_escaped), T(getpin_empty_secret_sends_no_data),
        T(long_secret_is_split_into_data_lines), T(outcomes_map_to_pinentry_errors),
        T(message_and_one_button_confirm), T(frontend_failure_is_a_clear_error),
        T(error_line_is_shown_once), T(settimeout_reaches_the_frontend), T(getinfo),
        T(reset_clears_texts_but_keeps_options), T(harmless_commands), T(bye_ends_the_session),
        T(malformed_input_gets_an_error_reply), T(err_text_cannot_break_the_line),
        T(write_failure_stops_the_loop), T(over_the_line_reader),
    };
    return cmocka_run_group_tests_name("prompt", tests, NULL, NULL);
}
