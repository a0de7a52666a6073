#!/bin/bash
# Robustness with the real agent and bakq-server (tests/pkcs11/p11stress.c):
# 8 threads signing at once, fork in the middle of an operation, C_Finalize
# releasing a blocked C_WaitForSlotEvent, the agent killed in the middle of a
# signature (error within the timeout, success once it is back, no restart of
# the program), autostart without a zombie, C_Finalize after exit.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/pkcs11/lib.sh"
tv_setup_test
tv_p11_stack sms rsa2048 || bail "agent stack did not start"
STRESS="$TV_BUILD/tests/pkcs11/p11stress"

out=$(p11 "$STRESS" threads "$TV_MODULE" "$AUTH_LABEL" 8 40 2>&1)
check_match "8 threads x 40 signatures at once: all verify" '320 verified, 0 failed' "$out"
echo "# $out"
out=$(p11 "$STRESS" fork "$TV_MODULE" "$AUTH_LABEL" 2>&1)
check_match "fork mid-operation: the child starts over, the parent carries on" \
    'child exit 0; parent: operation, session and signatures fine' "$out"
out=$(p11 "$STRESS" wait-finalize "$TV_MODULE" 2>&1)
check_match "C_Finalize releases a blocked C_WaitForSlotEvent" \
    'C_Finalize CKR_OK; the blocked wait returned CKR_CRYPTOKI_NOT_INITIALIZED' "$out"
echo "# $out"
check "C_Finalize from atexit and a destructor, after main returned" \
    p11 "$STRESS" atexit "$TV_MODULE" "$AUTH_LABEL"

# ---- the agent killed in the middle of a signature ---------------------------------------
tv_pinentry_once confirm-signature hang            # the qualified signature waits on its dialog
TARJETA_DEBUG="$T/killed.trace" p11 "$STRESS" killed "$TV_MODULE" "$SIGN_LABEL" "$AUTH_LABEL" >"$T/killed.out" 2>&1 &
stress=$!
tv_track "$stress"
wait_until 30 "the confirmation dialog" grep -q 'kind=confirm-signature' "$TV_PINENTRY_LOG"
# the hanging dialog outlives the agent: find it by this test's own script path
# (SIGKILL: it inherits the agent's blocked SIGTERM)
dialogs=$(grep -lsF -- "$TV_PINENTRY_SCRIPT" /proc/[0-9]*/cmdline | cut -d/ -f3)
killed_at=$(date +%s%3N)
{ kill -9 "$TV_AGENT_PID"; wait "$TV_AGENT_PID"; } 2>/dev/null   # reaped quietly
for pid in $dialogs; do kill -9 "$pid" 2>/dev/null; done
check "the hanging dialog was found and stopped" test -n "$dialogs"
wait_until 10 "the interrupted signature" grep -q 'interrupted signature' "$T/killed.out"
line=$(grep 'interrupted signature' "$T/killed.out")
check_match "a signature interrupted by the agent's death: CKR_DEVICE_REMOVED" 'CKR_DEVICE_REMOVED' "$line"
returned_at=$(sed -n 's/.*returned at \([0-9]*\) ms.*/\1/p' <<<"$line")
check "  ... within a second of the kill ($((returned_at - killed_at)) ms)" \
    test $((returned_at - killed_at)) -lt 1000
out=$(ptool -L 2>&1)
check_match "with the agent gone the slot shows no token" '\(empty\)' "$out"
TV_AGENT_PID=
tv_pinentry_reset
tv_agent_start
wait "$stress"
rc=$?
check_eq "the same program signs again once the agent is back" 0 "$rc"
check_match "  ... after logging in again (the new agent had no session)" \
    'signature after the agent came back: CKR_OK' "$(cat "$T/killed.out")"

# ---- autostart -------------------------------------------------------------------------------
tv_agent_stop
out=$(TARJETA_AUTOSTART=1 p11 "$STRESS" autostart "$TV_MODULE" 2>&1)
daemon=$(ss -xlpn 2>/dev/null | grep -F "$TARJETA_AGENT_SOCKET " | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
[ -n "$daemon" ] && tv_track "$daemon"
check_match "no agent: the module starts tarjeta-agent --daemon, the token appears" \
    'token present: 1; zombie children: 0' "$out"
echo "# $out"
ms=$(sed -n 's/.*autostart took \([0-9]*\)\..*/\1/p' <<<"$out")
check "  ... C_Initialize waited ${ms} ms for it (bounded)" test "${ms:-99999}" -lt 2000
check "  ... and it runs detached (not a child of the program)" test -n "$daemon"
[ -n "$daemon" ] && kill "$daemon"
out=$(TARJETA_AUTOSTART=0 ptool -L 2>&1)
[ -n "$daemon" ] && wait_until 10 "agent exit" sh -c "! kill -0 $daemon"
out=$(TARJETA_AUTOSTART=0 ptool -L 2>&1)
check_match "autostart off: no agent, no token, no wait" '\(empty\)' "$out"

done_testing
