/* The listening socket and the connection threads.
 *
 * Socket: $TARJETA_AGENT_SOCKET or $XDG_RUNTIME_DIR/tarjeta-virtual/agent.sock,
 * in a folder of mode 0700 owned by us, socket mode 0600.  A lock file beside
 * it (agent.sock.lock, flock) is held for the agent's life: a second agent
 * sees it taken and leaves the live socket alone.  With systemd socket
 * activation (LISTEN_PID/LISTEN_FDS) the inherited socket is used instead.
 * Each accepted peer must have our uid (SO_PEERCRED); each connection gets
 * its own thread, so signatures from several clients run in parallel. */
#ifndef TV_AGENT_SERVER_H
#define TV_AGENT_SERVER_H

#include "agent.h"

#include <limits.h>
#include <stdbool.h>

typedef struct tv_listener {
    int fd;
    int lock_fd;
    bool activated;               /* socket from systemd */
    bool owns_path;               /* we created the socket file */
    char path[PATH_MAX];
} tv_listener;

/* 0; TV_ERR_CLOSED when another live agent holds the socket (harmless);
 * TV_ERR_CONFIG / TV_ERR_IO with a message in err otherwise. */
int tv_listener_open(tv_listener *l, char *err, size_t err_size);
void tv_listener_close(tv_listener *l);

/* Accept and serve until a signal in stop_fd (a signalfd) asks to stop.
 * SIGHUP reloads the configuration. */
int tv_server_run(tv_agent *a, tv_listener *l, int signal_fd);

#endif
