#include "agent.h"

#include "tv_err.h"
#include "tv_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int tv_agent_init(tv_agent *a)
{
    uint64_t seed = 0;

    memset(a, 0, sizeof *a);
    pthread_mutex_init(&a->lock, NULL);
    pthread_mutex_init(&a->dialog_lock, NULL);
    pthread_mutex_init(&a->extend_lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&a->changed, &attr);
    pthread_cond_init(&a->inflight_done, &attr);
    pthread_condattr_destroy(&attr);
    /* A fresh agent never repeats a generation a client saw from an older one. */
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != sizeof seed)
        seed = (uint64_t)time(NULL);
    a->generation = ((uint64_t)time(NULL) << 24) ^ (seed & 0xffffff);
    tv_config_defaults(&a->cfg);
    return 0;
}

void tv_agent_destroy(tv_agent *a)
{
    pthread_mutex_lock(&a->lock);
    tv_session_end_locked(a, "agent stopping");
    tv_creds_unref(a->creds);
    tv_http_unref(a->http);
    a->creds = NULL;
    a->http = NULL;
    pthread_mutex_unlock(&a->lock);
}

void tv_agent_bump_locked(tv_agent *a)
{
    a->generation++;
    pthread_cond_broadcast(&a->changed);
}

tv_http *tv_agent_http(tv_agent *a)
{
    tv_http *h;

    pthread_mutex_lock(&a->lock);
    h = tv_http_ref(a->http);
    pthread_mutex_unlock(&a->lock);
    return h;
}

tv_creds *tv_agent_creds(tv_agent *a)
{
    tv_creds *c;

    pthread_mutex_lock(&a->lock);
    c = tv_creds_ref(a->creds);
    pthread_mutex_unlock(&a->lock);
    return c;
}

void tv_agent_set_creds(tv_agent *a, tv_creds *c)
{
    tv_creds *old;

    pthread_mutex_lock(&a->lock);
    old = a->creds;
    a->creds = c;
    tv_agent_bump_locked(a);
    pthread_mutex_unlock(&a->lock);
    tv_creds_unref(old);
}

static tv_http *http_for(const tv_config *c)
{
    tv_http_opts opts = {
        .server = c->server, .ca = c->ca, .connect_timeout = c->connect_timeout,
        .request_timeout = c->request_timeout, .max_handles = c->max_connections,
    };
    tv_http *h = NULL;

    return tv_http_new(&opts, &h) == 0 ? h : NULL;
}

int tv_agent_reload(tv_agent *a)
{
    tv_config cfg;
    char err[600] = "";
    tv_http *http = NULL, *old_http;
    tv_creds *cached = NULL, *old_creds;
    int rc = tv_config_load(&cfg, err, sizeof err);

    if (rc == 0 && tv_config_ready(&cfg, err, sizeof err)) {
        if ((http = http_for(&cfg)) == NULL)
            snprintf(err, sizeof err, "%s: cannot set up HTTPS to %s", cfg.source, cfg.server);
        if (tv_creds_load(cfg.user, cfg.server, &cached) == 0)
            tv_info("credentials of %s loaded from the cache", cfg.user);
    }
    if (err[0] != '\0')
        tv_warn("%s", err);
    pthread_mutex_lock(&a->lock);
    bool same_identity = strcmp(cfg.user, a->cfg.user) == 0 && strcmp(cfg.server, a->cfg.server) == 0;
    if (!same_identity || http == NULL)
        tv_session_end_locked(a, "configuration changed");
    if (rc == 0)
        a->cfg = cfg;
    snprintf(a->config_error, sizeof a->config_error, "%s", err);
    old_http = a->http;
    a->http = http;
    old_creds = a->creds;
    a->creds = cached ? cached : (same_identity ? old_creds : NULL);
    if (a->creds == old_creds)
        old_creds = NULL;
    tv_agent_bump_locked(a);
    pthread_mutex_unlock(&a->lock);
    tv_http_unref(old_http);
    tv_creds_unref(old_creds);
    return rc;
}
