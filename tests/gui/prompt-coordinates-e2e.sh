#!/bin/bash
# End to end with a coordinate card, in Basque: the real tarjeta-agent
# (prompt-program = build/tarjeta-prompt) and bakq-server; the position the
# server asks for is read from the dialog's accessible tree, its value from
# the citizen's card, and typed with xdotool.  Then a qualified signature
# confirmed with a fresh coordinate.
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/lib.sh"
source "$TV_SRC/tests/lib/agent.sh"

tv_setup_test
tv_gui_session
tv_agent_stack coordinates rsa2048 || bail "agent stack did not start"
sed -i "s|^prompt-program = .*|prompt-program = $TV_PROMPT|" "$TV_AGENT_CONF"
export LANG=eu_ES.UTF-8
tv_agent_restart || bail "agent did not restart"
TITLE="Tarjeta virtual — BakQ"

type_into_dialog() {
    tv_window_wait "$TITLE" >/dev/null || return 1
    xdotool type --delay 40 "$1"
    xdotool key --clearmodifiers Return
}

# The position in large type ("B3 koordenatua"), from the accessible tree.
asked_position() {
    tv_a11y_dump 2>/dev/null | sed -n 's/^ *label|\([A-Z][0-9]\{1,2\}\) koordenatua|.*/\1/p' | head -n1
}

tv_agent_client login >"$T/login.out" 2>&1 &
login=$!
tv_track "$login"
check "password dialog appears in Basque" tv_dialog_wait "Idatzi zure BakQ-ren pasahitza"
type_into_dialog "$TV_PASSWORD"
check "coordinate dialog appears" tv_dialog_wait "Idatzi zure koordenatu-txarteleko balio bat"
pos=$(asked_position)
check_match "the position asked is shown in large type" '^[A-Z][0-9]{1,2}$' "$pos"
value=$(tv_server_card "$TV_DNI" "$pos")
check_match "the card has a value there" '^[0-9]{3}$' "$value"
type_into_dialog "$value"
wait_until 30 "login finished" bash -c "! kill -0 $login 2>/dev/null"
check_match "login with the coordinate card succeeds" '"was_active": false' "$(cat "$T/login.out")"

tv_agent_client sign --usage 2 --mech SHA256_RSA_PKCS >"$T/sign.out" 2>&1 &
sign=$!
tv_track "$sign"
check "signature confirmation appears" tv_dialog_wait "Berretsi sinadura"
tree=$(tv_a11y_dump 2>/dev/null)
check_match "it asks for a coordinate in the same window" 'password text\|Balioa\|' "$tree"
check_match "it names the credential as a qualified signature" 'Sinadura kualifikatua' "$tree"
pos=$(asked_position)
type_into_dialog "$(tv_server_card "$TV_DNI" "$pos")"
wait_until 30 "signature finished" bash -c "! kill -0 $sign 2>/dev/null"
check_match "the signature is made and verifies" '"ok": 1, "bad": 0' "$(cat "$T/sign.out")"
done_testing
