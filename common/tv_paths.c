#include "tv_paths.h"

#include "tv_err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int xdg_dir(char *out, size_t out_size, const char *var, const char *fallback)
{
    const char *base = getenv(var);
    const char *home = getenv("HOME");
    int n;

    if (base != NULL && base[0] == '/')
        n = snprintf(out, out_size, "%s/%s", base, TV_APP_DIR);
    else if (home != NULL && home[0] == '/')
        n = snprintf(out, out_size, "%s/%s/%s", home, fallback, TV_APP_DIR);
    else
        return TV_ERR_CONFIG;
    if (n < 0 || (size_t)n >= out_size)
        return TV_ERR_TOO_LARGE;
    return 0;
}

int tv_path_config_dir(char *out, size_t out_size)
{
    return xdg_dir(out, out_size, "XDG_CONFIG_HOME", ".config");
}

int tv_path_cache_dir(char *out, size_t out_size)
{
    return xdg_dir(out, out_size, "XDG_CACHE_HOME", ".cache");
}

int tv_path_join(char *out, size_t out_size, const char *dir, const char *name)
{
    int n = snprintf(out, out_size, "%s/%s", dir, name);

    if (n < 0 || (size_t)n >= out_size)
        return TV_ERR_TOO_LARGE;
    return 0;
}

int tv_path_user_config(char *out, size_t out_size)
{
    char dir[4096];
    int rc = tv_path_config_dir(dir, sizeof dir);

    if (rc < 0)
        return rc;
    return tv_path_join(out, out_size, dir, "agent.conf");
}

int tv_mkdir_p(const char *path, mode_t mode)
{
    char buf[4096];
    size_t n = strlen(path);

    if (n == 0 || n >= sizeof buf)
        return TV_ERR_IO;
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return TV_ERR_IO;
        *p = '/';
    }
    if (mkdir(buf, mode) != 0 && errno != EEXIST)
        return TV_ERR_IO;
    return 0;
}
