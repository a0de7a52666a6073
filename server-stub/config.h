/* bakq-server configuration: DATA_DIR/bakq-server.conf ("key = value" lines,
 * '#' comments), written with the defaults by `bakq-server init`. */
#ifndef TV_SRV_CONFIG_H
#define TV_SRV_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tv_config {
    char listen[64];                /* 127.0.0.1:8443 */
    char public_url[128];           /* base URL in certificates; "" = the URL served */
    char hsm_module[256];           /* PKCS#11 module path */
    char hsm_token_label[33];
    char hsm_pin_file[256];         /* relative to the data directory */
    char hsm_softhsm_conf[256];     /* "" = leave SOFTHSM2_CONF alone */
    int hsm_sessions;               /* signing sessions kept open */
    int cert_validity_days;
    int token_lifetime;             /* bearer token, seconds */
    int auth_sad_lifetime;          /* SCAL 1 SAD, seconds */
    int sign_sad_lifetime;          /* SCAL 2 SAD, seconds */
    int auth_multisign;
    int sign_multisign;
    int password_iterations;        /* PBKDF2-HMAC-SHA256 */
    int connection_timeout;         /* seconds of client silence before closing */
    int max_connections;
    char log_level[16];
};

void tv_config_defaults(struct tv_config *c);
/* Read path over the defaults already in c. Unknown keys are errors (typos
 * should not pass silently). Missing file: TV_ERR_NOT_FOUND. */
int tv_config_load(struct tv_config *c, const char *path);
/* Write c as a commented configuration file (mode 0600). */
int tv_config_write(const struct tv_config *c, const char *path);

#endif
