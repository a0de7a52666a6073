/* A GtkEntryBuffer whose text lives in tv_secure_alloc memory (locked,
 * excluded from core dumps), is wiped on every deletion and on finalize,
 * and is never copied to the ordinary heap.  Optionally digits only. */
#ifndef TV_SECURE_BUFFER_H
#define TV_SECURE_BUFFER_H

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define TV_TYPE_SECURE_BUFFER (tv_secure_buffer_get_type())
G_DECLARE_FINAL_TYPE(TvSecureBuffer, tv_secure_buffer, TV, SECURE_BUFFER, GtkEntryBuffer)

/* max_chars > 0; NULL when secure memory cannot be had. */
GtkEntryBuffer *tv_secure_buffer_new(guint max_chars, gboolean digits_only);

/* Wipes the text (same as deleting it all). */
void tv_secure_buffer_wipe(TvSecureBuffer *self);

G_END_DECLS

#endif
