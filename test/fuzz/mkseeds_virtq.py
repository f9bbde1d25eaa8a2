#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seeds of fuzz_virtq (test/fuzz/corpus/virtq/): well-formed rings
of each shape the walker takes (direct chains, indirect tables, EVENT_IDX) and
a few broken ones. Run from the top of the tree; the same bytes each run."""
import os
import struct

OUT = "test/fuzz/corpus/virtq"
RAM_BASE, RAM_SIZE = 0x10000, 0x3000
DESC, AVAIL, USED, DATA = 0x0, 0x800, 0x1000, 0x2000


def ring(size, chains, features=3, rounds=2, tables=(), used_event=0, extra=b""):
    """chains: list of (head, [(idx, addr_off, len, flags, next)]); tables: (off, descs)."""
    ram = bytearray(RAM_SIZE)
    for head, descs in chains:
        for i, off, ln, fl, nx in descs:
            struct.pack_into("<QIHH", ram, DESC + 16 * i, RAM_BASE + off, ln, fl, nx)
    for toff, descs in tables:
        for i, off, ln, fl, nx in descs:
            struct.pack_into("<QIHH", ram, toff + 16 * i, RAM_BASE + off, ln, fl, nx)
    for n, (head, _) in enumerate(chains):
        struct.pack_into("<H", ram, AVAIL + 4 + 2 * (n % size), head)
    struct.pack_into("<H", ram, AVAIL + 2, len(chains))
    struct.pack_into("<H", ram, AVAIL + 4 + 2 * size, used_event)
    hdr = struct.pack("<HHHHBB", size, DESC, AVAIL, USED, features, rounds).ljust(12, b"\0")
    return hdr + bytes(ram) + extra


def main():
    os.makedirs(OUT, exist_ok=True)
    NEXT, WRITE, INDIRECT = 1, 2, 4
    blk = (0, [(0, DATA, 16, NEXT, 1), (1, DATA + 0x100, 512, NEXT | WRITE, 2),
               (2, DATA + 0x300, 1, WRITE, 0)])
    seeds = {
        "blk-request": ring(8, [blk]),
        "indirect": ring(8, [(3, [(3, 0x2800, 48, INDIRECT, 0)])],
                         tables=[(0x2800, [(0, DATA, 16, NEXT, 1), (1, DATA + 0x100, 64,
                                                                     NEXT | WRITE, 2),
                                           (2, DATA + 0x200, 1, WRITE, 0)])]),
        "event-idx": ring(16, [blk, blk, blk], features=2, used_event=1,
                          extra=struct.pack("<HB", AVAIL + 2, 5)),
        "loop": ring(8, [(0, [(0, DATA, 4, NEXT, 1), (1, DATA, 4, NEXT, 0)])]),
        "outside": ring(8, [(0, [(0, RAM_SIZE - 8, 16, 0, 0)])]),
        "avail-jump": ring(4, [blk] * 6),
        "nested-indirect": ring(8, [(0, [(0, 0x2800, 16, INDIRECT, 0)])],
                                tables=[(0x2800, [(0, 0x2900, 16, INDIRECT, 0)])]),
    }
    for name, data in seeds.items():
        with open(f"{OUT}/{name}", "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
