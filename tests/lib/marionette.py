#!/usr/bin/python3
"""Drive Firefox through its Marionette protocol, without geckodriver.

Usage (from the end-to-end tests):

    marionette.py --firefox /usr/bin/firefox-esr --profile DIR --out FILE \
        [--headless] [--timeout S] STEP...

Firefox is started with -marionette on a port it picks itself (the profile's
user.js must set marionette.port to 0: Firefox then writes the port to
DIR/MarionetteActivePort).  Steps run in order:

    open:URL          navigate (bounded by --timeout), then record the page
    open-until:S:RE:URL   open URL again every second (as a person reloads)
                      until its text matches the regular expression RE or S
                      seconds passed; record the last attempt ("attempts")
    wait:FILE         wait until FILE exists (bounded by --timeout)
    touch:FILE        create FILE (tells the test a point was reached)
    chrome:SCRIPT      run a script in the chrome context, record its result
    sleep:SECONDS

Each `open` writes one JSON line (UTF-8, not \\u-escaped) to --out: {"step", "url", "title", "text",
"error", "ms"}; "text" is the page's document.body.innerText.  Whatever
happens, Firefox is stopped (kill after a grace period) before this exits.
Exit status: 0 if every step ran (a page that failed to load is still a
result, with "error" set), 1 on a harness failure (no Firefox, no
Marionette, a wait that timed out).
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import time

from browser_steps import HarnessError, run_steps, stop_process_group, wait_for


class MarionetteError(HarnessError):
    pass


class Marionette:
    """A minimal client: length-prefixed JSON messages over TCP."""

    def __init__(self, port, timeout):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.msgid = 0
        self.timeout = timeout
        hello = self._read()
        if hello.get("applicationType") != "gecko":
            raise MarionetteError("not a Marionette server: %r" % hello)

    def _read(self):
        while b":" not in self.buf:
            self._fill()
        head, _, rest = self.buf.partition(b":")
        length = int(head)
        self.buf = rest
        while len(self.buf) < length:
            self._fill()
        body, self.buf = self.buf[:length], self.buf[length:]
        return json.loads(body)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise MarionetteError("Marionette closed the connection")
        self.buf += chunk

    def send(self, name, params=None):
        """Send a command; returns its id for wait()."""
        self.msgid += 1
        data = json.dumps([0, self.msgid, name, params or {}]).encode()
        self.sock.settimeout(self.timeout)
        self.sock.sendall(b"%d:%s" % (len(data), data))
        return self.msgid

    def wait(self, msgid, timeout):
        """The result of command msgid; socket.timeout if none in time.
        Replies to abandoned commands are skipped."""
        self.sock.settimeout(timeout)
        while True:
            msg = self._read()
            if msg[0] == 1 and msg[1] == msgid:
                break
        if msg[2]:
            err = msg[2]
            raise MarionetteError("%s: %s" % (err.get("error"), err.get("message")))
        result = msg[3]
        if isinstance(result, dict) and set(result) == {"value"}:
            return result["value"]
        return result

    def call(self, name, params=None, timeout=None):
        return self.wait(self.send(name, params), timeout or self.timeout)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def read_port(profile):
    path = os.path.join(profile, "MarionetteActivePort")
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def start_firefox(args):
    try:
        os.unlink(os.path.join(args.profile, "MarionetteActivePort"))
    except FileNotFoundError:
        pass
    cmd = [args.firefox, "-marionette", "-remote-allow-system-access", "-no-remote",
           "-new-instance", "-profile", args.profile]
    if args.headless:
        cmd.append("-headless")
    log = open(args.log, "ab") if args.log else subprocess.DEVNULL
    return subprocess.Popen(cmd, stdout=log, stderr=log, start_new_session=True)


def stop_firefox(proc, client):
    if client is not None:
        try:
            client.call("Marionette:Quit", {"flags": ["eForceQuit"]}, timeout=10)
        except (MarionetteError, OSError, ValueError):
            pass
        client.close()
    stop_process_group(proc)


PAGE_STATE = """
return [document.readyState, document.documentURI, document.title,
        document.body ? document.body.innerText : ""];
"""


def page_state(client, url, deadline):
    """Wait until the tab shows a loaded document for url (the page, or
    Firefox's error page about it), then return (text, title, documentURI).
    Navigate may return early, e.g. when a token dialog interrupted it."""
    state = ["", "", "", ""]
    while True:
        try:
            state = client.call("WebDriver:ExecuteScript",
                                {"script": PAGE_STATE, "args": []}, timeout=10)
        except (MarionetteError, socket.timeout) as e:
            state = ["", "", "(page not readable: %s)" % e, ""]
        if not isinstance(state, list) or len(state) != 4:
            state = ["", "", "(page not readable: %r)" % (state,), ""]
        ready, doc = state[0], state[1]
        if ready == "complete" and doc and doc != "about:blank":
            break
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    return state[3], state[2], state[1]


def type_pin(pin):
    """Answer Firefox's own token password box (a dialog inside the browser
    window, focused) by typing into the X display."""
    subprocess.run(["xdotool", "type", "--delay", "40", pin], timeout=30, check=False)
    subprocess.run(["xdotool", "key", "Return"], timeout=10, check=False)


def step_open(client, url, args):
    """Navigate and record the page.  While Firefox shows its token password
    box, Marionette does not answer: with --type-pin, silence for a few
    seconds means the box is up, and the PIN is typed into it."""
    started = time.monotonic()
    deadline = started + args.timeout
    error = None
    typed = 0
    msgid = client.send("WebDriver:Navigate", {"url": url})
    while True:
        try:
            client.wait(msgid, 1)
            break
        except MarionetteError as e:
            error = str(e)
            break
        except socket.timeout:
            pass
        now = time.monotonic()
        if now > deadline:
            raise MarionetteError("Firefox did not finish loading %s within %d s"
                                  % (url, args.timeout))
        if args.type_pin and now - started > 4 + 6 * typed and typed < 2:
            type_pin(args.type_pin)
            typed += 1
    text, title, current = page_state(client, url, deadline)
    return {"url": url, "document": current, "title": title, "text": text,
            "error": error, "pin_typed": typed,
            "ms": int((time.monotonic() - started) * 1000)}


def step_open_until(client, arg, args):
    """S:RE:URL -- open URL every second until its text matches RE or S seconds passed."""
    secs, regex, url = arg.split(":", 2)
    until = time.monotonic() + float(secs)
    attempts = 0
    while True:
        attempts += 1
        result = step_open(client, url, args)
        if re.search(regex, result["text"]) or time.monotonic() > until:
            return dict(result, attempts=attempts)
        time.sleep(1)


def step_chrome(client, script):
    client.call("Marionette:SetContext", {"value": "chrome"})
    try:
        result = client.call("WebDriver:ExecuteScript", {"script": script, "args": []})
    finally:
        client.call("Marionette:SetContext", {"value": "content"})
    return {"chrome": result}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--firefox", default="/usr/bin/firefox-esr")
    p.add_argument("--profile", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--log")
    p.add_argument("--headless", action="store_true")
    p.add_argument("--timeout", type=int, default=60)
    p.add_argument("--type-pin", help="type this into the token password box (X display)")
    p.add_argument("steps", nargs="+")
    args = p.parse_args()

    proc = start_firefox(args)
    client = None
    try:
        deadline = time.monotonic() + args.timeout
        port = wait_for(deadline, "Marionette port",
                        lambda: proc.poll() is None and read_port(args.profile))
        client = wait_for(deadline, "Marionette connection", lambda: try_connect(port, args))
        client.call("WebDriver:NewSession", {
            "unhandledPromptBehavior": "ignore",
            "pageLoadStrategy": "normal",
            "timeouts": {"pageLoad": args.timeout * 1000, "script": 30000},
        })
        with open(args.out, "a", encoding="utf-8") as out:
            run_steps(args.steps, {
                "open": lambda url: step_open(client, url, args),
                "open-until": lambda arg: step_open_until(client, arg, args),
                "chrome": lambda script: step_chrome(client, script),
            }, args.timeout, out)
        return 0
    except (HarnessError, OSError, ValueError) as e:
        print("marionette.py: %s" % e, file=sys.stderr)
        return 1
    finally:
        stop_firefox(proc, client)


def try_connect(port, args):
    try:
        return Marionette(port, args.timeout)
    except OSError:
        return None


if __name__ == "__main__":
    sys.exit(main())
