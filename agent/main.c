/* tarjeta-agent: the per-user daemon that holds the BakQ session.
 *   tarjeta-agent [--daemon] [--log-file FILE] [--debug]
 * Runs in the foreground by default; --daemon detaches once the socket
 * listens (autostart by the module and the CLI).  Starting it while an agent
 * runs is harmless: it notices the live one and exits. */
#include "agent.h"
#include "json.h"
#include "pinentry.h"
#include "server.h"
#include "tv_err.h"
#include "tv_log.h"
#include "tv_secmem.h"

#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

typedef struct agent_opts {
    bool daemon;
    bool debug;
    const char *log_file;
} agent_opts;

static void usage(FILE *f)
{
    fprintf(f, "Usage: tarjeta-agent [--daemon] [--log-file FILE] [--debug]\n\n"
               "The Tarjeta virtual agent: holds your BakQ session and signs through the BakQ\n"
               "service for the PKCS#11 module and the tarjeta CLI.\n\n"
               "  --daemon          detach once the socket is ready (exits at once, successfully,\n"
               "                    when an agent already runs)\n"
               "  --log-file FILE   log there (default: stderr, or syslog with --daemon)\n"
               "  --debug           log debug details (never secrets)\n"
               "  --help, --version\n\n"
               "Socket: $TARJETA_AGENT_SOCKET or $XDG_RUNTIME_DIR/tarjeta-virtual/agent.sock\n"
               "Configuration: ~/.config/tarjeta-virtual/agent.conf (see `tarjeta setup`)\n");
}

static int parse_args(int argc, char **argv, agent_opts *o)
{
    static const struct option longs[] = {
        { "daemon", no_argument, NULL, 'd' }, { "foreground", no_argument, NULL, 'f' },
        { "log-file", required_argument, NULL, 'l' }, { "debug", no_argument, NULL, 'D' },
        { "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' }, { 0 },
    };
    int ch;

    while ((ch = getopt_long(argc, argv, "dfl:DhV", longs, NULL)) != -1) {
        switch (ch) {
        case 'd': o->daemon = true; break;
        case 'f': o->daemon = false; break;
        case 'l': o->log_file = optarg; break;
        case 'D': o->debug = true; break;
        case 'h': usage(stdout); return 1;
        case 'V': printf("tarjeta-agent %s\n", TV_VERSION); return 1;
        default: usage(stderr); return -1;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return -1;
    }
    return 0;
}

static int block_signals(void)
{
    sigset_t set;

    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    return signalfd(-1, &set, SFD_CLOEXEC);
}

static void detach(void)
{
    int fd;

    if (setsid() < 0)
        tv_warn("setsid failed");
    if (chdir("/") != 0)
        tv_warn("chdir / failed");
    if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO)
            close(fd);
    }
}

static void open_log(const agent_opts *o, bool daemon_side)
{
    const char *target = o->log_file ? o->log_file : daemon_side ? "syslog" : "stderr";
    tv_log_level level = (o->debug || getenv("TARJETA_DEBUG")) ? TV_LOG_DEBUG : TV_LOG_INFO;

    tv_log_open("tarjeta-agent", level, target);
}

/* Parent: the socket already listens, so clients can connect as soon as we exit. */
static int daemonize(void)
{
    pid_t pid = fork();

    if (pid < 0)
        return -1;
    if (pid > 0)
        _exit(0);
    detach();
    return 0;
}

/* Requests still running use the agent (and the libraries' global state):
 * end the session, wiping its secrets, and leave without freeing anything or
 * running exit handlers under their feet. */
static void stop_while_busy(tv_agent *a)
{
    tv_pinentry_close_all();
    pthread_mutex_lock(&a->lock);
    tv_session_end_locked(a, "agent stopping");
    pthread_mutex_unlock(&a->lock);
    _exit(0);
}

int main(int argc, char **argv)
{
    agent_opts opts = { 0 };
    tv_listener l;
    tv_agent agent;
    char err[600] = "";
    int rc, sfd;

    if ((rc = parse_args(argc, argv, &opts)) != 0)
        return rc > 0 ? 0 : 2;
    open_log(&opts, false);
    if (tv_harden_process() < 0)
        tv_warn("could not turn core dumps and ptrace off");
    if ((rc = tv_listener_open(&l, err, sizeof err)) < 0) {
        if (rc == TV_ERR_CLOSED) {
            if (!opts.daemon)
                fprintf(stderr, "tarjeta-agent: %s\n", err);
            return opts.daemon ? 0 : 1;
        }
        fprintf(stderr, "tarjeta-agent: %s\n", err);
        return 1;
    }
    if (opts.daemon && daemonize() < 0) {
        fprintf(stderr, "tarjeta-agent: cannot detach\n");
        return 1;
    }
    if (opts.daemon)
        open_log(&opts, true);
    sfd = block_signals();
    tv_json_init();
    tv_agent_init(&agent);
    if (tv_agent_reload(&agent) < 0)
        tv_error("%s", agent.config_error);
    rc = tv_server_run(&agent, &l, sfd);
    tv_listener_close(&l);
    if (rc == TV_ERR_TIMEOUT)
        stop_while_busy(&agent);
    tv_agent_destroy(&agent);
    close(sfd);
    return rc < 0 ? 1 : 0;
}
