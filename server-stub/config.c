#include "config.h"

#include "tv_err.h"
#include "tv_log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum ckind { K_STR, K_INT };

struct ckey {
    const char *name;
    enum ckind kind;
    size_t offset;
    size_t size;        /* K_STR: buffer size; K_INT: max value */
    const char *help;
};

#define STR(f, h) { #f, K_STR, offsetof(struct tv_config, f), sizeof(((struct tv_config *)0)->f), h }
#define INT(f, max, h) { #f, K_INT, offsetof(struct tv_config, f), max, h }

static const struct ckey keys[] = {
    STR(listen, "address:port served when --listen is not given"),
    STR(public_url, "base URL written in certificates (CRL distribution point); empty = the URL served"),
    STR(hsm_module, "PKCS#11 module holding the citizens' keys"),
    STR(hsm_token_label, "label of the token in that module"),
    STR(hsm_pin_file, "file holding the token's user PIN (relative to the data directory)"),
    STR(hsm_softhsm_conf, "SOFTHSM2_CONF set for this server (relative); empty = inherit"),
    INT(hsm_sessions, 64, "PKCS#11 sessions kept open for signing"),
    INT(cert_validity_days, 36500, "validity of citizens' certificates"),
    INT(token_lifetime, 86400, "bearer token lifetime (seconds)"),
    INT(auth_sad_lifetime, 86400, "authentication (SCAL 1) SAD lifetime (seconds)"),
    INT(sign_sad_lifetime, 3600, "qualified signature (SCAL 2) SAD lifetime (seconds)"),
    INT(auth_multisign, 1000000, "signatures one authentication authorize may cover"),
    INT(sign_multisign, 100, "hashes one qualified signature authorize may cover"),
    INT(password_iterations, 10000000, "PBKDF2-HMAC-SHA256 iterations for passwords"),
    INT(connection_timeout, 3600, "seconds of client silence before a connection is closed"),
    INT(max_connections, 4096, "simultaneous connections"),
    STR(log_level, "error, warning, info or debug"),
};

void tv_config_defaults(struct tv_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->listen, sizeof c->listen, "127.0.0.1:8443");
    snprintf(c->hsm_module, sizeof c->hsm_module, "/usr/lib/softhsm/libsofthsm2.so");
    snprintf(c->hsm_token_label, sizeof c->hsm_token_label, "bakq-users");
    snprintf(c->hsm_pin_file, sizeof c->hsm_pin_file, "hsm.pin");
    snprintf(c->hsm_softhsm_conf, sizeof c->hsm_softhsm_conf, "softhsm2.conf");
    snprintf(c->log_level, sizeof c->log_level, "info");
    c->hsm_sessions = 4;
    c->cert_validity_days = 1825;
    c->token_lifetime = 3600;
    c->auth_sad_lifetime = 3600;
    c->sign_sad_lifetime = 300;
    c->auth_multisign = 100;
    c->sign_multisign = 10;
    c->password_iterations = 100000;
    c->connection_timeout = 30;
    c->max_connections = 256;
}

static char *trim(char *s)
{
    char *end;

    while (isspace((unsigned char)*s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

static int config_set(struct tv_config *c, const char *name, const char *value)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const struct ckey *k = &keys[i];
        char *field = (char *)c + k->offset;
        char *end = NULL;
        long v;

        if (strcmp(k->name, name) != 0)
            continue;
        if (k->kind == K_STR) {
            if (strlen(value) >= k->size)
                return TV_ERR_TOO_LARGE;
            memcpy(field, value, strlen(value) + 1);
            return 0;
        }
        errno = 0;
        v = strtol(value, &end, 10);
        if (errno != 0 || end == value || *end != '\0' || v < 1 || (size_t)v > k->size)
            return TV_ERR_INVALID;
        *(int *)(void *)field = (int)v;
        return 0;
    }
    return TV_ERR_NOT_FOUND;
}

int tv_config_load(struct tv_config *c, const char *path)
{
    FILE *f = fopen(path, "re");
    char line[512];
    int lineno = 0, rc = 0;

    if (f == NULL)
        return errno == ENOENT ? TV_ERR_NOT_FOUND : TV_ERR_IO;
    while (rc == 0 && fgets(line, sizeof line, f) != NULL) {
        char *s, *eq;

        lineno++;
        s = trim(line);
        if (*s == '\0' || *s == '#')
            continue;
        eq = strchr(s, '=');
        if (eq == NULL) {
            tv_error("%s:%d: expected \"key = value\"", path, lineno);
            rc = TV_ERR_CONFIG;
            break;
        }
        *eq = '\0';
        if (config_set(c, trim(s), trim(eq + 1)) < 0) {
            tv_error("%s:%d: bad setting \"%s\" (unknown key or invalid value)", path, lineno, trim(s));
            rc = TV_ERR_CONFIG;
        }
    }
    fclose(f);
    return rc;
}

int tv_config_write(const struct tv_config *c, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    FILE *f;

    if (fd < 0)
        return TV_ERR_IO;
    f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        return TV_ERR_IO;
    }
    fprintf(f, "# bakq-server configuration (written by `bakq-server init`).\n");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *field = (const char *)c + keys[i].offset;

        fprintf(f, "\n# %s\n", keys[i].help);
        if (keys[i].kind == K_STR)
            fprintf(f, "%s = %s\n", keys[i].name, field);
        else
            fprintf(f, "%s = %d\n", keys[i].name, *(const int *)(const void *)field);
    }
    return fclose(f) == 0 ? 0 : TV_ERR_IO;
}
