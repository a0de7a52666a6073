#!/bin/bash
# `tarjeta browsers install|remove|status` from the build tree, on Firefox
# profiles and NSS databases made by hand under $T (the installed-system test,
# installed.sh, does it again with a real Firefox profile).
source "$(dirname "$0")/../lib/tap.sh"

tv_setup_test
export HOME="$T/home" XDG_CONFIG_HOME="$T/config" XDG_CACHE_HOME="$T/cache" XDG_RUNTIME_DIR="$T/run"
export XDG_DATA_HOME="$HOME/.local/share" TARJETA_AUTOSTART=no
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
TARJETA="$TV_BUILD/tarjeta"
MODULE="$TV_BUILD/tarjeta-virtual-pkcs11.so"
FF="$HOME/.mozilla/firefox"

registered_in() {   # DIR: the module, with this library, in the NSS database (NSS's own listing)
    modutil -list -dbdir "sql:$1" 2>/dev/null | grep -A1 -F 'Tarjeta virtual' | grep -qF "$2"
}

out=$("$TARJETA" browsers 2>&1); rc=$?
check_eq "no action: usage, exit 2" 2 "$rc"
check_match "usage names the actions" 'install .*remove .*status' "$out"
check_match "help" '^Usage: tarjeta browsers' "$("$TARJETA" browsers --help)"
check_match "tarjeta --help lists browsers" 'browsers' "$("$TARJETA" --help)"
out=$("$TARJETA" browsers install --module relative.so 2>&1); rc=$?
check_eq "--module needs an absolute path: exit 2" 2 "$rc"

out=$("$TARJETA" browsers status 2>&1); rc=$?
check_eq "nothing to look at: status exit 0" 0 "$rc"
check_match "no Firefox profile: says to start Firefox once" 'start Firefox once' "$out"

# Profiles: one relative and one absolute in profiles.ini, one only on disk.
mkdir -p "$FF/abcd.default-esr" "$T/elsewhere/work" "$FF/zzzz.copied"
touch "$FF/abcd.default-esr/prefs.js" "$FF/zzzz.copied/times.json"
cat >"$FF/profiles.ini" <<EOF
[Install4F96D1932A9F858E]
Default=abcd.default-esr

[Profile1]
Name=work
IsRelative=0
Path=$T/elsewhere/work

[Profile0]
Name=default-esr
IsRelative=1
Path=abcd.default-esr
Default=1

[General]
StartWithLastProfile=1
Version=2
EOF
# Firefox 153 ESR puts a new user's profiles under $XDG_CONFIG_HOME/mozilla/firefox.
XFF="$XDG_CONFIG_HOME/mozilla/firefox"
mkdir -p "$XFF/x1y2.default-esr"
printf '[Profile0]\nName=default-esr\nIsRelative=1\nPath=x1y2.default-esr\nDefault=1\n' >"$XFF/profiles.ini"
mkdir -p "$XDG_DATA_HOME/pki/nssdb"
certutil -N --empty-password -d "sql:$XDG_DATA_HOME/pki/nssdb" >/dev/null

out=$("$TARJETA" browsers status 2>&1); rc=$?
check_eq "status before install: exit 1 (missing somewhere)" 1 "$rc"
check_match "status lists the profile named in profiles.ini" 'Firefox profile default-esr .*: not registered' "$out"

out=$("$TARJETA" browsers install 2>&1); rc=$?
check_eq "install: exit 0" 0 "$rc"
check_match "the build tree's module is the one registered" "^Module: $MODULE\$" "$out"
check_match "relative profile" "Firefox profile default-esr \\($FF/abcd.default-esr\\): registered" "$out"
check_match "absolute profile" "Firefox profile work \\($T/elsewhere/work\\): registered" "$out"
check_match "profile not in profiles.ini" "Firefox profile zzzz.copied .*: registered" "$out"
check_match "profile under XDG_CONFIG_HOME/mozilla/firefox" \
    "Firefox profile default-esr \\($XFF/x1y2.default-esr\\): registered" "$out"
check_match "Chromium database created" "Chromium/Chrome NSS database \\($HOME/.pki/nssdb\\): registered" "$out"
check_match "... and said so" '\(database created\)' "$out"
check_match "XDG_DATA_HOME/pki/nssdb" "NSS database \\($XDG_DATA_HOME/pki/nssdb\\): registered" "$out"
check_match "summary" 'Done: 6 registered, 0 already there, 0 failed' "$out"
for d in "$FF/abcd.default-esr" "$T/elsewhere/work" "$FF/zzzz.copied" "$XFF/x1y2.default-esr" \
         "$HOME/.pki/nssdb" "$XDG_DATA_HOME/pki/nssdb"; do
    check "modutil -list shows the module in ${d#"$T"/}" registered_in "$d" "$MODULE"
done
check_eq "Chromium's database is private" 700 "$(stat -c %a "$HOME/.pki/nssdb")"

out=$("$TARJETA" browsers install 2>&1); rc=$?
check_eq "install again: exit 0" 0 "$rc"
check_match "idempotent" 'Done: 0 registered, 6 already there, 0 failed' "$out"
check_eq "still one entry in pkcs11.txt" 1 "$(grep -c '^name=Tarjeta virtual$' "$FF/abcd.default-esr/pkcs11.txt")"

out=$("$TARJETA" browsers status 2>&1); rc=$?
check_eq "status after install: exit 0" 0 "$rc"
check_match "status shows the library" "Firefox profile work .*: registered \\($MODULE\\)" "$out"

# Another module file (e.g. after moving the installation): replaced.
cp "$MODULE" "$T/other-module.so"
out=$("$TARJETA" browsers install --module "$T/other-module.so" 2>&1); rc=$?
check_eq "install --module: exit 0" 0 "$rc"
check_match "a registration with another path is updated" "updated \\(it named $MODULE\\)" "$out"
check "modutil shows the new path" registered_in "$FF/zzzz.copied" "$T/other-module.so"
rm "$T/other-module.so"
out=$("$TARJETA" browsers status 2>&1); rc=$?
check_eq "status: the registered file is gone: exit 1" 1 "$rc"
check_match "... and says what to do" 'does not exist \(run `tarjeta browsers install`\)' "$out"
"$TARJETA" browsers install >/dev/null 2>&1

# A running Firefox holds its profile with a "lock" symlink naming its pid.
sleep 300 &
pid=$!
tv_track "$pid"
ln -s "127.0.0.1:+$pid" "$FF/abcd.default-esr/lock"
out=$("$TARJETA" browsers remove 2>&1); rc=$?
check_eq "remove: exit 0" 0 "$rc"
check_match "a running Firefox is named" 'Firefox is running with this profile: restart it to unload the module' "$out"
check_match "summary" 'Done: 6 removed, 0 not registered, 0 failed' "$out"
for d in "$FF/abcd.default-esr" "$HOME/.pki/nssdb"; do
    check_fails "modutil -list no longer shows it in ${d#"$T"/}" registered_in "$d" "$MODULE"
done
check "the databases stay usable" modutil -list -dbdir "sql:$HOME/.pki/nssdb"
out=$("$TARJETA" browsers remove 2>&1); rc=$?
check_eq "remove again: exit 0" 0 "$rc"
check_match "nothing left to remove" 'Done: 0 removed, 6 not registered, 0 failed' "$out"
kill "$pid"
wait "$pid" 2>/dev/null
out=$("$TARJETA" browsers install 2>&1)
check_no_match "a stale lock is not a running Firefox" 'Firefox is running' "$out"

# Without modutil: a message saying which package to install.
mkdir -p "$T/bin"
out=$(PATH="$T/bin" "$TARJETA" browsers remove 2>&1); rc=$?
check_eq "no modutil: exit 1" 1 "$rc"
check_match "no modutil: names the package" 'install the libnss3-tools package' "$out"
out=$(env -u HOME "$TARJETA" browsers status 2>&1); rc=$?
check_eq "no HOME: exit 1" 1 "$rc"

done_testing
