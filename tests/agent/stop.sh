#!/bin/bash
# Stopping the agent (SIGTERM) while clients are connected: idle connections
# are ended at once; an open dialog is closed (its prompt process too) and
# its request ends; a request waiting for the service gets STOP_WAIT_MS (3 s)
# and then the agent leaves anyway, without running exit handlers under it;
# and a burst of clients racing the signal never makes it crash.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/agent.sh"
tv_setup_test
TV_AGENT_CONFIG='prompt-timeout = 60' tv_agent_stack sms rsa2048 || bail "agent stack did not start"
client() { tv_agent_client "$@"; }

# stop_agent: SIGTERM, wait (10 s at most); sets status (its exit status) and took (seconds).
stop_agent() {
    local start=$SECONDS
    kill -TERM "$TV_AGENT_PID"
    for _ in $(seq 100); do
        [ "$(ps -o stat= -p "$TV_AGENT_PID" 2>/dev/null)" = Z ] && break
        kill -0 "$TV_AGENT_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$TV_AGENT_PID" 2>/dev/null
    wait "$TV_AGENT_PID"
    status=$?
    took=$((SECONDS - start))
    TV_AGENT_PID=
}

# --- idle connections ---------------------------------------------------------
check_match "logged in" '"was_active": false' "$(client login)"
python3 - "$TARJETA_AGENT_SOCKET" >"$T/idle.out" 2>&1 <<'PY' &
import socket, sys, time
conns = []
for _ in range(5):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); conns.append(s)
print("connected", flush=True)
for s in conns:
    s.settimeout(20)
    print("closed by the agent" if s.recv(1) == b"" else "data", flush=True)
PY
idle=$!
tv_track $idle
wait_until 10 "5 idle connections" grep -q connected "$T/idle.out"
stop_agent
check_eq "with 5 idle connections: exit status 0" 0 "$status"
check "  ... at once (${took} s)" test "$took" -le 2
wait_until 10 "the idle client saw its connections end" \
    test "$(grep -c 'closed by the agent' "$T/idle.out")" -eq 5
check_no_match "  ... nothing was left busy" 'still busy' "$(cat "$TV_AGENT_LOG")"
check "  ... socket removed" test ! -e "$TARJETA_AGENT_SOCKET"

# --- a dialog nobody answers ----------------------------------------------------
tv_agent_start || bail "agent did not start again"
check_match "the agent starts without a session" '"flags": [01]\b' "$(client snapshot)"
tv_pinentry_reset
tv_pinentry_once password hang
client login >"$T/hung-login.out" 2>&1 &
login=$!
tv_track $login
wait_until 20 "the password dialog is up" grep -q 'kind=password' "$TV_PINENTRY_LOG"
prompt=$(pgrep -f "scripted-pinentry --script $TV_PINENTRY_SCRIPT")
check "  ... its prompt process runs" test -n "$prompt"
stop_agent
check_eq "with a dialog open: exit status 0" 0 "$status"
check "  ... at once: the dialog is closed, the request ends (${took} s)" test "$took" -le 2
check "  ... the prompt is gone" bash -c "! kill -0 ${prompt:-0} 2>/dev/null"
check_no_match "  ... nothing was left busy" 'still busy' "$(cat "$TV_AGENT_LOG")"
wait_until 10 "the waiting client returned" bash -c "! kill -0 $login 2>/dev/null"
check_no_match "  ... the client got no login" '"was_active"' "$(cat "$T/hung-login.out")"

# --- a service that never answers ------------------------------------------------
python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5)
print(s.getsockname()[1], flush=True); time.sleep(60)' >"$T/hang.port" &
tv_track $!
wait_until 10 "hanging listener" test -s "$T/hang.port"
BAKQ_URL="https://127.0.0.1:$(cat "$T/hang.port")" TV_AGENT_CONFIG='request-timeout = 30' \
    _tv_agent_write_config
tv_agent_start || bail "agent did not start again"
tv_pinentry_reset
: >"$TV_AGENT_LOG"
client login >"$T/stuck-login.out" 2>&1 &
login=$!
tv_track $login
wait_until 20 "the password was given" grep -q -- '-> value' "$TV_PINENTRY_LOG"
sleep 0.5                    # the login request is now waiting for the service
stop_agent
check_eq "with a request waiting for the service: exit status 0" 0 "$status"
check "  ... after the 3 s it waits for requests in progress (${took} s)" test "$took" -ge 2 -a "$took" -le 6
check_match "  ... and it says what it left" 'connections still busy after 3000 ms' "$(cat "$TV_AGENT_LOG")"
check_match "  ... it logged why it stopped" 'signal 15: stopping' "$(cat "$TV_AGENT_LOG")"
check "  ... socket removed" test ! -e "$TARJETA_AGENT_SOCKET"
_tv_agent_write_config        # the real service again

# --- clients racing the signal ---------------------------------------------------
crashes=0
for round in $(seq 8); do
    tv_agent_start || bail "agent did not start (round $round)"
    pids=()
    for _ in $(seq 6); do     # snapshots on fresh connections until the agent is gone
        python3 - >/dev/null 2>&1 <<'PY' &
import sys, os
sys.path.insert(0, os.environ["TV_SRC"] + "/tests/agent")
import tvclient
for _ in range(2000):
    try:
        c = tvclient.Client(timeout=10)
        c.snapshot()
        c.close()
    except (FileNotFoundError, ConnectionRefusedError):
        break
    except (ConnectionError, OSError):
        pass
PY
        pids+=($!)
        tv_track $!
    done
    sleep 0.$((RANDOM % 4 + 1))
    stop_agent
    [ "$status" = 0 ] || { crashes=$((crashes + 1)); echo "# round $round: exit status $status"; }
    wait "${pids[@]}"
done
check_eq "8 stops while 6 clients hammer the socket: every exit status 0" 0 "$crashes"
done_testing
