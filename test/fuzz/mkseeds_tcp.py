#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seeds of fuzz_tcp (test/fuzz/corpus/tcp/): op streams in the
target's encoding (see its header comment): connections opened, a line
echoed, closed from either side, retransmitted, refused; raw segments. Run
from the top of the tree."""
import os
import struct

OUT = "test/fuzz/corpus/tcp"
FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16


def seg(client, flags, seq=None, ack=None, wnd=4096, opts=b"", data=b"", port9=False,
        doff=0):
    """A built segment. seq/ack None: relative 0 to what the connection expects
    (2 bytes); an int: raw (4 bytes). Without a connection both must be ints."""
    op = 1 | client << 2 | (0x20 if port9 else 0) | (0x40 if seq is not None else 0) | \
        (0x80 if ack is not None else 0)
    b = bytes([op, flags])
    b += struct.pack("<I", seq) if seq is not None else struct.pack("<h", 0)
    b += struct.pack("<I", ack) if ack is not None else struct.pack("<h", 0)
    assert len(opts) % 4 == 0
    b += struct.pack("<H", wnd) + bytes([doff << 4 | len(opts) // 4]) + opts
    fill = data[:1] or b"\0"
    assert data == fill * len(data)
    return b + struct.pack("<H", len(data)) + fill


def raw(client, s):
    return bytes([0 | client << 2]) + struct.pack("<H", len(s)) + s


def wait(ms10):
    return bytes([2]) + struct.pack("<H", ms10)


NEXT_TIMER = bytes([3])
MSS = bytes([2, 4, 5, 0xb4])


def opened(client=0):
    return seg(client, SYN, 1000, 0, opts=MSS) + seg(client, ACK)


SEEDS = {
    "echo": opened() + seg(0, ACK | PSH, data=b"z" * 6) + NEXT_TIMER + seg(0, ACK) +
    seg(0, ACK | FIN) + seg(0, ACK),
    "echo_fin_with_data": opened(1) + seg(1, ACK | PSH | FIN, data=b"q" * 100) + seg(1, ACK),
    "flood": b"".join(seg(c, SYN, 5000 + c, 0) for c in range(4)) +
    seg(0, SYN, 7000, 0, port9=True) + NEXT_TIMER * 8,
    "idle_close": opened(2) + wait(6500) + seg(2, ACK) + seg(2, ACK | FIN) + wait(300),
    "window": opened(3) + seg(3, ACK, wnd=0, data=b"w" * 1400) + NEXT_TIMER * 3 +
    seg(3, ACK, wnd=8192),
    "hostile": opened() + seg(0, RST, seq=1003, ack=0) + seg(0, SYN, seq=1001, ack=0) +
    seg(0, ACK, ack=0x7fffffff) + seg(0, ACK, opts=bytes([1, 1, 8, 0]), data=b"o" * 4) +
    seg(0, ACK, doff=15, data=b"d" * 8) + seg(0, ACK, doff=3),
    "raw": raw(0, bytes(20)) + raw(1, b"\x9c\x40\x00\x07" + bytes(8) + b"\x50\x02" + bytes(6)) +
    raw(2, b"\x9c\x40\x00\x07" + bytes(8) + b"\xf0\x12" + bytes(30)),
}

os.makedirs(OUT, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
