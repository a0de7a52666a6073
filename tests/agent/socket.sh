#!/bin/bash
# The agent as a process: socket and folder modes, a second instance leaves
# the live socket alone, --daemon, systemd socket activation, another uid is
# refused, garbage and abandoned requests do not disturb other clients, a
# killed agent restarts and serves the token from its cache with no network,
# core dumps off.
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/agent.sh"
tv_setup_test
tv_agent_stack sms rsa2048 || bail "agent stack did not start"
client() { tv_agent_client "$@"; }
dir=$(dirname "$TARJETA_AGENT_SOCKET")

check_eq "socket folder is 0700" 700 "$(stat -c %a "$dir")"
check_eq "socket is 0600" 600 "$(stat -c %a "$TARJETA_AGENT_SOCKET")"
check_match "core dumps are off (RLIMIT_CORE 0)" 'Max core file size +0 +0' "$(cat /proc/$TV_AGENT_PID/limits)"
check "login" client login

# A second instance: does not steal the socket.
inode=$(stat -c %i "$TARJETA_AGENT_SOCKET")
out=$("$TV_BUILD/tarjeta-agent" 2>&1); rc=$?
check_eq "a second foreground agent exits with status 1" 1 "$rc"
check_match "and says another agent runs" 'already running' "$out"
start=$(date +%s%N)
check "--daemon while an agent runs exits successfully" "$TV_BUILD/tarjeta-agent" --daemon
check "... and fast (< 1 s)" test $(( ($(date +%s%N) - start) / 1000000 )) -lt 1000
check_eq "the socket is the same file" "$inode" "$(stat -c %i "$TARJETA_AGENT_SOCKET")"
check_match "the first agent still holds the session" '"flags": 3' "$(client snapshot)"

# Another uid is refused before anything is read.
user=tvagent$$
useradd --no-create-home --shell /usr/sbin/nologin "$user" 2>/dev/null
trap 'userdel "$user" 2>/dev/null; tv_cleanup' EXIT
uid=$(id -u "$user")
chmod 0711 "$T" "$T/run" && chmod 0777 "$dir" && chmod 0666 "$TARJETA_AGENT_SOCKET"
out=$(setpriv --reuid "$uid" --regid "$uid" --clear-groups \
    env TARJETA_AGENT_SOCKET="$TARJETA_AGENT_SOCKET" python3 "$TV_SRC/tests/agent/tvclient.py" snapshot 2>&1)
check_match "a peer with another uid is disconnected" 'closed the connection|Connection reset|Broken pipe' "$out"
check_match "and the agent logs the refusal" 'refused a connection from another user' "$(cat "$TV_AGENT_LOG")"
chmod 0700 "$dir" && chmod 0600 "$TARJETA_AGENT_SOCKET"
userdel "$user" 2>/dev/null

# Garbage and abandoned requests next to a busy signer.
python3 "$TV_SRC/tests/agent/tvclient.py" sign --usage 1 --mech SHA256_RSA_PKCS --clients 4 --count 10 \
    >"$T/busy.json" 2>&1 &
busy=$!
for mode in bytes huge half-frame no-hello unknown bytes half-frame; do
    out=$(client garbage $mode)
    check_match "garbage ($mode): the agent answers with an ERROR or closes" '"replied"' "$out"
done
wait $busy
check_match "the busy signer's 40 signatures all succeeded meanwhile" '"ok": 40, "bad": 0, "errors": \[\]' \
    "$(cat "$T/busy.json")"
check_eq "the agent is still the same process" 0 "$(kill -0 "$TV_AGENT_PID"; echo $?)"

# Killed and restarted: clients recover; the cache serves the token with no network.
tv_server_stop
{ kill -9 "$TV_AGENT_PID"; wait "$TV_AGENT_PID"; } 2>/dev/null
wait "$TV_AGENT_PID" 2>/dev/null
TV_AGENT_PID=
tv_agent_start
check "restart after kill -9 (stale socket replaced)" kill -0 "$TV_AGENT_PID"
out=$(client snapshot)
check_match "token present from the disk cache, server down, no session" '"flags": 1' "$out"
check_match "both credentials are there" '"usage": 1.*"usage": 2' "$out"
cache=$(ls "$XDG_CACHE_HOME"/tarjeta-virtual/credentials-*.json)
check_eq "the cache file is 0600" 600 "$(stat -c %a "$cache")"
check_no_match "the cache holds no secret" "$TV_PASSWORD|access_token|SAD" "$(cat "$cache")"
tv_server_start || bail "server restart"
tv_agent_reconfigure
check "after restart (new server URL: the cache for the old one is not used), login works" client login
check "and signing works again" client sign --usage 1 --mech SHA256_RSA_PKCS

# WAIT_EVENT returns when the generation changes (logout), and at its timeout.
gen=$(client snapshot | python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])')
python3 "$TV_SRC/tests/agent/tvclient.py" wait "$gen" 20000 >"$T/wait.out" &
waiter=$!
sleep 0.5
client logout >/dev/null
wait $waiter
check "WAIT_EVENT returns a new generation after LOGOUT" test "$(cat "$T/wait.out")" != "$gen"
start=$(date +%s%N)
out=$(client wait "$(cat "$T/wait.out")" 300)
check_eq "WAIT_EVENT with nothing changing returns at its timeout" "$(cat "$T/wait.out")" "$out"

# --daemon from scratch, and systemd socket activation.
tv_agent_stop
check "tarjeta-agent --daemon detaches and listens" "$TV_BUILD/tarjeta-agent" --daemon --log-file "$T/daemon.log"
check "the daemon answers" client snapshot
dpid=$(pgrep -n -f "tarjeta-agent --daemon --log-file $T/daemon.log")
kill "$dpid"
wait_until 10 "daemon gone" sh -c "! kill -0 $dpid 2>/dev/null"
check "the daemon removed its socket on SIGTERM" test ! -e "$TARJETA_AGENT_SOCKET"
rm -f "$TARJETA_AGENT_SOCKET"
python3 - "$TARJETA_AGENT_SOCKET" "$TV_BUILD/tarjeta-agent" "$T/activated.log" <<'PY' &
import os, socket, sys
path, agent, log = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path); s.listen(16)
os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(agent, [agent, "--log-file", log])
PY
apid=$!
tv_track $apid
wait_until 10 "activated agent" sh -c "python3 '$TV_SRC/tests/agent/tvclient.py' snapshot"
check "socket activation (LISTEN_FDS): the agent serves the inherited socket" client snapshot
check_match "it says so in its log" 'listening on the socket from systemd' "$(cat "$T/activated.log")"
done_testing
