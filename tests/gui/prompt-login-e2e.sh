#!/bin/bash
# End to end: the real tarjeta-agent (prompt-program = build/tarjeta-prompt)
# against the real bakq-server; the GTK dialogs are typed into with xdotool
# under Xvfb.  Login with a wrong then right password and an SMS code, then
# a qualified signature confirmed with a fresh SMS code, in Spanish.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/lib.sh"
source "$TV_SRC/tests/lib/agent.sh"

tv_setup_test
tv_gui_session
tv_agent_stack sms rsa2048 || bail "agent stack did not start"
sed -i "s|^prompt-program = .*|prompt-program = $TV_PROMPT|" "$TV_AGENT_CONF"
export LANG=es_ES.UTF-8                       # the agent passes it on: Spanish dialogs
tv_agent_restart || bail "agent did not restart"
SHOTS="$TV_BUILD/test-output/screenshots"
mkdir -p "$SHOTS"
TITLE="Tarjeta virtual — BakQ"

type_into_dialog() {   # TEXT: types and presses Enter in the focused dialog
    xdotool type --delay 40 "$1"
    xdotool key --clearmodifiers Return
}

# ---- login: password (wrong, then right), then the SMS code -------------------
tv_agent_client login >"$T/login.out" 2>&1 &
login=$!
tv_track "$login"
check "password dialog appears in Spanish" tv_dialog_wait "Introduzca la contraseña de su BakQ"
tree=$(tv_a11y_dump 2>/dev/null)
check_match "it names the citizen's DNI" "label\\|$TV_DNI\\|" "$tree"
id=$(tv_window_wait "$TITLE") && tv_xshot "$id" "$SHOTS/e2e-password-es.png" >/dev/null
type_into_dialog "wrongpw1"
check "after a wrong password the dialog comes back" tv_dialog_wait "Contraseña incorrecta."
tree=$(tv_a11y_dump 2>/dev/null)
check_match "with the attempts left (from the server)" 'alert\|Contraseña incorrecta\. Le quedan 4 intentos' "$tree"
id=$(tv_window_wait "$TITLE") && tv_xshot "$id" "$SHOTS/e2e-password-retry-es.png" >/dev/null
type_into_dialog "$TV_PASSWORD"
check "SMS dialog appears" tv_dialog_wait "Introduzca el código recibido por SMS"
check_match "it shows the masked phone" '\*+[0-9]{3}\.' "$(tv_a11y_dump 2>/dev/null)"
code=$(tv_outbox_code "$TV_PHONE")
check_match "the server sent an SMS code" '^[0-9]{6}$' "$code"
type_into_dialog "$code"
wait_until 30 "login finished" bash -c "! kill -0 $login 2>/dev/null"
check_match "login through the GTK dialogs succeeds" '"was_active": false' "$(cat "$T/login.out")"
check_match "the agent now holds a session" '"flags": 3' "$(tv_agent_client snapshot)"
check "no dialog left on screen" tv_window_gone "$TITLE"

# ---- a qualified signature: confirmation dialog with a fresh SMS code ----------
tv_agent_client sign --usage 2 --mech SHA256_RSA_PKCS >"$T/sign.out" 2>&1 &
sign=$!
tv_track "$sign"
check "signature confirmation appears" tv_dialog_wait "Confirme la firma"
tree=$(tv_a11y_dump 2>/dev/null)
check_match "it names the program asking" 'label\|[^|]+ \(proceso [0-9]+\)\|' "$tree"
check_match "it names the qualified credential" 'Firma cualificada' "$tree"
check_match "it shows the fingerprint" 'label\|([0-9A-F]{4} ){7}' "$tree"
id=$(tv_window_wait "$TITLE") && tv_xshot "$id" "$SHOTS/e2e-signature-es.png" >/dev/null
wait_until 10 "fresh code" bash -c "[ \"\$(source '$TV_SRC/tests/lib/server.sh'; tv_outbox_code '$TV_PHONE')\" != '$code' ]"
code=$(tv_outbox_code "$TV_PHONE")
type_into_dialog "$code"
wait_until 30 "signature finished" bash -c "! kill -0 $sign 2>/dev/null"
check_match "the signature is made and verifies" '"ok": 1, "bad": 0, "errors": \[\]' "$(cat "$T/sign.out")"

# ---- cancelling the dialog fails the operation cleanly --------------------------
tv_agent_client sign --usage 2 --mech SHA256_RSA_PKCS >"$T/cancel.out" 2>&1 &
cancel=$!
tv_track "$cancel"
check "another confirmation appears" tv_dialog_wait "Confirme la firma"
xdotool key --clearmodifiers Escape
wait_until 30 "cancelled signature finished" bash -c "! kill -0 $cancel 2>/dev/null"
check_match "Escape cancels the signature (TV_ERR_CANCELLED)" '"ok": 0.*"-20 ' "$(cat "$T/cancel.out")"

check_no_match "no secret in the agent log" "$TV_PASSWORD" "$(cat "$TV_AGENT_LOG")"
done_testing
