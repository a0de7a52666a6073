#!/bin/bash
# tarjeta-prompt without a display: the terminal fallback on a pseudo-terminal
# (OPTION ttyname), and a clear ERR when there is no terminal either.
source "$(dirname "$0")/../lib/tap.sh"

tv_setup_test
export HOME="$T" XDG_RUNTIME_DIR="$T" XDG_CONFIG_HOME="$T" XDG_CACHE_HOME="$T"
SESSION=(/usr/bin/python3 "$TV_SRC/tests/gui/tty-session.py")
PROMPT="$TV_BUILD/tarjeta-prompt"
PASSWORD=("OPTION lc-messages=es_ES.UTF-8" "OPTION tarjeta-dialog=password"
          "OPTION tarjeta-dni=12345678Z" "OPTION tarjeta-attempts=2" "SETERROR x")

out=$("${SESSION[@]}" --keys 'Ab\x7fbc%1234\r' -- "${PASSWORD[@]}" GETPIN BYE)
check_match "password dialog on the terminal, in Spanish" 'Introduzca la contraseña de su BakQ' "$out"
check_match "DNI shown" 'DNI/NIE: 12345678Z' "$out"
check_match "attempts left shown" 'Le quedan 2 intentos' "$out"
check_match "forgot-password hint" 'tarjeta reset-password' "$out"
check_match "backspace edits, value reaches the agent" '^= Abc%1234$' "$out"
check_no_match "the password is not echoed" 'Abc%1234' "$(sed -n '/^--- terminal/,/^--- driver/p' <<<"$out")"
check_match "masked echo" 'caracteres\): .*[*]{7}' "$out"
check_match "terminal mode restored" '^echo restored: yes' "$out"

out=$("${SESSION[@]}" --keys '12\x1b' -- "OPTION tarjeta-dialog=sms" GETPIN BYE)
check_match "Escape cancels" '^< ERR 83886179 Operation cancelled' "$out"
check_match "terminal mode restored after cancel" '^echo restored: yes' "$out"

out=$("${SESSION[@]}" --keys '\x12' -- "OPTION lc-messages=eu_ES.UTF-8" "OPTION tarjeta-dialog=sms" \
      "OPTION tarjeta-phone=******789" "SETNOTOK Resend" GETPIN BYE)
check_match "SMS dialog in Basque" 'Idatzi SMS bidez jasotako kodea' "$out"
check_match "resend key offered" '\[Ctrl-R\] Bidali berriro' "$out"
check_match "Ctrl-R answers NOTOK" '^< ERR 83886194 Not confirmed' "$out"

out=$("${SESSION[@]}" --keys '4x2\r7\r' -- "OPTION tarjeta-dialog=coordinate" \
      "OPTION tarjeta-position=B3" GETPIN BYE)
check_match "coordinate asked" '>> Coordinate B3' "$out"
check_match "digits only, 3 needed before Enter is taken" '^= 427$' "$out"

out=$("${SESSION[@]}" -- "OPTION tarjeta-dialog=password" "SETTIMEOUT 1" GETPIN BYE)
check_match "SETTIMEOUT on the terminal" '^< ERR 83886142 Timeout' "$out"

out=$("${SESSION[@]}" --wait "Close" --keys '\r' -- "OPTION tarjeta-dialog=notice" \
      "OPTION tarjeta-notice=unreachable" MESSAGE BYE)
check_match "notice on the terminal" 'Cannot reach the BakQ service' "$out"
check_match "Enter closes the notice" '> MESSAGE.< OK' "$(tr '\n' '.' <<<"$out")"

# a display that cannot be opened: the terminal is used instead
out=$("${SESSION[@]}" --env DISPLAY=:9999 --keys '123456\r' -- "OPTION tarjeta-dialog=sms" GETPIN BYE)
check_match "GTK cannot start: terminal fallback" '^= 123456$' "$out"

# an installed layout (PREFIX/bin + PREFIX/share/locale) finds its catalogs
mkdir -p "$T/prefix/bin" "$T/prefix/share/locale/eu/LC_MESSAGES" "$T/prefix/share/locale/es/LC_MESSAGES"
cp "$PROMPT" "$T/prefix/bin/"
for l in es eu; do
    cp "$TV_BUILD/locale/$l/LC_MESSAGES/tarjeta-prompt.mo" "$T/prefix/share/locale/$l/LC_MESSAGES/"
done
out=$("${SESSION[@]}" --program "$T/prefix/bin/tarjeta-prompt" --keys '\x1b' -- \
      "OPTION lc-messages=eu_ES.UTF-8" "OPTION tarjeta-dialog=password" GETPIN BYE)
check_match "installed under a prefix: Basque catalog found" 'Idatzi zure BakQ-ren pasahitza' "$out"

# neither display nor terminal: a clear error at once, never a hang
out=$(env -u DISPLAY -u WAYLAND_DISPLAY timeout 20 setsid /usr/bin/python3 \
      "$TV_SRC/tests/gui/prompt-driver.py" --timeout 10 -c "OPTION tarjeta-dialog=password" \
      -c GETPIN -c "OPTION ttyname=/nonexistent/tty" -c GETPIN -c BYE "$PROMPT" </dev/null)
check_match "no display, no controlling terminal: ERR" \
    '^< ERR 83886166 No display \(DISPLAY or WAYLAND_DISPLAY\) and no terminal' "$out"
check_eq "no display, bad ttyname: ERR too" 2 "$(grep -c '^< ERR 83886166' <<<"$out")"
check_match "and the prompt ends normally" '^exit 0$' "$out"

done_testing
