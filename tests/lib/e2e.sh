# Shared helpers of the end-to-end tests (sourced, bash, after tap.sh).
#
#   e2e_setup              # tv_setup_test + HOME/XDG_* under $T + a bounded clean-up
#   tv_free_port           # a free TCP port on 127.0.0.1
#   e2e_xvfb               # a private X server; sets DISPLAY
#   e2e_nssdb DIR          # an empty NSS database (no password)
#   e2e_nss_add_module DIR NAME LIB   # register a PKCS#11 module in it
#   e2e_nss_trust DIR NICK CERT TRUST # e.g. "C,," for a TLS server CA
#   e2e_test_ca DIR        # throwaway citizen CA (harness self-tests)
#   e2e_test_citizen DIR NAME DNI GIVEN SURNAME   # key + certificate from it
#   e2e_softhsm_env DIR; e2e_softhsm_token DIR LABEL PIN KEY CERT
#                          # stand-in token holding them

E2E_PY=${E2E_PY:-/usr/bin/python3}
E2E_CLEANUPS=()

# e2e_on_exit COMMAND...: run at the end of the test (before tv_cleanup),
# e.g. to remove a global policy file.  Commands run in reverse order.
e2e_on_exit() { E2E_CLEANUPS+=("$(printf '%q ' "$@")"); }

_e2e_exit() {
    local i
    for ((i = ${#E2E_CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${E2E_CLEANUPS[$i]}" >/dev/null 2>&1
    done
    tv_cleanup
}

e2e_setup() {
    tv_setup_test
    trap _e2e_exit EXIT
    export HOME="$T/home" XDG_CONFIG_HOME="$T/home/.config" XDG_CACHE_HOME="$T/home/.cache"
    export XDG_RUNTIME_DIR="$T/run" XDG_DATA_HOME="$T/home/.local/share"
    mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_DATA_HOME"
    mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
    unset DBUS_SESSION_BUS_ADDRESS WAYLAND_DISPLAY
}

tv_free_port() {
    "$E2E_PY" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# e2e_xvfb: start Xvfb on a free display (it picks the number), set DISPLAY.
e2e_xvfb() {
    local fifo="$T/xvfb.display" n
    rm -f "$fifo"
    Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp -nolisten unix \
        3>"$fifo" >"$T/xvfb.log" 2>&1 &
    tv_track $!
    wait_until 15 "Xvfb chose a display" test -s "$fifo" || return 1
    n=$(head -n1 "$fifo")
    export DISPLAY=":$n"
    wait_until 10 "X server answers" xdotool getmouselocation
}

e2e_nssdb() {
    mkdir -p "$1"
    certutil -N -d "sql:$1" --empty-password
}

e2e_nss_add_module() {   # DIR NAME LIB
    modutil -dbdir "sql:$1" -add "$2" -libfile "$3" -force >/dev/null
}

e2e_nss_trust() {        # DIR NICK CERT TRUST
    certutil -A -d "sql:$1" -n "$2" -t "$4" -i "$3"
}

# e2e_verify_db DIR CA: an NSS database (no token) trusting CA for everything.
e2e_verify_db() {
    e2e_nssdb "$1" && e2e_nss_trust "$1" citizen-ca "$2" "C,C,C"
}

# --- a throwaway citizen CA, for the harness self-tests --------------------

e2e_test_ca() {
    local d=$1
    mkdir -p "$d/newcerts"
    : >"$d/index.txt"
    echo 1000 >"$d/serial"
    echo 1000 >"$d/crlnumber"
    cat >"$d/ca.cnf" <<CNF
[ ca ]
default_ca = tca
[ tca ]
dir = $d
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = \$dir/ca.crt
private_key = \$dir/ca.key
default_md = sha256
default_days = 30
default_crl_days = 7
policy = anything
unique_subject = no
copy_extensions = none
[ anything ]
countryName = optional
serialNumber = optional
givenName = optional
surname = optional
commonName = supplied
[ citizen_auth ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth,emailProtection
CNF
    openssl req -x509 -new -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.crt" \
        -days 30 -subj "/C=ES/O=Harness/CN=Harness Citizen CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || return 1
    e2e_test_crl "$d"
}

e2e_test_crl() {          # CA_DIR: (re)write CA_DIR/crl.pem
    openssl ca -batch -config "$1/ca.cnf" -gencrl -out "$1/crl.pem" 2>/dev/null
}

e2e_test_revoke() {       # CA_DIR CERT
    openssl ca -batch -config "$1/ca.cnf" -revoke "$2" 2>/dev/null && e2e_test_crl "$1"
}

# e2e_test_citizen CA_DIR NAME DNI GIVEN SURNAME: NAME.key, NAME.crt in CA_DIR,
# with the subject layout of BakQ certificates (names in UTF-8).
e2e_test_citizen() {
    local d=$1 n=$2 dni=$3 gn=$4 sn=$5
    openssl req -new -newkey rsa:2048 -nodes -keyout "$d/$n.key" -out "$d/$n.csr" -utf8 \
        -subj "/C=ES/serialNumber=IDCES-$dni/GN=$gn/SN=$sn/CN=$sn $gn - $dni" 2>/dev/null &&
    openssl ca -batch -config "$d/ca.cnf" -extensions citizen_auth -notext \
        -in "$d/$n.csr" -out "$d/$n.crt" 2>/dev/null
}

# e2e_softhsm_env DIR: SoftHSM2 keeps its tokens under DIR (exports
# SOFTHSM2_CONF, so call it directly, not through `check`).
E2E_SOFTHSM_LIB=/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so
e2e_softhsm_env() {
    mkdir -p "$1/tokens"
    printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
        "$1/tokens" >"$1/softhsm2.conf"
    export SOFTHSM2_CONF="$1/softhsm2.conf"
}

# e2e_softhsm_token DIR LABEL PIN KEY CERT: a SoftHSM2 token (after
# e2e_softhsm_env DIR) with the key and certificate (CKA_ID 01, label "citizen").
e2e_softhsm_token() {
    local d=$1 label=$2 pin=$3 key=$4 cert=$5
    softhsm2-util --init-token --free --label "$label" --so-pin 12345678 --pin "$pin" >/dev/null &&
    openssl pkcs8 -topk8 -nocrypt -in "$key" -out "$d/key.p8" &&
    softhsm2-util --import "$d/key.p8" --token "$label" --label citizen --id 01 --pin "$pin" >/dev/null &&
    openssl x509 -in "$cert" -outform DER -out "$d/cert.der" &&
    pkcs11-tool --module "$E2E_SOFTHSM_LIB" --token-label "$label" --login --pin "$pin" \
        --write-object "$d/cert.der" --type cert --id 01 --label citizen >/dev/null
}

# e2e_standin_token: for the harness self-tests, which prove the automation
# with a known-good token before the real chain is blamed: a throwaway citizen
# CA in $T/ca (sets ca), Miren's certificate, and a SoftHSM2 stand-in token
# "BakQ 12345678Z" holding its key with PIN 4321 (sets pin).  Checks as it goes.
e2e_standin_token() {
    pin=4321
    ca="$T/ca"
    check "throwaway citizen CA" e2e_test_ca "$ca"
    check "citizen certificate" e2e_test_citizen "$ca" miren 12345678Z MIREN ETXEBERRIA
    e2e_softhsm_env "$T/hsm"
    check "SoftHSM2 token with the certificate and key" \
        e2e_softhsm_token "$T/hsm" "BakQ 12345678Z" "$pin" "$ca/miren.key" "$ca/miren.crt"
}

# --- Firefox -----------------------------------------------------------------

# e2e_firefox_profile DIR: a fresh profile for automation: quiet (no updates,
# telemetry, first-run pages or network probes), Marionette on a port Firefox
# picks (written to DIR/MarionetteActivePort), the client certificate chosen
# automatically.  Register modules and trust CAs with e2e_nss_* on DIR.
e2e_firefox_profile() {
    local d=$1
    mkdir -p "$d"
    e2e_nssdb "$d" || return 1
    cat >"$d/user.js" <<'PREFS'
user_pref("marionette.port", 0);
user_pref("security.default_personal_cert", "Select Automatically");
user_pref("security.remember_cert_checkbox_default_setting", false);
user_pref("security.osclientcerts.autoload", false);
user_pref("security.enterprise_roots.enabled", false);
user_pref("security.OCSP.enabled", 0);
user_pref("security.certerrors.mitm.priming.enabled", false);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.page", 0);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("startup.homepage_welcome_url", "");
user_pref("startup.homepage_welcome_url.additional", "");
user_pref("browser.aboutwelcome.enabled", false);
user_pref("browser.newtabpage.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.update.enabled", false);
user_pref("browser.region.update.enabled", false);
user_pref("browser.search.update", false);
user_pref("app.update.enabled", false);
user_pref("app.update.auto", false);
user_pref("app.normandy.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.unified", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.prefetch-next", false);
user_pref("network.proxy.type", 0);
user_pref("services.settings.server", "https://127.0.0.1:9/");
user_pref("dom.push.connection.enabled", false);
user_pref("toolkit.startup.max_resumed_crashes", -1);
user_pref("browser.sessionstore.resume_from_crash", false);
user_pref("browser.tabs.warnOnClose", false);
PREFS
}

# e2e_firefox PROFILE OUT STEP...: run tests/lib/marionette.py (bounded).
E2E_FIREFOX_TIMEOUT=${E2E_FIREFOX_TIMEOUT:-60}
e2e_firefox() {
    local profile=$1 out=$2
    shift 2
    timeout -k 5 $((E2E_FIREFOX_TIMEOUT * 3)) "$E2E_PY" "$TV_SRC/tests/lib/marionette.py" \
        --firefox /usr/bin/firefox-esr --profile "$profile" --out "$out" \
        --log "$profile.log" --timeout "$E2E_FIREFOX_TIMEOUT" ${E2E_HEADLESS:+--headless} "$@"
}

# --- pkcs11-spy: which PKCS#11 calls and mechanisms a program used ----------

E2E_SPY_LIB=/usr/lib/x86_64-linux-gnu/pkcs11/pkcs11-spy.so

# e2e_spy MODULE LOG: later programs that load $E2E_SPY_LIB use MODULE and log
# every call to LOG.
e2e_spy() { export PKCS11SPY="$1" PKCS11SPY_OUTPUT="$2"; }

# e2e_spy_mechanisms LOG: the signing mechanisms used, one per line.
e2e_spy_mechanisms() {
    grep -A4 -E 'C_SignInit|C_SignMessageInit' "$1" 2>/dev/null |
        grep -oE 'CKM_[A-Z0-9_]+' | sort -u
}

# --- Chromium ----------------------------------------------------------------

E2E_CHROMIUM_POLICY_DIR=${E2E_CHROMIUM_POLICY_DIR:-/etc/chromium/policies/managed}

# e2e_chromium_autoselect ISSUER_CN: managed policy selecting the client
# certificate issued by ISSUER_CN for https://127.0.0.1 (any port).  The
# policy folder is global to the machine: the file has a name unique to this
# test and is removed (with any folder made for it) when the test ends, and
# the tests that use it take turns (a lock on /etc/chromium until they end),
# since Chromium would read the other test's rule too.  Call directly.
e2e_chromium_autoselect() {
    local f lockdir=${E2E_CHROMIUM_POLICY_DIR%/policies/managed}
    mkdir -p "$lockdir" || return 1
    exec {E2E_POLICY_LOCK}<"$lockdir"
    flock -w 900 "$E2E_POLICY_LOCK" || { echo "# another test holds the Chromium policy"; return 1; }
    f="$E2E_CHROMIUM_POLICY_DIR/tarjeta-e2e-$(basename "$T").json"
    if [ ! -d "$E2E_CHROMIUM_POLICY_DIR" ]; then   # leave no empty folders behind
        e2e_on_exit rmdir --ignore-fail-on-non-empty -p "$E2E_CHROMIUM_POLICY_DIR"
        mkdir -p "$E2E_CHROMIUM_POLICY_DIR" || return 1
    fi
    e2e_on_exit rm -f "$f"
    "$E2E_PY" -c 'import json, sys
rule = {"pattern": "https://127.0.0.1:*", "filter": {"ISSUER": {"CN": sys.argv[1]}}}
print(json.dumps({"AutoSelectCertificateForUrls": [json.dumps(rule)]}))' "$1" >"$f"
}

# e2e_chromium OUT STEP...: tests/lib/cdp.py with a profile under $T (bounded).
E2E_CHROMIUM_TIMEOUT=${E2E_CHROMIUM_TIMEOUT:-60}
e2e_chromium() {
    local out=$1
    shift
    timeout -k 5 $((E2E_CHROMIUM_TIMEOUT * 3)) "$E2E_PY" "$TV_SRC/tests/lib/cdp.py" \
        --user-data-dir "$T/chromium" --out "$out" --log "$T/chromium.log" \
        --timeout "$E2E_CHROMIUM_TIMEOUT" "$@"
}

# --- the real chain: bakq-server + tarjeta-agent + our module ----------------

E2E_MODULE="$TV_BUILD/tarjeta-virtual-pkcs11.so"

# e2e_real_stack [sms|coordinates]: bakq-server with an active citizen
# ($TV_DNI), the agent with the scripted pinentry (tests/lib/agent.sh), one
# `tarjeta login` so that the agent caches the certificates (the token
# appears), then `tarjeta logout` so that programs log in themselves; the sede
# trusting the bakq-server CA with its CRL.  Dialog log cleared.  Call
# directly (it exports variables).  Sets E2E_NICK_AUTH / E2E_NICK_SIGN (NSS
# nicknames), E2E_URI_AUTH / E2E_URI_SIGN (pkcs11: URIs of the private keys),
# E2E_CITIZEN (the certificate's CN as RFC 2253 prints it: letters outside
# ASCII as \XX escapes, what nginx gives and command-line clients see),
# E2E_CITIZEN_TEXT (the same CN as UTF-8 text, what browsers show), E2E_AUTH_SERIAL
# (its serial, hex; the sede's page shows the serial of the certificate a
# program presented).  Set TV_SERVER_SURNAME before it for another surname.
e2e_real_stack() {
    tv_agent_stack "${1:-sms}" || { echo "# agent stack failed"; return 1; }
    tv_tarjeta login >"$T/first-login.out" 2>&1 || { echo "# tarjeta login failed"; cat "$T/first-login.out"; return 1; }
    tv_tarjeta logout >/dev/null 2>&1 || return 1
    e2e_fetch_crl "$T/bakq-crl.der" || return 1
    sede_start "$BAKQ_CA" "$T/bakq-crl.der" || return 1
    tv_pinentry_reset
    local token="BakQ%20$TV_DNI"
    E2E_NICK_AUTH="BakQ $TV_DNI:BakQ authentication"
    E2E_NICK_SIGN="BakQ $TV_DNI:BakQ signature"
    E2E_URI_AUTH="pkcs11:token=$token;object=BakQ%20authentication"
    E2E_URI_SIGN="pkcs11:token=$token;object=BakQ%20signature"
    E2E_CITIZEN=$(openssl x509 -in <(e2e_token_cert "BakQ authentication") -noout \
        -subject -nameopt RFC2253 | sed -n 's/.*CN=\([^,]*\).*/\1/p')
    E2E_CITIZEN_TEXT=$(openssl x509 -in <(e2e_token_cert "BakQ authentication") -noout \
        -subject -nameopt RFC2253,-esc_msb | sed -n 's/.*CN=\([^,]*\).*/\1/p')
    E2E_AUTH_SERIAL=$(e2e_token_cert "BakQ authentication" | openssl x509 -noout -serial | cut -d= -f2)
    export E2E_NICK_AUTH E2E_NICK_SIGN E2E_URI_AUTH E2E_URI_SIGN E2E_CITIZEN E2E_CITIZEN_TEXT
    export E2E_AUTH_SERIAL
    [ -n "$E2E_CITIZEN" ] && [ -n "$E2E_CITIZEN_TEXT" ] && [ -n "$E2E_AUTH_SERIAL" ]
}

# e2e_fetch_crl OUT: the bakq-server CRL (DER), as a relying party gets it.
e2e_fetch_crl() {
    curl -sS --fail --max-time 20 --cacert "$BAKQ_CA" -o "$1" "$BAKQ_URL/ca/crl"
}

# e2e_token_cert LABEL: a certificate of our token, PEM on stdout.
e2e_token_cert() {
    pkcs11-tool --module "$E2E_MODULE" --read-object --type cert --label "$1" 2>/dev/null |
        openssl x509 -inform DER
}

# e2e_dialogs: the kinds of the scripted-pinentry dialogs so far, space-separated.
e2e_dialogs() {
    sed -n 's/^== dialog [0-9]* kind=\([a-z-]*\).*/\1/p' "$TV_PINENTRY_LOG" 2>/dev/null | tr '\n' ' ' |
        sed 's/ $//'
}

# e2e_trace NAME: programs started from now on log every PKCS#11 call our
# module receives to $T/trace-NAME.log (the module's TARJETA_DEBUG trace).
e2e_trace() { export TARJETA_DEBUG="$T/trace-$1.log"; }

# e2e_trace_mechanisms NAME: the signing mechanisms in that trace, by name.
e2e_trace_mechanisms() {
    sed -n 's/.*C_SignInit.* mechanism=\(0x[0-9a-f]*\).*/\1/p' "$T/trace-$1.log" 2>/dev/null |
        sort -u | while read -r m; do
            case $m in
                0x1) echo CKM_RSA_PKCS ;;           0xd) echo CKM_RSA_PKCS_PSS ;;
                0x40) echo CKM_SHA256_RSA_PKCS ;;   0x41) echo CKM_SHA384_RSA_PKCS ;;
                0x42) echo CKM_SHA512_RSA_PKCS ;;   0x43) echo CKM_SHA256_RSA_PKCS_PSS ;;
                0x44) echo CKM_SHA384_RSA_PKCS_PSS ;; 0x45) echo CKM_SHA512_RSA_PKCS_PSS ;;
                0x1041) echo CKM_ECDSA ;;           *) echo "$m" ;;
            esac
        done
}
