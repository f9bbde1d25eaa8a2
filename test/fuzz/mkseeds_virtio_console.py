#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seeds of fuzz_virtio_console (test/fuzz/corpus/virtio_console/):
op streams in the target's encoding (see its header comment) that post
receive buffers and type bytes for them, good and hostile. Run from the top
of the tree."""
import os
import struct

OUT = "test/fuzz/corpus/virtio_console"
WRITE, NEXT = 2, 1


def desc(q, i, addr, length, flags, nxt=0, raw_addr=False):
    op = bytes([0 | q << 3, i])
    # An address is raw, or an offset from 0x8000 into RAM (at 0x100000).
    a = b"\x01" + struct.pack("<Q", addr) if raw_addr else b"\x00" + struct.pack("<H", addr)
    return op + a + struct.pack("<H", length & 0xffff) + bytes([length >> 31, flags, nxt])


def avail(q, slot, head):
    return bytes([1 | q << 3, head, slot])


def avail_idx(q, idx):
    return bytes([2 | q << 3]) + struct.pack("<H", idx)


def bell(q):
    return bytes([3 | q << 3])


def typed(text):
    return bytes([4, len(text)]) + text


def route(hvc):
    return bytes([5 | (0x20 if hvc else 0)])


def reset():
    return bytes([5 | 0x10])


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        # Bytes typed first, then two buffers, one a two-descriptor chain.
        "receive": typed(b"ls -l\n") + desc(0, 0, 0, 4, WRITE) + desc(0, 1, 0x10, 1, WRITE | NEXT, 2)
        + desc(0, 2, 0x11, 64, WRITE) + avail(0, 0, 0) + avail(0, 1, 1) + avail_idx(0, 2)
        + bell(0) + typed(b"more") + route(True),
        # Read-only, zero-length, readable-then-writable, then a good buffer.
        "refused": desc(0, 0, 0, 8, 0) + desc(0, 1, 0x10, 0, WRITE) + desc(0, 2, 0x20, 4, NEXT, 3)
        + desc(0, 3, 0x30, 4, WRITE) + desc(0, 4, 0x40, 8, WRITE) + avail(0, 0, 0) + avail(0, 1, 1)
        + avail(0, 2, 2) + avail(0, 3, 4) + avail_idx(0, 4) + typed(b"pwd\n") + bell(0),
        # A buffer past the end of RAM, then one whose length wraps the address space.
        "outside": typed(b"id\n") + desc(0, 0, 0x11fffc, 8, WRITE, raw_addr=True) + avail(0, 0, 0)
        + avail_idx(0, 1) + bell(0) + bytes([6, 0]) + desc(0, 0, 0xfffffffffffffff0, 0x20, WRITE,
                                                          raw_addr=True)
        + avail(0, 0, 0) + avail_idx(0, 1) + bell(0),
        # A chain that loops, and typing routed to the UART meanwhile.
        "loop": route(False) + typed(b"uart") + desc(0, 0, 0, 4, WRITE | NEXT, 1)
        + desc(0, 1, 4, 4, WRITE | NEXT, 0) + avail(0, 0, 0) + avail_idx(0, 1) + bell(0)
        + route(True),
        # Transmit too, reset in the middle, set up again with event-idx.
        "reset": desc(1, 0, 0x100, 12, 0) + avail(1, 0, 0) + avail_idx(1, 1) + bell(1)
        + typed(b"abc") + reset() + route(True) + bytes([6, 2]) + desc(0, 0, 0, 16, WRITE)
        + avail(0, 0, 0) + avail_idx(0, 1) + bell(0),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
