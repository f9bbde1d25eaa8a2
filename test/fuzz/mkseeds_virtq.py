#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seeds of fuzz_virtq (test/fuzz/corpus/virtq/): well-formed rings
of each shape the walker takes (direct chains, indirect tables, EVENT_IDX) and
a few broken ones; and hvm_platform's virtio seed (corpus/hvm_platform/virtio):
a driver setting up the virtio-console through config space and BAR 0 in the
op stream of fuzz_ops.c, and one using its config-space window onto BAR 0
(corpus/hvm_platform/virtio-pci-cfg). Run from the top of the tree; the same bytes each run."""
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


def out(port, value, size):
    code = {1: 0, 2: 1, 4: 2}[size]
    return bytes([0x21 | code << 3]) + struct.pack("<H", port) + value.to_bytes(size, "little")


def mmio_w(rng, off, value, size):
    code = {1: 0, 2: 1, 4: 2, 8: 3}[size]
    return bytes([0x03 | code << 3, rng]) + struct.pack("<H", off) + value.to_bytes(size, "little")


def console_driver():
    """00:05.0's BAR 0 at 0xfebf8000, memory and bus master on; then the
    driver's steps (virtio 1.1 3.1.1) with MSI-X on, for each MMIO range index
    that may be the BAR's (it is registered last; the count depends on the PC)."""
    cfg = lambda off: out(0xcf8, 0x80000000 | 0x28 << 8 | off, 4)
    s = cfg(0x10) + out(0xcfc, 0xfebf8000, 4) + cfg(0x04) + out(0xcfc, 6, 2)
    s += cfg(0x40) + out(0xcfe, 0x8000, 2)
    for rng in range(3, 8):
        s += mmio_w(rng, 0x14, 1, 1) + mmio_w(rng, 0x14, 3, 1) + mmio_w(rng, 0x08, 1, 4)
        s += mmio_w(rng, 0x0c, 1, 4) + mmio_w(rng, 0x14, 11, 1)
        for q in (0, 1):
            s += mmio_w(rng, 0x16, q, 2) + mmio_w(rng, 0x1a, q + 1, 2)
            s += mmio_w(rng, 0x20, 0x10000 + 0x3000 * q, 8) + mmio_w(rng, 0x28, 0x11000 + 0x3000 * q, 8)
            s += mmio_w(rng, 0x30, 0x12000 + 0x3000 * q, 8) + mmio_w(rng, 0x1c, 1, 2)
        s += mmio_w(rng, 0x4010, 0xfee00000, 4) + mmio_w(rng, 0x4018, 0x41, 4)
        s += mmio_w(rng, 0x401c, 0, 4) + mmio_w(rng, 0x14, 15, 1) + mmio_w(rng, 0x3004, 1, 2)
    return s


def inp(port, size):
    code = {1: 0, 2: 1, 4: 2}[size]
    return bytes([0x20 | code << 3]) + struct.pack("<H", port)


def pci_cfg_window():
    """The virtio-console's VIRTIO_PCI_CAP_PCI_CFG window (cap at 0x94 of
    00:05.0): the status, the features, the ISR and a doorbell through
    pci_cfg_data, then a window that is refused (length 3)."""
    cfg = lambda off: out(0xcf8, 0x80000000 | 0x28 << 8 | off, 4)
    win = lambda off, ln: (cfg(0x98) + out(0xcfc, 0, 1) + cfg(0x9c) + out(0xcfc, off, 4) +
                           cfg(0xa0) + out(0xcfc, ln, 4) + cfg(0xa4))
    s = win(0x14, 1) + out(0xcfc, 1, 1) + inp(0xcfc, 4)
    s += win(0x00, 4) + out(0xcfc, 1, 4) + win(0x04, 4) + inp(0xcfc, 4)
    s += win(0x1000, 1) + inp(0xcfc, 1) + win(0x3004, 2) + out(0xcfc, 1, 2)
    s += win(0x14, 3) + out(0xcfc, 0xffffffff, 4) + inp(0xcfc, 4)
    return s


def main():
    os.makedirs(OUT, exist_ok=True)
    with open("test/fuzz/corpus/hvm_platform/virtio", "wb") as f:
        f.write(console_driver())
    with open("test/fuzz/corpus/hvm_platform/virtio-pci-cfg", "wb") as f:
        f.write(pci_cfg_window())
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
