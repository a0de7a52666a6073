#include "config.h"

#include "tv_conf.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYSTEM_CONFIG "/etc/tarjeta-virtual/pkcs11.conf"
#define PARAMS_MAX 4096

static void set_defaults(struct tv_modcfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->autostart = true;
    cfg->pauth = TV_PAUTH_AUTO;
    snprintf(cfg->password_box_programs, sizeof cfg->password_box_programs, "%s",
             TV_DEFAULT_PASSWORD_BOX_PROGRAMS);
    cfg->login_min_ms = TV_DEFAULT_LOGIN_MIN_MS;
}

static int parse_bool(const char *v)
{
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "on"))
        return 1;
    if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "off"))
        return 0;
    return -1;
}

static bool set_pauth(struct tv_modcfg *cfg, const char *v)
{
    int b = parse_bool(v);

    if (!strcmp(v, "auto"))
        cfg->pauth = TV_PAUTH_AUTO;
    else if (b >= 0)
        cfg->pauth = b ? TV_PAUTH_YES : TV_PAUTH_NO;
    else
        return false;
    return true;
}

static bool set_ms(unsigned *out, const char *v)
{
    char *end = NULL;
    unsigned long n;

    errno = 0;
    n = strtoul(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n > 10000)
        return false;
    *out = (unsigned)n;
    return true;
}

static bool set_string(char *out, size_t outsz, const char *v)
{
    size_t n = strlen(v);

    if (n >= outsz)
        return false;
    memcpy(out, v, n + 1);
    return true;
}

static const char *const known_keys[] = {
    "autostart", "agent-program", "protected-authentication-path", "password-box-programs",
    "login-minimum-ms",
};

bool tv_modcfg_known(const char *key)
{
    for (size_t i = 0; i < sizeof known_keys / sizeof known_keys[0]; i++)
        if (!strcmp(key, known_keys[i]))
            return true;
    return false;
}

bool tv_modcfg_set(struct tv_modcfg *cfg, const char *key, const char *value)
{
    int b;

    if (!strcmp(key, "autostart")) {
        if ((b = parse_bool(value)) < 0)
            return false;
        cfg->autostart = b;
        return true;
    }
    if (!strcmp(key, "agent-program"))
        return set_string(cfg->agent_program, sizeof cfg->agent_program, value);
    if (!strcmp(key, "protected-authentication-path"))
        return set_pauth(cfg, value);
    if (!strcmp(key, "password-box-programs"))
        return set_string(cfg->password_box_programs, sizeof cfg->password_box_programs, value);
    if (!strcmp(key, "login-minimum-ms"))
        return set_ms(&cfg->login_min_ms, value);
    return false;
}

/* tv_conf callback: unknown keys are ignored (a newer file), bad values
 * stop the file with a message. */
static int conf_line(void *ctx, const char *key, const char *value, char *why, size_t why_size)
{
    struct tv_modcfg *cfg = ctx;

    if (!tv_modcfg_known(key)) {
        tv_debug("ignoring unknown key %s", key);
        return 0;
    }
    if (!tv_modcfg_set(cfg, key, value)) {
        snprintf(why, why_size, "invalid value \"%s\"", value);
        return TV_ERR_CONFIG;
    }
    return 0;
}

static void load_file(struct tv_modcfg *cfg, const char *path)
{
    char err[512] = "";
    int rc = tv_conf_parse_file(path, conf_line, cfg, err, sizeof err);

    if (rc < 0 && rc != TV_ERR_NOT_FOUND)
        tv_warn("%s", err[0] ? err : path);
}

static void user_config_path(char *out, size_t outsz)
{
    char dir[PATH_MAX];

    out[0] = '\0';
    if (tv_path_config_dir(dir, sizeof dir) == 0)
        tv_path_join(out, outsz, dir, "pkcs11.conf");
}

/* Call fn for each `key=value` word of an NSS-style parameter string (other
 * words, and values with spaces, are not ours: skipped). */
static void each_param(const char *params, void (*fn)(void *ctx, const char *key, const char *value),
                       void *ctx)
{
    char copy[PARAMS_MAX + 1];
    size_t n = params ? strnlen(params, PARAMS_MAX) : 0;

    if (n == 0 || n >= sizeof copy)
        return;
    memcpy(copy, params, n);
    copy[n] = '\0';
    for (char *save = NULL, *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
        char *eq = strchr(w, '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        fn(ctx, w, eq + 1);
    }
}

struct path_out {
    char *p;
    size_t size;
};

static void param_config_path(void *ctx, const char *key, const char *value)
{
    struct path_out *out = ctx;

    if (!strcmp(key, "config"))
        snprintf(out->p, out->size, "%s", value);
}

static void param_setting(void *ctx, const char *key, const char *value)
{
    if (strcmp(key, "config") != 0 && !tv_modcfg_set(ctx, key, value))
        tv_debug("ignoring initialisation parameter %s", key);
}

static void apply_env(struct tv_modcfg *cfg)
{
    static const struct { const char *var, *key; } map[] = {
        { "TARJETA_AUTOSTART", "autostart" },
        { "TARJETA_AGENT_PROGRAM", "agent-program" },
        { "TARJETA_PROTECTED_AUTH", "protected-authentication-path" },
        { "TARJETA_PASSWORD_BOX_PROGRAMS", "password-box-programs" },
        { "TARJETA_LOGIN_MIN_MS", "login-minimum-ms" },
    };

    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        const char *v = getenv(map[i].var);
        if (v != NULL && !tv_modcfg_set(cfg, map[i].key, v))
            tv_warn("ignoring %s=%s", map[i].var, v);
    }
}

void tv_modcfg_load(struct tv_modcfg *cfg, const char *params)
{
    char path[PATH_MAX] = "";
    struct path_out out = { path, sizeof path };

    set_defaults(cfg);
    load_file(cfg, SYSTEM_CONFIG);
    each_param(params, param_config_path, &out);
    if (path[0] == '\0')
        user_config_path(path, sizeof path);
    if (path[0] != '\0')
        load_file(cfg, path);
    each_param(params, param_setting, cfg);
    apply_env(cfg);
    tv_host_program(cfg);
}

static bool word_in_list(const char *word, const char *list)
{
    size_t n = strlen(word);

    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        size_t len = strcspn(p, " ,\t");
        if (len == n && n > 0 && strncmp(p, word, n) == 0)
            return true;
        p += len;
    }
    return false;
}

bool tv_modcfg_protected_path(const struct tv_modcfg *cfg)
{
    switch (cfg->pauth) {
    case TV_PAUTH_YES:
        return true;
    case TV_PAUTH_NO:
        return false;
    default:
        return !word_in_list(cfg->program, cfg->password_box_programs) &&
               !word_in_list(cfg->comm, cfg->password_box_programs);
    }
}

static void read_comm(char *out, size_t outsz)
{
    char buf[TV_PROGRAM_MAX];
    ssize_t n;
    int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);

    out[0] = '\0';
    if (fd < 0)
        return;
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    snprintf(out, outsz, "%s", buf);
}

void tv_host_program(struct tv_modcfg *cfg)
{
    const char *name = program_invocation_short_name;

    snprintf(cfg->program, sizeof cfg->program, "%s", name ? name : "");
    read_comm(cfg->comm, sizeof cfg->comm);
}
