#!/usr/bin/python3
"""xshot.py WINDOW-ID OUT.png: saves a screenshot of one X window and checks
it is not blank (enough distinct colours, enough non-background pixels).
Prints "WIDTHxHEIGHT colours=N ink=P%"; exit status 1 when blank."""
import sys

import gi
gi.require_version("Gdk", "3.0")
gi.require_version("GdkX11", "3.0")
from gi.repository import Gdk, GdkX11  # noqa: E402


def stats(pixbuf):
    data = pixbuf.get_pixels()
    w, h = pixbuf.get_width(), pixbuf.get_height()
    stride, n = pixbuf.get_rowstride(), pixbuf.get_n_channels()
    counts = {}
    for y in range(h):
        row = data[y * stride:y * stride + w * n]
        for x in range(0, w * n, n):
            px = bytes(row[x:x + 3])
            counts[px] = counts.get(px, 0) + 1
    background = max(counts.values())
    return len(counts), 100.0 * (w * h - background) / (w * h)


def main():
    xid, out = int(sys.argv[1], 0), sys.argv[2]
    display = GdkX11.X11Display.get_default() or Gdk.Display.get_default()
    window = GdkX11.X11Window.foreign_new_for_display(display, xid)
    w, h = window.get_width(), window.get_height()
    pixbuf = Gdk.pixbuf_get_from_window(window, 0, 0, w, h)
    if pixbuf is None:
        sys.exit("cannot read window %#x" % xid)
    pixbuf.savev(out, "png", [], [])
    colours, ink = stats(pixbuf)
    print("%dx%d colours=%d ink=%.1f%%" % (w, h, colours, ink))
    # a dialog with text, an icon and buttons has hundreds of anti-aliased
    # colours and several percent of non-background pixels
    sys.exit(0 if colours >= 50 and 2.0 <= ink <= 60.0 and w >= 200 and h >= 100 else 1)


if __name__ == "__main__":
    main()
