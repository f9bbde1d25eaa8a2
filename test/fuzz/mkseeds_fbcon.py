#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seeds of fuzz_fbcon (test/fuzz/corpus/fbcon/): a surface header
(width-1, height-1 as 16-bit (a height past 400 on a narrow
surface is 1200 more), stride padding, layout, draw interval, pitch
flag) and console streams of each kind the parser meets. Run from the top of
the tree; the same bytes each run."""
import os
import struct

OUT = "test/fuzz/corpus/fbcon"


def seed(name, text, width=160, height=96, pad=8, layout=0, every=7):
    head = struct.pack("<HHBBBB", width - 1, height - 1, pad, layout, every, 0)
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(head + text)


os.makedirs(OUT, exist_ok=True)
seed("text", b"Keel hypervisor\r\nkeel: running guest 'hello'\r\n[hello] hi\tthere\r\n")
seed("scroll", b"".join(b"line %d\r\n" % i for i in range(12)) + b"x" * 50, every=13)
seed("ansi", b"\x1b[2J\x1b[H\x1b[1;31mred\x1b[0m\x1b[5;3Hxy\x1b[K\x1b[2A\x1b[10D\x1b[1Kz"
     b"\x1b]0;title\x07\x1b]2;t\x1b\\\x1b(B\x1b[?25l\x1b[?1049h\x1b[6n", layout=2)
seed("utf8", "é€😀 ok\r\n".encode() + b"\x80\xbf\xc3\x1b[m", layout=1, every=1)
seed("bs_tab", b"abc\b\b\bX\t\tY\b\r\n\x07\x0b\x0c\x7fZ", layout=3)
seed("big", b"scaled 2x\r\n" * 3, width=64, height=450, pad=0, every=0)  # 1650 rows
seed("tiny", b"\x1b[99;99Hq\r\n", width=8, height=16, pad=1)
