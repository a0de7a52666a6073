#include "spawn.h"

#include "tv_err.h"
#include "tv_log.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static bool executable(const char *path)
{
    return path[0] == '/' && access(path, X_OK) == 0;
}

static int next_to_module(char *out, size_t outsz)
{
    Dl_info info;
    const char *slash;

    if (dladdr((void *)tv_spawn_find_agent, &info) == 0 || info.dli_fname == NULL)
        return TV_ERR_NOT_FOUND;
    slash = strrchr(info.dli_fname, '/');
    if (slash == NULL)
        return TV_ERR_NOT_FOUND;
    if (snprintf(out, outsz, "%.*s/tarjeta-agent", (int)(slash - info.dli_fname),
                 info.dli_fname) >= (int)outsz)
        return TV_ERR_TOO_LARGE;
    return executable(out) ? 0 : TV_ERR_NOT_FOUND;
}

static int search_path(char *out, size_t outsz)
{
    const char *path = getenv("PATH");
    char dirs[4096];

    if (path == NULL || strlen(path) >= sizeof dirs)
        return TV_ERR_NOT_FOUND;
    memcpy(dirs, path, strlen(path) + 1);
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save))
        if (snprintf(out, outsz, "%s/tarjeta-agent", d) < (int)outsz && executable(out))
            return 0;
    return TV_ERR_NOT_FOUND;
}

int tv_spawn_find_agent(const struct tv_modcfg *cfg, char *out, size_t outsz)
{
    if (cfg->agent_program[0] != '\0') {
        snprintf(out, outsz, "%s", cfg->agent_program);
        return executable(out) ? 0 : TV_ERR_NOT_FOUND;
    }
    if (next_to_module(out, outsz) == 0)
        return 0;
    snprintf(out, outsz, "%s", TV_AGENT_PATH);
    if (executable(out))
        return 0;
    return search_path(out, outsz);
}

/* In the grandchild: only async-signal-safe calls from here on. */
static void exec_agent(const char *program, char *const argv[])
{
    int null = open("/dev/null", O_RDWR);
    struct rlimit rl;
    int maxfd = 1024;

    if (null >= 0) {
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < 65536)
        maxfd = (int)rl.rlim_cur;
    for (int fd = 3; fd < maxfd; fd++)
        close(fd);
    setsid();
    execve(program, argv, environ);
    _exit(127);
}

int tv_spawn_agent(const char *program)
{
    char *argv[] = { (char *)"tarjeta-agent", (char *)"--daemon", NULL };
    int status = 0;
    pid_t child = fork();

    if (child < 0)
        return TV_ERR_IO;
    if (child == 0) {
        pid_t grandchild = fork();
        if (grandchild == 0)
            exec_agent(program, argv);
        _exit(grandchild < 0 ? 1 : 0);
    }
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    tv_info("started %s --daemon", program);
    return 0;
}
