# Helpers for the module's integration tests (bash; sourced after tap.sh).
#
#   tv_p11_stack [sms|coordinates] [rsa2048|p256]
#       tv_agent_stack (real bakq-server + agent + scripted pinentry), then one
#       `tarjeta login` + `tarjeta logout` so the agent has the certificates
#       (the token appears) but no session.  Sets TV_MODULE and
#       TARJETA_AUTOSTART=0 (tests that want autostart say so).
#   p11 TOOL ARGS...     run a third-party program that loads the module; with an
#                        ASan build (make SANITIZE=1) the sanitizer runtime is
#                        preloaded for it, leak checks off (they are not ours).
#   ptool ARGS...        pkcs11-tool --module $TV_MODULE ARGS
#   p11_id LABEL         the CKA_ID (hex) of the certificate with that label
#   p11_cert LABEL FILE  that certificate, PEM, into FILE (read through the module)
#   tap_from CMD...      run a program printing "ok - x" / "not ok - x" lines and
#                        report each as a TAP result here
source "$TV_SRC/tests/lib/agent.sh"

TV_MODULE="$TV_BUILD/tarjeta-virtual-pkcs11.so"
AUTH_LABEL="BakQ authentication"
SIGN_LABEL="BakQ signature"
export TV_MODULE AUTH_LABEL SIGN_LABEL

_tv_p11_asan() {
    readelf -d "$TV_MODULE" 2>/dev/null | grep -q 'NEEDED.*libasan'
}

p11() {
    if _tv_p11_asan; then
        LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)" \
            ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0 "$@"
    else
        "$@"
    fi
}

ptool() {
    p11 pkcs11-tool --module "$TV_MODULE" "$@"
}

tv_p11_stack() {
    tv_agent_stack "${1:-sms}" "${2:-rsa2048}" || return 1
    export TARJETA_AUTOSTART=0
    tv_tarjeta login >"$T/first-login.out" 2>&1 || return 1
    tv_tarjeta logout >>"$T/first-login.out" 2>&1 || return 1
    tv_pinentry_reset
}

p11_id() {
    ptool -O --type cert 2>/dev/null | awk -v l="$1" '
        /^Certificate Object/ { want = 0 }
        $1 == "label:" { sub(/^[ \t]*label:[ \t]*/, ""); want = ($0 == l) }
        want && $1 == "ID:" { print $2; exit }'
}

p11_cert() {
    local id
    id=$(p11_id "$1")
    [ -n "$id" ] || return 1
    ptool --read-object --type cert --id "$id" -o "$2.der" >/dev/null 2>&1 &&
        openssl x509 -inform DER -in "$2.der" -out "$2"
}

tap_from() {
    local out line rc
    out=$("$@" 2>&1) && rc=0 || rc=$?
    while IFS= read -r line; do
        case $line in
            "ok - "*) _tap_result 0 "${line#ok - }" ;;
            "not ok - "*) _tap_result 1 "${line#not ok - }" ;;
        esac
    done <<<"$out"
    [ "$rc" -eq 0 ] || _tap_result 1 "$1 exited $rc" "$(printf '%s' "$out" | tail -n 20)"
}
