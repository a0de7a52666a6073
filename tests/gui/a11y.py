#!/usr/bin/python3
"""a11y.py: the accessibility tree (AT-SPI) of an application.

  a11y.py dump APP                 one line per object: "role|name|description"
                                   indented by depth; the text of text objects
                                   follows as "  text=..." for entries
  a11y.py center APP ROLE NAME     "X Y" screen centre of that object

Waits up to 15 s (--wait S before the command changes it) for the
application to appear on the accessibility bus."""
import sys
import time

import gi
gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402


def find_app(name, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        desktop = Atspi.get_desktop(0)
        for i in range(desktop.get_child_count()):
            app = desktop.get_child_at_index(i)
            if app is not None and app.get_name() == name and app.get_child_count() > 0:
                return app
        time.sleep(0.2)
    sys.exit("application %s not on the accessibility bus" % name)


def walk(obj, depth=0):
    yield depth, obj
    for i in range(obj.get_child_count()):
        child = obj.get_child_at_index(i)
        if child is not None:
            yield from walk(child, depth + 1)


def text_of(obj):
    try:
        text = obj.get_text_iface()
        if text is None:
            return None
        return text.get_text(0, text.get_character_count())
    except Exception:
        return None


def one_line(s):
    return (s or "").replace("\n", "\\n")


def dump(app):
    for depth, obj in walk(app):
        role = obj.get_role_name()
        print("%s%s|%s|%s" % ("  " * depth, role, one_line(obj.get_name()),
                               one_line(obj.get_description())))
        if role in ("text", "password text", "entry"):
            print("%s  text=%s" % ("  " * depth, one_line(text_of(obj))))


def center(app, role, name):
    for _, obj in walk(app):
        if obj.get_role_name() == role and obj.get_name() == name:
            box = obj.get_extents(Atspi.CoordType.SCREEN)
            print("%d %d" % (box.x + box.width // 2, box.y + box.height // 2))
            return
    sys.exit("no %s named %r" % (role, name))


def main():
    args, timeout = sys.argv[1:], 15.0
    if args[0] == "--wait":
        timeout, args = float(args[1]), args[2:]
    command, app = args[0], find_app(args[1], timeout)
    sys.argv = [sys.argv[0]] + args
    if command == "dump":
        dump(app)
    elif command == "center":
        center(app, sys.argv[3], sys.argv[4])
    else:
        sys.exit("unknown command " + command)


if __name__ == "__main__":
    main()
