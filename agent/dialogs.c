/* The texts of every dialog.  Each SETDESC is complete on its own, so a plain
 * pinentry shows a person everything; the tarjeta-* options let
 * tarjeta-prompt build a richer window. */
#include "agent.h"

#include "pinentry.h"
#include "tv_err.h"
#include "tv_log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Default prompt: tarjeta-prompt installed beside the agent, else pinentry. */
static void default_prompt(char *out, size_t n)
{
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
    char *slash;

    if (len > 0) {
        self[len] = '\0';
        if ((slash = strrchr(self, '/')) != NULL) {
            *slash = '\0';
            snprintf(out, n, "%s/tarjeta-prompt", self);
            if (access(out, X_OK) == 0)
                return;
        }
    }
    snprintf(out, n, "pinentry");
}

static int run(tv_agent *a, const tv_dialog *d, tv_secret **value)
{
    char program[PATH_MAX];

    pthread_mutex_lock(&a->lock);
    snprintf(program, sizeof program, "%s", a->cfg.prompt_program);
    pthread_mutex_unlock(&a->lock);
    if (program[0] == '\0')
        default_prompt(program, sizeof program);
    __atomic_add_fetch(&a->prompts, 1, __ATOMIC_RELAXED);
    return tv_pinentry_run(program, d, value);
}

int tv_dialog_failed(tv_outcome *o, int rc, const char *what)
{
    if (rc == TV_ERR_NO_DISPLAY)
        return tv_outcome_set(o, rc, "%s: no display to show the dialog on. Import the desktop's "
                              "DISPLAY into the agent (systemctl --user import-environment DISPLAY "
                              "XAUTHORITY WAYLAND_DISPLAY) or log in with `tarjeta login --terminal`",
                              what);
    if (rc == TV_ERR_PROMPT)
        return tv_outcome_set(o, rc, "%s: the dialog could not be shown; check the prompt-program "
                              "key of the configuration", what);
    return tv_outcome_set(o, TV_ERR_CANCELLED, "%s cancelled", what);
}

static unsigned dialog_timeout(tv_agent *a)
{
    unsigned t;

    pthread_mutex_lock(&a->lock);
    t = a->cfg.prompt_timeout;
    pthread_mutex_unlock(&a->lock);
    return t;
}

static void current_dni(tv_agent *a, char dni[TV_DNI_LEN + 1])
{
    pthread_mutex_lock(&a->lock);
    snprintf(dni, TV_DNI_LEN + 1, "%s", a->cfg.user);
    pthread_mutex_unlock(&a->lock);
}

int tv_dialog_password(tv_agent *a, const char *error, int attempts, tv_secret **pw)
{
    tv_dialog d;
    char desc[512], dni[TV_DNI_LEN + 1];

    current_dni(a, dni);
    tv_dialog_init(&d, TV_DIALOG_GETPIN, "password", dialog_timeout(a));
    tv_dialog_option(&d, "tarjeta-dni", "%s", dni);
    if (attempts >= 0)
        tv_dialog_option(&d, "tarjeta-attempts", "%d", attempts);
    snprintf(desc, sizeof desc, "BakQ login for DNI/NIE %s.\nEnter your BakQ password "
             "(8 characters).", dni);
    d.title = "BakQ login";
    d.desc = desc;
    d.prompt = "Password:";
    d.error = error;
    d.ok = "Continue";
    return run(a, &d, pw);
}

static void second_factor_text(const tv_cred *cr, const char *position, char *desc, size_t n,
                               const char *lead)
{
    if (position[0] != '\0')
        snprintf(desc, n, "%sEnter the 3-digit value at position %s of your BakQ coordinate card.",
                 lead, position);
    else
        snprintf(desc, n, "%sEnter the code sent by SMS to %s (valid for 5 minutes).", lead,
                 cr->phone_hint[0] ? cr->phone_hint : "your mobile");
}

static void second_factor_options(tv_dialog *d, const tv_cred *cr, const char *position)
{
    if (position[0] != '\0') {
        tv_dialog_option(d, "tarjeta-position", "%s", position);
    } else {
        tv_dialog_option(d, "tarjeta-phone", "%s", cr->phone_hint);
        tv_dialog_option(d, "tarjeta-code-lifetime", "300");
        d->notok = "Resend code";
    }
}

int tv_dialog_second_factor(tv_agent *a, const tv_cred *cr, const char *position, const char *error,
                            int attempts, tv_secret **otp)
{
    tv_dialog d;
    char desc[512], prompt[64], dni[TV_DNI_LEN + 1];

    current_dni(a, dni);
    tv_dialog_init(&d, TV_DIALOG_GETPIN, position[0] ? "coordinate" : "sms", dialog_timeout(a));
    tv_dialog_option(&d, "tarjeta-dni", "%s", dni);
    if (attempts >= 0)
        tv_dialog_option(&d, "tarjeta-attempts", "%d", attempts);
    second_factor_options(&d, cr, position);
    second_factor_text(cr, position, desc, sizeof desc, "BakQ login, second step.\n");
    if (position[0] != '\0')
        snprintf(prompt, sizeof prompt, "Value at %s:", position);
    else
        snprintf(prompt, sizeof prompt, "SMS code:");
    d.title = "BakQ login";
    d.desc = desc;
    d.prompt = prompt;
    d.error = error;
    d.ok = "Log in";
    return run(a, &d, otp);
}

int tv_dialog_confirm_signature(tv_agent *a, const tv_client *cl, const tv_cred *cr, const char *position,
                                const uint8_t *hash, size_t hash_len, const char *error, tv_secret **otp)
{
    tv_dialog d;
    char hex[2 * 64 + 1], lead[1024], desc[1400];

    for (size_t i = 0; i < hash_len && i < 64; i++)
        snprintf(hex + 2 * i, 3, "%02x", hash[i]);
    hex[2 * (hash_len < 64 ? hash_len : 64)] = '\0';
    tv_dialog_init(&d, TV_DIALOG_GETPIN, "confirm-signature", dialog_timeout(a));
    tv_dialog_option(&d, "tarjeta-program", "%s", cl->program);
    tv_dialog_option(&d, "tarjeta-pid", "%d", (int)cl->pid);
    tv_dialog_option(&d, "tarjeta-credential", "%s", cr->subject);
    tv_dialog_option(&d, "tarjeta-hash", "%s", hex);
    tv_dialog_option(&d, "tarjeta-count", "1");
    tv_dialog_option(&d, "tarjeta-second-factor", "%s", position[0] ? "coordinates" : "sms");
    second_factor_options(&d, cr, position);
    snprintf(lead, sizeof lead, "The program \"%s\" (process %d) asks for a qualified electronic "
             "signature with your BakQ signature certificate\n%s.\nFingerprint of what is signed: "
             "%.16s...\nTo sign, ", cl->program, (int)cl->pid, cr->subject, hex);
    second_factor_text(cr, position, desc, sizeof desc, lead);
    d.title = "Sign with BakQ";
    d.desc = desc;
    d.prompt = position[0] ? "Value:" : "SMS code:";
    d.error = error;
    d.ok = "Sign";
    return run(a, &d, otp);
}

void tv_dialog_notice(tv_agent *a, const char *kind, const char *title, const char *text, int days)
{
    tv_dialog d;

    tv_dialog_init(&d, TV_DIALOG_MESSAGE, "notice", dialog_timeout(a));
    tv_dialog_option(&d, "tarjeta-notice", "%s", kind);
    if (days >= 0)
        tv_dialog_option(&d, "tarjeta-days", "%d", days);
    d.title = title;
    d.desc = text;
    d.ok = "OK";
    if (run(a, &d, NULL) == TV_ERR_PROMPT)
        tv_warn("could not show the notice: %s", text);
}
