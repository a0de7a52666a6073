/* Builds the GTK window of one dialog from its texts (dialog_text.h). */
#ifndef TV_GTK_WINDOW_H
#define TV_GTK_WINDOW_H

#include "dialog_text.h"

#include <gtk/gtk.h>

/* Responses the buttons give (GtkResponseType values). */
#define TV_RESPONSE_OK GTK_RESPONSE_OK
#define TV_RESPONSE_CANCEL GTK_RESPONSE_CANCEL
#define TV_RESPONSE_NOTOK GTK_RESPONSE_REJECT

typedef struct tv_gtk_window {
    GtkWidget *window;
    GtkWidget *entry;          /* NULL without an entry */
    GtkEntryBuffer *buffer;    /* secure buffer (a reference of ours) */
    GtkWidget *ok_button;
    GtkWidget *cancel_button;  /* NULL for notices */
    GtkWidget *notok_button;   /* NULL without SETNOTOK */
    GtkWidget *time_label;     /* NULL without a code lifetime */
} tv_gtk_window;

/* Builds (not shown).  Button "clicked" carry their response in the
 * object data "tv-response".  Returns 0 or TV_ERR_NOMEM (secure memory). */
int tv_gtk_window_build(const tv_dialog_text *t, tv_gtk_window *w);

/* Loads the style sheet once per process. */
void tv_gtk_window_style(void);

#endif
