/* The secure entry buffer: text kept in secure memory, limits, digits-only
 * filtering, UTF-8 editing, wiping.  GTK objects only, no display. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "secure_buffer.h"

#include <string.h>

static int inserted, deleted;

static void on_inserted(GtkEntryBuffer *b, guint pos, const gchar *chars, guint n, gpointer d)
{
    inserted += (int)n;
}

static void on_deleted(GtkEntryBuffer *b, guint pos, guint n, gpointer d)
{
    deleted += (int)n;
}

static void holds_and_edits_text(void **state)
{
    GtkEntryBuffer *b = tv_secure_buffer_new(8, FALSE);

    assert_non_null(b);
    inserted = deleted = 0;
    g_signal_connect(b, "inserted-text", G_CALLBACK(on_inserted), NULL);
    g_signal_connect(b, "deleted-text", G_CALLBACK(on_deleted), NULL);
    gtk_entry_buffer_insert_text(b, 0, "Añb4", -1);
    gtk_entry_buffer_insert_text(b, 1, "€", -1);
    assert_string_equal(gtk_entry_buffer_get_text(b), "A€ñb4");
    assert_int_equal(gtk_entry_buffer_get_length(b), 5);
    assert_int_equal(gtk_entry_buffer_get_bytes(b), strlen("A€ñb4"));
    gtk_entry_buffer_delete_text(b, 1, 2);
    assert_string_equal(gtk_entry_buffer_get_text(b), "Ab4");
    assert_int_equal(gtk_entry_buffer_get_length(b), 3);
    assert_int_equal(inserted, 5);
    assert_int_equal(deleted, 2);
    g_object_unref(b);
}

static void length_is_limited(void **state)
{
    GtkEntryBuffer *b = tv_secure_buffer_new(8, FALSE);

    gtk_entry_buffer_insert_text(b, 0, "123456789012", -1);
    assert_string_equal(gtk_entry_buffer_get_text(b), "12345678");
    gtk_entry_buffer_insert_text(b, 8, "x", -1);
    assert_int_equal(gtk_entry_buffer_get_length(b), 8);
    g_object_unref(b);
}

static void four_byte_characters_fit(void **state)
{
    GtkEntryBuffer *b = tv_secure_buffer_new(2, FALSE);

    gtk_entry_buffer_insert_text(b, 0, "\xf0\x9f\x94\x91\xf0\x9f\x94\x91", -1);
    assert_int_equal(gtk_entry_buffer_get_length(b), 2);
    assert_int_equal(gtk_entry_buffer_get_bytes(b), 8);
    g_object_unref(b);
}

static void digits_only_refuses_letters(void **state)
{
    GtkEntryBuffer *b = tv_secure_buffer_new(6, TRUE);

    gtk_entry_buffer_insert_text(b, 0, "12", -1);
    gtk_entry_buffer_insert_text(b, 2, "a", -1);
    gtk_entry_buffer_insert_text(b, 2, "3 4", -1);
    gtk_entry_buffer_insert_text(b, 2, "34", -1);
    assert_string_equal(gtk_entry_buffer_get_text(b), "1234");
    g_object_unref(b);
}

static void wipe_zeroes_the_memory(void **state)
{
    GtkEntryBuffer *b = tv_secure_buffer_new(8, FALSE);
    const char *text;
    char zero[33] = { 0 };

    gtk_entry_buffer_insert_text(b, 0, "Secret12", -1);
    text = gtk_entry_buffer_get_text(b);       /* points into the secure memory */
    tv_secure_buffer_wipe(TV_SECURE_BUFFER(b));
    assert_int_equal(gtk_entry_buffer_get_length(b), 0);
    assert_memory_equal(text, zero, sizeof zero);
    g_object_unref(b);
}

static void deleting_wipes_the_tail(void **state)
{
    GtkEntryBuffer *b = tv_secure_buffer_new(8, FALSE);
    const char *text;

    gtk_entry_buffer_insert_text(b, 0, "abcdefgh", -1);
    text = gtk_entry_buffer_get_text(b);
    gtk_entry_buffer_delete_text(b, 2, 6);
    assert_string_equal(text, "ab");
    for (int i = 2; i < 9; i++)
        assert_int_equal(text[i], 0);
    g_object_unref(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(holds_and_edits_text),
        cmocka_unit_test(length_is_limited),
        cmocka_unit_test(four_byte_characters_fit),
        cmocka_unit_test(digits_only_refuses_letters),
        cmocka_unit_test(wipe_zeroes_the_memory),
        cmocka_unit_test(deleting_wipes_the_tail),
    };
    return cmocka_run_group_tests_name("secure_buffer", tests, NULL, NULL);
}
