#!/bin/bash
# `make install`: the FHS layout under DESTDIR, and an installation under a
# PREFIX whose programs find each other there (no Debian package involved).
source "$(dirname "$0")/../lib/tap.sh"

tv_setup_test
MULTIARCH=$(gcc -print-multiarch)
# Everything is built already (make check builds first): this only copies.
install_to() {
    make -s -C "$TV_SRC" BUILD="$TV_BUILD" "$@" install >"$T/make-install.log" 2>&1
}

check "make install DESTDIR=… PREFIX=/usr" install_to DESTDIR="$T/stage" PREFIX=/usr
expected="/etc/default/bakq-server
/etc/tarjeta-virtual/agent.conf
/etc/tarjeta-virtual/pkcs11.conf
/lib/systemd/system/bakq-server.service
/usr/bin/tarjeta
/usr/bin/tarjeta-agent
/usr/bin/tarjeta-prompt
/usr/lib/$MULTIARCH/pkcs11/tarjeta-virtual-pkcs11.so
/usr/lib/systemd/user/tarjeta-agent.service
/usr/lib/systemd/user/tarjeta-agent.socket
/usr/lib/sysusers.d/bakq-server.conf
/usr/lib/tmpfiles.d/bakq-server.conf
/usr/sbin/bakq-server
/usr/share/applications/eus.tarjetavirtual.TarjetaVirtual.desktop
/usr/share/doc/tarjeta-virtual/examples/firefox-policies.json
/usr/share/icons/hicolor/scalable/apps/eus.tarjetavirtual.TarjetaVirtual.svg
/usr/share/locale/es/LC_MESSAGES/tarjeta-prompt.mo
/usr/share/locale/eu/LC_MESSAGES/tarjeta-prompt.mo
/usr/share/man/man1/tarjeta-agent.1
/usr/share/man/man1/tarjeta-prompt.1
/usr/share/man/man1/tarjeta.1
/usr/share/man/man8/bakq-server.8
/usr/share/metainfo/eus.tarjetavirtual.TarjetaVirtual.metainfo.xml
/usr/share/p11-kit/modules/tarjeta-virtual.module"
check_eq "every file in its FHS place" "$(LC_ALL=C sort <<<"$expected")" \
    "$(cd "$T/stage" && find . -type f | sed 's|^\.||' | LC_ALL=C sort)"
check_eq "programs 0755, data 0644" "" \
    "$(cd "$T/stage" && find . -type f ! -perm 0755 ! -perm 0644)"
check_match "p11-kit module file names the installed module" \
    "^module: /usr/lib/$MULTIARCH/pkcs11/tarjeta-virtual-pkcs11.so$" \
    "$(cat "$T/stage/usr/share/p11-kit/modules/tarjeta-virtual.module")"
check_match "user unit runs /usr/bin/tarjeta-agent" '^ExecStart=/usr/bin/tarjeta-agent$' \
    "$(cat "$T/stage/usr/lib/systemd/user/tarjeta-agent.service")"
check_match "system unit runs /usr/sbin/bakq-server" \
    '^ExecStart=/usr/sbin/bakq-server serve --data-dir /var/lib/bakq-server \$BAKQ_SERVER_ARGS$' \
    "$(cat "$T/stage/lib/systemd/system/bakq-server.service")"
check "the policy example is JSON" python3 -m json.tool \
    "$T/stage/usr/share/doc/tarjeta-virtual/examples/firefox-policies.json"
check_match "metainfo carries the version" '<release version="[0-9]+\.[0-9]+\.[0-9]+"' \
    "$(cat "$T/stage/usr/share/metainfo/eus.tarjetavirtual.TarjetaVirtual.metainfo.xml")"
check "desktop entry valid" desktop-file-validate \
    "$T/stage/usr/share/applications/eus.tarjetavirtual.TarjetaVirtual.desktop"
check "AppStream metainfo valid" appstreamcli validate --no-net \
    "$T/stage/usr/share/metainfo/eus.tarjetavirtual.TarjetaVirtual.metainfo.xml"
for m in man1/tarjeta.1 man1/tarjeta-agent.1 man1/tarjeta-prompt.1 man8/bakq-server.8; do
    out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$T/stage/usr/share/man/$m" 2>&1 >/dev/null)
    check_eq "man page $m formats without warnings" "" "$out"
done

# Under another prefix: the paths in the generated files follow it, and the
# installed CLI registers the module of that installation.
P="$T/prefix"
check "make install PREFIX=$P" install_to PREFIX="$P"
check_match "module file under the prefix" "^module: $P/lib/$MULTIARCH/pkcs11/tarjeta-virtual-pkcs11.so$" \
    "$(cat "$P/share/p11-kit/modules/tarjeta-virtual.module")"
check_match "user unit under the prefix" "^ExecStart=$P/bin/tarjeta-agent$" \
    "$(cat "$P/lib/systemd/user/tarjeta-agent.service")"
check "configuration in PREFIX/etc" test -f "$P/etc/tarjeta-virtual/agent.conf"
export HOME="$T/home" TARJETA_AUTOSTART=no
mkdir -p "$HOME"
out=$("$P/bin/tarjeta" browsers install 2>&1); rc=$?
check_eq "installed tarjeta browsers install: exit 0" 0 "$rc"
check_match "it registers the module of its own installation" \
    "^Module: $P/lib/$MULTIARCH/pkcs11/tarjeta-virtual-pkcs11.so$" "$out"
check_match "into Chromium's database" 'Chromium/Chrome NSS database .*: registered' "$out"

done_testing
