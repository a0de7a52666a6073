# TAP helpers for the shell test scripts (sourced, bash).
#
#   source "$TV_SRC/tests/lib/tap.sh"
#   tv_setup_test            # temp folder $T, cleanup of spawned processes
#   check "server answers" curl -fsS ...        # ok if the command succeeds
#   check_eq "status" 403 "$code"
#   check_match "message" 'blocked' "$out"
#   wait_until 10 "socket appears" test -S "$sock"
#   done_testing             # prints the plan; exit status says whether all passed
#
# Every wait is bounded.  There is deliberately no "skip": a test that needs a
# program gets it from .ci/run.

: "${TV_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${TV_BUILD:=$TV_SRC/build}"
export TV_SRC TV_BUILD

TAP_COUNT=0
TAP_FAILED=0
TV_PIDS=()

_tap_result() {   # status description [diagnostic]
    TAP_COUNT=$((TAP_COUNT + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $TAP_COUNT - $2"
    else
        TAP_FAILED=$((TAP_FAILED + 1))
        echo "not ok $TAP_COUNT - $2"
        [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/#   /'
    fi
    return "$1"
}

# check DESCRIPTION COMMAND...: passes when the command exits 0.
check() {
    local desc=$1 out rc
    shift
    out=$("$@" 2>&1) && rc=0 || rc=$?
    _tap_result "$rc" "$desc" "command: $*
exit status: $rc
$(printf '%s' "$out" | tail -n 20)"
}

# check_fails DESCRIPTION COMMAND...: passes when the command exits non-zero.
check_fails() {
    local desc=$1 out rc
    shift
    out=$("$@" 2>&1) && rc=0 || rc=$?
    if [ "$rc" -ne 0 ]; then _tap_result 0 "$desc"; else
        _tap_result 1 "$desc" "command unexpectedly succeeded: $*
$(printf '%s' "$out" | tail -n 20)"; fi
}

check_eq() {       # DESCRIPTION EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then _tap_result 0 "$1"; else
        _tap_result 1 "$1" "expected: $2
actual:   $3"; fi
}

check_match() {    # DESCRIPTION EXTENDED-REGEX TEXT
    if printf '%s' "$3" | grep -Eq -- "$2"; then _tap_result 0 "$1"; else
        _tap_result 1 "$1" "pattern: $2
text: $(printf '%s' "$3" | head -c 2000)"; fi
}

check_no_match() { # DESCRIPTION EXTENDED-REGEX TEXT
    if printf '%s' "$3" | grep -Eq -- "$2"; then _tap_result 1 "$1" "unexpected match for: $2
text: $(printf '%s' "$3" | head -c 2000)"; else _tap_result 0 "$1"; fi
}

# wait_until SECONDS DESCRIPTION COMMAND...: poll every 0.1 s; returns 1 on timeout.
wait_until() {
    local limit=$1 desc=$2 deadline
    shift 2
    deadline=$(( $(date +%s%N) / 1000000 + limit * 1000 ))
    until "$@" >/dev/null 2>&1; do
        if [ $(( $(date +%s%N) / 1000000 )) -ge "$deadline" ]; then
            echo "# timed out after ${limit}s waiting for: $desc"
            return 1
        fi
        sleep 0.1
    done
}

bail() {
    echo "Bail out! $*"
    exit 1
}

# Remember a background process so it is stopped when the test ends.
tv_track() { TV_PIDS+=("$1"); }

tv_cleanup() {
    local pid
    for pid in "${TV_PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${TV_PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null
    done
    if [ -n "${T:-}" ] && [ -z "${TV_KEEP:-}" ] && [ "$TAP_FAILED" -eq 0 ]; then
        rm -rf "$T"
    fi
}

# A private folder for this test under build/test-output, kept when a check fails.
tv_setup_test() {
    local name
    name=$(basename "$0" .sh)
    mkdir -p "$TV_BUILD/test-output"
    T=$(mktemp -d "$TV_BUILD/test-output/$name.XXXXXX")
    export T
    trap tv_cleanup EXIT
    trap 'exit 130' INT TERM
}

done_testing() {
    echo "1..$TAP_COUNT"
    [ "$TAP_FAILED" -eq 0 ] && [ "$TAP_COUNT" -gt 0 ]
}
