#!/bin/bash
# The Debian packages on an installed system, without the source tree.
#
# Builds tarjeta-virtual and bakq-server with packaging/build-deb (lintian
# included), then installs them with `apt-get install ./….deb` in a throwaway
# root: an overlay of this machine's own root (so every dependency is already
# there and nothing is downloaded), in private mount, PID and network
# namespaces, with the source and build trees hidden.  Nothing reaches the real
# system: the packages, the bakq-server user, the citizen's account and home
# all live in the overlay's upper layer, a tmpfs that disappears with the test.
# In that root: the installed bakq-server is started the way its unit does; a
# citizen account runs a real `systemd --user`, whose socket unit starts the
# installed agent; setup, login, p11-kit and p11tool, the agent's GTK dialog on
# Xvfb, the translations, `tarjeta browsers` with a fresh Firefox profile
# (and Firefox loading the module), the administrators' policy, autostart
# without systemd, `systemd-analyze verify`; finally `apt-get purge` and a
# check that no file it installed is left.
#
# Needs root (CI runs as root) for the namespaces and the overlay mount.
source "$(dirname "$0")/../lib/tap.sh"

# Re-run this script as PID 1 of new mount, PID and network namespaces: every
# mount below is private to it and every process it starts ends with it.
if [ "${TV_PKG_NAMESPACES:-}" != 1 ]; then
    if [ "$(id -u)" != 0 ] || ! unshare --mount --pid --net --fork true 2>/dev/null; then
        echo "Bail out! tests/packaging/installed.sh needs root and Linux namespaces (unshare --mount --pid --net)"
        exit 1
    fi
    TV_PKG_NAMESPACES=1 exec unshare --mount --pid --net --fork --kill-child --mount-proc -- \
        /bin/bash "$0" "$@"
fi

tv_setup_test
ip link set lo up
TEST_DIR="$TV_SRC/tests"
CITIZEN_DNI=12345678Z
CITIZEN_PHONE=+34612345678
CITIZEN_EMAIL=miren@example.org
CITIZEN_PASSWORD=abcd1234
SERVER_URL=https://127.0.0.1:8443
MULTIARCH=$(gcc -print-multiarch)
MODULE=/usr/lib/$MULTIARCH/pkcs11/tarjeta-virtual-pkcs11.so
NS="$T/ns"
ROOT="$NS/root"
TT="$T/roottmp"               # the root's /tmp (kept with $T when a check fails)
W=/tmp/tvtest                 # test files, as seen inside the root

# ---- helpers ----------------------------------------------------------------

# chroot(1) keeps the working directory: start from the root's "/".
in_root() {     # COMMAND...: as root inside the root, with a clean environment
    cd "$ROOT" && chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@"
}

as_user() {     # USER COMMAND...: as a user inside the root
    local user=$1
    shift
    cd "$ROOT" && chroot "$ROOT" /usr/bin/setpriv --reuid="$user" --regid="$user" --clear-groups -- \
        /usr/bin/env -i PATH=/usr/bin:/bin LANG=C.UTF-8 "$@"
}

as_citizen() {  # COMMAND...: as the citizen, in their session's environment
    as_user citizen HOME=/home/citizen USER=citizen LOGNAME=citizen \
        XDG_RUNTIME_DIR="/run/user/$CUID" DISPLAY="${XDISPLAY:-}" "$@" </dev/null
}

as_bakq() {     # COMMAND...: as the service's user, with the unit's umask
    as_user bakq-server HOME=/var/lib/bakq-server /bin/sh -c 'umask 077; exec "$@"' sh "$@"
}

# systemd --user needs a cgroup it may manage (logind's user@.service gets one
# with Delegate=yes): a child of this test's cgroup in the cgroup2 hierarchy,
# owned by the citizen, removed at the end.
delegate_cgroup() {
    local root=/sys/fs/cgroup
    [ "$(stat -fc %T "$root/unified" 2>/dev/null)" = cgroup2fs ] && root="$root/unified"
    [ "$(stat -fc %T "$root" 2>/dev/null)" = cgroup2fs ] || return 1
    USER_CG="$root$(sed -n 's|^0::/*|/|p' /proc/self/cgroup)"
    USER_CG="${USER_CG%/}/tvpkg-$(basename "$T")"
    mkdir "$USER_CG" || return 1
    chown "$CUID:$CUID" "$USER_CG" "$USER_CG/cgroup.procs" "$USER_CG/cgroup.subtree_control" \
        "$USER_CG/cgroup.threads"
}

cgroup_empty() {
    [ -z "$(find "$USER_CG" -name cgroup.procs -exec cat {} + 2>/dev/null)" ]
}

release_cgroup() {   # stop what still runs in the citizen's cgroup, then remove it
    local pid
    [ -n "${USER_CG:-}" ] && [ -d "$USER_CG" ] || return 0
    [ -e "$USER_CG/cgroup.kill" ] && echo 1 >"$USER_CG/cgroup.kill"
    for pid in $(find "$USER_CG" -name cgroup.procs -exec cat {} + 2>/dev/null); do
        kill -9 "$pid" 2>/dev/null
    done
    wait_until 10 "the citizen's cgroup is empty" cgroup_empty
    find "$USER_CG" -depth -type d -exec rmdir {} \; 2>/dev/null
}

unmount_all() {
    release_cgroup
    [ -d "$NS" ] && umount -R -l "$NS" 2>/dev/null
    tv_cleanup
}

upper_files() { # the files the overlay holds (created or changed inside the root)
    (cd "$NS/upper" && find . -mindepth 1 | sed 's|^\.||' | sort)
}

setup_root() {
    mkdir -p "$NS" "$TT/tvtest"
    mount -t tmpfs -o mode=0755,size=2g tvpkg "$NS" || return 1
    mkdir "$NS/upper" "$NS/work" "$ROOT"
    mount -t overlay tvpkg-root -o "lowerdir=/,upperdir=$NS/upper,workdir=$NS/work" "$ROOT" || return 1
    mount -t proc proc "$ROOT/proc"
    mount --rbind /dev "$ROOT/dev"
    mount -t tmpfs -o mode=1777 tmpfs "$ROOT/dev/shm"
    mount --rbind /sys "$ROOT/sys"
    mount -t tmpfs -o mode=0755 tmpfs "$ROOT/run"
    chmod 1777 "$TT"
    mount --bind "$TT" "$ROOT/tmp"
    # No source tree: the checkout and the build tree are empty folders in there.
    for d in "$TV_SRC" "$TV_BUILD"; do
        [ -d "$ROOT$d" ] && mount -t tmpfs -o ro,mode=0755,size=4k tvpkg-hidden "$ROOT$d"
    done
    return 0
}

free_uid() {
    local uid=4242
    while in_root getent passwd "$uid" >/dev/null || getent passwd "$uid" >/dev/null; do
        uid=$((uid + 1))
    done
    echo "$uid"
}

gone() {        # PID: the process has ended (and was reaped)
    ! kill -0 "$1" 2>/dev/null
}

is_active() {   # UNIT: systemctl --user is-active
    [ "$(as_citizen systemctl --user is-active "$1")" = active ]
}

main_pid_exe() { # UNIT: the executable of the unit's main process
    local pid
    pid=$(as_citizen systemctl --user show -P MainPID "$1")
    in_root readlink "/proc/$pid/exe"
}

# ---- build ------------------------------------------------------------------

# TV_PKG_DEBS=DIR (development only) takes the packages from an earlier
# `make deb` instead of building them again.
if [ -n "${TV_PKG_DEBS:-}" ]; then
    mkdir -p "$T/deb" && cp "$TV_PKG_DEBS"/*.deb "$T/deb/"
else
    check "make deb: packages built from the working tree, lintian: no errors or warnings" \
        env TV_DEB_OUT="$T/deb" "$TV_SRC/packaging/build-deb"
fi
DEB_TV=$(cd "$T/deb" && ls tarjeta-virtual_*.deb 2>/dev/null)
DEB_BQ=$(cd "$T/deb" && ls bakq-server_*.deb 2>/dev/null)
[ -n "$DEB_TV" ] && [ -n "$DEB_BQ" ] || bail "no packages in $T/deb"
check_match "tarjeta-virtual depends on the libraries it links (shlibs)" \
    'libgtk-3-0.*libcurl4|libcurl4.*libgtk-3-0' "$(dpkg-deb -f "$T/deb/$DEB_TV" Depends)"
check_match "bakq-server depends on SoftHSM2 and sysusers" 'libsofthsm2.*systemd-sysusers' \
    "$(dpkg-deb -f "$T/deb/$DEB_BQ" Depends)"

# ---- the throwaway root ------------------------------------------------------

trap unmount_all EXIT
setup_root || bail "cannot mount the overlay root (needs overlayfs)"
check_fails "the source tree is not visible in the root" test -e "$ROOT$TV_SRC/Makefile"
cp "$T/deb/$DEB_TV" "$T/deb/$DEB_BQ" "$TEST_DIR/lib/scripted-pinentry" "$TEST_DIR/gui/tty-session.py" \
    "$TEST_DIR/gui/prompt-driver.py" "$TT/tvtest/"
CUID=$(free_uid)
in_root useradd --create-home --uid "$CUID" --user-group --shell /bin/bash citizen ||
    bail "useradd failed"
chown -R "$CUID:$CUID" "$TT/tvtest"
upper_files >"$T/upper-before.txt"

# ---- install -----------------------------------------------------------------

# (The network namespace has only loopback: apt cannot download anything.)
out=$(in_root apt-get install -y "$W/$DEB_TV" "$W/$DEB_BQ" 2>&1); rc=$?
printf '%s\n' "$out" >"$T/apt-install.log"
check_eq "apt-get install ./….deb: exit 0" 0 "$rc"
check_match "... only these two packages, every dependency already there" \
    '^0 upgraded, 2 newly installed, 0 to remove' "$out"
check_eq "tarjeta-virtual installed" "install ok installed" \
    "$(in_root dpkg-query -W -f='${Status}' tarjeta-virtual)"
check_eq "bakq-server installed" "install ok installed" "$(in_root dpkg-query -W -f='${Status}' bakq-server)"
for f in /usr/bin/tarjeta /usr/bin/tarjeta-agent /usr/bin/tarjeta-prompt /usr/sbin/bakq-server; do
    check "$f installed" test -x "$ROOT$f"
done
check "module in $MODULE" test -f "$ROOT$MODULE"
for l in es eu; do
    check "translations: $l" test -f "$ROOT/usr/share/locale/$l/LC_MESSAGES/tarjeta-prompt.mo"
done
check_match "agent.conf and pkcs11.conf are conffiles" \
    '/etc/tarjeta-virtual/agent.conf .*/etc/tarjeta-virtual/pkcs11.conf' \
    "$(in_root dpkg-query -W -f='${Conffiles}' tarjeta-virtual | tr '\n' ' ')"
for p in tarjeta tarjeta-agent tarjeta-prompt bakq-server; do
    check "man page: $p" in_root man -w "$p"
done
check "desktop entry valid" in_root desktop-file-validate \
    /usr/share/applications/eus.tarjetavirtual.TarjetaVirtual.desktop
check "AppStream metainfo valid" in_root appstreamcli validate --no-net \
    /usr/share/metainfo/eus.tarjetavirtual.TarjetaVirtual.metainfo.xml
check "icon installed" test -f "$ROOT/usr/share/icons/hicolor/scalable/apps/eus.tarjetavirtual.TarjetaVirtual.svg"
check "user socket enabled for every user" \
    test -L "$ROOT/etc/systemd/user/sockets.target.wants/tarjeta-agent.socket"
check "bakq-server.service enabled" test -L "$ROOT/etc/systemd/system/multi-user.target.wants/bakq-server.service"
check "bakq-server system user (sysusers)" in_root getent passwd bakq-server
check_eq "data directory owned by it, mode 0750" "bakq-server bakq-server 750" \
    "$(in_root stat -c '%U %G %a' /var/lib/bakq-server)"
check "systemd-analyze verify bakq-server.service" in_root systemd-analyze verify \
    /lib/systemd/system/bakq-server.service
mkdir -p "$ROOT/run/user/$CUID"
chown "$CUID:$CUID" "$ROOT/run/user/$CUID"
chmod 700 "$ROOT/run/user/$CUID"
check "systemd-analyze --user verify tarjeta-agent.socket and .service" as_citizen systemd-analyze --user \
    verify /usr/lib/systemd/user/tarjeta-agent.socket /usr/lib/systemd/user/tarjeta-agent.service
check "the policy example is JSON naming the installed module" \
    in_root python3 -c "import json,sys; p=json.load(open('/usr/share/doc/tarjeta-virtual/examples/firefox-policies.json'));
sys.exit(p['policies']['SecurityDevices']['Add']['Tarjeta virtual'] != '$MODULE')"
out=$(in_root p11-kit list-modules 2>&1)
check_match "p11-kit list-modules lists the module" "tarjeta-virtual: $MODULE" "$out"

# ---- bakq-server, started the way its unit does -------------------------------

UNIT="$ROOT/lib/systemd/system/bakq-server.service"
read -r -a PRE <<<"$(sed -n 's/^ExecStartPre=//p' "$UNIT")"
SERVER_ARGS=$(. "$ROOT/etc/default/bakq-server" && echo "$BAKQ_SERVER_ARGS")
START_LINE=$(sed -n 's/^ExecStart=//p' "$UNIT")
read -r -a START <<<"${START_LINE//\$BAKQ_SERVER_ARGS/$SERVER_ARGS}"
check "ExecStartPre as bakq-server: ${PRE[*]}" as_bakq "${PRE[@]}"
as_bakq "${START[@]}" >"$TT/tvtest/serve.out" 2>"$TT/tvtest/serve.log" &
SERVER_PID=$!
tv_track "$SERVER_PID"
wait_until 60 "bakq-server listening" grep -q "listening on $SERVER_URL" "$TT/tvtest/serve.out"
check_match "ExecStart as bakq-server: listening on 127.0.0.1:8443" "listening on $SERVER_URL" \
    "$(cat "$TT/tvtest/serve.out")"
printf '%s\n' "$CITIZEN_PASSWORD" >"$TT/tvtest/pw"
chmod 644 "$TT/tvtest/pw"
check "bakq-server enroll (as its user) a citizen" as_bakq /usr/sbin/bakq-server enroll --data-dir /var/lib/bakq-server \
    --dni "$CITIZEN_DNI" --given-name Miren --surname Etxeberria --birth-date 1980-05-17 \
    --email "$CITIZEN_EMAIL" --phone "$CITIZEN_PHONE" --second-factor sms --password-file "$W/pw" --activate
cp "$ROOT/var/lib/bakq-server/ca.crt" "$TT/tvtest/ca.pem"
chmod 644 "$TT/tvtest/ca.pem"

# ---- the citizen's session: X server, systemd --user --------------------------

cat >"$TT/tvtest/pinentry" <<EOF
#!/bin/sh
exec python3 $W/scripted-pinentry --script $W/pinentry.script --log $W/pinentry.log \\
    --server $SERVER_URL --ca $W/ca.pem --phone $CITIZEN_PHONE --email $CITIZEN_EMAIL
EOF
printf 'password value %s\nsms outbox\nnotice ok\nconfirm-signature second-factor\n' \
    "$CITIZEN_PASSWORD" >"$TT/tvtest/pinentry.script"
chmod 755 "$TT/tvtest/pinentry"
: >"$TT/tvtest/pinentry.log"
# The agent's log, for when a check fails (a user drop-in; the units are as installed).
mkdir -p "$ROOT/home/citizen/.config/systemd/user/tarjeta-agent.service.d"
printf '[Service]\nStandardError=append:%s/agent.log\nEnvironment=TARJETA_DEBUG=1\n' "$W" \
    >"$ROOT/home/citizen/.config/systemd/user/tarjeta-agent.service.d/test-log.conf"
chown -R "$CUID:$CUID" "$TT/tvtest" "$ROOT/home/citizen/.config"

mkdir -p -m 1777 "$TT/.X11-unix"
as_user citizen Xvfb -displayfd 3 -screen 0 1024x768x24 -nolisten tcp -noreset \
    3>"$TT/tvtest/xvfb.display" >"$TT/tvtest/xvfb.log" 2>&1 &
tv_track $!
wait_until 20 "Xvfb" test -s "$TT/tvtest/xvfb.display"
XDISPLAY=":$(head -n1 "$TT/tvtest/xvfb.display")"

mkdir -p "$ROOT/run/systemd/system"     # what systemd --user checks to run
delegate_cgroup || bail "cannot make a cgroup for the citizen's systemd --user (cgroup2 needed)"
(echo "$BASHPID" >"$USER_CG/cgroup.procs" && as_citizen /lib/systemd/systemd --user) \
    >"$TT/tvtest/systemd-user.log" 2>&1 &
USER_MANAGER=$!
tv_track "$USER_MANAGER"
SOCK="$ROOT/run/user/$CUID/tarjeta-virtual/agent.sock"
wait_until 30 "agent socket" test -S "$SOCK"
check "systemd --user listens on the installed socket unit" is_active tarjeta-agent.socket
check_eq "socket at %t/tarjeta-virtual/agent.sock, mode 0600" "srw------- citizen" \
    "$(in_root stat -c '%A %U' "/run/user/$CUID/tarjeta-virtual/agent.sock")"
check_fails "agent not started before anyone connects" is_active tarjeta-agent.service
as_citizen systemctl --user set-environment DISPLAY="$XDISPLAY"

# ---- setup + login against the installed bakq-server ----------------------------

out=$(as_citizen tarjeta setup --server "$SERVER_URL" --ca "$W/ca.pem" --user "$CITIZEN_DNI" \
      --prompt-program "$W/pinentry" 2>&1); rc=$?
check_eq "installed tarjeta setup: exit 0" 0 "$rc"
check_match "setup: the agent took the configuration" 'The agent uses it now' "$out"
check_match "setup: offers the browser registration" 'tarjeta browsers install' "$out"
check "the first connection started tarjeta-agent.service (socket activation)" is_active tarjeta-agent.service
check_eq "... running the installed agent" /usr/bin/tarjeta-agent "$(main_pid_exe tarjeta-agent.service)"
out=$(as_citizen tarjeta login 2>&1); rc=$?
check_eq "tarjeta login (password + SMS code through the scripted pinentry): exit 0" 0 "$rc"
check_match "login: logged in" 'Logged in' "$out"
check_match "the dialogs were password and SMS" 'kind=password.*kind=sms' "$(tr '\n' ' ' <"$TT/tvtest/pinentry.log")"
out=$(as_citizen tarjeta status 2>&1)
check_match "status: token present, session active" "Token: +present.*Session: +active" "$(tr '\n' ' ' <<<"$out")"

out=$(as_citizen p11-kit list-modules 2>&1)
check_match "p11-kit list-modules: the module with the token" \
    "tarjeta-virtual: $MODULE.*token: BakQ $CITIZEN_DNI" "$(tr '\n' ' ' <<<"$out")"
out=$(as_citizen p11tool --list-tokens 2>&1)
check_match "p11tool --list-tokens: the token" "Label: BakQ $CITIZEN_DNI" "$out"
out=$(as_citizen p11tool --list-all-certs "pkcs11:token=BakQ%20$CITIZEN_DNI" 2>&1)
check_match "p11tool: the certificates, without logging in" 'Type: X.509 Certificate' "$out"

# ---- the agent finds the installed tarjeta-prompt; it finds its translations ----

sed -i '/^prompt-program/d' "$ROOT/home/citizen/.config/tarjeta-virtual/agent.conf"
as_citizen systemctl --user reload tarjeta-agent.service
as_citizen tarjeta logout >/dev/null 2>&1
as_citizen tarjeta login >"$TT/tvtest/gui-login.out" 2>&1 &
LOGIN_PID=$!
tv_track "$LOGIN_PID"
window_focused() {
    local id
    id=$(as_citizen xdotool search --onlyvisible --name 'Tarjeta virtual' 2>/dev/null | head -n1)
    [ -n "$id" ] && [ "$(as_citizen xdotool getwindowfocus 2>/dev/null)" = "$id" ]
}
check "the agent shows the password dialog with the installed tarjeta-prompt" \
    wait_until 30 "tarjeta-prompt window" window_focused
check_eq "... /usr/bin/tarjeta-prompt" /usr/bin/tarjeta-prompt \
    "$(in_root readlink "/proc/$(in_root pgrep -u "$CUID" -x tarjeta-prompt | head -n1)/exe")"
as_citizen xdotool key Escape
wait_until 20 "login ends" gone "$LOGIN_PID"
wait "$LOGIN_PID"
rc=$?
check_eq "Escape cancels the login: exit 1" 1 "$rc"
check_match "... and says so" 'cancelled' "$(cat "$TT/tvtest/gui-login.out")"
out=$(as_citizen TV_BUILD=/nonexistent python3 "$W/tty-session.py" --program /usr/bin/tarjeta-prompt --keys '\x1b' -- \
      "OPTION lc-messages=eu_ES.UTF-8" "OPTION tarjeta-dialog=password" GETPIN BYE 2>&1)
check_match "installed tarjeta-prompt finds its Basque catalog" 'Idatzi zure BakQ-ren pasahitza' "$out"
out=$(as_citizen TV_BUILD=/nonexistent python3 "$W/tty-session.py" --program /usr/bin/tarjeta-prompt --keys '\x1b' -- \
      "OPTION lc-messages=es_ES.UTF-8" "OPTION tarjeta-dialog=password" GETPIN BYE 2>&1)
check_match "... and its Spanish one" 'Introduzca la contraseña de su BakQ' "$out"

# ---- browsers ----------------------------------------------------------------

NSSDB=/home/citizen/.pki/nssdb
nss_lists() {   # DIR: NSS's own listing of the database names the installed module
    as_citizen modutil -list -dbdir "sql:$1" 2>/dev/null | grep -A1 -F 'Tarjeta virtual' | grep -qF "$MODULE"
}
# A new user's first Firefox start makes the profiles (Firefox 153 ESR: under
# ~/.config/mozilla/firefox).
as_citizen timeout 120 firefox-esr --headless --screenshot "$W/first-run.png" about:blank \
    >"$TT/tvtest/firefox.log" 2>&1
FFROOT=/home/citizen/.config/mozilla/firefox
PROFILES=$(sed -n 's/^Path=//p' "$ROOT$FFROOT/profiles.ini" 2>/dev/null | wc -l)
PROFILE=$FFROOT/$(sed -n 's/^Default=\(.*default-esr\)$/\1/p' "$ROOT$FFROOT/installs.ini" 2>/dev/null | head -n1)
check "Firefox's first run made a profile" test -f "$ROOT$PROFILE/prefs.js"
out=$(as_citizen tarjeta browsers status 2>&1); rc=$?
check_eq "browsers status before install: exit 1" 1 "$rc"
out=$(as_citizen tarjeta browsers install 2>&1); rc=$?
check_eq "tarjeta browsers install: exit 0" 0 "$rc"
check_match "install: the installed module" "^Module: $MODULE\$" "$out"
check_match "install: the Firefox profile" "Firefox profile .*\\($PROFILE\\): registered" "$out"
check_match "install: Chromium's NSS database, created" "\\($NSSDB\\): registered" "$out"
check "modutil -list: in the Firefox profile" nss_lists "$PROFILE"
check "modutil -list: in ~/.pki/nssdb" nss_lists "$NSSDB"
out=$(as_citizen tarjeta browsers install 2>&1)
check_match "install again: nothing to do" "Done: 0 registered, $((PROFILES + 1)) already there, 0 failed" "$out"
as_citizen env TARJETA_DEBUG="$W/firefox-trace.log" timeout 120 firefox-esr --headless --profile "$PROFILE" \
    --screenshot "$W/firefox.png" about:blank >>"$TT/tvtest/firefox.log" 2>&1
check_match "Firefox loads the registered module at start" 'C_Initialize' \
    "$(cat "$TT/tvtest/firefox-trace.log" 2>/dev/null)"
check "... and keeps it in its module list" nss_lists "$PROFILE"

firefox_holds_profile() {
    local target
    target=$(readlink "$ROOT$PROFILE/lock") && kill -0 "${target##*+}" 2>/dev/null
}
rm -f "$ROOT$PROFILE/lock"      # left by the last run; a running Firefox makes a new one
as_citizen timeout 300 firefox-esr --headless --profile "$PROFILE" about:blank >>"$TT/tvtest/firefox.log" 2>&1 &
FIREFOX_PID=$!
tv_track "$FIREFOX_PID"
wait_until 60 "Firefox holds its profile" firefox_holds_profile
out=$(as_citizen tarjeta browsers remove 2>&1); rc=$?
check_eq "tarjeta browsers remove: exit 0" 0 "$rc"
check_match "remove: every database" "Done: $((PROFILES + 1)) removed, 0 not registered, 0 failed" "$out"
check_match "remove: a running Firefox is named" 'Firefox is running with this profile: restart it' "$out"
kill "$FIREFOX_PID"
wait "$FIREFOX_PID" 2>/dev/null
check_fails "modutil -list: not in the Firefox profile (after Firefox exited)" nss_lists "$PROFILE"
check_fails "modutil -list: not in ~/.pki/nssdb" nss_lists "$NSSDB"
out=$(as_citizen tarjeta browsers status 2>&1); rc=$?
check_eq "browsers status after remove: exit 1" 1 "$rc"

# The administrators' policy (not active by default): Firefox adds the module.
mkdir -p "$ROOT/etc/firefox/policies"
cp "$ROOT/usr/share/doc/tarjeta-virtual/examples/firefox-policies.json" "$ROOT/etc/firefox/policies/policies.json"
as_citizen timeout 120 firefox-esr --headless -CreateProfile "policy /home/citizen/.mozilla/firefox/tv.policy" \
    >/dev/null 2>&1
as_citizen timeout 120 firefox-esr --headless --profile /home/citizen/.mozilla/firefox/tv.policy \
    --screenshot "$W/firefox2.png" about:blank >>"$TT/tvtest/firefox.log" 2>&1
check "the policy example makes Firefox register the module" nss_lists /home/citizen/.mozilla/firefox/tv.policy
out=$(as_citizen tarjeta browsers status 2>&1)
check_match "browsers status sees it (a profile in ~/.mozilla/firefox)" \
    "Firefox profile .*\\(/home/citizen/.mozilla/firefox/tv.policy\\): registered \\($MODULE\\)" "$out"
rm -r "$ROOT/etc/firefox"

# ---- without systemd: the module starts the installed agent ----------------------

as_citizen systemctl --user exit
wait_until 30 "the user manager exits" gone "$USER_MANAGER"
check_fails "socket gone with the user manager" test -e "$SOCK"
out=$(as_citizen p11tool --list-tokens 2>&1)
check_match "p11tool with no agent: the module autostarts it, token from the cache" \
    "Label: BakQ $CITIZEN_DNI" "$out"
AGENT_PID=$(in_root pgrep -u "$CUID" -x tarjeta-agent | head -n1)
check_eq "... the installed /usr/bin/tarjeta-agent" /usr/bin/tarjeta-agent \
    "$(in_root readlink "/proc/$AGENT_PID/exe" 2>&1)"
[ -n "$AGENT_PID" ] && kill "$AGENT_PID"
wait_until 10 "agent exits" test ! -e "/proc/$AGENT_PID"

# ---- purge -------------------------------------------------------------------------

kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
rmdir "$ROOT/run/systemd/system"
out=$(in_root apt-get purge -y tarjeta-virtual bakq-server 2>&1); rc=$?
printf '%s\n' "$out" >"$T/apt-purge.log"
check_eq "apt-get purge: exit 0" 0 "$rc"
check_eq "tarjeta-virtual gone" "" "$(in_root dpkg-query -W -f='${Status}' tarjeta-virtual 2>/dev/null |
                                     grep -v not-installed)"
check_fails "/var/lib/bakq-server gone" test -e "$ROOT/var/lib/bakq-server"
check_fails "user socket no longer enabled" test -e "$ROOT/etc/systemd/user/sockets.target.wants/tarjeta-agent.socket"
check_fails "/etc/tarjeta-virtual gone" test -e "$ROOT/etc/tarjeta-virtual"
upper_files >"$T/upper-after.txt"
# New in the root since just before the install, and not a file of the real
# system: what the install left behind.  Package-manager state and logs, and
# what the test itself made (the citizen's home), are expected.
leftovers=$(comm -13 "$T/upper-before.txt" "$T/upper-after.txt" | while read -r f; do
        [ -e "$f" ] || [ -L "$f" ] || printf '%s\n' "$f"
    done | grep -Ev '^/(var/lib/dpkg|var/log|var/cache/(apt|debconf|man)|var/lib/apt|home/citizen|root)(/|$)')
check_eq "apt-get purge left no file behind" "" "$leftovers"

done_testing
