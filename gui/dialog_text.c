#include "dialog_text.h"

#include "i18n.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define SET(field, ...) snprintf(t->field, sizeof t->field, __VA_ARGS__)

/* How a citizen sets a new password (and unblocks the BakQ). */
#define RESET_COMMAND "tarjeta reset-password"

/* Attempts left before the BakQ blocks; a reminder once they run low. */
#define WARN_ATTEMPTS 2

static const char *field(const tv_prompt *p, tv_prompt_field f)
{
    return tv_prompt_get(p, f);
}

tv_dialog_kind tv_dialog_kind_of(const tv_prompt *p)
{
    static const struct {
        const char *name;
        tv_dialog_kind kind;
    } kinds[] = {
        { "password", TV_DIALOG_PASSWORD },       { "sms", TV_DIALOG_SMS },
        { "coordinate", TV_DIALOG_COORDINATE },   { "confirm-signature", TV_DIALOG_CONFIRM_SIGNATURE },
        { "notice", TV_DIALOG_NOTICE },
    };
    const char *name = field(p, TV_F_DIALOG);

    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(name, kinds[i].name) == 0)
            return kinds[i].kind;
    return TV_DIALOG_GENERIC;
}

static void add_row(tv_dialog_text *t, const char *caption, const char *value, int monospace)
{
    tv_text_row *row;

    if (t->n_rows >= TV_TEXT_ROWS || value[0] == '\0')
        return;
    row = &t->rows[t->n_rows++];
    snprintf(row->caption, sizeof row->caption, "%s", caption);
    snprintf(row->value, sizeof row->value, "%s", value);
    row->monospace = monospace;
}

static void add_dni_row(tv_dialog_text *t, const tv_prompt *p)
{
    add_row(t, _("DNI/NIE"), field(p, TV_F_DNI), 0);
}

static void set_entry(tv_dialog_text *t, tv_entry_kind kind, unsigned min, unsigned max)
{
    t->entry = kind;
    t->entry_min = min;
    t->entry_max = max;
}

/* The red line after a failure: our own sentence when we know the attempts
 * left (translated), else the agent's SETERROR text as it is. */
static void set_failure_lines(tv_dialog_text *t, const tv_prompt *p, int password)
{
    long attempts = tv_prompt_get_long(p, TV_F_ATTEMPTS, -1);

    if (tv_prompt_has(p, TV_F_ERROR) && attempts >= 0 && password)
        SET(error, NG_("Wrong password. %ld attempt left before your BakQ is blocked.",
                       "Wrong password. %ld attempts left before your BakQ is blocked.",
                       (unsigned long)attempts), attempts);
    else if (tv_prompt_has(p, TV_F_ERROR) && attempts >= 0)
        SET(error, NG_("Wrong code. %ld attempt left before your BakQ is blocked.",
                       "Wrong code. %ld attempts left before your BakQ is blocked.",
                       (unsigned long)attempts), attempts);
    else if (tv_prompt_has(p, TV_F_ERROR))
        SET(error, "%s", field(p, TV_F_ERROR));
    else if (attempts >= 0 && attempts <= WARN_ATTEMPTS)
        SET(warning, NG_("Careful: %ld attempt left before your BakQ is blocked.",
                         "Careful: %ld attempts left before your BakQ is blocked.",
                         (unsigned long)attempts), attempts);
}

static void build_password(tv_dialog_text *t, const tv_prompt *p)
{
    SET(icon, "dialog-password-symbolic");
    SET(heading, "%s", _("Enter your BakQ password"));
    add_dni_row(t, p);
    SET(description, "%s", _("A program on this computer wants to use your BakQ certificate."));
    SET(prompt, "%s", _("_Password"));
    SET(entry_description, "%s", _("Your BakQ password, 8 characters."));
    SET(hint, "%s", _("Forgot your password? Set a new one with a code sent by SMS: run this in "
                      "a terminal:"));
    SET(command, "%s", RESET_COMMAND);
    SET(placeholder, "%s", _("8 characters"));
    set_failure_lines(t, p, 1);
    set_entry(t, TV_ENTRY_SECRET, 8, 8);
}

static void describe_sms(tv_dialog_text *t, const tv_prompt *p)
{
    t->code_lifetime = (unsigned)tv_prompt_get_long(p, TV_F_CODE_LIFETIME, 0);
    SET(prompt, "%s", _("SMS co_de"));
    SET(entry_description, "%s", _("The 6-digit code received by SMS."));
    SET(placeholder, "%s", _("6 digits"));
    if (tv_prompt_has(p, TV_F_NOTOK))
        SET(notok, "%s", _("_Resend code"));
    set_entry(t, TV_ENTRY_DIGITS, 6, 6);
}

static void build_sms(tv_dialog_text *t, const tv_prompt *p)
{
    SET(icon, "phone-symbolic");
    SET(heading, "%s", _("Enter the code sent by SMS"));
    add_dni_row(t, p);
    if (tv_prompt_has(p, TV_F_PHONE))
        SET(description, _("We sent a 6-digit code by SMS to %s."), field(p, TV_F_PHONE));
    else
        SET(description, "%s", _("We sent a 6-digit code by SMS to your mobile phone."));
    describe_sms(t, p);
    set_failure_lines(t, p, 0);
}

static const char *position(const tv_prompt *p)
{
    return tv_prompt_has(p, TV_F_POSITION) ? field(p, TV_F_POSITION) : "?";
}

static void describe_coordinate(tv_dialog_text *t, const tv_prompt *p)
{
    const char *pos = position(p);

    SET(big, _("Coordinate %s"), pos);
    SET(prompt, "%s", _("_Value"));
    SET(entry_description, _("The 3 digits at position %s of your coordinate card."), pos);
    SET(placeholder, "%s", _("3 digits"));
    set_entry(t, TV_ENTRY_DIGITS, 3, 3);
}

static void build_coordinate(tv_dialog_text *t, const tv_prompt *p)
{
    SET(icon, "view-grid-symbolic");
    SET(heading, "%s", _("Enter a value from your coordinate card"));
    add_dni_row(t, p);
    SET(description, _("Find position %s on your BakQ coordinate card and type the 3 digits "
                       "written there."), position(p));
    describe_coordinate(t, p);
    set_failure_lines(t, p, 0);
}

static void signed_data_rows(tv_dialog_text *t, const tv_prompt *p)
{
    char text[512];
    long count = tv_prompt_get_long(p, TV_F_COUNT, 1);

    if (count > 1) {
        snprintf(text, sizeof text, NG_("%ld document", "%ld documents", (unsigned long)count),
                 count);
        add_row(t, _("Documents"), text, 0);
    }
    tv_format_fingerprint(field(p, TV_F_HASH), text, sizeof text);
    add_row(t, count > 1 ? _("First fingerprint") : _("Fingerprint"), text, 1);
}

/* The common name of a distinguished name ("/C=ES/.../CN=ANE GARCIA" or
 * "CN=ANE GARCIA, C=ES"): what a person recognises.  The text as given
 * when there is no CN. */
void tv_credential_name(const char *subject, char *out, size_t outsz)
{
    const char *cn = NULL;
    size_t n;

    for (const char *s = subject; *s != '\0'; s++)
        if ((s == subject || s[-1] == '/' || s[-1] == ',' || s[-1] == ' ') &&
            strncmp(s, "CN=", 3) == 0)
            cn = s + 3;
    if (cn == NULL || cn[0] == '\0') {
        snprintf(out, outsz, "%s", subject);
        return;
    }
    n = strcspn(cn, subject[0] == '/' ? "/" : ",");
    snprintf(out, outsz, "%.*s", (int)n, cn);
}

static void signature_rows(tv_dialog_text *t, const tv_prompt *p)
{
    char name[512];
    char value[TV_TEXT_MAX];

    if (tv_prompt_has(p, TV_F_PID))
        snprintf(value, sizeof value, _("%s (process %s)"),
                 tv_prompt_has(p, TV_F_PROGRAM) ? field(p, TV_F_PROGRAM) : "?", field(p, TV_F_PID));
    else
        snprintf(value, sizeof value, "%s", field(p, TV_F_PROGRAM));
    add_row(t, _("Program"), value, 0);
    tv_credential_name(field(p, TV_F_CREDENTIAL), name, sizeof name);
    snprintf(value, sizeof value, "%s\n%s", name, _("Qualified signature"));
    if (tv_prompt_has(p, TV_F_CREDENTIAL))
        add_row(t, _("Certificate"), value, 0);
    if (tv_prompt_has(p, TV_F_HASH))
        signed_data_rows(t, p);
}

static void build_confirm_signature(tv_dialog_text *t, const tv_prompt *p, tv_prompt_ask ask)
{
    SET(icon, "document-edit-symbolic");
    SET(heading, "%s", _("Confirm the signature"));
    signature_rows(t, p);
    if (strcmp(field(p, TV_F_SECOND_FACTOR), "coordinates") == 0) {
        SET(description, _("To sign, type the value at position %s of your coordinate card."),
            position(p));
        describe_coordinate(t, p);
    } else if (strcmp(field(p, TV_F_SECOND_FACTOR), "sms") == 0) {
        if (tv_prompt_has(p, TV_F_PHONE))
            SET(description, _("To sign, type the code we sent by SMS to %s."),
                field(p, TV_F_PHONE));
        else
            SET(description, "%s", _("To sign, type the code we sent by SMS to your mobile phone."));
        describe_sms(t, p);
    } else
        SET(description, "%s", _("Check the program and what it signs before you confirm."));
    set_failure_lines(t, p, 0);
    SET(ok, "%s", _("_Sign"));
    if (ask != TV_ASK_PIN)
        t->notok[0] = '\0';
}

/* Notices: heading and body per tarjeta-notice (the last one is the
 * fallback).  A NULL heading is the renewal's plural; a NULL body is the
 * agent's SETDESC. */
static const struct notice_text {
    const char *notice;
    const char *icon;
    tv_tone tone;
    const char *heading;
    const char *description;
} notices[] = {
    { "blocked", "dialog-error-symbolic", TV_TONE_ERROR, N_("Your BakQ is blocked"),
      N_("It was blocked after 5 wrong password attempts. To unblock it, set a new password with a "
         "code we will send you by SMS: run this in a terminal:") },
    { "expired", "dialog-warning-symbolic", TV_TONE_WARNING, N_("Your BakQ certificates have expired"),
      N_("You cannot identify yourself or sign with them any more. Request a new BakQ at a service "
         "point; bring your DNI/NIE.") },
    { "revoked", "dialog-error-symbolic", TV_TONE_ERROR, N_("Your BakQ has been revoked"),
      N_("This BakQ was cancelled and cannot be used any more. To get a new one, go to a service "
         "point with your DNI/NIE.") },
    { "renewal", "dialog-information-symbolic", TV_TONE_WARNING, NULL,
      N_("Renew it from your BakQ management panel before then. If it expires you will have to "
         "request a new BakQ at a service point.") },
    { "unreachable", "network-offline-symbolic", TV_TONE_WARNING, N_("Cannot reach the BakQ service"),
      N_("Check that this computer is connected to the Internet and try again. If it keeps "
         "happening, the service may be down for a while.") },
    { "tls", "dialog-error-symbolic", TV_TONE_ERROR, N_("The BakQ service could not be verified"),
      N_("The server did not prove it is the BakQ service, so the connection was stopped to protect "
         "your password. Check the network you use (a public Wi-Fi, for example) and try later.") },
    { "bak-only", "dialog-information-symbolic", TV_TONE_NORMAL, N_("This account has no certificates"),
      N_("Your account is a Bak, without certificates: it cannot sign or identify you here. Upgrade "
         "it to BakQ at a service point.") },
    { "error", "dialog-error-symbolic", TV_TONE_ERROR, N_("Something went wrong"), NULL },
};

static const struct notice_text *find_notice(const char *notice)
{
    size_t n = sizeof notices / sizeof notices[0];

    for (size_t i = 0; i < n; i++)
        if (strcmp(notice, notices[i].notice) == 0)
            return &notices[i];
    return &notices[n - 1];
}

static void build_notice(tv_dialog_text *t, const tv_prompt *p)
{
    const struct notice_text *n = find_notice(field(p, TV_F_NOTICE));
    long days = tv_prompt_get_long(p, TV_F_DAYS, 0);

    SET(icon, "%s", n->icon);
    t->tone = n->tone;
    if (n->heading != NULL)
        SET(heading, "%s", _(n->heading));
    else
        SET(heading, NG_("Your BakQ expires in %ld day", "Your BakQ expires in %ld days",
                         (unsigned long)days), days);
    if (n->description != NULL)
        SET(description, "%s", _(n->description));
    else
        SET(description, "%s", tv_prompt_has(p, TV_F_DESC) ? field(p, TV_F_DESC)
                               : _("The operation could not be completed."));
    if (strcmp(n->notice, "blocked") == 0)
        SET(command, "%s", RESET_COMMAND);
    add_dni_row(t, p);
    SET(ok, "%s", _("_Close"));
    t->cancel[0] = '\0';
}

static void build_generic(tv_dialog_text *t, const tv_prompt *p, tv_prompt_ask ask)
{
    static const char *const icons[] = { "dialog-password-symbolic", "dialog-question-symbolic",
                                         "dialog-information-symbolic" };

    SET(icon, "%s", icons[ask]);
    if (tv_prompt_has(p, TV_F_TITLE))
        SET(window_title, "%s", field(p, TV_F_TITLE));
    SET(description, "%s", field(p, TV_F_DESC));
    SET(error, "%s", field(p, TV_F_ERROR));
    SET(prompt, "%s", tv_prompt_has(p, TV_F_PROMPT) ? field(p, TV_F_PROMPT) : _("_Password"));
    SET(entry_description, "%s", field(p, TV_F_DESC));
    if (tv_prompt_has(p, TV_F_OK))
        SET(ok, "%s", field(p, TV_F_OK));
    if (tv_prompt_has(p, TV_F_CANCEL))
        SET(cancel, "%s", field(p, TV_F_CANCEL));
    SET(notok, "%s", field(p, TV_F_NOTOK));
    set_entry(t, TV_ENTRY_SECRET, 0, 255);
}

static void build_defaults(tv_dialog_text *t)
{
    memset(t, 0, sizeof *t);
    SET(window_title, "%s", _("Tarjeta virtual — BakQ"));
    SET(ok, "%s", _("_OK"));
    SET(cancel, "%s", _("_Cancel"));
}

void tv_dialog_text_build(const tv_prompt *p, tv_prompt_ask ask, tv_dialog_text *t)
{
    build_defaults(t);
    t->kind = tv_dialog_kind_of(p);
    switch (t->kind) {
    case TV_DIALOG_PASSWORD: build_password(t, p); break;
    case TV_DIALOG_SMS: build_sms(t, p); break;
    case TV_DIALOG_COORDINATE: build_coordinate(t, p); break;
    case TV_DIALOG_CONFIRM_SIGNATURE: build_confirm_signature(t, p, ask); break;
    case TV_DIALOG_NOTICE: build_notice(t, p); break;
    default: build_generic(t, p, ask); break;
    }
    if (ask != TV_ASK_PIN)
        set_entry(t, TV_ENTRY_NONE, 0, 0);
    if (ask == TV_ASK_MESSAGE) {
        t->cancel[0] = '\0';
        t->notok[0] = '\0';
    }
}

void tv_dialog_time_left(unsigned seconds, char *out, size_t outsz)
{
    if (seconds == 0)
        snprintf(out, outsz, "%s", _("The code has expired. Ask for a new one."));
    else
        snprintf(out, outsz, _("The code expires in %u:%02u."), seconds / 60, seconds % 60);
}

void tv_format_fingerprint(const char *hex, char *out, size_t outsz)
{
    size_t o = 0;

    for (size_t i = 0; hex[i] != '\0' && o + 3 < outsz; i++) {
        if (i > 0 && i % 4 == 0)
            out[o++] = i % 32 == 0 ? '\n' : ' ';
        out[o++] = (char)toupper((unsigned char)hex[i]);
    }
    out[o] = '\0';
}

void tv_strip_mnemonic(const char *label, char *out, size_t outsz)
{
    size_t o = 0;

    for (size_t i = 0; label[i] != '\0' && o + 1 < outsz; i++) {
        if (label[i] == '_' && label[i + 1] == '_')
            out[o++] = label[++i];
        else if (label[i] != '_')
            out[o++] = label[i];
    }
    out[o] = '\0';
}
