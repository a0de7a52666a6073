# Helpers for the tarjeta-prompt window tests (sourced after tests/lib/tap.sh).
#
#   tv_gui_session            Xvfb on a free display + a private D-Bus session
#                             bus (for AT-SPI), everything under $T
#   tv_prompt_start NAME CMD… run the protocol driver in the background
#   tv_window_wait TITLE      wait (bounded) for a visible window, print its id
#   tv_xshot ID FILE          screenshot of one window (PNG), checked not blank
#   tv_a11y_dump              the accessible tree of tarjeta-prompt
#
# Uses Debian's python3 (python3-gi, gir1.2-gtk-3.0, gir1.2-atspi-2.0).

TV_PY=/usr/bin/python3
TV_GUI_DIR="$TV_SRC/tests/gui"
TV_PROMPT="$TV_BUILD/tarjeta-prompt"

tv_gui_session() {
    mkdir -p "$T/run" "$T/home" "$T/config" "$T/cache"
    chmod 700 "$T/run"
    export XDG_RUNTIME_DIR="$T/run" HOME="$T/home" XDG_CONFIG_HOME="$T/config" \
           XDG_CACHE_HOME="$T/cache"
    unset WAYLAND_DISPLAY NO_AT_BRIDGE GTK_MODULES LANGUAGE LC_ALL LC_MESSAGES
    export GTK_THEME=Adwaita GDK_BACKEND=x11
    # -displayfd: the server picks a free display number and writes it when ready
    Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset \
        3>"$T/xvfb.display" >"$T/xvfb.log" 2>&1 &
    tv_track $!
    wait_until 20 "Xvfb ready" test -s "$T/xvfb.display" || bail "Xvfb did not start"
    export DISPLAY=":$(head -n1 "$T/xvfb.display")"
    dbus-daemon --session --nofork --address="unix:path=$T/run/bus" --print-address=4 \
        4>"$T/bus.address" >"$T/dbus.log" 2>&1 &
    tv_track $!
    wait_until 10 "D-Bus session bus ready" test -s "$T/bus.address" ||
        bail "dbus-daemon did not start"
    export DBUS_SESSION_BUS_ADDRESS="unix:path=$T/run/bus"
}

# tv_prompt_start NAME [ENV=VALUE...] -- COMMAND...: driver output in $T/NAME.out
tv_prompt_start() {
    local name=$1
    shift
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    local cmds=()
    for c in "$@"; do cmds+=(-c "$c"); done
    env "${envs[@]}" "$TV_PY" "$TV_GUI_DIR/prompt-driver.py" --timeout 60 "${cmds[@]}" \
        "$TV_PROMPT" >"$T/$name.out" 2>"$T/$name.err" &
    TV_DRIVER_PID=$!
    tv_track "$TV_DRIVER_PID"
}

# Waits for the driver started last; true when it finished cleanly.
tv_prompt_wait() {
    local i
    for i in $(seq 200); do
        kill -0 "$TV_DRIVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    wait "$TV_DRIVER_PID"
}

_visible_window() {
    xdotool search --onlyvisible --name "$1" 2>/dev/null | head -n1
}

_window_shown() {
    test -n "$(_visible_window "$1")"
}

# Mapped and holding the keyboard focus (the dialog takes it when shown).
_window_ready() {
    local id
    id=$(_visible_window "$1")
    test -n "$id" && test "$(xdotool getwindowfocus 2>/dev/null)" = "$id"
}

# tv_window_wait TITLE: prints the window id once it is mapped and focused
# (20 s at most), so that keys typed next reach it.
tv_window_wait() {
    wait_until 20 "window '$1' focused" _window_ready "$1" >/dev/null || return 1
    _visible_window "$1"
}

tv_window_gone() {
    ! _window_shown "$1"
}

tv_xshot() {
    "$TV_PY" "$TV_GUI_DIR/xshot.py" "$1" "$2"
}

tv_a11y_dump() {
    "$TV_PY" "$TV_GUI_DIR/a11y.py" dump tarjeta-prompt
}

_a11y_shows() {
    "$TV_PY" "$TV_GUI_DIR/a11y.py" --wait 1 dump tarjeta-prompt 2>/dev/null | grep -qF -- "$1"
}

# tv_dialog_wait TEXT [SECONDS]: wait until a tarjeta-prompt window whose
# accessible tree contains TEXT (e.g. its heading) is on screen.
tv_dialog_wait() {
    wait_until "${2:-30}" "dialog showing '$1'" _a11y_shows "$1"
}

# tv_a11y_click NAME: clicks (with the pointer, through xdotool) the push
# button whose accessible name is NAME.
tv_a11y_click() {
    local xy
    xy=$("$TV_PY" "$TV_GUI_DIR/a11y.py" center tarjeta-prompt "push button" "$1") || return 1
    # shellcheck disable=SC2086
    xdotool mousemove --sync $xy click 1
}
