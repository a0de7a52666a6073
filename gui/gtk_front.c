#include "gtk_front.h"

#include "dialog_text.h"
#include "gtk_window.h"
#include "secure_buffer.h"
#include "tv_err.h"
#include "tv_log.h"

#include <gdk/gdkx.h>
#include <glib-unix.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct run_state {
    tv_gtk_window w;
    const tv_dialog_text *t;
    GMainLoop *loop;
    tv_prompt_outcome outcome;
    unsigned code_left;
    guint timeout_id, tick_id, stdin_id;
} run_state;

bool tv_gtk_start(tv_prompt *p)
{
    const char *display = tv_prompt_get(p, TV_F_DISPLAY);
    const char *x11 = getenv("DISPLAY");
    const char *wayland = getenv("WAYLAND_DISPLAY");

    if (display[0] != '\0')
        setenv("DISPLAY", display, 1);
    else if ((x11 == NULL || x11[0] == '\0') && (wayland == NULL || wayland[0] == '\0'))
        return false;
    gtk_disable_setlocale();                  /* i18n.c decides the locale */
    g_set_prgname("tarjeta-prompt");
    if (!gtk_init_check(NULL, NULL)) {
        tv_warn("cannot open the display; using the terminal");
        return false;
    }
    tv_gtk_window_style();
    return true;
}

static void finish(run_state *s, tv_prompt_outcome outcome)
{
    if (!g_main_loop_is_running(s->loop))
        return;
    s->outcome = outcome;
    g_main_loop_quit(s->loop);
}

static bool entry_complete(const run_state *s)
{
    guint n;

    if (s->w.buffer == NULL)
        return true;
    n = gtk_entry_buffer_get_length(s->w.buffer);
    return n >= s->t->entry_min && n <= s->t->entry_max;
}

static void on_button(GtkButton *b, run_state *s)
{
    int response = GPOINTER_TO_INT(g_object_get_data(G_OBJECT(b), "tv-response"));

    if (response == TV_RESPONSE_OK && !entry_complete(s)) {
        gtk_widget_error_bell(GTK_WIDGET(b));
        return;
    }
    finish(s, response == TV_RESPONSE_OK ? TV_OUTCOME_OK
              : response == TV_RESPONSE_NOTOK ? TV_OUTCOME_NOTOK : TV_OUTCOME_CANCELLED);
}

static void on_length(GObject *buffer, GParamSpec *pspec, run_state *s)
{
    gtk_widget_set_sensitive(s->w.ok_button, entry_complete(s));
}

static gboolean on_key(GtkWidget *w, GdkEventKey *ev, run_state *s)
{
    if (ev->keyval != GDK_KEY_Escape)
        return FALSE;
    finish(s, TV_OUTCOME_CANCELLED);
    return TRUE;
}

static gboolean on_delete(GtkWidget *w, GdkEvent *ev, run_state *s)
{
    finish(s, TV_OUTCOME_CANCELLED);
    return TRUE;                              /* destroyed by show_dialog */
}

static gboolean on_timeout(gpointer data)
{
    run_state *s = data;

    s->timeout_id = 0;
    finish(s, TV_OUTCOME_TIMEOUT);
    return G_SOURCE_REMOVE;
}

/* The agent closed our stdin: nobody will read the answer. */
static gboolean on_stdin_gone(gint fd, GIOCondition cond, gpointer data)
{
    run_state *s = data;

    s->stdin_id = 0;
    finish(s, TV_OUTCOME_CANCELLED);
    return G_SOURCE_REMOVE;
}

static void show_time_left(run_state *s)
{
    char text[256];

    tv_dialog_time_left(s->code_left, text, sizeof text);
    gtk_label_set_text(GTK_LABEL(s->w.time_label), text);
}

static gboolean on_tick(gpointer data)
{
    run_state *s = data;

    if (s->code_left > 0)
        s->code_left--;
    show_time_left(s);
    if (s->code_left > 0)
        return G_SOURCE_CONTINUE;
    s->tick_id = 0;
    return G_SOURCE_REMOVE;
}

static void connect_buttons(run_state *s)
{
    GtkWidget *buttons[] = { s->w.ok_button, s->w.cancel_button, s->w.notok_button };

    for (size_t i = 0; i < G_N_ELEMENTS(buttons); i++)
        if (buttons[i] != NULL)
            g_signal_connect(buttons[i], "clicked", G_CALLBACK(on_button), s);
}

static void connect_all(run_state *s, unsigned timeout)
{
    connect_buttons(s);
    g_signal_connect(s->w.window, "key-press-event", G_CALLBACK(on_key), s);
    g_signal_connect(s->w.window, "delete-event", G_CALLBACK(on_delete), s);
    if (s->w.buffer != NULL) {
        g_signal_connect(s->w.buffer, "notify::length", G_CALLBACK(on_length), s);
        on_length(NULL, NULL, s);
    }
    if (timeout > 0)
        s->timeout_id = g_timeout_add_seconds(timeout, on_timeout, s);
    if (s->w.time_label != NULL) {
        s->code_left = s->t->code_lifetime;
        show_time_left(s);
        s->tick_id = g_timeout_add_seconds(1, on_tick, s);
    }
    s->stdin_id = g_unix_fd_add(STDIN_FILENO, G_IO_HUP | G_IO_ERR, on_stdin_gone, s);
}

static void disconnect_all(run_state *s)
{
    guint *ids[] = { &s->timeout_id, &s->tick_id, &s->stdin_id };

    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++)
        if (*ids[i] != 0) {
            g_source_remove(*ids[i]);
            *ids[i] = 0;
        }
    if (s->w.buffer != NULL)
        g_signal_handlers_disconnect_by_data(s->w.buffer, s);
}

/* Shown centred, above other windows, focused, with a real timestamp so
 * that focus-stealing prevention lets it in front of the browser. */
static void present(run_state *s)
{
    GdkWindow *gdk;
    guint32 stamp = GDK_CURRENT_TIME;

    gtk_widget_show_all(s->w.window);
    gtk_widget_grab_focus(s->w.entry != NULL ? s->w.entry : s->w.ok_button);
    gdk = gtk_widget_get_window(s->w.window);
#ifdef GDK_WINDOWING_X11
    if (gdk != NULL && GDK_IS_X11_WINDOW(gdk))
        stamp = gdk_x11_get_server_time(gdk);
#endif
    gtk_window_present_with_time(GTK_WINDOW(s->w.window), stamp);
}

static void close_window(run_state *s)
{
    gtk_widget_destroy(s->w.window);
    s->w.window = NULL;
    while (gtk_events_pending())
        gtk_main_iteration_do(FALSE);
    gdk_display_sync(gdk_display_get_default());
}

/* The secret goes from the secure buffer to the agent, then is wiped. */
static int deliver(tv_prompt *p, run_state *s)
{
    gsize n = gtk_entry_buffer_get_bytes(s->w.buffer);
    const char *text = gtk_entry_buffer_get_text(s->w.buffer);
    int rc = tv_prompt_send_secret(p, text, n);

    tv_secure_buffer_wipe(TV_SECURE_BUFFER(s->w.buffer));
    return rc;
}

int tv_gtk_show(tv_prompt *p, tv_prompt_ask ask, tv_prompt_outcome *outcome)
{
    run_state s = { .outcome = TV_OUTCOME_CANCELLED };
    tv_dialog_text *t = g_new0(tv_dialog_text, 1);
    int rc = 0;

    tv_dialog_text_build(p, ask, t);
    s.t = t;
    rc = tv_gtk_window_build(t, &s.w);
    if (rc < 0)
        goto free_text;
    s.loop = g_main_loop_new(NULL, FALSE);
    connect_all(&s, tv_prompt_timeout(p));
    present(&s);
    g_main_loop_run(s.loop);
    disconnect_all(&s);
    close_window(&s);                         /* gone before the agent hears back */
    if (s.outcome == TV_OUTCOME_OK && s.w.buffer != NULL)
        rc = deliver(p, &s);
    *outcome = s.outcome;
    g_main_loop_unref(s.loop);
    if (s.w.buffer != NULL)
        g_object_unref(s.w.buffer);           /* finalize wipes and unmaps */
free_text:
    g_free(t);
    return rc;
}
