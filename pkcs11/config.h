/* Module configuration, read at C_Initialize.  Later sources win:
 *   1. built-in defaults
 *   2. /etc/tarjeta-virtual/pkcs11.conf
 *   3. $XDG_CONFIG_HOME/tarjeta-virtual/pkcs11.conf (~/.config/... when unset),
 *      or the file named by `config=PATH` in the initialisation parameters
 *   4. `key=value` words in the initialisation parameters (NSS passes the
 *      module's "parameters" string through CK_C_INITIALIZE_ARGS.pReserved)
 *   5. environment variables (TARJETA_AUTOSTART, TARJETA_AGENT_PROGRAM,
 *      TARJETA_PROTECTED_AUTH, TARJETA_PASSWORD_BOX_PROGRAMS,
 *      TARJETA_LOGIN_MIN_MS)
 * File syntax (common/tv_conf.h): `key = value` lines, `#` comment lines.
 * Keys: autostart, agent-program, protected-authentication-path,
 * password-box-programs, login-minimum-ms; unknown keys are ignored. */
#ifndef TV_MODCFG_H
#define TV_MODCFG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

enum tv_pauth {
    TV_PAUTH_AUTO = 0,   /* protected path, except in password-box programs */
    TV_PAUTH_YES,        /* always CKF_PROTECTED_AUTHENTICATION_PATH */
    TV_PAUTH_NO,         /* never: the application asks for the password */
};

#define TV_PROGRAM_MAX 64

struct tv_modcfg {
    bool autostart;
    char agent_program[PATH_MAX];          /* empty: look next to the module, then PATH */
    enum tv_pauth pauth;
    char password_box_programs[256];       /* space-separated program names */
    unsigned login_min_ms;
    char program[TV_PROGRAM_MAX];          /* host program: argv[0] basename, e.g. "firefox-esr" */
    char comm[TV_PROGRAM_MAX];             /* host program: /proc/self/comm */
};

/* Chromium and Chrome ignore CKF_PROTECTED_AUTHENTICATION_PATH and always
 * show their own password box; see README (module section). */
#define TV_DEFAULT_PASSWORD_BOX_PROGRAMS "chromium chromium-browser chrome google-chrome"
/* The least a C_Login takes when it needed no dialog although the program
 * was logged out (after its own C_Logout; login.h): Firefox's "Protected
 * Authentication" window must exist before the login completes, or it never
 * closes (DESIGN §10).  Measured with Firefox 153 headless: in a running
 * Firefox 10 ms sufficed and 0 hung; at its first page load, the busiest
 * moment, 300 ms hung and 1000 ms loaded. */
#define TV_DEFAULT_LOGIN_MIN_MS 1000

/* Fill cfg from every source.  params may be NULL.  Never fails: a bad
 * value is logged and ignored. */
void tv_modcfg_load(struct tv_modcfg *cfg, const char *params);
/* Apply one `key=value` setting; false for an unknown key or bad value. */
bool tv_modcfg_known(const char *key);
bool tv_modcfg_set(struct tv_modcfg *cfg, const char *key, const char *value);
/* Whether the token announces CKF_PROTECTED_AUTHENTICATION_PATH: always
 * with "yes", never with "no"; with "auto" unless cfg->program or cfg->comm
 * is one of the password-box programs. */
bool tv_modcfg_protected_path(const struct tv_modcfg *cfg);
/* Fill cfg->program and cfg->comm for this process. */
void tv_host_program(struct tv_modcfg *cfg);

#endif
