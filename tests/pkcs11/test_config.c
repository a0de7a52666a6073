/* Module configuration and the password-box rule for Chromium and Chrome:
 * there the token does not announce a protected authentication path, so the
 * password the citizen types in the browser's box reaches the agent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../pkcs11/config.h"
#include "../../pkcs11/login.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/tv-config-test.XXXXXX");
    assert_non_null(mkdtemp(dir));
    setenv("XDG_CONFIG_HOME", dir, 1);
    unsetenv("TARJETA_AUTOSTART");
    unsetenv("TARJETA_AGENT_PROGRAM");
    unsetenv("TARJETA_PROTECTED_AUTH");
    unsetenv("TARJETA_PASSWORD_BOX_PROGRAMS");
    unsetenv("TARJETA_LOGIN_MIN_MS");
    return 0;
}

static int teardown(void **state)
{
    char path[128];

    snprintf(path, sizeof path, "%s/tarjeta-virtual/pkcs11.conf", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/tarjeta-virtual", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/other.conf", dir);
    unlink(path);
    rmdir(dir);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static struct tv_modcfg with_program(enum tv_pauth pauth, const char *program, const char *comm)
{
    struct tv_modcfg cfg;

    tv_modcfg_load(&cfg, NULL);
    cfg.pauth = pauth;
    snprintf(cfg.program, sizeof cfg.program, "%s", program);
    snprintf(cfg.comm, sizeof cfg.comm, "%s", comm);
    return cfg;
}

static void defaults(void **state)
{
    struct tv_modcfg cfg;

    tv_modcfg_load(&cfg, NULL);
    assert_true(cfg.autostart);
    assert_int_equal(cfg.pauth, TV_PAUTH_AUTO);
    assert_int_equal(cfg.login_min_ms, TV_DEFAULT_LOGIN_MIN_MS);
    assert_string_equal(cfg.agent_program, "");
    assert_string_equal(cfg.program, "test_config");   /* this test's own name */
}

static void chromium_gets_no_protected_path(void **state)
{
    struct tv_modcfg cfg;

    cfg = with_program(TV_PAUTH_AUTO, "firefox-esr", "firefox-esr");
    assert_true(tv_modcfg_protected_path(&cfg));
    cfg = with_program(TV_PAUTH_AUTO, "chromium", "chromium");
    assert_false(tv_modcfg_protected_path(&cfg));
    cfg = with_program(TV_PAUTH_AUTO, "chrome", "chrome");
    assert_false(tv_modcfg_protected_path(&cfg));
    /* either name is enough: argv[0] or /proc/self/comm */
    cfg = with_program(TV_PAUTH_AUTO, "chromium-wrapper", "chromium");
    assert_false(tv_modcfg_protected_path(&cfg));
    cfg = with_program(TV_PAUTH_AUTO, "pkcs11-tool", "pkcs11-tool");
    assert_true(tv_modcfg_protected_path(&cfg));
    /* a prefix is not a match */
    cfg = with_program(TV_PAUTH_AUTO, "chromiumx", "chromiumx");
    assert_true(tv_modcfg_protected_path(&cfg));
}

static void rule_can_be_forced(void **state)
{
    struct tv_modcfg cfg;

    cfg = with_program(TV_PAUTH_YES, "chromium", "chromium");
    assert_true(tv_modcfg_protected_path(&cfg));
    cfg = with_program(TV_PAUTH_NO, "firefox-esr", "firefox-esr");
    assert_false(tv_modcfg_protected_path(&cfg));
    cfg = with_program(TV_PAUTH_AUTO, "brave", "brave");
    assert_true(tv_modcfg_set(&cfg, "password-box-programs", "brave, chromium"));
    assert_false(tv_modcfg_protected_path(&cfg));
}

static void environment_sets_the_rule(void **state)
{
    struct tv_modcfg cfg;

    setenv("TARJETA_PROTECTED_AUTH", "no", 1);
    tv_modcfg_load(&cfg, NULL);
    assert_int_equal(cfg.pauth, TV_PAUTH_NO);
    assert_false(tv_modcfg_protected_path(&cfg));
    setenv("TARJETA_PROTECTED_AUTH", "auto", 1);
    setenv("TARJETA_PASSWORD_BOX_PROGRAMS", "test_config", 1);
    tv_modcfg_load(&cfg, NULL);
    assert_false(tv_modcfg_protected_path(&cfg));
    setenv("TARJETA_PROTECTED_AUTH", "sometimes", 1);   /* ignored */
    unsetenv("TARJETA_PASSWORD_BOX_PROGRAMS");
    tv_modcfg_load(&cfg, NULL);
    assert_int_equal(cfg.pauth, TV_PAUTH_AUTO);
    unsetenv("TARJETA_PROTECTED_AUTH");
}

static void file_then_parameters_then_environment(void **state)
{
    char path[256], other[128];
    struct tv_modcfg cfg;

    snprintf(path, sizeof path, "%s/tarjeta-virtual", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/tarjeta-virtual/pkcs11.conf", dir);
    write_file(path, "# comment\nautostart = no\nlogin-minimum-ms = 80\n"
                     "agent-program = /opt/tv/tarjeta-agent\nfuture-key = 1\n"
                     "protected-authentication-path = perhaps\nautostart = yes\n");
    tv_modcfg_load(&cfg, NULL);
    assert_false(cfg.autostart);                 /* the file stops at the bad value */
    assert_int_equal(cfg.pauth, TV_PAUTH_AUTO);
    assert_int_equal(cfg.login_min_ms, 80);
    assert_string_equal(cfg.agent_program, "/opt/tv/tarjeta-agent");
    /* NSS module parameters: key=value words override the file */
    tv_modcfg_load(&cfg, "autostart=yes protected-authentication-path=no");
    assert_true(cfg.autostart);
    assert_int_equal(cfg.pauth, TV_PAUTH_NO);
    /* config=PATH names another file instead of the user's */
    snprintf(other, sizeof other, "%s/other.conf", dir);
    write_file(other, "login-minimum-ms = 7\n");
    snprintf(path, sizeof path, "config=%s", other);
    tv_modcfg_load(&cfg, path);
    assert_int_equal(cfg.login_min_ms, 7);
    assert_true(cfg.autostart);
    setenv("TARJETA_LOGIN_MIN_MS", "0", 1);
    setenv("TARJETA_AUTOSTART", "0", 1);
    tv_modcfg_load(&cfg, path);
    assert_int_equal(cfg.login_min_ms, 0);
    assert_false(cfg.autostart);
    unsetenv("TARJETA_LOGIN_MIN_MS");
    unsetenv("TARJETA_AUTOSTART");
    unlink(other);
    snprintf(path, sizeof path, "%s/tarjeta-virtual/pkcs11.conf", dir);
    unlink(path);
}

static void bad_values_are_refused(void **state)
{
    struct tv_modcfg cfg;

    tv_modcfg_load(&cfg, NULL);
    assert_false(tv_modcfg_set(&cfg, "autostart", "maybe"));
    assert_false(tv_modcfg_set(&cfg, "login-minimum-ms", "-1"));
    assert_false(tv_modcfg_set(&cfg, "login-minimum-ms", "99999"));
    assert_false(tv_modcfg_set(&cfg, "login-minimum-ms", "5x"));
    assert_false(tv_modcfg_set(&cfg, "unknown", "1"));
    assert_true(cfg.autostart);
    assert_int_equal(cfg.login_min_ms, TV_DEFAULT_LOGIN_MIN_MS);
}

static void pins_that_can_be_a_password(void **state)
{
    assert_true(tv_pin_plausible((const CK_UTF8CHAR *)"abcd1234", 8));
    assert_true(tv_pin_plausible((const CK_UTF8CHAR *)"a\xc3\xb1" "cd1234", 9));  /* ñ: 8 chars */
    assert_false(tv_pin_plausible((const CK_UTF8CHAR *)"abcd123", 7));
    assert_false(tv_pin_plausible((const CK_UTF8CHAR *)"abcd12345", 9));
    assert_false(tv_pin_plausible((const CK_UTF8CHAR *)"abcd\0" "234", 8));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(chromium_gets_no_protected_path),
        cmocka_unit_test(rule_can_be_forced),
        cmocka_unit_test(environment_sets_the_rule),
        cmocka_unit_test(file_then_parameters_then_environment),
        cmocka_unit_test(bad_values_are_refused),
        cmocka_unit_test(pins_that_can_be_a_password),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
