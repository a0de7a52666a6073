#!/bin/bash
# A standard pinentry stands in for tarjeta-prompt: pinentry-tty, on a pty
# this test drives like a person at a terminal, shows the complete texts and
# logs in (the tarjeta-* options it does not know are answered with ERR and
# ignored by the agent).
source "$(dirname "$0")/../lib/tap.sh"
source "$TV_SRC/tests/lib/agent.sh"
tv_setup_test
tv_agent_stack sms rsa2048 || bail "agent stack did not start"
command -v pinentry-tty >/dev/null || bail "pinentry-tty is missing (scripts/deps/agent.list)"

out=$(python3 - "$TV_SRC" "$TV_PASSWORD" "$TV_PHONE" "$T" <<'PY'
import os, select, subprocess, sys, time
src, password, phone, t = sys.argv[1:5]
master, slave = os.openpty()
tty = os.ttyname(slave)
wrapper = os.path.join(t, "pinentry-tty-wrapper")
with open(wrapper, "w") as f:
    f.write(f"#!/bin/sh\nexec pinentry-tty --ttyname {tty} --lc-ctype C.UTF-8\n")
os.chmod(wrapper, 0o755)
conf = os.environ["TV_AGENT_CONF"]
text = open(conf).read().replace(os.environ["TV_PINENTRY"], wrapper)
open(conf, "w").write(text)
subprocess.run([os.path.join(os.environ["TV_BUILD"], "tarjeta"), "setup", "--server", os.environ["BAKQ_URL"],
                "--ca", os.environ["BAKQ_CA"], "--user", os.environ["TV_DNI"], "--prompt-program", wrapper],
               check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
login = subprocess.Popen([sys.executable, os.path.join(src, "tests/agent/tvclient.py"), "login"],
                         stdout=subprocess.PIPE, text=True)
seen = b""
def read_until(token, limit=30):
    global seen
    end = time.time() + limit
    while token not in seen and time.time() < end:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            seen += os.read(master, 4096)
    return token in seen
ok1 = read_until(b"Password:")
os.write(master, password.encode() + b"\n")
ok2 = read_until(b"SMS code:")
code = subprocess.run(["bash", "-c", f"source {src}/tests/lib/tap.sh; source {src}/tests/lib/server.sh; tv_outbox_code '{phone}'"],
                      capture_output=True, text=True).stdout.strip()
os.write(master, code.encode() + b"\n")
result = login.communicate(timeout=60)[0]
print(seen.decode(errors="replace").replace("\r", ""))
print("PROMPTS", ok1, ok2)
print("RESULT", result)
PY
)
check_match "pinentry-tty showed the password prompt and then the SMS prompt" 'PROMPTS True True' "$out"
check_match "its screen shows the complete description (DNI)" 'BakQ login for DNI/NIE 12345678Z' "$out"
check_match "its screen shows where the SMS went" 'Enter the code sent by SMS to \*+[0-9]{3}' "$out"
check_match "the login through pinentry-tty succeeded" 'RESULT \{"was_active": false\}' "$out"
check_no_match "the password is not shown on the terminal" "$TV_PASSWORD" "$out"
done_testing
