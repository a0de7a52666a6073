#!/usr/bin/python3
"""Drive Chromium through the DevTools protocol on 127.0.0.1.

Usage (from the end-to-end tests):

    cdp.py --user-data-dir DIR --out FILE [--timeout S] [--type-pin TEXT] STEP...

Chromium runs in a window on $DISPLAY (Xvfb in the tests: headless Chromium
cannot show its security-device password box), with the DevTools endpoint on
a port it picks (DIR/DevToolsActivePort).  Its NSS database is
$HOME/.pki/nssdb.  Steps run in order:

    open:URL      navigate (bounded by --timeout), then record the page
    wait:FILE     wait until FILE exists (bounded by --timeout)
    touch:FILE    create FILE
    sleep:SECONDS

While a page loads, Chromium's "Unlock Security Device" box is looked for on
the X display (xdotool); with --type-pin, the text is typed into it and Enter
pressed (several --type-pin: one per box, in order).  Each `open` writes one JSON line (UTF-8) to --out: {"step", "url",
"document", "title", "text", "error", "pin_boxes", "ms"}.  Chromium is
always stopped before this exits.  Exit status: 0 if every step ran, 1 on a
harness failure.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request

import websocket

from browser_steps import HarnessError, run_steps, stop_process_group, wait_for

PIN_BOX_TITLES = ("Sign in to security device", "Sign in to Security Device",
                  "Unlock security device", "Unlock Security Device")


class CdpError(HarnessError):
    pass


class Page:
    """One DevTools websocket to a page target."""

    def __init__(self, ws_url, timeout):
        self.ws = websocket.create_connection(ws_url, timeout=timeout, suppress_origin=True)
        self.msgid = 0
        self.replies = {}

    def send(self, method, params=None):
        self.msgid += 1
        self.ws.settimeout(30)
        self.ws.send(json.dumps({"id": self.msgid, "method": method, "params": params or {}}))
        return self.msgid

    def wait(self, msgid, timeout):
        """The reply to command msgid (replies to other commands are kept);
        websocket.WebSocketTimeoutException if none in time."""
        self.ws.settimeout(timeout)
        while msgid not in self.replies:
            msg = json.loads(self.ws.recv())
            if "id" in msg:
                self.replies[msg["id"]] = msg
        msg = self.replies.pop(msgid)
        if "error" in msg:
            raise CdpError("%s" % msg["error"].get("message"))
        return msg.get("result", {})

    def call(self, method, params=None, timeout=30):
        return self.wait(self.send(method, params), timeout)

    def evaluate(self, expr, timeout=10):
        result = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True},
                           timeout=timeout)
        return result.get("result", {}).get("value")

    def close(self):
        try:
            self.ws.close()
        except (OSError, websocket.WebSocketException):
            pass


def devtools_port(user_data_dir):
    try:
        with open(os.path.join(user_data_dir, "DevToolsActivePort")) as f:
            return int(f.readline().strip())
    except (OSError, ValueError):
        return None


def start_chromium(args):
    try:
        os.unlink(os.path.join(args.user_data_dir, "DevToolsActivePort"))
    except FileNotFoundError:
        pass
    cmd = [args.chromium, "--user-data-dir=" + args.user_data_dir,
           "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
           "--no-first-run", "--no-default-browser-check", "--disable-gpu",
           "--password-store=basic", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--disable-default-apps",
           "--disable-extensions", "--disable-features=Translate,MediaRouter,OptimizationHints",
           "--no-proxy-server", "--window-position=0,0", "--window-size=1200,900"]
    if os.geteuid() == 0:
        cmd.append("--no-sandbox")     # Chromium refuses to run as root otherwise
    cmd.append("about:blank")
    log = open(args.log, "ab") if args.log else subprocess.DEVNULL
    return subprocess.Popen(cmd, stdout=log, stderr=log, start_new_session=True)


def stop_chromium(proc):
    proc.terminate()
    stop_process_group(proc)


def page_target(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/json/list" % port, timeout=5) as r:
        targets = json.load(r)
    for t in targets:
        if t.get("type") == "page" and t.get("webSocketDebuggerUrl"):
            return t["webSocketDebuggerUrl"]
    return None


def try_page_target(port):
    try:
        return page_target(port)
    except OSError:
        return None


def pin_box():
    """The X window id of Chromium's security-device password box, or None."""
    for title in PIN_BOX_TITLES:
        r = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", title],
                           capture_output=True, text=True, timeout=10, check=False)
        ids = r.stdout.split()
        if ids:
            return ids[-1]
    return None


def answer_pin_box(window, text):
    subprocess.run(["xdotool", "windowfocus", "--sync", window], timeout=10, check=False)
    subprocess.run(["xdotool", "type", "--delay", "40", text], timeout=30, check=False)
    subprocess.run(["xdotool", "key", "Return"], timeout=10, check=False)


PAGE_STATE = """[document.readyState, location.href, document.title,
 document.body ? document.body.innerText : ""]"""


def step_open(page, url, args):
    started = time.monotonic()
    deadline = started + args.timeout
    boxes = 0
    answered = set()
    nav = page.send("Page.navigate", {"url": url})
    error = None
    state = ["", "", "", ""]
    while time.monotonic() < deadline:
        if nav is not None:
            try:
                error = page.wait(nav, 0.2).get("errorText")
                nav = None
            except websocket.WebSocketTimeoutException:
                pass
            except CdpError as e:
                error = str(e)
                nav = None
        box = pin_box()
        if box and box not in answered:
            boxes += 1
            answered.add(box)
            if args.type_pin:
                answer_pin_box(box, args.type_pin[min(args.boxes_answered, len(args.type_pin) - 1)])
                args.boxes_answered += 1
        if nav is None:
            try:
                state = page.evaluate(PAGE_STATE) or state
            except (CdpError, websocket.WebSocketTimeoutException):
                pass
            if state[0] == "complete" and state[1] not in ("", "about:blank"):
                break
        time.sleep(0.25)
    else:
        error = (error or "") + " (not loaded within %d s)" % args.timeout
    return {"url": url, "document": state[1], "title": state[2], "text": state[3],
            "error": error, "pin_boxes": boxes,
            "ms": int((time.monotonic() - started) * 1000)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--user-data-dir", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--log")
    p.add_argument("--timeout", type=int, default=60)
    p.add_argument("--type-pin", action="append",
                   help="type this into the security-device box; given several times, "
                        "one per box in order (the last one repeats)")
    p.add_argument("steps", nargs="+")
    args = p.parse_args()
    args.boxes_answered = 0

    proc = start_chromium(args)
    page = None
    try:
        deadline = time.monotonic() + args.timeout
        port = wait_for(deadline, "DevTools port",
                        lambda: proc.poll() is None and devtools_port(args.user_data_dir))
        ws_url = wait_for(deadline, "a page target", lambda: try_page_target(port))
        page = Page(ws_url, args.timeout)
        page.call("Page.enable")
        with open(args.out, "a", encoding="utf-8") as out:
            run_steps(args.steps, {"open": lambda url: step_open(page, url, args)}, args.timeout, out)
        return 0
    except (HarnessError, OSError, ValueError, websocket.WebSocketException) as e:
        print("cdp.py: %s" % e, file=sys.stderr)
        return 1
    finally:
        if page is not None:
            page.close()
        stop_chromium(proc)


if __name__ == "__main__":
    sys.exit(main())
