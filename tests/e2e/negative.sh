#!/bin/bash
# Negative paths through a real browser (headless Firefox) and the real
# chain: a blocked BakQ, an expired one and a revoked one each end with the
# agent's notice to the citizen (through its prompt), a failure page in the
# browser and no hang; the sede's CRL lists the revoked certificate.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/e2e.sh"
source "$TV_SRC/tests/lib/sede.sh"
source "$TV_SRC/tests/lib/agent.sh"
e2e_setup

e2e_real_stack
check_eq "bakq-server, agent, token and sede are up" 0 $? || bail "no stack"
export TARJETA_AUTOSTART=no E2E_HEADLESS=1
profile="$T/firefox"
make_profile() {
    e2e_firefox_profile "$profile" && e2e_nss_add_module "$profile" "Tarjeta virtual" "$E2E_MODULE" &&
        e2e_nss_trust "$profile" sede-ca "$SEDE_SERVER_CA" "C,,"
}
check "Firefox profile with our module" make_profile

# refused KIND RESULT-LINE: the notice was shown, the browser failed in time.
refused() {
    local kind=$1 r=$2
    check_match "$kind: the agent told the citizen (notice '$kind')" \
        "OPTION tarjeta-notice=$kind" "$(cat "$TV_PINENTRY_LOG")"
    if [ -n "$r" ] && ! printf '%s' "$r" | grep -q "DNI/NIE: $TV_DNI"; then
        _tap_result 0 "$kind: Firefox does not get in"
    else
        _tap_result 1 "$kind: Firefox does not get in" "result: ${r:-(none)}"
    fi
    check_match "$kind: Firefox shows a failure page" \
        '"document": "about:(neterror|certerror)|Acceso denegado' "$r"
    check_match "$kind: within 30 s (no hang)" '"ms": [0-9]{1,5},' "$r"
}

out="$T/firefox.out"
e2e_firefox "$profile" "$out" "touch:$T/ready" \
    "wait:$T/blocked" "open:$SEDE_URL13" "touch:$T/blocked-done" \
    "wait:$T/expired" "open:$SEDE_URL13" "touch:$T/expired-done" \
    "wait:$T/revoked" "open:$SEDE_URL13" >"$T/firefox.log" 2>&1 &
ff=$!
tv_track "$ff"
wait_until 60 "Firefox started" test -e "$T/ready"

# --- blocked: five wrong passwords elsewhere ----------------------------------------
for _ in 1 2 3 4 5; do tv_login "$TV_DNI" wrongpw9 >/dev/null; done
check_match "the BakQ is blocked after five wrong passwords" '"blocked"' \
    "$(tv_api POST /csc/v2/auth/login '{}' -u "$TV_DNI:$TV_PASSWORD")"
tv_pinentry_reset
touch "$T/blocked"
wait_until 60 "blocked case done" test -e "$T/blocked-done"
refused blocked "$(sed -n 1p "$out")"
check_match "blocked: the notice says how to unblock" 'reset' \
    "$(grep -i -A8 'tarjeta-notice=blocked' "$TV_PINENTRY_LOG")"

# Unblock: a new password by SMS (the holder's own procedure).
tv_api POST /bakq/v1/password-reset/start "{\"dni\": \"$TV_DNI\"}" >/dev/null
code=$(tv_outbox_code "$TV_PHONE")
TV_PASSWORD=Berri123
r=$(tv_api POST /bakq/v1/password-reset/complete \
    "{\"dni\": \"$TV_DNI\", \"code\": \"$code\", \"new_password\": \"$TV_PASSWORD\"}")
check_eq "password reset by SMS unblocks the BakQ" 204 "$(tv_status "$r")"

# --- expired: the service's clock six years ahead ---------------------------------------
check "the service's clock moves six years ahead" tv_server_clock $((6 * 365 * 86400))
tv_pinentry_reset
touch "$T/expired"
wait_until 60 "expired case done" test -e "$T/expired-done"
refused expired "$(sed -n 2p "$out")"
check "the service's clock back to now" tv_server_clock 0

# --- revoked ("anulada") -----------------------------------------------------------------
token=$(tv_login "$TV_DNI" "$TV_PASSWORD")
r=$(tv_api POST /bakq/v1/account/revoke "{\"password\": \"$TV_PASSWORD\"}" \
    -H "Authorization: Bearer $token")
check_eq "the citizen revokes the BakQ" 204 "$(tv_status "$r")"
check "the relying party fetches the new CRL" e2e_fetch_crl "$T/crl-new.der"
serial=$(e2e_token_cert "BakQ authentication" | openssl x509 -noout -serial | cut -d= -f2)
check_match "the CRL lists the authentication certificate ($serial)" "Serial Number: $serial" \
    "$(openssl crl -inform DER -in "$T/crl-new.der" -noout -text)"
sede_set_crl "$T/crl-new.der"
check_eq "the sede reloads with it" 0 $?
tv_pinentry_reset
touch "$T/revoked"
wait_until 90 "Firefox run finished" bash -c "! kill -0 $ff 2>/dev/null"
wait "$ff"
check_eq "the Firefox session ran to the end" 0 $?
refused revoked "$(sed -n 3p "$out")"
done_testing
