/* Starting the agent on demand, like gpg-agent's autostart: when nothing
 * listens on the socket, run `tarjeta-agent --daemon` detached from the host
 * program (double fork: the intermediate child exits at once and is reaped
 * here, the agent is re-parented to init, so no zombie is left behind).
 *
 * The program is, in this order: the configured agent-program, the
 * tarjeta-agent next to this module's file, TV_AGENT_PATH, then $PATH. */
#ifndef TV_SPAWN_H
#define TV_SPAWN_H

#include "config.h"

#include <stddef.h>

#ifndef TV_AGENT_PATH
#define TV_AGENT_PATH "/usr/bin/tarjeta-agent"
#endif

/* Find the agent program; 0 or TV_ERR_NOT_FOUND. */
int tv_spawn_find_agent(const struct tv_modcfg *cfg, char *out, size_t outsz);
/* Start it; returns once the intermediate child is reaped (a few ms). */
int tv_spawn_agent(const char *program);

#endif
