#!/bin/bash
# tarjeta-prompt's real windows under Xvfb: every dialog in Spanish, Basque
# and English, started through the protocol driver, typed into with xdotool,
# checked through the accessibility tree (AT-SPI) and screenshotted.
# Screenshots: $TV_BUILD/test-output/screenshots/<dialog>-<lang>.png
source "$(dirname "$0")/../lib/tap.sh"
source "$(dirname "$0")/lib.sh"

tv_setup_test
tv_gui_session
SHOTS="$TV_BUILD/test-output/screenshots"
mkdir -p "$SHOTS"
TITLE="Tarjeta virtual — BakQ"
DNI=12345678Z
HASH=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08

declare -A LOCALE=([es]=es_ES.UTF-8 [eu]=eu_ES.UTF-8 [en]=en_US.UTF-8)

# The options the agent sends for each dialog.
dialog_options() {
    case $1 in
    password) echo "OPTION tarjeta-dialog=password|OPTION tarjeta-dni=$DNI|OPTION tarjeta-attempts=3|SETERROR Wrong password|GETPIN" ;;
    sms) echo "OPTION tarjeta-dialog=sms|OPTION tarjeta-dni=$DNI|OPTION tarjeta-phone=******789|OPTION tarjeta-code-lifetime=300|SETNOTOK Resend code|GETPIN" ;;
    coordinate) echo "OPTION tarjeta-dialog=coordinate|OPTION tarjeta-dni=$DNI|OPTION tarjeta-position=B3|GETPIN" ;;
    signature) echo "OPTION tarjeta-dialog=confirm-signature|OPTION tarjeta-program=evince|OPTION tarjeta-pid=4242|OPTION tarjeta-credential=CN=ANE GARCIA LOPEZ - $DNI|OPTION tarjeta-hash=$HASH|OPTION tarjeta-count=3|OPTION tarjeta-second-factor=coordinates|OPTION tarjeta-position=C4|GETPIN" ;;
    blocked) echo "OPTION tarjeta-dialog=notice|OPTION tarjeta-notice=blocked|OPTION tarjeta-dni=$DNI|MESSAGE" ;;
    renewal) echo "OPTION tarjeta-dialog=notice|OPTION tarjeta-notice=renewal|OPTION tarjeta-days=12|MESSAGE" ;;
    esac
}

# What the accessibility tree must show, per dialog and language
# (heading | entry name | OK button).
declare -A EXPECT=(
    [password-es]="Introduzca la contraseña de su BakQ|Contraseña|Aceptar"
    [password-eu]="Idatzi zure BakQ-ren pasahitza|Pasahitza|Ados"
    [password-en]="Enter your BakQ password|Password|OK"
    [sms-es]="Introduzca el código recibido por SMS|Código SMS|Aceptar"
    [sms-eu]="Idatzi SMS bidez jasotako kodea|SMS kodea|Ados"
    [sms-en]="Enter the code sent by SMS|SMS code|OK"
    [coordinate-es]="Introduzca un valor de su tarjeta de coordenadas|Valor|Aceptar"
    [coordinate-eu]="Idatzi zure koordenatu-txarteleko balio bat|Balioa|Ados"
    [coordinate-en]="Enter a value from your coordinate card|Value|OK"
    [signature-es]="Confirme la firma|Valor|Firmar"
    [signature-eu]="Berretsi sinadura|Balioa|Sinatu"
    [signature-en]="Confirm the signature|Value|Sign"
    [blocked-es]="Su BakQ está bloqueado||Cerrar"
    [blocked-eu]="Zure BakQ blokeatuta dago||Itxi"
    [blocked-en]="Your BakQ is blocked||Close"
)

# start_dialog NAME LANG [EXTRA-COMMAND...]: driver in the background,
# prints the window id once the window is up.
start_dialog() {
    local name=$1 lang=$2 cmds
    shift 2
    IFS='|' read -r -a cmds <<<"$(dialog_options "$name")"
    tv_prompt_start "$name-$lang" LANG=C -- "OPTION lc-messages=${LOCALE[$lang]}" "$@" "${cmds[@]}" BYE
    tv_window_wait "$TITLE"
}

finish_dialog() {   # waits for the driver; prints its transcript
    tv_prompt_wait >/dev/null 2>&1
    wait_until 10 "window closed" tv_window_gone "$TITLE" || true
    cat "$T/$1.out"
}

# Accessible tree of the dialog on screen, checked against EXPECT.
check_accessible() {
    local key=$1 tree heading entry ok
    IFS='|' read -r heading entry ok <<<"${EXPECT[$key]}"
    tree=$(tv_a11y_dump 2>/dev/null)
    echo "$tree" >"$T/$key.a11y"
    check_match "$key: dialog named and described" "^  dialog\\|$TITLE\\|$heading\$" "$tree"
    check_match "$key: heading shown" "label\\|$heading\\|" "$tree"
    check_match "$key: OK button" "push button\\|$ok\\|" "$tree"
    case $key in password-*|blocked-*)
        check_match "$key: names the command that sets a new password" \
            'label\|tarjeta reset-password\|' "$tree" ;;
    esac
    if [ -n "$entry" ]; then
        check_match "$key: entry has a name and a description" \
            "password text\\|$entry\\|.{10,}" "$tree"
    fi
}

# ---- every dialog in every language: look, accessibility, Escape -------------
for dialog in password sms coordinate signature blocked; do
    for lang in es eu en; do
        key=$dialog-$lang
        if ! id=$(start_dialog "$dialog" "$lang"); then
            check "$key: window appears" false
            continue
        fi
        check_eq "$key: window title" "$TITLE" "$(xdotool getwindowname "$id")"
        check_eq "$key: window has the keyboard focus" "$id" "$(xdotool getwindowfocus)"
        check "$key: screenshot is not blank" tv_xshot "$id" "$SHOTS/$key.png"
        [ "$lang" = es ] || check_fails "$key: screenshot differs from the Spanish one" \
            cmp -s "$SHOTS/$key.png" "$SHOTS/$dialog-es.png"
        check_accessible "$key"
        xdotool key --clearmodifiers Escape
        out=$(finish_dialog "$key")
        if [ "$dialog" = blocked ]; then
            check_match "$key: Escape closes the notice" '^< (OK|ERR 83886179)' "$out"
        else
            check_match "$key: Escape cancels" '^< ERR 83886179 Operation cancelled' "$out"
        fi
    done
done

# ---- typing: the value the agent receives ------------------------------------
type_and_check() {   # DIALOG LANG TEXT EXPECTED-VALUE DESCRIPTION
    local id out
    id=$(start_dialog "$1" "$2") || { check "$5: window appears" false; return; }
    xdotool type --delay 40 "$3"
    xdotool key --clearmodifiers Return
    out=$(finish_dialog "$1-$2")
    check_match "$5" "^= $4\$" "$out"
    check_match "$5: then OK" '^< OK$' "$out"
}
type_and_check password es 'Abc%1234' 'Abc%1234' "password typed reaches the agent (with %)"
type_and_check sms en '123456' '123456' "SMS code typed reaches the agent"
type_and_check coordinate eu '0a4x2' '042' "coordinate entry keeps digits only"
type_and_check signature en '907' '907' "signature second factor reaches the agent"

# ---- Enter on a notice -------------------------------------------------------
if id=$(start_dialog renewal en); then
    tree=$(tv_a11y_dump 2>/dev/null)
    check_match "renewal notice says the days left" 'label\|Your BakQ expires in 12 days\|' "$tree"
    tv_xshot "$id" "$SHOTS/renewal-en.png" >/dev/null
    xdotool key --clearmodifiers Return
    check_match "Enter closes a notice with OK" '> MESSAGE < OK ' "$(finish_dialog renewal-en | tr '\n' ' ')"
else
    check "renewal notice appears" false
fi

# ---- the secret never reaches the accessibility bus; short input is refused ----
if id=$(start_dialog password en); then
    xdotool type --delay 40 'Qw9'
    xdotool key --clearmodifiers Return              # 3 of 8 characters: refused
    sleep 0.5
    check "short password: Enter does not close the dialog" _window_shown "$TITLE"
    xdotool type --delay 40 'rt5yu'
    tree=$(tv_a11y_dump 2>/dev/null)
    check_no_match "typed password is not exposed over AT-SPI" 'Qw9rt5yu' "$tree"
    check_match "entry text is masked over AT-SPI" 'text=(●|\*){8}$' "$tree"
    xdotool key --clearmodifiers Return
    check_match "8 characters: accepted" '^= Qw9rt5yu$' "$(finish_dialog password-en)"
fi

# ---- the Resend button (pinentry's NOTOK) -------------------------------------
if id=$(start_dialog sms es); then
    check_match "time left is shown" 'label\|El código caduca en [45]:[0-9][0-9]\.\|' "$(tv_a11y_dump 2>/dev/null)"
    check "Resend button clicked with the pointer" tv_a11y_click "Reenviar código"
    check_match "Resend answers NOTOK" '^< ERR 83886194 Not confirmed' "$(finish_dialog sms-es)"
fi

# ---- placement: centred, above other windows ---------------------------------
if id=$(start_dialog coordinate en); then
    eval "$(xdotool getwindowgeometry --shell "$id")"
    check "window centred horizontally" test $(( (1280 - WIDTH) / 2 - X )) -ge -2 -a $(( (1280 - WIDTH) / 2 - X )) -le 2
    check "window centred vertically" test $(( (800 - HEIGHT) / 2 - Y )) -ge -2 -a $(( (800 - HEIGHT) / 2 - Y )) -le 2
    check_match "window kept above" '_NET_WM_STATE_ABOVE' "$(xprop -id "$id" _NET_WM_STATE)"
    check_match "window is a dialog" '_NET_WM_WINDOW_TYPE_DIALOG' "$(xprop -id "$id" _NET_WM_WINDOW_TYPE)"
    xdotool key --clearmodifiers Escape
    finish_dialog coordinate-en >/dev/null
fi

# ---- SETTIMEOUT closes the dialog as cancelled (timeout) ----------------------
if id=$(start_dialog password es "SETTIMEOUT 2"); then
    check "timeout: window closes by itself" wait_until 10 "window closed" tv_window_gone "$TITLE"
    check_match "timeout answers ERR Timeout" '^< ERR 83886142 Timeout' "$(finish_dialog password-es)"
fi

check_eq "every prompt ended cleanly (exit 0, no sanitizer report)" "" \
    "$(grep -L '^exit 0$' "$T"/*.out | xargs -r -n1 basename)"

# ---- a plain pinentry request, and two dialogs in one process ------------------
tv_prompt_start plain LANG=C -- "SETTITLE Unlock the key" "SETDESC Plain pinentry request" \
    "SETPROMPT PIN:" "SETOK Unlock" GETPIN "SETERROR Try once more" GETPIN "SETDESC Sure?" CONFIRM BYE
if id=$(tv_window_wait "Unlock the key"); then
    tree=$(tv_a11y_dump 2>/dev/null)
    check_match "plain request: SETDESC shown" 'label\|Plain pinentry request\|' "$tree"
    check_match "plain request: SETPROMPT names the entry" 'password text\|PIN:\|' "$tree"
    check_match "plain request: SETOK labels the button" 'push button\|Unlock\|' "$tree"
    xdotool type --delay 40 'first 1'
    xdotool key --clearmodifiers Return
    wait_until 10 "second dialog" _a11y_shows "Try once more" &&
        id=$(tv_window_wait "Unlock the key") && xdotool type --delay 40 'second%2' &&
        xdotool key --clearmodifiers Return
    wait_until 10 "confirmation" _a11y_shows "Sure?" && tv_window_wait "Unlock the key" >/dev/null &&
        xdotool key --clearmodifiers Return
    out=$(finish_dialog plain)
    check_match "first GETPIN answered" '^= first 1$' "$out"
    check_match "second GETPIN in the same process answered" '^= second%2$' "$out"
    check_match "CONFIRM answered OK" '> CONFIRM.< OK.' "$(tr '\n' . <<<"$out")"
else
    check "plain pinentry window appears" false
fi

# ---- the agent goes away during a dialog: no hang -----------------------------
(printf 'OPTION tarjeta-dialog=password\nGETPIN\n'; sleep 3) | "$TV_PROMPT" >"$T/gone.out" 2>&1 &
gone=$!
tv_track "$gone"
check "window up while the agent waits" tv_window_wait "$TITLE"
check "stdin closed: the prompt exits" wait_until 15 "prompt exit" bash -c "! kill -0 $gone 2>/dev/null"
check "stdin closed: the window is gone" tv_window_gone "$TITLE"

done_testing
