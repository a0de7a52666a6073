#include "cli.h"

#include "tv_err.h"
#include "tv_io.h"
#include "tv_proto.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int cli_load_config(cli *c)
{
    char err[700];

    if (c->cfg_loaded)
        return CLI_OK;
    if (tv_config_load(&c->cfg, err, sizeof err) < 0) {
        fprintf(stderr, "tarjeta: %s\n", err);
        return CLI_NO_AGENT;
    }
    c->cfg_loaded = true;
    return CLI_OK;
}

/* tarjeta-agent beside this program, else from PATH. */
static void agent_program(char *out, size_t n)
{
    char self[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);

    if (len > 0) {
        self[len] = '\0';
        snprintf(out, n, "%s/tarjeta-agent", dirname(self));
        if (access(out, X_OK) == 0)
            return;
    }
    snprintf(out, n, "tarjeta-agent");
}

static int start_agent(void)
{
    char program[PATH_MAX];
    char *argv[] = { program, "--daemon", NULL };
    pid_t pid;
    int status = 0;

    agent_program(program, sizeof program);
    if ((strchr(program, '/') ? posix_spawn(&pid, program, NULL, NULL, argv, environ)
                              : posix_spawnp(&pid, program, NULL, NULL, argv, environ)) != 0)
        return TV_ERR_NO_AGENT;
    /* --daemon returns once the socket listens. */
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return TV_ERR_NO_AGENT;
    return 0;
}

static int hello(cli *c)
{
    tv_reader body;

    tv_frame_begin(&c->req, TV_MSG_HELLO);
    tv_buf_put_u32(&c->req, TV_PROTOCOL_VERSION);
    tv_buf_put_u32(&c->req, (uint32_t)getpid());
    tv_buf_put_string(&c->req, "tarjeta");
    return cli_call(c, 10000, &body);
}

int cli_connect(cli *c)
{
    char path[PATH_MAX];
    int rc;

    if (c->fd >= 0)
        return CLI_OK;
    if (tv_agent_socket_path(path, sizeof path) < 0) {
        fprintf(stderr, "tarjeta: cannot locate the agent socket: set XDG_RUNTIME_DIR\n");
        return CLI_NO_AGENT;
    }
    rc = tv_unix_connect(path, 5000, &c->fd);
    if (rc == TV_ERR_NO_AGENT && cli_load_config(c) == CLI_OK && c->cfg.autostart &&
        start_agent() == 0)
        rc = tv_unix_connect(path, 5000, &c->fd);
    if (rc < 0) {
        fprintf(stderr, "tarjeta: cannot reach tarjeta-agent at %s (%s): start it with "
                "`tarjeta-agent --daemon`\n", path, tv_strerror(rc));
        c->fd = -1;
        return CLI_NO_AGENT;
    }
    if ((rc = hello(c)) < 0) {
        fprintf(stderr, "tarjeta: the agent refused the connection: %s\n", c->errmsg);
        cli_close(c);
        return CLI_NO_AGENT;
    }
    return CLI_OK;
}

void cli_close(cli *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

int cli_call(cli *c, int timeout_ms, tv_reader *body)
{
    int rc = tv_frame_end(&c->req);

    c->errmsg[0] = '\0';
    if (rc == 0)
        rc = tv_call(c->fd, &c->req, &c->rep, timeout_ms, body, c->errmsg, sizeof c->errmsg);
    tv_buf_reset(&c->req);
    if (rc < 0 && c->errmsg[0] == '\0')
        snprintf(c->errmsg, sizeof c->errmsg, "%s", tv_strerror(rc));
    return rc;
}

int cli_fail(cli *c, int rc, const char *what)
{
    fprintf(stderr, "tarjeta: %s: %s\n", what, c->errmsg[0] ? c->errmsg : tv_strerror(rc));
    if (rc == TV_ERR_NO_IDENTITY || rc == TV_ERR_NO_AGENT || rc == TV_ERR_CONFIG)
        return CLI_NO_AGENT;
    return CLI_FAILED;
}
