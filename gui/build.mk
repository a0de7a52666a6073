# gui/: tarjeta-prompt, the GTK3 dialogs (docs/PROMPT-PROTOCOL.md).
#
#  - libtvprompt.a: the protocol core, the dialog texts, translations and the
#    terminal front end; no GTK, so unit tests and the fuzz target need no display;
#  - build/tarjeta-prompt: that core + the GTK front end;
#  - build/locale/<lang>/LC_MESSAGES/tarjeta-prompt.mo: found by the program
#    beside itself (build tree), else in ../share/locale or TV_LOCALEDIR.

GTK_CFLAGS := $(shell $(PKG_CONFIG) --cflags gtk+-3.0 2>/dev/null)
GTK_LIBS := $(shell $(PKG_CONFIG) --libs gtk+-3.0 2>/dev/null)
TV_LOCALEDIR ?= /usr/share/locale
CFLAGS_gui += $(GTK_CFLAGS) -DTV_LOCALEDIR=\"$(TV_LOCALEDIR)\"

PROMPT_CORE_SRC := gui/assuan.c gui/prompt.c gui/prompt_options.c gui/dialog_text.c \
                   gui/i18n.c gui/tty.c
PROMPT_GTK_SRC := gui/main.c gui/gtk_front.c gui/gtk_window.c gui/secure_buffer.c
LIBTVPROMPT := $(BUILD)/libtvprompt.a
PROMPT_LANGS := es eu
PROMPT_MO := $(PROMPT_LANGS:%=$(BUILD)/locale/%/LC_MESSAGES/tarjeta-prompt.mo)

$(LIBTVPROMPT): $(PROMPT_CORE_SRC:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/tarjeta-prompt: $(PROMPT_GTK_SRC:%.c=$(BUILD)/obj/%.o) $(LIBTVPROMPT) $(LIBTVCOMMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(GTK_LIBS)

$(BUILD)/locale/%/LC_MESSAGES/tarjeta-prompt.mo: gui/po/%.po
	@mkdir -p $(@D)
	msgfmt --check --output-file=$@ $<

PROGRAMS += $(BUILD)/tarjeta-prompt $(PROMPT_MO)

# Regenerate the template after changing strings: make gui-pot
gui-pot:
	xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=NG_:1,2 \
	  --add-comments=TRANSLATORS --package-name=tarjeta-prompt --package-version=$(VERSION) \
	  --msgid-bugs-address=tarjeta-virtual@localhost \
	  -o gui/po/tarjeta-prompt.pot $(PROMPT_CORE_SRC) $(PROMPT_GTK_SRC)
	sed -i 's/charset=CHARSET/charset=UTF-8/' gui/po/tarjeta-prompt.pot
	for l in $(PROMPT_LANGS); do msgmerge --quiet --update --backup=none gui/po/$$l.po gui/po/tarjeta-prompt.pot; done
.PHONY: gui-pot

# ---- tests -----------------------------------------------------------------
# Unit tests: tests/gui/test_<name>.c -> build/tests/test_<name> (TAP, cmocka).
GUI_TESTS := $(patsubst tests/gui/%.c,$(BUILD)/tests/%,$(wildcard tests/gui/test_*.c))
$(BUILD)/obj/tests/gui/%.o: ALL_CFLAGS += -Igui $(GTK_CFLAGS)
$(BUILD)/obj/tests/fuzz/fuzz_prompt.o: ALL_CFLAGS += -Igui

$(GUI_TESTS): $(BUILD)/tests/%: $(BUILD)/obj/tests/gui/%.o $(LIBTVPROMPT) $(LIBTVCOMMON)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(CMOCKA_LIBS)

# The secure entry buffer needs GTK (not a display).
$(BUILD)/tests/test_secure_buffer: $(BUILD)/obj/gui/secure_buffer.o
$(BUILD)/tests/test_secure_buffer: CMOCKA_LIBS += $(GTK_LIBS)

UNIT_TESTS += $(GUI_TESTS)
FUZZ_LINK_prompt := $(LIBTVPROMPT) $(LIBTVCOMMON)
CHECK_DEPS += $(PROMPT_MO)
TEST_SCRIPTS += $(sort $(filter-out tests/gui/lib.sh,$(wildcard tests/gui/*.sh)))

# Refresh the committed screenshots (docs/screenshots/) from a run of the
# window tests and the end-to-end login: make gui-screenshots
gui-screenshots: all $(GUI_TESTS) $(CHECK_DEPS)
	rm -rf $(BUILD)/test-output/screenshots
	TV_BUILD=$(abspath $(BUILD)) TV_SRC=$(CURDIR) tests/gui/prompt-windows.sh
	TV_BUILD=$(abspath $(BUILD)) TV_SRC=$(CURDIR) tests/gui/prompt-login-e2e.sh
	mkdir -p docs/screenshots
	rm -f docs/screenshots/*.png
	cp $(BUILD)/test-output/screenshots/*.png docs/screenshots/
.PHONY: gui-screenshots
