/* The agent's configuration: /etc/tarjeta-virtual/agent.conf, then the
 * user's ~/.config/tarjeta-virtual/agent.conf (its keys win).  The CLI reads
 * and writes the same file (`tarjeta setup`). */
#ifndef TV_AGENT_CONFIG_H
#define TV_AGENT_CONFIG_H

#include "tv_dni.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct tv_config {
    char server[512];                /* https://host:port, no trailing slash */
    char ca[PATH_MAX];               /* PEM file of the CA the server certificate must chain to */
    char user[TV_DNI_LEN + 1];       /* DNI/NIE, canonical; "" when not set up */
    unsigned session_lifetime;       /* seconds an authentication session lasts */
    unsigned session_signatures;     /* signatures one authorization covers */
    char prompt_program[PATH_MAX];   /* pinentry-protocol program for dialogs */
    unsigned connect_timeout;        /* seconds */
    unsigned request_timeout;        /* seconds, whole HTTP request */
    unsigned prompt_timeout;         /* seconds a dialog may stay open */
    unsigned refresh_interval;       /* seconds between credential refreshes */
    unsigned max_connections;        /* HTTPS connections kept open to the service */
    bool autostart;                  /* CLI and module start the agent when absent */
    char log_level[16];              /* error, warning, info, debug */
    char source[PATH_MAX];           /* the user file (for messages) */
} tv_config;

void tv_config_defaults(tv_config *c);
/* Defaults, then the system file, then the user file.  TV_ERR_CONFIG with
 * "file:line: key: reason" in err. */
int tv_config_load(tv_config *c, char *err, size_t err_size);
int tv_config_load_file(tv_config *c, const char *path, char *err, size_t err_size);
/* Apply "key = value" lines (command-line settings) with the file's checks. */
int tv_config_apply_text(tv_config *c, const char *text, char *err, size_t err_size);
/* Is the identity part complete?  Otherwise err says what `tarjeta setup` needs. */
bool tv_config_ready(const tv_config *c, char *err, size_t err_size);
/* Write c as the user's file (0600, atomically). */
int tv_config_write(const tv_config *c, const char *path, char *err, size_t err_size);

#endif
