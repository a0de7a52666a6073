#!/usr/bin/python3
"""tty-session.py: runs tarjeta-prompt through the protocol driver with its
dialog on a pseudo-terminal, types into that terminal, and prints both sides:

    tty-session.py [--wait TEXT] [--keys KEYS]... [--env NAME=VALUE]... [--program PATH]
                   -- COMMAND...

KEYS use Python escapes ('12345678\\r', '\\x1b' for Escape).  Before each
--keys, waits (bounded) until the terminal shows --wait TEXT (default ": ").
Prints "--- terminal", what the terminal showed, "--- driver", the driver's
transcript, and "echo restored: yes|no" for the terminal's final mode."""
import os
import pty
import select
import subprocess
import sys
import termios
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def read_until(fd, seen, text, timeout):
    deadline = time.monotonic() + timeout
    while text.encode() not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            return seen, False
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                return seen, False
    return seen, True


def drain(fd, seen, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    return seen


def main():
    args, keys, waits, env = sys.argv[1:], [], [], dict(os.environ)
    wait = ": "
    program = os.path.join(os.environ["TV_BUILD"], "tarjeta-prompt")
    for var in ("DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(var, None)
    while args and args[0] != "--":
        flag, value, args = args[0], args[1], args[2:]
        if flag == "--wait":
            wait = value
        elif flag == "--keys":
            keys.append(value.encode().decode("unicode_escape").encode("latin-1"))
            waits.append(wait)
        elif flag == "--program":
            program = value
        elif flag == "--env":
            name, _, val = value.partition("=")
            env[name] = val
    commands = args[1:]
    master, slave = pty.openpty()
    name = os.ttyname(slave)
    driver = [sys.executable, os.path.join(HERE, "prompt-driver.py"), "--timeout", "20",
              "-c", "OPTION ttyname=" + name]
    for c in commands:
        driver += ["-c", c]
    proc = subprocess.Popen(driver + [program],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    seen = b""
    for text, k in zip(waits, keys):
        seen, ok = read_until(master, seen, text, 15)
        if not ok:
            print("! terminal never showed %r" % text)
        os.write(master, k)
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        print("! driver did not finish")
    seen = drain(master, seen, 0.3)
    lflag = termios.tcgetattr(slave)[3]
    print("--- terminal")
    print(seen.decode("utf-8", "replace").replace("\r", ""))
    print("--- driver")
    print(out.decode("utf-8", "replace"))
    print("--- stderr")
    print(err.decode("utf-8", "replace"))
    print("echo restored: %s" % ("yes" if lflag & termios.ECHO and lflag & termios.ICANON else "no"))


if __name__ == "__main__":
    main()
