#include "agent.h"

#include "csc.h"
#include "tv_log.h"

static void session_wipe_locked(tv_session *s)
{
    tv_secret_unref(s->token);
    tv_secret_unref(s->password);
    tv_secret_unref(s->sad);
    s->token = s->password = s->sad = NULL;
    s->active = false;
    s->sad_left = s->sad_total = 0;
    s->inflight = 0;
    s->expires = s->sad_expires = 0;
    s->serial++;
}

bool tv_session_valid_locked(const tv_agent *a, time_t now)
{
    return a->session.active && now < a->session.expires;
}

void tv_session_end_locked(tv_agent *a, const char *why)
{
    if (!a->session.active && a->session.token == NULL)
        return;
    tv_info("session ended: %s", why);
    session_wipe_locked(&a->session);
    tv_agent_bump_locked(a);
}

void tv_session_end(tv_agent *a, const char *why)
{
    tv_secret *token = NULL;
    tv_http *http = NULL;

    pthread_mutex_lock(&a->lock);
    if (a->session.active && a->session.token != NULL) {
        token = tv_secret_ref(a->session.token);
        http = tv_http_ref(a->http);
    }
    tv_session_end_locked(a, why);
    pthread_mutex_unlock(&a->lock);
    if (token != NULL && http != NULL)
        tv_csc_revoke_token(http, token);      /* best effort: the server forgets it too */
    tv_secret_unref(token);
    tv_http_unref(http);
}

time_t tv_session_housekeep(tv_agent *a, time_t now)
{
    time_t next = now + 3600;

    pthread_mutex_lock(&a->lock);
    if (a->session.active && now >= a->session.expires)
        tv_session_end_locked(a, "lifetime reached");
    if (a->session.active && a->session.expires < next)
        next = a->session.expires;
    pthread_mutex_unlock(&a->lock);
    return next;
}
