#include "gtk_window.h"

#include "secure_buffer.h"
#include "tv_err.h"

#include <string.h>

#define WINDOW_WIDTH 460
#define TEXT_CHARS 54
#define HEADING_CHARS 34

static const char style_sheet[] =
    ".tv-dialog { padding: 0; }\n"
    ".tv-brand { font-size: 90%; }\n"
    ".tv-heading { font-size: 140%; font-weight: bold; }\n"
    ".tv-caption { font-weight: bold; }\n"
    ".tv-mono { font-family: monospace; }\n"
    ".tv-big { font-size: 220%; font-weight: bold; letter-spacing: 1px; }\n"
    ".tv-error { color: #c01c28; font-weight: bold; }\n"
    ".tv-warning { color: #9c6e03; font-weight: bold; }\n"
    ".tv-hint { font-size: 90%; }\n"
    ".tv-icon-warning { color: #c88800; }\n"
    ".tv-icon-error { color: #c01c28; }\n"
    ".tv-buttons button { min-width: 64px; }\n"
    ".tv-entry { font-size: 120%; min-height: 36px; }\n";

void tv_gtk_window_style(void)
{
    static gboolean loaded;
    GtkCssProvider *css;

    if (loaded)
        return;
    css = gtk_css_provider_new();
    gtk_css_provider_load_from_data(css, style_sheet, -1, NULL);
    gtk_style_context_add_provider_for_screen(gdk_screen_get_default(), GTK_STYLE_PROVIDER(css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    g_object_unref(css);
    loaded = TRUE;
}

static void add_class(GtkWidget *w, const char *name)
{
    gtk_style_context_add_class(gtk_widget_get_style_context(w), name);
}

static GtkWidget *text_label_sized(const char *text, const char *klass, int chars)
{
    GtkWidget *label = gtk_label_new(text);

    gtk_label_set_xalign(GTK_LABEL(label), 0.0f);
    gtk_label_set_line_wrap(GTK_LABEL(label), TRUE);
    gtk_label_set_max_width_chars(GTK_LABEL(label), chars);
    if (klass != NULL)
        add_class(label, klass);
    return label;
}

static GtkWidget *text_label(const char *text, const char *klass)
{
    return text_label_sized(text, klass, TEXT_CHARS);
}

static GtkWidget *header(const tv_dialog_text *t)
{
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 16);
    GtkWidget *titles = gtk_box_new(GTK_ORIENTATION_VERTICAL, 2);
    GtkWidget *icon = gtk_image_new_from_icon_name(t->icon, GTK_ICON_SIZE_DIALOG);
    GtkWidget *brand = text_label(t->window_title, "tv-brand");

    gtk_image_set_pixel_size(GTK_IMAGE(icon), 48);
    if (t->tone != TV_TONE_NORMAL)
        add_class(icon, t->tone == TV_TONE_ERROR ? "tv-icon-error" : "tv-icon-warning");
    gtk_widget_set_valign(icon, GTK_ALIGN_START);
    add_class(brand, "dim-label");
    gtk_box_pack_start(GTK_BOX(titles), brand, FALSE, FALSE, 0);
    if (t->heading[0] != '\0')
        gtk_box_pack_start(GTK_BOX(titles), text_label_sized(t->heading, "tv-heading", HEADING_CHARS),
                           FALSE, FALSE, 0);
    gtk_widget_set_valign(titles, GTK_ALIGN_CENTER);
    gtk_box_pack_start(GTK_BOX(box), icon, FALSE, FALSE, 0);
    gtk_box_pack_start(GTK_BOX(box), titles, TRUE, TRUE, 0);
    return box;
}

static void relate(GtkWidget *caption, GtkWidget *value)
{
    AtkObject *c = gtk_widget_get_accessible(caption);
    AtkObject *v = gtk_widget_get_accessible(value);

    atk_object_add_relationship(c, ATK_RELATION_LABEL_FOR, v);
    atk_object_add_relationship(v, ATK_RELATION_LABELLED_BY, c);
}

static GtkWidget *info_grid(const tv_dialog_text *t)
{
    GtkWidget *grid = gtk_grid_new();

    gtk_grid_set_row_spacing(GTK_GRID(grid), 6);
    gtk_grid_set_column_spacing(GTK_GRID(grid), 16);
    for (int i = 0; i < t->n_rows; i++) {
        GtkWidget *caption = text_label(t->rows[i].caption, "tv-caption");
        GtkWidget *value = text_label(t->rows[i].value, t->rows[i].monospace ? "tv-mono" : NULL);
        gtk_widget_set_valign(caption, GTK_ALIGN_START);
        gtk_widget_set_hexpand(value, TRUE);
        relate(caption, value);
        gtk_grid_attach(GTK_GRID(grid), caption, 0, i, 1, 1);
        gtk_grid_attach(GTK_GRID(grid), value, 1, i, 1, 1);
    }
    return grid;
}

static GtkWidget *status_label(const char *text, const char *klass, AtkRole role)
{
    GtkWidget *label = text_label(text, klass);

    atk_object_set_role(gtk_widget_get_accessible(label), role);
    return label;
}

/* A command to type in a terminal: monospace, on its own line, selectable
 * with the pointer so it can be copied (not in the keyboard focus chain). */
static GtkWidget *command_label(const char *command)
{
    GtkWidget *label = text_label(command, "tv-mono");

    gtk_label_set_selectable(GTK_LABEL(label), TRUE);
    gtk_widget_set_can_focus(label, FALSE);
    gtk_widget_set_margin_start(label, 12);
    return label;
}

static GtkWidget *big_label(const char *text)
{
    GtkWidget *label = gtk_label_new(text);

    add_class(label, "tv-big");
    gtk_widget_set_halign(label, GTK_ALIGN_CENTER);
    return label;
}

static void describe_entry(const tv_dialog_text *t, GtkWidget *entry)
{
    AtkObject *acc = gtk_widget_get_accessible(entry);
    char name[256];
    char *description;

    tv_strip_mnemonic(t->prompt, name, sizeof name);
    atk_object_set_name(acc, name);
    /* Screen readers read the description on focus: the error goes first. */
    description = g_strjoin(t->error[0] && t->entry_description[0] ? " " : "", t->error,
                            t->entry_description, NULL);
    atk_object_set_description(acc, description);
    g_free(description);
}

static GtkWidget *entry_box(const tv_dialog_text *t, tv_gtk_window *w)
{
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 6);
    GtkWidget *label = gtk_label_new_with_mnemonic(t->prompt);
    gboolean digits = t->entry == TV_ENTRY_DIGITS;

    w->entry = gtk_entry_new_with_buffer(w->buffer);
    gtk_entry_set_visibility(GTK_ENTRY(w->entry), FALSE);
    gtk_entry_set_activates_default(GTK_ENTRY(w->entry), TRUE);
    gtk_entry_set_input_purpose(GTK_ENTRY(w->entry),
                                digits ? GTK_INPUT_PURPOSE_PIN : GTK_INPUT_PURPOSE_PASSWORD);
    gtk_widget_set_name(w->entry, "tv-entry");
    if (t->placeholder[0] != '\0')
        gtk_entry_set_placeholder_text(GTK_ENTRY(w->entry), t->placeholder);
    add_class(w->entry, "tv-entry");
    gtk_label_set_xalign(GTK_LABEL(label), 0.0f);
    add_class(label, "tv-caption");
    gtk_label_set_mnemonic_widget(GTK_LABEL(label), w->entry);
    describe_entry(t, w->entry);
    gtk_box_pack_start(GTK_BOX(box), label, FALSE, FALSE, 0);
    gtk_box_pack_start(GTK_BOX(box), w->entry, FALSE, FALSE, 0);
    if (t->hint[0] != '\0')
        gtk_box_pack_start(GTK_BOX(box), text_label(t->hint, "tv-hint"), FALSE, FALSE, 0);
    if (t->command[0] != '\0')
        gtk_box_pack_start(GTK_BOX(box), command_label(t->command), FALSE, FALSE, 0);
    return box;
}

static GtkWidget *button(const char *label, int response)
{
    GtkWidget *b = gtk_button_new_with_mnemonic(label);

    g_object_set_data(G_OBJECT(b), "tv-response", GINT_TO_POINTER(response));
    return b;
}

/* [Resend code]            [Cancel] [OK] */
static GtkWidget *buttons(const tv_dialog_text *t, tv_gtk_window *w)
{
    GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);

    add_class(box, "tv-buttons");
    if (t->notok[0] != '\0') {
        w->notok_button = button(t->notok, TV_RESPONSE_NOTOK);
        gtk_box_pack_start(GTK_BOX(box), w->notok_button, FALSE, FALSE, 0);
    }
    w->ok_button = button(t->ok, TV_RESPONSE_OK);
    gtk_widget_set_can_default(w->ok_button, TRUE);
    add_class(w->ok_button, "suggested-action");
    gtk_box_pack_end(GTK_BOX(box), w->ok_button, FALSE, FALSE, 0);
    if (t->cancel[0] != '\0') {
        w->cancel_button = button(t->cancel, TV_RESPONSE_CANCEL);
        gtk_box_pack_end(GTK_BOX(box), w->cancel_button, FALSE, FALSE, 0);
    }
    return box;
}

static void pack(GtkWidget *box, GtkWidget *child)
{
    gtk_box_pack_start(GTK_BOX(box), child, FALSE, FALSE, 0);
}

static void body(const tv_dialog_text *t, tv_gtk_window *w, GtkWidget *box)
{
    pack(box, header(t));
    if (t->n_rows > 0)
        pack(box, info_grid(t));
    if (t->description[0] != '\0')
        pack(box, text_label(t->description, NULL));
    if (t->command[0] != '\0' && t->entry == TV_ENTRY_NONE)
        pack(box, command_label(t->command));
    if (t->big[0] != '\0')
        pack(box, big_label(t->big));
    if (t->code_lifetime > 0) {
        w->time_label = text_label("", "tv-hint");
        pack(box, w->time_label);
    }
    if (t->error[0] != '\0')
        pack(box, status_label(t->error, "tv-error", ATK_ROLE_ALERT));
    if (t->warning[0] != '\0')
        pack(box, status_label(t->warning, "tv-warning", ATK_ROLE_ALERT));
    if (t->entry != TV_ENTRY_NONE)
        pack(box, entry_box(t, w));
}

static void setup_window(const tv_dialog_text *t, GtkWidget *window)
{
    gtk_window_set_title(GTK_WINDOW(window), t->window_title);
    gtk_window_set_type_hint(GTK_WINDOW(window), GDK_WINDOW_TYPE_HINT_DIALOG);
    gtk_window_set_position(GTK_WINDOW(window), GTK_WIN_POS_CENTER_ALWAYS);
    gtk_window_set_resizable(GTK_WINDOW(window), FALSE);
    gtk_window_set_keep_above(GTK_WINDOW(window), TRUE);
    gtk_window_set_default_size(GTK_WINDOW(window), WINDOW_WIDTH, -1);
    gtk_window_set_icon_name(GTK_WINDOW(window), "dialog-password");
    gtk_widget_set_name(window, "tarjeta-prompt");
    add_class(window, "tv-dialog");
    atk_object_set_role(gtk_widget_get_accessible(window), ATK_ROLE_DIALOG);
    atk_object_set_name(gtk_widget_get_accessible(window), t->window_title);
    atk_object_set_description(gtk_widget_get_accessible(window), t->heading);
}

int tv_gtk_window_build(const tv_dialog_text *t, tv_gtk_window *w)
{
    GtkWidget *box;

    memset(w, 0, sizeof *w);
    if (t->entry != TV_ENTRY_NONE) {
        w->buffer = tv_secure_buffer_new(t->entry_max, t->entry == TV_ENTRY_DIGITS);
        if (w->buffer == NULL)
            return TV_ERR_NOMEM;
    }
    w->window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
    setup_window(t, w->window);
    box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 14);
    gtk_container_set_border_width(GTK_CONTAINER(box), 24);
    body(t, w, box);
    gtk_box_pack_end(GTK_BOX(box), buttons(t, w), FALSE, FALSE, 6);
    gtk_container_add(GTK_CONTAINER(w->window), box);
    gtk_window_set_default(GTK_WINDOW(w->window), w->ok_button);
    return 0;
}
