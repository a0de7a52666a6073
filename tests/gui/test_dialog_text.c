/* What each dialog says, in Spanish, Basque and English, from the catalogs
 * built into $TV_BUILD/locale (no display needed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dialog_text.h"
#include "i18n.h"
#include "prompt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int no_show(void *ctx, tv_prompt *p, tv_prompt_ask ask, tv_prompt_outcome *o)
{
    return -1;
}

static int no_write(void *ctx, const char *p, size_t n)
{
    return 0;
}

/* A prompt set up by protocol lines, NULL-terminated. */
static tv_prompt *prompt_with(const char *lines[])
{
    tv_prompt_frontend fe = { .show = no_show };
    tv_prompt *p = tv_prompt_new(&fe, no_write, NULL);
    char copy[1024];

    assert_non_null(p);
    for (int i = 0; lines[i] != NULL; i++) {
        snprintf(copy, sizeof copy, "%s", lines[i]);
        assert_int_equal(tv_prompt_handle_line(p, copy, 0), 0);
    }
    return p;
}

static void build(const char *lang, const char *lines[], tv_prompt_ask ask, tv_dialog_text *t)
{
    tv_prompt *p = prompt_with(lines);

    tv_i18n_apply(lang, "");
    tv_dialog_text_build(p, ask, t);
    tv_prompt_free(p);
}

static int setup_catalog(void **state)
{
    const char *build_dir = getenv("TV_BUILD");
    char dir[4096];

    snprintf(dir, sizeof dir, "%s/locale", build_dir ? build_dir : "build");
    unsetenv("LANGUAGE");
    tv_i18n_init(dir);
    return 0;
}

static const char *password[] = { "OPTION tarjeta-dialog=password", "OPTION tarjeta-dni=12345678Z",
                                  NULL };

static void password_in_three_languages(void **state)
{
    tv_dialog_text t;

    build("es_ES.UTF-8", password, TV_ASK_PIN, &t);
    assert_string_equal(t.heading, "Introduzca la contraseña de su BakQ");
    assert_string_equal(t.prompt, "Con_traseña");
    assert_string_equal(t.rows[0].caption, "DNI/NIE");
    assert_string_equal(t.rows[0].value, "12345678Z");
    assert_string_equal(t.ok, "_Aceptar");
    assert_non_null(strstr(t.hint, "SMS"));
    assert_string_equal(t.command, "tarjeta reset-password");
    build("eu_ES.UTF-8", password, TV_ASK_PIN, &t);
    assert_string_equal(t.heading, "Idatzi zure BakQ-ren pasahitza");
    assert_string_equal(t.rows[0].caption, "NAN/AIZ");
    assert_string_equal(t.cancel, "_Utzi");
    build("en_GB.UTF-8", password, TV_ASK_PIN, &t);
    assert_string_equal(t.heading, "Enter your BakQ password");
    assert_string_equal(t.window_title, "Tarjeta virtual — BakQ");
    assert_int_equal(t.entry, TV_ENTRY_SECRET);
    assert_int_equal(t.entry_min, 8);
    assert_int_equal(t.entry_max, 8);
}

static void attempts_left_after_a_failure(void **state)
{
    const char *three[] = { "OPTION tarjeta-dialog=password", "OPTION tarjeta-attempts=3",
                            "SETERROR Wrong password", NULL };
    const char *one[] = { "OPTION tarjeta-dialog=password", "OPTION tarjeta-attempts=1",
                          "SETERROR x", NULL };
    const char *raw[] = { "OPTION tarjeta-dialog=password", "SETERROR Agent says: 2 left", NULL };
    const char *low[] = { "OPTION tarjeta-dialog=sms", "OPTION tarjeta-attempts=2", NULL };
    tv_dialog_text t;

    build("es_ES.UTF-8", three, TV_ASK_PIN, &t);
    assert_string_equal(t.error, "Contraseña incorrecta. Le quedan 3 intentos antes de que su "
                                 "BakQ se bloquee.");
    build("eu_ES.UTF-8", one, TV_ASK_PIN, &t);
    assert_string_equal(t.error, "Pasahitz okerra. Saiakera 1 geratzen zaizu zure BakQ blokeatu "
                                 "aurretik.");
    build("en_US.UTF-8", raw, TV_ASK_PIN, &t);
    assert_string_equal(t.error, "Agent says: 2 left");
    build("en_US.UTF-8", low, TV_ASK_PIN, &t);
    assert_string_equal(t.error, "");
    assert_string_equal(t.warning, "Careful: 2 attempts left before your BakQ is blocked.");
}

static void sms_dialog(void **state)
{
    const char *sms[] = { "OPTION tarjeta-dialog=sms", "OPTION tarjeta-phone=******789",
                          "OPTION tarjeta-code-lifetime=300", "SETNOTOK Resend", NULL };
    const char *no_resend[] = { "OPTION tarjeta-dialog=sms", NULL };
    tv_dialog_text t;
    char left[256];

    build("es_ES.UTF-8", sms, TV_ASK_PIN, &t);
    assert_non_null(strstr(t.description, "******789"));
    assert_string_equal(t.notok, "_Reenviar código");
    assert_int_equal(t.code_lifetime, 300);
    assert_int_equal(t.entry, TV_ENTRY_DIGITS);
    assert_int_equal(t.entry_max, 6);
    tv_dialog_time_left(299, left, sizeof left);
    assert_string_equal(left, "El código caduca en 4:59.");
    tv_dialog_time_left(0, left, sizeof left);
    assert_string_equal(left, "El código ha caducado. Pida uno nuevo.");
    build("en_US.UTF-8", no_resend, TV_ASK_PIN, &t);
    assert_string_equal(t.notok, "");
    assert_non_null(strstr(t.description, "your mobile phone"));
}

static void coordinate_dialog(void **state)
{
    const char *coord[] = { "OPTION tarjeta-dialog=coordinate", "OPTION tarjeta-position=B3", NULL };
    tv_dialog_text t;

    build("es_ES.UTF-8", coord, TV_ASK_PIN, &t);
    assert_string_equal(t.big, "Coordenada B3");
    build("eu_ES.UTF-8", coord, TV_ASK_PIN, &t);
    assert_string_equal(t.big, "B3 koordenatua");
    build("C", coord, TV_ASK_PIN, &t);
    assert_string_equal(t.big, "Coordinate B3");
    assert_int_equal(t.entry, TV_ENTRY_DIGITS);
    assert_int_equal(t.entry_min, 3);
    assert_int_equal(t.entry_max, 3);
}

static void signature_confirmation(void **state)
{
    const char *sign[] = {
        "OPTION tarjeta-dialog=confirm-signature", "OPTION tarjeta-program=evince",
        "OPTION tarjeta-pid=4242", "OPTION tarjeta-credential=CN=ANE GARCIA",
        "OPTION tarjeta-hash=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "OPTION tarjeta-count=3", "OPTION tarjeta-second-factor=coordinates",
        "OPTION tarjeta-position=C4", NULL };
    tv_dialog_text t;

    build("en_US.UTF-8", sign, TV_ASK_PIN, &t);
    assert_int_equal(t.n_rows, 4);
    assert_string_equal(t.rows[0].value, "evince (process 4242)");
    assert_string_equal(t.rows[1].value, "ANE GARCIA\nQualified signature");
    assert_string_equal(t.rows[2].value, "3 documents");
    assert_string_equal(t.rows[3].value, "9F86 D081 884C 7D65 9A2F EAA0 C55A D015\n"
                                         "A3BF 4F1B 2B0B 822C D15D 6C15 B0F0 0A08");
    assert_true(t.rows[3].monospace);
    assert_string_equal(t.big, "Coordinate C4");
    assert_string_equal(t.ok, "_Sign");
    build("es_ES.UTF-8", sign, TV_ASK_PIN, &t);
    assert_string_equal(t.ok, "_Firmar");
    assert_string_equal(t.rows[0].value, "evince (proceso 4242)");
}

static void notices(void **state)
{
    static const struct { const char *notice, *heading; } cases[] = {
        { "blocked", "Your BakQ is blocked" },
        { "expired", "Your BakQ certificates have expired" },
        { "revoked", "Your BakQ has been revoked" },
        { "renewal", "Your BakQ expires in 12 days" },
        { "unreachable", "Cannot reach the BakQ service" },
        { "tls", "The BakQ service could not be verified" },
        { "bak-only", "This account has no certificates" },
        { "error", "Something went wrong" },
    };
    char option[64];
    tv_dialog_text t;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *lines[] = { "OPTION tarjeta-dialog=notice", option, "OPTION tarjeta-days=12",
                                "SETDESC details from the agent", NULL };
        snprintf(option, sizeof option, "OPTION tarjeta-notice=%s", cases[i].notice);
        build("en_US.UTF-8", lines, TV_ASK_MESSAGE, &t);
        assert_string_equal(t.heading, cases[i].heading);
        assert_int_equal(t.entry, TV_ENTRY_NONE);
        assert_string_equal(t.cancel, "");
        assert_string_equal(t.ok, "_Close");
    }
    assert_string_equal(t.description, "details from the agent");   /* "error" shows SETDESC */
}

static void blocked_notice_says_how_to_unblock(void **state)
{
    const char *blocked[] = { "OPTION tarjeta-dialog=notice", "OPTION tarjeta-notice=blocked", NULL };
    tv_dialog_text t;

    build("es_ES.UTF-8", blocked, TV_ASK_MESSAGE, &t);
    assert_string_equal(t.heading, "Su BakQ está bloqueado");
    assert_non_null(strstr(t.description, "SMS"));
    assert_string_equal(t.command, "tarjeta reset-password");
    build("eu_ES.UTF-8", blocked, TV_ASK_MESSAGE, &t);
    assert_string_equal(t.command, "tarjeta reset-password");
}

static void plain_pinentry_request(void **state)
{
    const char *plain[] = { "SETTITLE My title", "SETDESC Enter the PIN", "SETPROMPT PIN:",
                            "SETOK Unlock", "SETCANCEL Nope", "SETNOTOK Other", NULL };
    tv_dialog_text t;

    build("en_US.UTF-8", plain, TV_ASK_PIN, &t);
    assert_int_equal(t.kind, TV_DIALOG_GENERIC);
    assert_string_equal(t.window_title, "My title");
    assert_string_equal(t.description, "Enter the PIN");
    assert_string_equal(t.prompt, "PIN:");
    assert_string_equal(t.ok, "Unlock");
    assert_string_equal(t.cancel, "Nope");
    assert_string_equal(t.notok, "Other");
    build("en_US.UTF-8", plain, TV_ASK_MESSAGE, &t);
    assert_string_equal(t.cancel, "");
    assert_string_equal(t.notok, "");
    assert_int_equal(t.entry, TV_ENTRY_NONE);
}

static void environment_language_is_used_without_an_option(void **state)
{
    tv_dialog_text t;
    tv_prompt *p = prompt_with(password);

    setenv("LANG", "eu_ES.UTF-8", 1);
    unsetenv("LANGUAGE");
    unsetenv("LC_ALL");
    unsetenv("LC_MESSAGES");
    tv_i18n_apply("", "");
    tv_dialog_text_build(p, TV_ASK_PIN, &t);
    assert_string_equal(t.heading, "Idatzi zure BakQ-ren pasahitza");
    setenv("LANG", "C", 1);
    tv_i18n_apply("", "");
    tv_dialog_text_build(p, TV_ASK_PIN, &t);
    assert_string_equal(t.heading, "Enter your BakQ password");
    tv_prompt_free(p);
}

/* The mnemonic letter of a label ('\0' when it has none), lower-cased. */
static char mnemonic(const char *label)
{
    const char *u = strchr(label, '_');

    return u != NULL && u[1] != '\0' ? (char)(u[1] | 0x20) : '\0';
}

/* Alt+letter must pick one widget: entry label and buttons differ, in every
 * dialog and language. */
static void mnemonics_do_not_clash(void **state)
{
    const char *dialogs[][6] = {
        { "OPTION tarjeta-dialog=password", NULL },
        { "OPTION tarjeta-dialog=sms", "SETNOTOK r", NULL },
        { "OPTION tarjeta-dialog=coordinate", NULL },
        { "OPTION tarjeta-dialog=confirm-signature", "OPTION tarjeta-second-factor=sms", "SETNOTOK r",
          NULL },
        { "OPTION tarjeta-dialog=confirm-signature", "OPTION tarjeta-second-factor=coordinates", NULL },
    };
    const char *langs[] = { "es_ES.UTF-8", "eu_ES.UTF-8", "en_US.UTF-8" };
    tv_dialog_text t;

    for (size_t d = 0; d < sizeof dialogs / sizeof dialogs[0]; d++)
        for (size_t l = 0; l < 3; l++) {
            build(langs[l], dialogs[d], TV_ASK_PIN, &t);
            char keys[4] = { mnemonic(t.prompt), mnemonic(t.ok), mnemonic(t.cancel), mnemonic(t.notok) };
            for (int i = 0; i < 4; i++)
                for (int j = i + 1; j < 4; j++)
                    if (keys[i] != '\0' && keys[i] == keys[j])
                        fail_msg("%s in %s: '%c' used twice (%s / %s / %s / %s)", dialogs[d][0],
                                 langs[l], keys[i], t.prompt, t.ok, t.cancel, t.notok);
        }
}

static void helpers(void **state)
{
    char out[64];

    tv_i18n_language_list("eu_ES.UTF-8@euro", out, sizeof out);
    assert_string_equal(out, "eu_ES:eu");
    tv_i18n_language_list("es", out, sizeof out);
    assert_string_equal(out, "es");
    tv_i18n_language_list("C.UTF-8", out, sizeof out);
    assert_string_equal(out, "");
    tv_strip_mnemonic("Con_traseña", out, sizeof out);
    assert_string_equal(out, "Contraseña");
    tv_strip_mnemonic("a__b", out, sizeof out);
    assert_string_equal(out, "a_b");
    tv_format_fingerprint("abcdef", out, sizeof out);
    assert_string_equal(out, "ABCD EF");
    tv_credential_name("/C=ES/serialNumber=IDCES-1/CN=ETXEBERRIA MIREN - 1/O=x", out, sizeof out);
    assert_string_equal(out, "ETXEBERRIA MIREN - 1");
    tv_credential_name("CN=ANE GARCIA, C=ES", out, sizeof out);
    assert_string_equal(out, "ANE GARCIA");
    tv_credential_name("BakQ signature", out, sizeof out);
    assert_string_equal(out, "BakQ signature");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(password_in_three_languages),
        cmocka_unit_test(attempts_left_after_a_failure),
        cmocka_unit_test(sms_dialog),
        cmocka_unit_test(coordinate_dialog),
        cmocka_unit_test(signature_confirmation),
        cmocka_unit_test(notices),
        cmocka_unit_test(blocked_notice_says_how_to_unblock),
        cmocka_unit_test(plain_pinentry_request),
        cmocka_unit_test(environment_language_is_used_without_an_option),
        cmocka_unit_test(mnemonics_do_not_clash),
        cmocka_unit_test(helpers),
    };
    return cmocka_run_group_tests_name("dialog_text", tests, setup_catalog, NULL);
}
