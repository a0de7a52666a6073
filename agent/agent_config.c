#include "agent_config.h"

#include "tv_conf.h"
#include "tv_err.h"
#include "tv_paths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void tv_config_defaults(tv_config *c)
{
    memset(c, 0, sizeof *c);
    c->session_lifetime = 3600;
    c->session_signatures = 100;
    c->connect_timeout = 10;
    c->request_timeout = 30;
    c->prompt_timeout = 120;
    c->refresh_interval = 6 * 3600;
    c->max_connections = 8;
    c->autostart = true;
    snprintf(c->log_level, sizeof c->log_level, "info");
}

static int set_server(tv_config *c, const char *v, char *why, size_t n)
{
    size_t len = strlen(v);

    if (strncmp(v, "https://", 8) != 0 || len <= 8) {
        snprintf(why, n, "the BakQ service URL must start with https:// (got \"%.64s\")", v);
        return TV_ERR_CONFIG;
    }
    if (tv_conf_string(v, c->server, sizeof c->server, why, n) < 0)
        return TV_ERR_CONFIG;
    while (len > 8 && c->server[len - 1] == '/')
        c->server[--len] = '\0';
    return 0;
}

static int set_user(tv_config *c, const char *v, char *why, size_t n)
{
    if (tv_dni_normalize(v, c->user) < 0) {
        snprintf(why, n, "\"%.32s\" is not a valid DNI/NIE (8 digits and a letter, or X/Y/Z, 7 digits "
                 "and a letter; check the letter)", v);
        return TV_ERR_CONFIG;
    }
    return 0;
}

static int set_level(tv_config *c, const char *v, char *why, size_t n)
{
    static const char *const levels[] = { "error", "warning", "info", "debug" };

    for (size_t i = 0; i < 4; i++)
        if (strcmp(v, levels[i]) == 0)
            return tv_conf_string(v, c->log_level, sizeof c->log_level, why, n);
    snprintf(why, n, "expected error, warning, info or debug, got \"%.32s\"", v);
    return TV_ERR_CONFIG;
}

static int config_key(void *ctx, const char *key, const char *v, char *why, size_t n)
{
    tv_config *c = ctx;

    if (strcmp(key, "server") == 0)
        return set_server(c, v, why, n);
    if (strcmp(key, "ca") == 0)
        return tv_conf_string(v, c->ca, sizeof c->ca, why, n);
    if (strcmp(key, "user") == 0)
        return set_user(c, v, why, n);
    if (strcmp(key, "session-lifetime") == 0)
        return tv_conf_duration(v, 1, 7 * 86400, &c->session_lifetime, why, n);
    if (strcmp(key, "session-signatures") == 0)
        return tv_conf_uint(v, 1, 100000, &c->session_signatures, why, n);
    if (strcmp(key, "prompt-program") == 0)
        return tv_conf_string(v, c->prompt_program, sizeof c->prompt_program, why, n);
    if (strcmp(key, "connect-timeout") == 0)
        return tv_conf_duration(v, 1, 600, &c->connect_timeout, why, n);
    if (strcmp(key, "request-timeout") == 0)
        return tv_conf_duration(v, 1, 3600, &c->request_timeout, why, n);
    if (strcmp(key, "prompt-timeout") == 0)
        return tv_conf_duration(v, 1, 3600, &c->prompt_timeout, why, n);
    if (strcmp(key, "refresh-interval") == 0)
        return tv_conf_duration(v, 60, 30 * 86400, &c->refresh_interval, why, n);
    if (strcmp(key, "max-connections") == 0)
        return tv_conf_uint(v, 1, 64, &c->max_connections, why, n);
    if (strcmp(key, "autostart") == 0)
        return tv_conf_bool(v, &c->autostart, why, n);
    if (strcmp(key, "log-level") == 0)
        return set_level(c, v, why, n);
    snprintf(why, n, "unknown key (known: server, ca, user, session-lifetime, session-signatures, "
             "prompt-program, connect-timeout, request-timeout, prompt-timeout, refresh-interval, "
             "max-connections, autostart, log-level)");
    return TV_ERR_CONFIG;
}

int tv_config_load_file(tv_config *c, const char *path, char *err, size_t err_size)
{
    int rc = tv_conf_parse_file(path, config_key, c, err, err_size);

    return rc == TV_ERR_NOT_FOUND ? 0 : rc;
}

int tv_config_apply_text(tv_config *c, const char *text, char *err, size_t err_size)
{
    return tv_conf_parse_text("command line", text, config_key, c, err, err_size);
}

int tv_config_load(tv_config *c, char *err, size_t err_size)
{
    int rc;

    tv_config_defaults(c);
    if ((rc = tv_path_user_config(c->source, sizeof c->source)) < 0) {
        snprintf(err, err_size, "cannot locate the configuration folder: set HOME or XDG_CONFIG_HOME");
        return rc;
    }
    if ((rc = tv_config_load_file(c, TV_SYSTEM_CONFIG, err, err_size)) < 0)
        return rc;
    return tv_config_load_file(c, c->source, err, err_size);
}

bool tv_config_ready(const tv_config *c, char *err, size_t err_size)
{
    const char *missing = c->server[0] == '\0' ? "server" : c->ca[0] == '\0' ? "ca"
                        : c->user[0] == '\0' ? "user" : NULL;

    if (missing == NULL)
        return true;
    snprintf(err, err_size, "%s: key \"%s\" is not set: run `tarjeta setup --server URL --ca FILE "
             "--user DNI`", c->source, missing);
    return false;
}

static int write_text(int fd, const char *text)
{
    size_t n = strlen(text);

    while (n > 0) {
        ssize_t w = write(fd, text, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return TV_ERR_IO;
        text += w;
        n -= (size_t)w;
    }
    return 0;
}

int tv_config_write(const tv_config *c, const char *path, char *err, size_t err_size)
{
    char text[8192], tmp[PATH_MAX + 8];
    int fd, rc;

    snprintf(text, sizeof text,
             "# Tarjeta virtual agent configuration (written by `tarjeta setup`).\n"
             "server = %s\nca = %s\nuser = %s\nsession-lifetime = %u\nsession-signatures = %u\n"
             "%s%s%sconnect-timeout = %u\nrequest-timeout = %u\nprompt-timeout = %u\n"
             "autostart = %s\nlog-level = %s\n",
             c->server, c->ca, c->user, c->session_lifetime, c->session_signatures,
             c->prompt_program[0] ? "prompt-program = " : "", c->prompt_program,
             c->prompt_program[0] ? "\n" : "", c->connect_timeout, c->request_timeout,
             c->prompt_timeout, c->autostart ? "yes" : "no", c->log_level);
    snprintf(tmp, sizeof tmp, "%s.new", path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(err, err_size, "%s: cannot write: %s", tmp, strerror(errno));
        return TV_ERR_IO;
    }
    rc = write_text(fd, text);
    if (fsync(fd) != 0)
        rc = TV_ERR_IO;
    close(fd);
    if (rc == 0 && rename(tmp, path) != 0)
        rc = TV_ERR_IO;
    if (rc < 0) {
        unlink(tmp);
        snprintf(err, err_size, "%s: cannot write: %s", path, strerror(errno));
    }
    return rc;
}
