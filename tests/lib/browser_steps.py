"""What the browser drivers (marionette.py, cdp.py) share: bounded waits, the
loop over the steps of a run, and stopping the browser with all its processes.

The common steps are wait:FILE (until FILE exists, bounded), touch:FILE and
sleep:SECONDS; each driver adds its own kinds ("open", ...) as functions of
the step's argument that return a result to record (one JSON line, UTF-8,
with its step number) or None.
"""

import json
import os
import signal
import subprocess
import time


class HarnessError(Exception):
    """The harness failed (exit status 1), as opposed to a page's result."""


def wait_for(deadline, what, test, interval=0.1):
    while time.monotonic() < deadline:
        value = test()
        if value:
            return value
        time.sleep(interval)
    raise HarnessError("timed out waiting for " + what)


def run_steps(steps, kinds, timeout, out):
    for n, step in enumerate(steps, 1):
        kind, _, arg = step.partition(":")
        if kind == "wait":
            wait_for(time.monotonic() + timeout, arg, lambda: os.path.exists(arg))
        elif kind == "touch":
            open(arg, "a").close()
        elif kind == "sleep":
            time.sleep(float(arg))
        elif kind in kinds:
            result = kinds[kind](arg)
            if result is not None:
                out.write(json.dumps(dict(result, step=n), ensure_ascii=False) + "\n")
                out.flush()
        else:
            raise HarnessError("unknown step " + step)


def stop_process_group(proc, grace=10):
    """Give proc grace seconds to end, then kill its whole process group (the
    browser's child processes too) and reap it."""
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
