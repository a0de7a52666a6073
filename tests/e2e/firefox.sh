#!/bin/bash
# Firefox ESR through the real chain: our module in the profile's
# security-module database, the certificate chosen automatically, the login
# (protected authentication path: Firefox calls C_Login without a PIN)
# answered through the agent's prompt, the sede's page read back over TLS 1.2
# and TLS 1.3, the citizen's name decoded (an Ñ in the surname).  Also: the
# agent stopped during a browser session (the page fails, no hang) and
# started again (the browser recovers); a new Firefox while the agent holds a
# session (logged in by it: no C_Login, no hang, DESIGN §10), Firefox's own
# Log Out, and `tarjeta logout` while it is open; and one login through the
# GTK dialogs (build/tarjeta-prompt) under Xvfb, typed into with xdotool.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/e2e.sh"
source "$TV_SRC/tests/lib/sede.sh"
source "$TV_SRC/tests/lib/agent.sh"
e2e_setup

export TV_SERVER_SURNAME="Etxeberria Goñi"   # the CN: ETXEBERRIA GOÑI MIREN - <DNI>
e2e_real_stack
check_eq "bakq-server, agent, token and sede are up" 0 $? || bail "no stack"
export TARJETA_AUTOSTART=no     # the module must not restart the agent we stop
profile="$T/firefox"
check "Firefox profile" e2e_firefox_profile "$profile"
check "our module in the profile's security-module database" \
    e2e_nss_add_module "$profile" "Tarjeta virtual" "$E2E_MODULE"
check "sede's CA trusted" e2e_nss_trust "$profile" sede-ca "$SEDE_SERVER_CA" "C,,"
export E2E_HEADLESS=1

# The page as Firefox shows it: the name decoded from nginx's RFC 2253
# escapes by the sede's script (E2E_CITIZEN_TEXT, UTF-8).
citizen_page() {   # DESCRIPTION VERSION JSON-LINE
    check_match "$1" "Bienvenido/a: $E2E_CITIZEN_TEXT.*DNI/NIE: $TV_DNI.*Protocolo: TLSv$2.*Serie: $E2E_AUTH_SERIAL" "$3"
}
no_citizen_page() {  # DESCRIPTION JSON-LINE
    if [ -n "$2" ] && ! printf '%s' "$2" | grep -q "DNI/NIE: $TV_DNI"; then
        _tap_result 0 "$1"
    else
        _tap_result 1 "$1" "result: ${2:-(none)}"
    fi
}

# --- one Firefox session: log in, lose the agent, get it back ---------------------
out="$T/run-a.out"
e2e_trace firefox-a
e2e_firefox "$profile" "$out" "open:$SEDE_URL12" "open:$SEDE_URL13" \
    "touch:$T/a-logged-in" "wait:$T/a-agent-down" "open:$SEDE_URL13" \
    "touch:$T/a-failed" "wait:$T/a-agent-up" "open-until:60:DNI/NIE:$SEDE_URL13" \
    >"$T/run-a.log" 2>&1 &
run_a=$!
tv_track "$run_a"
wait_until 90 "Firefox logged in" test -e "$T/a-logged-in"
citizen_page "headless Firefox, TLS 1.2: the sede shows the citizen" 1.2 "$(sed -n 1p "$out")"
citizen_page "headless Firefox, TLS 1.3: the sede shows the citizen" 1.3 "$(sed -n 2p "$out")"
check_match "the name is shown decoded (GOÑI, not nginx's GO\\C3\\91I)" \
    "Bienvenido/a: ETXEBERRIA GOÑI MIREN - $TV_DNI\\\\n" "$(sed -n 1p "$out")"
check_eq "one login through the agent's prompt: password, then SMS code" "password sms" "$(e2e_dialogs)"
check_match "Firefox called C_Login without a PIN (protected authentication path)" \
    'C_Login: .*pPin=NULL.*= CKR_OK' "$(grep C_Login "$T/trace-firefox-a.log")"
check_match "the module announced the protected authentication path to Firefox" \
    'protected authentication path on' "$(head -n 3 "$T/trace-firefox-a.log")"

tv_agent_stop
check_eq "the agent stops during the browser session" 0 $?
touch "$T/a-agent-down"
wait_until 90 "Firefox tried without the agent" test -e "$T/a-failed"
r=$(sed -n 3p "$out")
no_citizen_page "agent gone: Firefox does not get in" "$r"
# Without the agent the token is gone: Firefox sends no certificate and the
# sede answers with its refusal page (or the handshake fails: an error page).
check_match "agent gone: Firefox shows the failure (and does not hang)" \
    '"document": "about:(neterror|certerror)|Acceso denegado' "$r"
tv_pinentry_reset
tv_agent_start
check_eq "the agent is started again" 0 $?
touch "$T/a-agent-up"
wait_until 120 "Firefox run finished" bash -c "! kill -0 $run_a 2>/dev/null"
wait "$run_a"
check_eq "the Firefox session ran to the end" 0 $?
# Firefox notices the token again after a moment (slot events): a reload or
# two, as a person would do.
citizen_page "agent back: the same Firefox logs in again" 1.3 "$(sed -n 4p "$out")"
check_eq "agent back: a new login (password, SMS code)" "password sms" "$(e2e_dialogs)"

# --- a new Firefox while the agent holds a session ------------------------------
# The agent's session logs Firefox in: NSS asks C_GetSessionInfo, sees a user
# session and never calls C_Login, so it opens no "Protected Authentication"
# window (that window never closes when C_Login returns at once, DESIGN §10).
# Then Firefox's own Log Out (Security Devices): its next login is C_Logout +
# C_Login beside that window, answered from the agent's session with no
# dialog but held to the module's login-minimum-ms (1 s).  Then `tarjeta
# logout` while this Firefox is open: its next page load logs in again
# through the agent's dialogs.
firefox_logout='const mdb = Cc["@mozilla.org/security/pkcs11moduledb;1"].getService(Ci.nsIPKCS11ModuleDB);
return (async () => {
  for (const m of await mdb.listModules())
    for (const s of m.slots) {
      let t;
      try { t = s.getToken(); } catch (e) { continue; }
      if (!t.tokenName.startsWith("BakQ")) continue;
      const before = t.isLoggedIn;
      t.logout();
      Cc["@mozilla.org/psm;1"].getService(Ci.nsINSSComponent).clearTLSCacheAndCancelAllConnections();
      return "logged in before: " + before + ", after: " + t.isLoggedIn;
    }
  return "no BakQ token";
})();'
login_calls() {   # the C_Login/C_Logout results in a trace: "C_Logout=CKR_OK C_Login=CKR_OK"
    grep -oE 'C_Log(in|out): .* = CKR_[A-Z_]+' "$1" | sed -E 's/: .* = /=/' | tr '\n' ' ' | sed 's/ $//'
}
tv_pinentry_reset
e2e_trace firefox-b
trace_b="$T/trace-firefox-b.log"
out="$T/run-b.out"
e2e_firefox "$profile" "$out" "open:$SEDE_URL13" "chrome:$firefox_logout" "open:$SEDE_URL12" \
    "touch:$T/b-held" "wait:$T/b-agent-logged-out" "open:$SEDE_URL13" >"$T/run-b.log" 2>&1 &
run_b=$!
tv_track "$run_b"
wait_until 120 "Firefox used the agent's session" test -e "$T/b-held"
r=$(sed -n 1p "$out")
citizen_page "session held by the agent: a new Firefox shows the citizen" 1.3 "$r"
check_match "  ... loaded at once, no hang ($(printf '%s' "$r" | grep -o '"ms": [0-9]*'))" '"ms": [0-9]{1,4}[,}]' "$r"
check_eq "no dialog: the agent's session was used" "" "$(e2e_dialogs)"
check_match "Firefox's Log Out logged it out (the agent kept its session)" \
    'logged in before: true, after: false' "$(sed -n 2p "$out")"
citizen_page "after Firefox's Log Out: the next page shows the citizen (no hang)" 1.2 "$(sed -n 3p "$out")"
check_eq "still no dialog" "" "$(e2e_dialogs)"
check_eq "C_Login only after Firefox's own C_Logout (its Log Out, then its login task)" \
    "C_Logout=CKR_OK C_Logout=CKR_USER_NOT_LOGGED_IN C_Login=CKR_OK" "$(login_calls "$trace_b")"
login_us=$(sed -n 's/.*C_Login: .* = CKR_OK (\([0-9]*\) us).*/\1/p' "$trace_b" | head -n1)
check "  ... answered from the agent's session, held to the minimum (${login_us:-?} us)" \
    test "${login_us:-0}" -ge 1000000 -a "${login_us:-0}" -lt 5000000
check_match "  ... the module says so" 'agent session already active.*held to the minimum' "$(cat "$trace_b")"
seen=$(wc -l <"$trace_b")
check "tarjeta logout while Firefox is open" tv_tarjeta logout
# NSS trusts the login state it read for 1 s (PK11_IsLoggedIn asks
# C_GetSessionInfo at most once a second; the module learns of the logout at
# that call): a page loaded sooner finds the token "logged in" with no
# private key and sends no certificate.
sleep 1.5
touch "$T/b-agent-logged-out"
wait_until 120 "Firefox run finished" bash -c "! kill -0 $run_b 2>/dev/null"
wait "$run_b"
check_eq "the Firefox session ran to the end" 0 $?
citizen_page "after \`tarjeta logout\`: the next page load logs in again" 1.3 "$(sed -n 4p "$out")"
check_eq "  ... through the agent's dialogs (password, SMS code)" "password sms" "$(e2e_dialogs)"
check_match "  ... with C_Login from Firefox's login task" 'C_Login=CKR_OK' \
    "$(login_calls <(tail -n +"$((seen + 1))" "$trace_b"))"

# --- the GTK dialogs under Xvfb, typed into with xdotool --------------------------
e2e_xvfb
check_eq "Xvfb starts" 0 $? || bail "no X server"
check "tarjeta logout" tv_tarjeta logout
sed -i "s|^prompt-program = .*|prompt-program = $TV_BUILD/tarjeta-prompt|" "$TV_AGENT_CONF"
tv_agent_restart
check_eq "the agent uses the GTK prompt" 0 $?
title="^Tarjeta virtual"      # "Tarjeta virtual — BakQ" (ASCII pattern: any locale)
dialog() { xdotool search --onlyvisible --name "$title" 2>/dev/null | head -n1; }
dialog_shown() { [ -n "$(dialog)" ]; }
dialog_not() { [ "$(dialog)" != "$1" ]; }
answer() {   # TEXT: type into the dialog on screen, Enter; wait until it goes
    local id
    id=$(dialog)
    xdotool windowactivate --sync "$id" >/dev/null 2>&1 || xdotool windowfocus --sync "$id"
    xdotool type --delay 40 "$1"
    xdotool key --clearmodifiers Return
    wait_until 20 "dialog closed" dialog_not "$id"
}
e2e_firefox "$profile" "$T/run-c.out" "open:$SEDE_URL13" >"$T/run-c.log" 2>&1 &
run_c=$!
tv_track "$run_c"
check "GTK password dialog appears" wait_until 60 "password dialog" dialog_shown
answer "$TV_PASSWORD"
check "GTK SMS dialog appears" wait_until 30 "SMS dialog" dialog_shown
answer "$(tv_outbox_code "$TV_PHONE")"
wait_until 90 "Firefox run finished" bash -c "! kill -0 $run_c 2>/dev/null"
citizen_page "GTK dialogs: Firefox logs in to the sede" 1.3 "$(cat "$T/run-c.out")"
check_no_match "no secret in the agent's log" "$TV_PASSWORD" "$(cat "$TV_AGENT_LOG")"
done_testing
