#!/usr/bin/python3
"""Protocol driver for tarjeta-prompt tests: starts the program, sends the
commands given one per line on stdin (or with -c), and prints the exchange:

    > COMMAND
    < REPLY LINE              (every line the program answered)
    = VALUE                   (each D line, percent-decoded)

Every read is bounded (--timeout, default 30 s); on timeout or EOF the
driver says so and exits non-zero.  Usage:
    prompt-driver.py [--timeout S] [-c CMD]... PROGRAM [ARGS...]
"""
import os
import select
import subprocess
import sys
import time


def unescape(s):
    out = bytearray()
    i = 0
    raw = s.encode()
    while i < len(raw):
        if raw[i] == 0x25 and i + 2 < len(raw):
            out.append(int(raw[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return out.decode("utf-8", "replace")


class Reader:
    def __init__(self, fd, timeout):
        self.fd, self.timeout, self.buf = fd, timeout, b""

    def line(self):
        deadline = time.monotonic() + self.timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer within %ss" % self.timeout)
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                chunk = os.read(self.fd, 4096)
                if not chunk:
                    raise EOFError("the prompt closed its output")
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("utf-8", "replace")


def exchange(proc, reader, command):
    print("> " + command, flush=True)
    proc.stdin.write((command + "\n").encode())
    proc.stdin.flush()
    while True:
        line = reader.line()
        print("< " + line, flush=True)
        if line.startswith("D "):
            print("= " + unescape(line[2:]), flush=True)
        if line == "OK" or line.startswith("OK ") or line.startswith("ERR "):
            return


def main():
    args = sys.argv[1:]
    timeout, commands = 30.0, []
    while args and args[0].startswith("-"):
        if args[0] == "--timeout":
            timeout = float(args[1])
            args = args[2:]
        elif args[0] == "-c":
            commands.append(args[1])
            args = args[2:]
        else:
            sys.exit("unknown flag " + args[0])
    if not commands:
        commands = [l.rstrip("\n") for l in sys.stdin]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    print("pid %d" % proc.pid, flush=True)
    reader = Reader(proc.stdout.fileno(), timeout)
    status = 0
    try:
        print("< " + reader.line(), flush=True)
        for command in commands:
            exchange(proc, reader, command)
    except (TimeoutError, EOFError, BrokenPipeError) as e:
        print("! %s" % e, flush=True)
        status = 2
    proc.stdin.close()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        print("! the prompt did not exit after its input closed", flush=True)
        status = 2
    print("exit %d" % proc.returncode, flush=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
