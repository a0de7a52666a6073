# Helpers for tests that need a real tarjeta-agent talking to a real bakq-server (bash).
# Source tap.sh first, call tv_setup_test, then:
#
#   tv_agent_stack [sms|coordinates] [rsa2048|p256]
#       (call it directly, not inside check/$(...): it exports variables)
#       Starts a bakq-server (tests/lib/server.sh) unless BAKQ_URL is already set, enrolls an
#       active citizen $TV_DNI (default 12345678Z) with password $TV_PASSWORD, points XDG_CONFIG_HOME,
#       XDG_CACHE_HOME, XDG_RUNTIME_DIR and HOME under $T, writes the agent configuration (plus the
#       lines in $TV_AGENT_CONFIG, e.g. "session-lifetime = 5"), starts tarjeta-agent with the
#       scripted pinentry (tests/lib/scripted-pinentry) and waits (bounded) for its socket.
#       Exports: TARJETA_AGENT_SOCKET, TV_DNI, TV_PASSWORD, TV_PHONE, TV_EMAIL, TV_AGENT_PID,
#       TV_AGENT_LOG (the agent's log), TV_AGENT_CONF, TV_PINENTRY (the prompt program wrapper),
#       TV_PINENTRY_SCRIPT (its rules), TV_PINENTRY_LOG (what each dialog showed).
#       The default rules answer every dialog correctly: password -> $TV_PASSWORD, SMS -> the code
#       from the server's outbox, coordinate -> the card value, signature confirmation -> the
#       second factor, notices -> OK.
#   tv_agent_start / tv_agent_stop / tv_agent_restart
#       Start (bounded wait for the socket), stop (SIGTERM, bounded wait, SIGKILL), or both.
#   tv_agent_reconfigure
#       After the server moved (tv_server_stop + tv_server_start gives a new port): rewrite the
#       agent configuration and the pinentry wrapper for the current BAKQ_URL, and restart the agent.
#   tv_pinentry_once KIND ACTION [ARG]
#       Add a one-shot rule, used (and deleted) before the defaults (see tests/lib/scripted-pinentry), e.g.
#       `tv_pinentry_once password wrong`, `tv_pinentry_once sms resend`, `tv_pinentry_once
#       confirm-signature cancel`.  Rules are used in the order added.
#   tv_pinentry_reset     back to the default rules; clears the dialog log.
#   tv_pinentry_dialogs   the number of dialogs shown so far.
#   tv_tarjeta ARGS...    run the CLI with no terminal (secrets come from the scripted pinentry).
#   tv_agent_client ARGS  run tests/agent/tvclient.py (protocol client: snapshot, login, sign ...).
#
# These names and behaviours are stable: other components' tests rely on them.

source "$TV_SRC/tests/lib/server.sh"

: "${TV_DNI:=12345678Z}"

_tv_pinentry_defaults() {
    cat >"$TV_PINENTRY_SCRIPT" <<RULES
# default rules (tests/lib/agent.sh)
password value $TV_PASSWORD
sms outbox
coordinate card
confirm-signature second-factor
notice ok
RULES
}

tv_pinentry_reset() {
    _tv_pinentry_defaults
    : >"$TV_PINENTRY_LOG"
    rm -f "$TV_PINENTRY_LOG.count"
}

tv_pinentry_once() {
    local rules
    rules=$(grep -v '^once ' "$TV_PINENTRY_SCRIPT")
    { grep '^once ' "$TV_PINENTRY_SCRIPT"; echo "once $*"; echo "$rules"; } >"$TV_PINENTRY_SCRIPT.new"
    cat "$TV_PINENTRY_SCRIPT.new" >"$TV_PINENTRY_SCRIPT"    # same file: the pinentry locks it
    rm -f "$TV_PINENTRY_SCRIPT.new"
}

tv_pinentry_dialogs() {
    cat "$TV_PINENTRY_LOG.count" 2>/dev/null || echo 0
}

_tv_agent_env() {
    export XDG_CONFIG_HOME="$T/config" XDG_CACHE_HOME="$T/cache" XDG_RUNTIME_DIR="$T/run" HOME="$T/home"
    mkdir -p "$XDG_CONFIG_HOME/tarjeta-virtual" "$XDG_CACHE_HOME" "$HOME"
    mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
    export TARJETA_AGENT_SOCKET="$XDG_RUNTIME_DIR/tarjeta-virtual/agent.sock"
}

_tv_agent_write_config() {
    TV_AGENT_CONF="$XDG_CONFIG_HOME/tarjeta-virtual/agent.conf"
    export TV_AGENT_CONF
    {
        echo "server = $BAKQ_URL"
        echo "ca = $BAKQ_CA"
        echo "user = $TV_DNI"
        echo "prompt-program = $TV_PINENTRY"
        echo "prompt-timeout = 20"
        echo "request-timeout = 20"
        echo "autostart = no"
        [ -n "${TV_AGENT_CONFIG:-}" ] && printf '%s\n' "$TV_AGENT_CONFIG"
    } >"$TV_AGENT_CONF"
}

_tv_pinentry_wrapper() {
    cat >"$TV_PINENTRY" <<WRAPPER
#!/bin/sh
exec python3 "$TV_SRC/tests/lib/scripted-pinentry" --script "$TV_PINENTRY_SCRIPT" --log "$TV_PINENTRY_LOG" \\
    --server "$BAKQ_URL" --ca "$BAKQ_CA" --phone "$TV_PHONE" --email "$TV_EMAIL"
WRAPPER
    chmod +x "$TV_PINENTRY"
}

_tv_pinentry_setup() {
    TV_PINENTRY="$T/pinentry"
    TV_PINENTRY_SCRIPT="$T/pinentry.script"
    TV_PINENTRY_LOG="$T/pinentry.log"
    export TV_PINENTRY TV_PINENTRY_SCRIPT TV_PINENTRY_LOG
    _tv_pinentry_wrapper
    tv_pinentry_reset
}

tv_agent_reconfigure() {
    _tv_pinentry_wrapper
    _tv_agent_write_config
    tv_agent_restart
}

tv_agent_start() {
    TV_AGENT_LOG="$T/agent.log"
    export TV_AGENT_LOG
    "$TV_BUILD/tarjeta-agent" --debug --log-file "$TV_AGENT_LOG" </dev/null >>"$T/agent.out" 2>&1 &
    TV_AGENT_PID=$!
    export TV_AGENT_PID
    tv_track "$TV_AGENT_PID"
    wait_until 10 "agent socket" test -S "$TARJETA_AGENT_SOCKET" || return 1
}

tv_agent_stop() {
    [ -n "${TV_AGENT_PID:-}" ] || return 0
    kill "$TV_AGENT_PID" 2>/dev/null
    for _ in $(seq 100); do kill -0 "$TV_AGENT_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$TV_AGENT_PID" 2>/dev/null
    wait "$TV_AGENT_PID" 2>/dev/null
    TV_AGENT_PID=
    return 0
}

tv_agent_restart() {
    tv_agent_stop
    tv_agent_start
}

tv_agent_stack() {
    local factor=${1:-sms} key=${2:-rsa2048}
    if [ -z "${BAKQ_URL:-}" ]; then
        tv_server_start || return 1
    fi
    tv_server_enroll "$TV_DNI" "$factor" "$key" || return 1
    TV_PASSWORD=$TV_SERVER_PASSWORD
    TV_PHONE=$(tv_server_phone "$TV_DNI")
    TV_EMAIL=$(tv_server_email "$TV_DNI")
    export TV_DNI TV_PASSWORD TV_PHONE TV_EMAIL
    _tv_agent_env
    _tv_pinentry_setup
    _tv_agent_write_config
    tv_agent_start
}

tv_tarjeta() {
    "$TV_BUILD/tarjeta" "$@" </dev/null
}

tv_agent_client() {
    python3 "$TV_SRC/tests/agent/tvclient.py" "$@"
}
