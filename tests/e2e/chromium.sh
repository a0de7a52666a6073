#!/bin/bash
# Chromium through the real chain, in a window under Xvfb: our module in
# $HOME/.pki/nssdb, the authentication certificate chosen by the
# AutoSelectCertificateForUrls policy, the sede's page read through the
# DevTools protocol over TLS 1.3 and TLS 1.2.
#
# Chromium ignores CKF_PROTECTED_AUTHENTICATION_PATH and always shows its own
# "Unlock Security Device" box.  So inside Chromium the module does not
# announce it: what the citizen types in that box reaches C_Login as the PIN
# and the agent takes it as the BakQ password; only the second factor is
# asked next.  The test proves the citizen types the password once: in
# Chromium's box, never again in the agent's dialogs; and that while the agent
# holds a session a new Chromium shows no box at all (the module reports the
# token logged in).  The page shows the citizen's name decoded (an Ñ).
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/e2e.sh"
source "$TV_SRC/tests/lib/sede.sh"
source "$TV_SRC/tests/lib/agent.sh"
e2e_setup

export TV_SERVER_SURNAME="Etxeberria Goñi"   # the CN: ETXEBERRIA GOÑI MIREN - <DNI>
e2e_real_stack
check_eq "bakq-server, agent, token and sede are up" 0 $? || bail "no stack"
export TARJETA_AUTOSTART=no
e2e_xvfb
check_eq "Xvfb starts" 0 $? || bail "no X server"
db="$HOME/.pki/nssdb"
check "NSS database in \$HOME/.pki/nssdb" e2e_nssdb "$db"
check "our module registered" e2e_nss_add_module "$db" "Tarjeta virtual" "$E2E_MODULE"
check "sede's CA trusted" e2e_nss_trust "$db" sede-ca "$SEDE_SERVER_CA" "C,,"
e2e_chromium_autoselect "BakQ Test CA"
check_eq "AutoSelectCertificateForUrls policy (issuer BakQ Test CA)" 0 $?

# The page as Chromium shows it: the name decoded from nginx's RFC 2253
# escapes by the sede's script (E2E_CITIZEN_TEXT, UTF-8).
citizen_page() {   # DESCRIPTION VERSION JSON-LINE
    check_match "$1" "Bienvenido/a: $E2E_CITIZEN_TEXT.*DNI/NIE: $TV_DNI.*Protocolo: TLSv$2.*Serie: $E2E_AUTH_SERIAL" "$3"
}

# --- first login: the password in Chromium's box, the SMS code in the agent's ----
e2e_trace chromium-a
out="$T/run-a.out"
check "Chromium loads both pages" e2e_chromium "$out" --type-pin "$TV_PASSWORD" \
    "open:$SEDE_URL13" "open:$SEDE_URL12"
citizen_page "TLS 1.3: the sede shows the citizen" 1.3 "$(sed -n 1p "$out")"
check_match "the name is shown decoded (GOÑI, not nginx's GO\\C3\\91I)" \
    "Bienvenido/a: ETXEBERRIA GOÑI MIREN - $TV_DNI\\\\n" "$(sed -n 1p "$out")"
check_match "Chromium showed its Unlock Security Device box once" '"pin_boxes": 1' "$(sed -n 1p "$out")"
check_eq "the agent asked only for the SMS code (no second password)" "sms" "$(e2e_dialogs)"
citizen_page "TLS 1.2: the sede shows the citizen" 1.2 "$(sed -n 2p "$out")"
check_match "TLS 1.2: no box again" '"pin_boxes": 0' "$(sed -n 2p "$out")"
trace="$T/trace-chromium-a.log"
check_match "inside Chromium the module does not announce a protected authentication path" \
    'chromium.*protected authentication path off' "$(grep -m1 'start:' "$trace")"
check_match "C_Login carried what was typed in Chromium's box (8 characters)" \
    'C_Login: .*ulPinLen=8 = CKR_OK' "$(grep C_Login "$trace")"
check_no_match "the password is in no log" "$TV_PASSWORD" "$(cat "$trace" "$TV_AGENT_LOG")"

# --- a wrong password in the box: the agent says so, Chromium asks again ----------
check "tarjeta logout" tv_tarjeta logout
tv_pinentry_reset
e2e_trace chromium-b
out="$T/run-b.out"
check "Chromium, wrong password then the right one" e2e_chromium "$out" \
    --type-pin "wrongpw1" --type-pin "$TV_PASSWORD" "open:$SEDE_URL13"
r=$(cat "$out")
citizen_page "after a wrong then a right password the sede shows the citizen" 1.3 "$r"
check_match "Chromium asked twice" '"pin_boxes": 2' "$r"
check_match "the wrong one was refused (CKR_PIN_INCORRECT)" \
    'C_Login: .*= CKR_PIN_INCORRECT' "$(grep C_Login "$T/trace-chromium-b.log")"
check_eq "the agent asked only for the SMS code" "sms" "$(e2e_dialogs)"

# --- a new Chromium while the agent holds a session --------------------------------
# The agent's session logs Chromium in: NSS sees a logged-in token, so
# Chromium shows no box and calls no C_Login.  (A password is ready to type,
# so that a box, if one came, would be counted rather than hang the load.)
tv_pinentry_reset
e2e_trace chromium-c
out="$T/run-c.out"
check "a second Chromium loads the page" e2e_chromium "$out" --type-pin "$TV_PASSWORD" "open:$SEDE_URL13"
r=$(cat "$out")
citizen_page "session held by the agent: the sede shows the citizen" 1.3 "$r"
check_match "no Unlock Security Device box" '"pin_boxes": 0' "$r"
check_eq "no dialog of the agent" "" "$(e2e_dialogs)"
check_no_match "no C_Login: the agent's session logged Chromium in" 'C_Login' "$(cat "$T/trace-chromium-c.log")"
done_testing
