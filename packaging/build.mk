# packaging/: `make install` (FHS layout) and the packaging tests.
#
#   make install [DESTDIR=/tmp/stage] [PREFIX=/usr/local]
#
# installs what `make` built, plus the files the system needs to find it:
# systemd units, the p11-kit module file, the desktop entry, man pages and the
# default configuration.  packaging/debian/rules runs it with PREFIX=/usr.
# `make deb` (packaging/build-deb) builds the Debian packages into build/deb/.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
LOCALEDIR ?= $(DATADIR)/locale
DOCDIR ?= $(DATADIR)/doc/tarjeta-virtual
# /usr installs configuration in /etc, other prefixes in PREFIX/etc.
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
MULTIARCH ?= $(shell $(CC) -print-multiarch 2>/dev/null)
LIBDIR ?= $(PREFIX)/lib$(if $(MULTIARCH),/$(MULTIARCH))
PKCS11DIR ?= $(LIBDIR)/pkcs11
# p11-kit reads /usr/share/p11-kit/modules and /etc/pkcs11/modules; for another
# prefix, set P11KIT_MODULEDIR=/etc/pkcs11/modules to make p11-kit see it.
P11KIT_MODULEDIR ?= $(DATADIR)/p11-kit/modules
# Debian 12 keeps system units in /lib/systemd/system; user units, sysusers.d
# and tmpfiles.d files live under /usr/lib.
SYSTEMD_UNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
SYSTEMD_USERUNITDIR ?= $(PREFIX)/lib/systemd/user
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
APP_ID := eus.tarjetavirtual.TarjetaVirtual

PKG_SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' \
                -e 's|@PKCS11DIR@|$(PKCS11DIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
                -e 's|@VERSION@|$(VERSION)|g'
INSTALL ?= install

install: install-tarjeta install-bakq-server

install-tarjeta: $(BUILD)/tarjeta-agent $(BUILD)/tarjeta $(BUILD)/tarjeta-prompt \
                 $(BUILD)/tarjeta-virtual-pkcs11.so $(PROMPT_MO)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PKCS11DIR) $(DESTDIR)$(P11KIT_MODULEDIR) $(DESTDIR)$(SYSTEMD_USERUNITDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(SYSCONFDIR)/tarjeta-virtual $(DESTDIR)$(DATADIR)/applications \
	  $(DESTDIR)$(DATADIR)/metainfo $(DESTDIR)$(DATADIR)/icons/hicolor/scalable/apps $(DESTDIR)$(DOCDIR)/examples
	$(INSTALL) -m 0755 $(BUILD)/tarjeta $(BUILD)/tarjeta-agent $(BUILD)/tarjeta-prompt $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 0644 $(BUILD)/tarjeta-virtual-pkcs11.so $(DESTDIR)$(PKCS11DIR)/
	for l in $(PROMPT_LANGS); do \
	  $(INSTALL) -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
	  $(INSTALL) -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/tarjeta-prompt.mo $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/ || exit 1; \
	done
	$(PKG_SUBST) packaging/p11-kit/tarjeta-virtual.module.in >$(DESTDIR)$(P11KIT_MODULEDIR)/tarjeta-virtual.module
	$(PKG_SUBST) packaging/systemd/tarjeta-agent.service.in >$(DESTDIR)$(SYSTEMD_USERUNITDIR)/tarjeta-agent.service
	$(INSTALL) -m 0644 packaging/systemd/tarjeta-agent.socket $(DESTDIR)$(SYSTEMD_USERUNITDIR)/
	$(INSTALL) -m 0644 packaging/etc/agent.conf packaging/etc/pkcs11.conf $(DESTDIR)$(SYSCONFDIR)/tarjeta-virtual/
	$(INSTALL) -m 0644 packaging/man/tarjeta.1 packaging/man/tarjeta-agent.1 packaging/man/tarjeta-prompt.1 \
	  $(DESTDIR)$(MANDIR)/man1/
	$(INSTALL) -m 0644 packaging/desktop/$(APP_ID).desktop $(DESTDIR)$(DATADIR)/applications/
	$(PKG_SUBST) packaging/desktop/$(APP_ID).metainfo.xml.in >$(DESTDIR)$(DATADIR)/metainfo/$(APP_ID).metainfo.xml
	$(INSTALL) -m 0644 packaging/desktop/$(APP_ID).svg $(DESTDIR)$(DATADIR)/icons/hicolor/scalable/apps/
	$(PKG_SUBST) packaging/doc/firefox-policies.json.in >$(DESTDIR)$(DOCDIR)/examples/firefox-policies.json
	chmod 0644 $(DESTDIR)$(P11KIT_MODULEDIR)/tarjeta-virtual.module $(DESTDIR)$(SYSTEMD_USERUNITDIR)/tarjeta-agent.service \
	  $(DESTDIR)$(DATADIR)/metainfo/$(APP_ID).metainfo.xml $(DESTDIR)$(DOCDIR)/examples/firefox-policies.json

install-bakq-server: $(BUILD)/bakq-server
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(SYSTEMD_UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
	  $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)/default
	$(INSTALL) -m 0755 $(BUILD)/bakq-server $(DESTDIR)$(SBINDIR)/
	$(PKG_SUBST) packaging/systemd/bakq-server.service.in >$(DESTDIR)$(SYSTEMD_UNITDIR)/bakq-server.service
	$(INSTALL) -m 0644 packaging/systemd/bakq-server.sysusers $(DESTDIR)$(SYSUSERSDIR)/bakq-server.conf
	$(INSTALL) -m 0644 packaging/systemd/bakq-server.tmpfiles $(DESTDIR)$(TMPFILESDIR)/bakq-server.conf
	$(INSTALL) -m 0644 packaging/etc/bakq-server.default $(DESTDIR)$(SYSCONFDIR)/default/bakq-server
	$(INSTALL) -m 0644 packaging/man/bakq-server.8 $(DESTDIR)$(MANDIR)/man8/
	chmod 0644 $(DESTDIR)$(SYSTEMD_UNITDIR)/bakq-server.service

.PHONY: install install-tarjeta install-bakq-server

# Tests of the packages: build them, install them in a throwaway root, use them.
TEST_SCRIPTS += $(sort $(wildcard tests/packaging/*.sh))
