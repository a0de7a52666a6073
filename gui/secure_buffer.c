#include "secure_buffer.h"

#include "tv_secmem.h"

#include <string.h>

struct _TvSecureBuffer {
    GtkEntryBuffer parent;
    gchar *text;          /* tv_secure_alloc, capacity bytes, NUL-terminated */
    gsize capacity;
    gsize bytes;
    guint chars;
    gboolean digits_only;
};

G_DEFINE_TYPE(TvSecureBuffer, tv_secure_buffer, GTK_TYPE_ENTRY_BUFFER)

static const gchar *secure_get_text(GtkEntryBuffer *buffer, gsize *n_bytes)
{
    TvSecureBuffer *self = TV_SECURE_BUFFER(buffer);

    if (n_bytes != NULL)
        *n_bytes = self->bytes;
    return self->text != NULL ? self->text : "";
}

static guint secure_get_length(GtkEntryBuffer *buffer)
{
    return TV_SECURE_BUFFER(buffer)->chars;
}

static gboolean all_digits(const gchar *chars, gsize n)
{
    for (gsize i = 0; i < n; i++)
        if (chars[i] < '0' || chars[i] > '9')
            return FALSE;
    return TRUE;
}

/* GtkEntryBuffer already cut n_chars to max-length; position <= chars. */
static guint secure_insert_text(GtkEntryBuffer *buffer, guint position, const gchar *chars,
                                guint n_chars)
{
    TvSecureBuffer *self = TV_SECURE_BUFFER(buffer);
    gsize n = (gsize)(g_utf8_offset_to_pointer(chars, n_chars) - chars);
    gsize at;

    if (self->text == NULL || n == 0 || n >= self->capacity - self->bytes)
        return 0;
    if (self->digits_only && !all_digits(chars, n))
        return 0;
    at = (gsize)(g_utf8_offset_to_pointer(self->text, position) - self->text);
    memmove(self->text + at + n, self->text + at, self->bytes - at + 1);
    memcpy(self->text + at, chars, n);
    self->bytes += n;
    self->chars += n_chars;
    gtk_entry_buffer_emit_inserted_text(buffer, position, chars, n_chars);
    return n_chars;
}

static guint secure_delete_text(GtkEntryBuffer *buffer, guint position, guint n_chars)
{
    TvSecureBuffer *self = TV_SECURE_BUFFER(buffer);
    gsize start, end;

    if (self->text == NULL || position > self->chars)
        return 0;
    if (n_chars > self->chars - position)
        n_chars = self->chars - position;
    if (n_chars == 0)
        return 0;
    start = (gsize)(g_utf8_offset_to_pointer(self->text, position) - self->text);
    end = (gsize)(g_utf8_offset_to_pointer(self->text, position + n_chars) - self->text);
    memmove(self->text + start, self->text + end, self->bytes - end + 1);
    self->bytes -= end - start;
    self->chars -= n_chars;
    tv_wipe(self->text + self->bytes + 1, self->capacity - self->bytes - 1);
    gtk_entry_buffer_emit_deleted_text(buffer, position, n_chars);
    return n_chars;
}

static void secure_finalize(GObject *object)
{
    TvSecureBuffer *self = TV_SECURE_BUFFER(object);

    tv_secure_free(self->text);              /* wipes */
    self->text = NULL;
    G_OBJECT_CLASS(tv_secure_buffer_parent_class)->finalize(object);
}

static void tv_secure_buffer_class_init(TvSecureBufferClass *klass)
{
    GtkEntryBufferClass *buffer_class = GTK_ENTRY_BUFFER_CLASS(klass);

    G_OBJECT_CLASS(klass)->finalize = secure_finalize;
    buffer_class->get_text = secure_get_text;
    buffer_class->get_length = secure_get_length;
    buffer_class->insert_text = secure_insert_text;
    buffer_class->delete_text = secure_delete_text;
}

static void tv_secure_buffer_init(TvSecureBuffer *self)
{
}

GtkEntryBuffer *tv_secure_buffer_new(guint max_chars, gboolean digits_only)
{
    TvSecureBuffer *self;

    g_return_val_if_fail(max_chars > 0 && max_chars <= 1024, NULL);
    self = g_object_new(TV_TYPE_SECURE_BUFFER, "max-length", (gint)max_chars, NULL);
    self->capacity = (gsize)max_chars * 4 + 1;   /* UTF-8: at most 4 bytes a character */
    self->text = tv_secure_alloc(self->capacity);
    self->digits_only = digits_only;
    if (self->text == NULL) {
        g_object_unref(self);
        return NULL;
    }
    self->text[0] = '\0';
    return GTK_ENTRY_BUFFER(self);
}

void tv_secure_buffer_wipe(TvSecureBuffer *self)
{
    gtk_entry_buffer_delete_text(GTK_ENTRY_BUFFER(self), 0, -1);
    if (self->text != NULL)
        tv_wipe(self->text, self->capacity);
}
