/* Per-user folders (XDG base directories) and the files Tarjeta keeps there.
 *   config: $XDG_CONFIG_HOME/tarjeta-virtual  (default ~/.config/tarjeta-virtual)
 *   cache:  $XDG_CACHE_HOME/tarjeta-virtual   (default ~/.cache/tarjeta-virtual)
 * The agent socket path is tv_agent_socket_path() in tv_io.h. */
#ifndef TV_PATHS_H
#define TV_PATHS_H

#include <stddef.h>
#include <sys/types.h>

#define TV_SYSTEM_CONFIG "/etc/tarjeta-virtual/agent.conf"
#define TV_APP_DIR "tarjeta-virtual"

/* Each returns 0, TV_ERR_CONFIG (neither the XDG variable nor HOME usable) or
 * TV_ERR_TOO_LARGE. */
int tv_path_config_dir(char *out, size_t out_size);
int tv_path_cache_dir(char *out, size_t out_size);
/* config_dir/agent.conf */
int tv_path_user_config(char *out, size_t out_size);
/* dir/name */
int tv_path_join(char *out, size_t out_size, const char *dir, const char *name);

/* Create a folder and its missing parents; the last one gets `mode`, parents
 * 0700.  An existing folder is fine.  0 or TV_ERR_IO. */
int tv_mkdir_p(const char *path, mode_t mode);

#endif
