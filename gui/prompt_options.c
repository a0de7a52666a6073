#include "prompt_options.h"

#include "tv_dni.h"

#include <string.h>

typedef bool (*value_check)(const char *value);

static bool one_of(const char *value, const char *const *allowed)
{
    for (; *allowed != NULL; allowed++)
        if (strcmp(value, *allowed) == 0)
            return true;
    return false;
}

static bool is_dialog(const char *v)
{
    static const char *const kinds[] = { "password", "sms", "coordinate", "confirm-signature",
                                         "notice", NULL };
    return one_of(v, kinds);
}

static bool is_notice(const char *v)
{
    static const char *const kinds[] = { "blocked", "expired", "revoked", "renewal",
                                         "unreachable", "tls", "bak-only", "error", NULL };
    return one_of(v, kinds);
}

static bool is_second_factor(const char *v)
{
    static const char *const kinds[] = { "sms", "coordinates", NULL };
    return one_of(v, kinds);
}

static bool all_of(const char *v, const char *set, size_t min, size_t max)
{
    size_t n = strlen(v);

    return n >= min && n <= max && strspn(v, set) == n;
}

static bool is_count(const char *v)
{
    return all_of(v, "0123456789", 1, 9);
}

static bool is_position(const char *v)
{
    return all_of(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 1, 8);
}

static bool is_hex(const char *v)
{
    return all_of(v, "0123456789abcdefABCDEF", 2, 128);
}

static bool is_phone(const char *v)
{
    return all_of(v, "0123456789*+ ", 3, 32);
}

static bool is_dni(const char *v)
{
    return tv_dni_valid(v);
}

static bool is_short_text(const char *v)
{
    return strlen(v) <= 200;
}

static bool is_any_text(const char *v)
{
    return true;
}

static const struct {
    const char *name;
    tv_prompt_field field;
    value_check check;
} options[] = {
    { "lc-ctype", TV_F_LC_CTYPE, is_short_text },
    { "lc-messages", TV_F_LC_MESSAGES, is_short_text },
    { "ttyname", TV_F_TTYNAME, is_short_text },
    { "ttytype", TV_F_TTYTYPE, is_short_text },
    { "display", TV_F_DISPLAY, is_short_text },
    { "tarjeta-dialog", TV_F_DIALOG, is_dialog },
    { "tarjeta-dni", TV_F_DNI, is_dni },
    { "tarjeta-phone", TV_F_PHONE, is_phone },
    { "tarjeta-code-lifetime", TV_F_CODE_LIFETIME, is_count },
    { "tarjeta-position", TV_F_POSITION, is_position },
    { "tarjeta-attempts", TV_F_ATTEMPTS, is_count },
    { "tarjeta-program", TV_F_PROGRAM, is_short_text },
    { "tarjeta-pid", TV_F_PID, is_count },
    { "tarjeta-credential", TV_F_CREDENTIAL, is_any_text },
    { "tarjeta-hash", TV_F_HASH, is_hex },
    { "tarjeta-count", TV_F_COUNT, is_count },
    { "tarjeta-second-factor", TV_F_SECOND_FACTOR, is_second_factor },
    { "tarjeta-notice", TV_F_NOTICE, is_notice },
    { "tarjeta-days", TV_F_DAYS, is_count },
};

/* Standard pinentry options accepted and not used by this helper. */
static bool accepted_unused(const char *name)
{
    static const char *const names[] = { "grab", "no-grab", "allow-external-password-cache",
                                         "touch-file", "owner", "xauthority", "ttyalert",
                                         "invisible-char", "formatted-passphrase",
                                         "formatted-passphrase-hint", NULL };
    return one_of(name, names) || strncmp(name, "default-", 8) == 0 ||
           strncmp(name, "constraints-", 12) == 0;
}

/* "name=value", "name value" or a bare flag; leading "--" allowed. */
static void split_option(char *args, char **name, char **value)
{
    char *p;

    while (args[0] == '-' && args[1] == '-')
        args += 2;
    *name = args;
    p = args + strcspn(args, "= \t");
    if (*p == '\0') {
        *value = p;
        return;
    }
    *p++ = '\0';
    while (*p == ' ' || *p == '\t' || *p == '=')
        p++;
    *value = p;
}

static unsigned long store_option(tv_prompt *p, size_t i, char *value, const char **reply_text)
{
    if (tv_assuan_unescape(value) < 0) {
        *reply_text = "Invalid percent escape";
        return TV_ASSUAN_SYNTAX;
    }
    if (!tv_text_is_printable_utf8(value) || strchr(value, '\n') != NULL ||
        !options[i].check(value)) {
        *reply_text = "Invalid value for this option";
        return TV_ASSUAN_PARAMETER;
    }
    tv_prompt_set_field(p, options[i].field, value);
    return 0;
}

unsigned long tv_prompt_option(tv_prompt *p, char *args, const char **reply_text)
{
    char *name, *value;

    split_option(args, &name, &value);
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        if (strcmp(name, options[i].name) == 0)
            return store_option(p, i, value, reply_text);
    if (name[0] != '\0' && accepted_unused(name))
        return 0;
    *reply_text = "Unknown option";
    return TV_ASSUAN_UNKNOWN_OPTION;
}
