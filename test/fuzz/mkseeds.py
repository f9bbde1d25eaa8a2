#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the generated seeds under test/fuzz/corpus/: ELF images, FAT images
(FAT16/32 in fuzz_fat.c's sparse form), device op streams (fuzz_ops.c's
encoding) and decoder inputs. Run from the top of the tree; needs mtools and
mkfs.fat. The same bytes each run, so only a change here changes the seeds."""
import os
import struct
import subprocess
import sys
import tempfile

OUT = "test/fuzz/corpus"
os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # mtools' file times: same seeds each run


def put(target, name, data):
    os.makedirs(f"{OUT}/{target}", exist_ok=True)
    assert len(data) < 64 * 1024, (target, name, len(data))
    with open(f"{OUT}/{target}/{name}", "wb") as f:
        f.write(data)


# ---- ELF64 ----------------------------------------------------------------

def elf(segs, entry, etype=2, extra_phdrs=()):
    """segs: (vaddr, flags, data, memsz); an ELF64 x86-64 file."""
    phdrs = []
    body = b""
    off = 64 + 56 * (len(segs) + len(extra_phdrs))
    for vaddr, flags, data, memsz in segs:
        phdrs.append(struct.pack("<IIQQQQQQ", 1, flags, off + len(body), vaddr, vaddr,
                                 len(data), memsz, 0x1000))
        body += data
    for p_type in extra_phdrs:
        phdrs.append(struct.pack("<IIQQQQQQ", p_type, 4, 0, 0, 0, 0, 0, 8))
    eh = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    eh += struct.pack("<HHIQQQIHHHHHH", etype, 62, 1, entry, 64, 0, 0, 64, 56,
                      len(phdrs), 64, 0, 0)
    return eh + b"".join(phdrs) + body


CODE = bytes.fromhex("48c7c0010000000f01c1f4ebfd")  # mov rax,1; vmcall; hlt; jmp $


def elf_seeds():
    one = elf([(0x100000, 5, CODE, len(CODE))], 0x100000)
    two = elf([(0x100000, 5, CODE, 0x1000), (0x101000, 6, b"data" * 8, 0x3000)], 0x100004,
              extra_phdrs=(0x6474e551, 4))
    many = elf([(0x100000 + i * 0x2000, 5 if i == 0 else 6, bytes([i]) * 16, 0x1000)
                for i in range(8)], 0x100000)
    pie = elf([(0, 5, CODE, 0x1000), (0x1000, 6, b"\0" * 16, 0x2000)], 0x0, etype=3)
    for name, data in (("one.elf", one), ("two.elf", two), ("eight.elf", many)):
        put("elf64", name, data)
        put("elf_check", name, data)
    put("elf64", "pie.elf", pie)
    for g in ("exits64", "spin64"):  # real test guests, when built
        path = f"build/guests/{g}.elf"
        if os.path.exists(path) and os.path.getsize(path) < 64 * 1024:
            put("elf64", f"{g}.elf", open(path, "rb").read())
    return two


# ---- menu.lst and FAT -----------------------------------------------------

MENU = b"""# a seed for fuzz_menu_lst and fuzz_fat
default 1
fallback=0
timeout 3
hiddenmenu

title Rescue
    kernel /boot/vmlinuz-6.1.0-keel-amd64 single

title Keel test kernel
    root (hd0,0)
    kernel /boot/kernel.elf console=hvc0 loglevel=7
    module /boot/module.bin one two

title With initrd
    kernel /boot/kernel.elf
    initrd /boot/module.bin
"""


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def fill(img, d, kernel):
    with open(f"{d}/menu.lst", "wb") as f:
        f.write(MENU)
    with open(f"{d}/kernel.elf", "wb") as f:
        f.write(kernel)
    with open(f"{d}/module.bin", "wb") as f:
        f.write(bytes(range(256)) * 3)
    with open(f"{d}/A Long File Name.txt", "wb") as f:
        f.write(b"lfn\n")
    run("mmd", "-i", img, "::/boot", "::/many")
    run("mcopy", "-i", img, f"{d}/menu.lst", f"{d}/kernel.elf", f"{d}/module.bin", "::/boot/")
    run("mcopy", "-i", img, f"{d}/module.bin", "::/boot/vmlinuz-6.1.0-keel-amd64")
    run("mcopy", "-i", img, f"{d}/A Long File Name.txt", "::/")
    for i in range(20):
        with open(f"{d}/f{i:02}.txt", "wb") as f:
            f.write(b"%d\n" % i)
        run("mcopy", "-i", img, f"{d}/f{i:02}.txt", "::/many/")


def sparse(raw):
    """fuzz_fat.c's sparse form: the non-zero 512-byte blocks, runs merged."""
    out = b"KFATSPRS" + struct.pack("<I", len(raw))
    i = 0
    while i < len(raw):
        if not any(raw[i:i + 512]):
            i += 512
            continue
        j = i
        while j < len(raw) and any(raw[j:j + 512]) and j - i < 0xfe00:
            j += 512
        out += struct.pack("<IH", i, j - i) + raw[i:j]
        i = j
    return out


def fat_seeds(kernel):
    put("menu_lst", "menu.lst", MENU)
    put("menu_lst", "minimal.lst", b"title x\nkernel /k\n")
    with tempfile.TemporaryDirectory() as d:
        img = f"{d}/fat12.img"
        run("mkfs.fat", "--invariant", "-F", "12", "-r", "64", "-s", "1", "-C", img, "48")
        fill(img, d, kernel)
        put("fat", "fat12.img", open(img, "rb").read())
        for bits, kib, opts in ((16, 4200, ["-s", "1"]), (32, 34000, ["-s", "1"])):
            img = f"{d}/fat{bits}.img"
            run("mkfs.fat", "--invariant", "-F", str(bits), *opts, "-C", img, str(kib))
            fill(img, d, kernel)
            put("fat", f"fat{bits}.sparse", sparse(open(img, "rb").read()))


# ---- device op streams (fuzz_ops.c) ---------------------------------------

def out(port, value, size=1):
    code = {1: 0, 2: 1, 4: 2}[size]
    return bytes([0x21 | code << 3]) + struct.pack("<H", port) + value.to_bytes(size, "little")


def inp(port, size=1):
    code = {1: 0, 2: 1, 4: 2}[size]
    return bytes([0x20 | code << 3]) + struct.pack("<H", port)


def mmio_w(off, value, size=4, rng=0):
    code = {1: 0, 2: 1, 4: 2, 8: 3}[size]
    return bytes([0x03 | code << 3, rng]) + struct.pack("<H", off) + value.to_bytes(size, "little")


def mmio_r(off, size=4, rng=0):
    code = {1: 0, 2: 1, 4: 2, 8: 3}[size]
    return bytes([0x02 | code << 3, rng]) + struct.pack("<H", off)


def wait(ns_units, shift=10):
    return bytes([0x04 | shift << 3]) + struct.pack("<H", ns_units)


ACK = b"\x05"
RESET = b"\x0f"


def extra(*args):
    return b"\x06" + bytes(args)


HLT = b"\x06\x00"  # fuzz_hvm_platform.c's extra ops


def console(text):
    return b"".join(b"\x06\x01" + bytes([c]) for c in text)


def pic_init():
    s = out(0x20, 0x11) + out(0x21, 0x08) + out(0x21, 0x04) + out(0x21, 0x01)
    s += out(0xa0, 0x11) + out(0xa1, 0x70) + out(0xa1, 0x02) + out(0xa1, 0x01)
    return s + out(0x21, 0x00) + out(0xa1, 0x00)


def pit_mode2(count=1193):
    return out(0x43, 0x34) + out(0x40, count & 0xff) + out(0x40, count >> 8)


def pci_cfg(devfn, off):
    return out(0xcf8, 0x80000000 | devfn << 8 | off, 4)


def ata_read(lba, n=1):
    s = out(0x1f6, 0xe0 | (lba >> 24 & 0xf)) + out(0x1f2, n) + out(0x1f3, lba & 0xff)
    s += out(0x1f4, lba >> 8 & 0xff) + out(0x1f5, lba >> 16 & 0xff) + out(0x1f7, 0x20)
    return s + inp(0x1f7) + b"".join(inp(0x1f0, 2) for _ in range(8))


def device_seeds():
    put("vpic", "init-raise-ack", pic_init() + extra(0, 1) + ACK + out(0x20, 0x20) +
        extra(8, 1) + ACK + out(0xa0, 0x20) + out(0x20, 0x20) + out(0x20, 0x0b) + inp(0x20))
    put("vpic", "elcr-level-poll", pic_init() + out(0x4d0, 0x20) + out(0x4d1, 0x0e) +
        extra(5, 1) + out(0x20, 0x0c) + inp(0x20) + extra(5, 0) + out(0x21, 0xff) + inp(0x21))
    put("vpic", "aeoi-rotate", out(0x20, 0x13) + out(0x21, 0x20) + out(0x21, 0x03) +
        out(0x21, 0) + extra(1, 1) + ACK + out(0x20, 0x80) + extra(3, 1) + ACK + out(0x20, 0x68))
    put("vpit", "mode2-irq", pit_mode2() + wait(2000, 10) + wait(1, 20) + out(0x43, 0) +
        inp(0x40) + inp(0x40))
    put("vpit", "speaker-readback", out(0x61, 3) + out(0x43, 0xb6) + out(0x42, 0x33) +
        out(0x42, 0x05) + wait(100, 12) + out(0x43, 0xe8) + inp(0x42) + inp(0x42) + inp(0x61))
    put("vpit", "mode0-oneshot", out(0x43, 0x30) + out(0x40, 0xff) + out(0x40, 0xff) +
        wait(60000, 10) + inp(0x40) + out(0x43, 0x14) + out(0x40, 5) + wait(10, 12))
    rtc = b"".join(out(0x70, r) + inp(0x71) for r in (0, 2, 4, 6, 7, 8, 9, 0x32, 0x0a, 0x0b))
    put("rtc_cmos", "read-clock", rtc)
    put("rtc_cmos", "periodic-alarm", out(0x70, 0x0a) + out(0x71, 0x26) + out(0x70, 0x0b) +
        out(0x71, 0x72) + out(0x70, 1) + out(0x71, 0) + wait(2000, 20) + out(0x70, 0x0c) +
        inp(0x71) + wait(1000, 20) + out(0x70, 0x0c) + inp(0x71))
    put("rtc_cmos", "set-time", out(0x70, 0x0b) + out(0x71, 0x86) + out(0x70, 0) + out(0x71, 0x59) +
        out(0x70, 4) + out(0x71, 0x23) + out(0x70, 0x0b) + out(0x71, 0x02) + wait(1100, 20) +
        out(0x70, 0) + inp(0x71) + out(0x70, 0x8f) + out(0x71, 0x0a) + inp(0x71))
    com = 0x3f8
    put("uart16550", "init-print", out(com + 3, 0x80) + out(com, 1) + out(com + 1, 0) +
        out(com + 3, 3) + out(com + 2, 0xc7) + out(com + 4, 0x0b) + out(com + 1, 0x03) +
        b"".join(out(com, c) for c in b"hello\n") + inp(com + 2) + inp(com + 5))
    put("uart16550", "loopback-rx", out(com + 4, 0x1b) + b"".join(out(com, c) for c in b"0123456789abcdefg") +
        inp(com + 5) + inp(com) + inp(com + 6) + extra(0x41) + out(com + 1, 0x05) + inp(com + 2))
    fw = out(0x510, 0, 2) + b"".join(inp(0x511) for _ in range(4))
    fw += out(0x510, 0x19, 2) + b"".join(inp(0x511) for _ in range(4 + 64 * 2))
    fw += out(0x510, 0x20, 2) + b"".join(inp(0x511) for _ in range(40))
    put("fw_cfg", "signature-dir-e820", fw)
    put("fw_cfg", "ram-size", out(0x510, 3, 2) + b"".join(inp(0x511, 1) for _ in range(9)) +
        out(0x510, 0x8000, 2) + inp(0x511) + out(0x511, 5) + inp(0x510, 2))
    put("ata", "identify-read", out(0x1f6, 0xa0) + out(0x1f7, 0xec) + inp(0x1f7) +
        b"".join(inp(0x1f0, 2) for _ in range(16)) + ata_read(0, 2) + ata_read(100))
    put("ata", "write-multiple", out(0x1f6, 0xe0) + out(0x1f2, 4) + out(0x1f7, 0xc6) +
        out(0x1f2, 8) + out(0x1f3, 1) + out(0x1f7, 0xc5) + b"".join(out(0x1f0, i, 2) for i in range(32)) +
        out(0x3f6, 0x04) + out(0x3f6, 0x00) + inp(0x1f7) + out(0x176, 0xb0) + inp(0x177))
    put("ata", "rep-insw", out(0x1f6, 0xe0) + out(0x1f2, 2) + out(0x1f7, 0x20) +
        bytes([0x07, 1, 0]) + struct.pack("<H", 512) + inp(0x1f7))
    put("ata", "lba48-pci", out(0x1f6, 0x40) + out(0x1f2, 0) + out(0x1f2, 1) + out(0x1f3, 0) +
        out(0x1f3, 5) + out(0x1f7, 0x24) + inp(0x1f0, 4) + pci_cfg(0x09, 0) + inp(0xcfc, 4) +
        pci_cfg(0x09, 0x40) + out(0xcfc, 0x8000, 2) + inp(0xcfe, 2))
    lapic = mmio_w(0xf0, 0x1ff) + mmio_w(0x3e0, 0x0b) + mmio_w(0x320, 0x20030) + mmio_w(0x380, 1000)
    lapic += wait(5000, 0) + ACK + mmio_r(0x100) + mmio_w(0xb0, 0) + mmio_r(0x390)
    put("vlapic", "timer-periodic", lapic)
    put("vlapic", "self-ipi-tpr", mmio_w(0xf0, 0x100) + mmio_w(0x80, 0x20) + mmio_w(0x300, 0x44031) +
        mmio_w(0x300, 0x40025) + ACK + mmio_r(0xa0) + mmio_w(0x80, 0) + ACK + mmio_w(0xb0, 0) +
        mmio_w(0x280, 0) + mmio_r(0x280) + mmio_w(0xf0, 0xff) + mmio_r(0x20))
    put("vioapic", "route-level", mmio_w(0, 0x10) + mmio_w(0x10, 0x8031) + mmio_w(0, 0x11) +
        mmio_w(0x10, 0) + extra(0, 1) + ACK + mmio_r(0x10) + mmio_w(0x40, 0x31) + extra(0, 0) +
        mmio_w(0, 1) + mmio_r(0x10) + mmio_w(0, 0) + mmio_w(0x10, 0x0f000000))
    put("vioapic", "edge-mask", mmio_w(0, 0x12) + mmio_w(0x10, 0x10041) + extra(1, 1) +
        mmio_w(0x10, 0x41) + extra(1, 0) + extra(1, 1) + ACK + mmio_w(0, 0x14) + mmio_w(0x10, 0x400) +
        extra(2, 1))
    # HPET: one-shot, periodic (Linux's Tn_VAL_SET_CNF sequence), 32-bit, level, legacy, FSB.
    hpet = mmio_w(0xf0, 0, 8) + mmio_w(0x10, 1) + mmio_w(0x140, 0x2804) + mmio_w(0x148, 5000, 8)
    hpet += wait(1000, 10) + mmio_r(0xf0) + mmio_r(0xf4) + mmio_w(0x100, 0x294c) + mmio_w(0x108, 20000)
    hpet += mmio_w(0x108, 1000) + wait(30, 10) + mmio_r(0x108, 8) + mmio_w(0x120, 0x2b06)
    hpet += mmio_w(0x128, 30000) + wait(100, 10) + mmio_r(0x20) + mmio_w(0x20, 2) + mmio_w(0x10, 3)
    hpet += wait(100, 10) + mmio_w(0x10, 1) + mmio_r(0x0) + mmio_r(0x4)
    put("hpet", "timers", hpet)
    put("hpet", "fsb-32bit", mmio_w(0x154, 0xfee00000) + mmio_w(0x150, 0x41) + mmio_w(0x140, 0x4104) +
        mmio_w(0x148, 0x100000040, 8) + mmio_w(0x10, 1) + wait(10, 4) + mmio_w(0x10, 0) +
        mmio_w(0xf0, 0xfffffff0) + mmio_w(0x10, 1) + wait(100, 4) + RESET + mmio_r(0x100, 8))
    put("port92_i8042", "selftest-a20-reset", out(0x64, 0xaa) + inp(0x60) + out(0x64, 0x20) +
        inp(0x60) + out(0x64, 0x60) + out(0x60, 0x47) + out(0x64, 0xd1) + out(0x60, 0xdf) +
        out(0x60, 0xff) + inp(0x64) + inp(0x60) + out(0x64, 0xd4) + out(0x60, 0xf4) + inp(0x60) +
        inp(0x92) + out(0x92, 0x03) + out(0x64, 0xfe))
    put("port92_i8042", "aux-loop", out(0x64, 0xa8) + out(0x64, 0xd3) + out(0x60, 0x5a) +
        inp(0x64) + inp(0x60) + out(0x64, 0xa9) + inp(0x60) + out(0x64, 0xd2) + out(0x60, 0x12) +
        inp(0x60) + out(0x64, 0xc0) + inp(0x60) + out(0x64, 0xd0) + inp(0x60))
    pci = pci_cfg(0, 0) + inp(0xcfc, 4) + pci_cfg(0, 0x58) + out(0xcfd, 0x30) + out(0xcfe, 0x33)
    pci += pci_cfg(0x08, 0x60) + out(0xcfc, 0x0b0a0b0a, 4) + pci_cfg(0x0b, 0x40)
    pci += out(0xcfc, 0xb001, 4) + pci_cfg(0x0b, 0x80) + out(0xcfc, 1) + inp(0xb008, 4)
    pci += out(0xb002, 0x0001, 2) + wait(5000, 20) + inp(0xb000, 2) + out(0xb000, 1, 2)
    pci += out(0xb2, 0xf1) + inp(0xafe0, 2)
    put("pci", "scan-pam-pm", pci)
    put("pci", "bar-sizing-reset", pci_cfg(0x09, 0x20) + out(0xcfc, 0xffffffff, 4) + inp(0xcfc, 4) +
        pci_cfg(0x0b, 0x04) + out(0xcfc, 0xffff, 2) + inp(0xcfe, 2) + pci_cfg(0x50, 0) + inp(0xcfc, 4) +
        out(0xcf9, 0x02) + out(0xcf9, 0x06) + inp(0xcf9))
    # The whole PC: firmware-like bring-up, then timers and interrupts.
    pc = pic_init() + pit_mode2(11932) + out(0x70, 0x0b) + out(0x71, 0x02)
    pc += out(0x510, 0, 2) + inp(0x511) + pci_cfg(0, 0) + inp(0xcfc, 4)
    pc += mmio_w(0xf0, 0x1ff, rng=1) + mmio_w(0x350, 0x700, rng=1) + HLT + ACK + wait(20, 20)
    pc += ACK + out(0x20, 0x20) + ata_read(0) + out(0x3f8, 0x41) + console(b"A") + wait(1, 24)
    put("hvm_platform", "bringup", pc)
    put("hvm_platform", "apic-ioapic", mmio_w(0xf0, 0x1ff, rng=1) + mmio_w(0, 0x14, rng=2) +
        mmio_w(0x10, 0x8030, rng=2) + pit_mode2(100) + wait(1, 24) + HLT + ACK +
        mmio_w(0xb0, 0, rng=1) + out(0x64, 0xfe) + wait(1, 10) + pic_init())
    # The HPET (MMIO range 3): legacy replacement with a level timer 0 and the RTC's IRQ 8,
    # then back, then an FSB message to the local APIC.
    hp = pic_init() + mmio_w(0xf0, 0x1ff, rng=1) + out(0x70, 0x0b) + out(0x71, 0x42)
    hp += mmio_w(0x10, 3, rng=3) + mmio_w(0x100, 0x4e, rng=3) + mmio_w(0x108, 20000, rng=3)
    hp += mmio_w(0x108, 20000, rng=3) + wait(5, 20) + HLT + ACK + mmio_w(0x20, 1, rng=3)
    hp += out(0x20, 0x20) + mmio_w(0x10, 1, rng=3) + wait(5, 20) + ACK + mmio_w(0x154, 0xfee00000, rng=3)
    hp += mmio_w(0x150, 0x51, rng=3) + mmio_w(0x140, 0x4004, rng=3) + mmio_w(0x148, 0x400000, rng=3)
    hp += HLT + ACK + mmio_w(0xb0, 0, rng=1) + RESET + mmio_r(0, rng=3)
    put("hvm_platform", "hpet-legacy-msi", hp)
    put("hvm_platform", "reset-paths", out(0xcf9, 0x06) + inp(0x60) + out(0x92, 1) + inp(0x92) +
        RESET + console(b"\x01s\x01hA\n") + b"\x06\x03" + b"\x06\x02" + HLT)


# ---- the MMIO decoder (fuzz_decode.c: mode, a, b, rflags, bytes) ----------

def decode_seeds():
    insns = {
        "64-mov-store": (3, "8908"), "64-mov-rip": (3, "488b0510000000"),
        "64-movzx": (3, "0fb607"), "64-mov-imm": (3, "c70078563412"), "64-rep-stos": (3, "f3ab"),
        "64-movs": (3, "48a5"), "64-or-imm8": (3, "830801"), "64-test": (3, "8507"),
        "64-mov16": (3, "668908"), "64-sil": (3, "408830"),
        "64-ah": (3, "8820"), "64-r8": (3, "418b00"), "64-cmp": (3, "3b4708"),
        "64-movsx": (3, "480fbf4004"), "64-xor-seg": (3, "6431480c"), "64-moffs": (3, "48a1efcdab8967452301"),
        "32-mov": (2, "8908"), "32-moffs": (2, "a100e0feff"), "32-addr16": (2, "678907"),
        "32-and-imm": (2, "8120ff00ff00"), "16-mov": (0, "8907"), "16-moffs": (0, "a33412"),
        "16-es-byte": (1, "268805"), "16-op32": (0, "668907"), "16-rep-movs": (1, "f3a4"),
        # doorbell stores (decode_store.c): virtio's movw $0 / mov %dx, SIB, 16-bit, prefixes
        "64-bell-imm16": (3, "66c7000000"), "64-bell-reg16": (3, "668910"),
        "64-bell-sib": (3, "66c784dc443322113412"), "16-bell-imm": (0, "c7430fff34"),
        "32-bell-prefixes": (2, "2667c60201"),
    }
    for name, (mode, hexbytes) in insns.items():
        hdr = bytes([mode | (len(name) % 16) << 2]) + struct.pack("<QQQ", 0x80000000fffffff0,
                                                                  0x0123456789abcdef, 0x202)
        put("decode", name, hdr + bytes.fromhex(hexbytes))


# ---- the MSR model (fuzz_vmsr.c: flags, MAXPHYADDR, host TSC, then ops) ---

VMSR_MSRS = [0x10, 0x17, 0x1b, 0x3a, 0x3b, 0x48, 0x49, 0x8b, 0xfe, 0x10a, 0x10b, 0x1a0,
             *range(0x200, 0x211), 0x250, 0x258, 0x259, *range(0x268, 0x271), 0x277, 0x2ff,
             0x6e0, 0x802, 0xc0000080]


def wrmsr(msr, value):
    if msr in VMSR_MSRS:
        return bytes([0, VMSR_MSRS.index(msr)]) + struct.pack("<Q", value)
    return b"\x08" + struct.pack("<IQ", msr, value)


def vmsr_seeds():
    hdr = bytes([0, 46]) + struct.pack("<Q", 10**9)
    seabios = wrmsr(0x2ff, 0) + wrmsr(0x250, 0x0606060606060606) + wrmsr(0x258, 0x0606060606060606)
    seabios += wrmsr(0x259, 0) + b"".join(wrmsr(m, 0x0505050505050505) for m in range(0x268, 0x270))
    seabios += b"".join(wrmsr(m, 0) for m in range(0x200, 0x210))
    seabios += wrmsr(0x200, 0x80000000) + wrmsr(0x201, 0x3fff80000800) + wrmsr(0x2ff, 0xc06)
    put("vmsr", "seabios-mtrrs", hdr + seabios)
    apic = wrmsr(0x1b, 0xfee00100) + b"\x07\x03" + wrmsr(0x1b, 0xfee00d00) + wrmsr(0x1b, 0xfee00900)
    put("vmsr", "apic-off-on", hdr + apic + b"\x07\x0f")
    put("vmsr", "x2apic-transitions", bytes([8, 46]) + bytes(8) + wrmsr(0x1b, 0xfee00d00) +
        wrmsr(0x1b, 0xfee00900) + wrmsr(0x1b, 0xfee00100) + wrmsr(0x1b, 0xfee00d00) +
        wrmsr(0x1b, 0xfee00900))
    put("vmsr", "tsc", hdr + wrmsr(0x10, 1 << 40) + b"\x04" + struct.pack("<I", 5000) +
        wrmsr(0x3b, 12345) + b"\x06" + wrmsr(0x3b, -1 & (2**64 - 1)) + b"\x03\x00")
    put("vmsr", "linux-boot", bytes([64, 39]) + bytes(8) + wrmsr(0x1a0, 0x1801) +
        wrmsr(0xc0000080, 0xd01) + wrmsr(0x277, 0x0007010600070106) + wrmsr(0x1a0, 1 << 34) +
        wrmsr(0x8b, 0) + b"\x05" + wrmsr(0x3a, 5) + wrmsr(0x6e0, 1))


def console_seeds():
    """fuzz_console.c's ops: guest g (o >> 4) writes a byte (o & 7: 0 UART, 1 PV text), 2 a
    typed byte, 3 Ctrl-A c typed, 4 Keel polls its UART, 5 g stops, 6 g reads, 7 focus on g."""
    def write(g, text, op=0):
        return b"".join(bytes([g << 4 | op, c]) for c in text)

    def typed(text):
        return b"".join(bytes([2, c]) for c in text)

    poll, ctrl_a_c = b"\x04", b"\x03\x04"
    put("console", "tagged-focus-held", write(0, b"boot\r\nlogin: ") + write(1, b"pv\n", 1) +
        ctrl_a_c + write(0, b"\x1b[1mroot\x1b[0m\r\n") + write(2, b"held\n") + ctrl_a_c +
        write(1, b"raw pv\n", 1) + ctrl_a_c + ctrl_a_c + b"\x05" + poll)
    put("console", "typed-read-stop", typed(b"ls\r") + poll + b"\x16\x40" + b"\x07" +
        typed(b"\x01\x01x" + b"y" * 40) + poll + b"\x06\x40" + b"\x15" + typed(b"pv") + poll +
        b"\x16\x40")


def vswitch_seeds():
    """fuzz_vswitch.c's ops: o & 7: 0-2 send from port o >> 3 (selector, length, [dst]),
    3 take, 4 time, 5 attach, 6 forged send, 7 drain."""
    def send(port, sel, length, dst=b""):
        return bytes([port << 3, sel]) + struct.pack("<H", length) + dst

    learn = send(0, 0, 60) + send(1, 0, 60) + send(0, 1 | 1 << 2, 1514) + send(1, 1, 14)
    put("vswitch", "learn-unicast", learn + b"\x03\x0b\x07")
    put("vswitch", "flood-full", b"\x05\x00" + send(3, 2, 100, b"\x02\x00\x00\x00\x00\x09") * 40)
    put("vswitch", "age-forge", learn + b"\xfc\xff\xff" * 2 + send(1, 1, 64) +
        bytes([6 | 2 << 3, 0]) + struct.pack("<H", 60) + b"\x07\x01" + send(0, 2, 13, bytes(6)))


def main():
    vswitch_seeds()
    console_seeds()
    vmsr_seeds()
    decode_seeds()
    kernel = elf_seeds()
    fat_seeds(kernel)
    device_seeds()


if __name__ == "__main__":
    sys.exit(main())
