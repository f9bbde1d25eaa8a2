# SPDX-License-Identifier: MIT
"""An idle CPU halts (arch/x86/idle.c): when every guest is blocked Keel
arms its LAPIC timer for the earliest deadline and executes HLT, instead of
spinning on the TSC. Keel's last words before power-off say how long it
idled and how many halts and timer wakes that took; a spinning idle says
"spinning" instead, and a halt that nothing woke never gets there. The
guest's timer event and typed input must still arrive on time."""
import re

from keel import (POWER_OFF, guest, guest_lines, keel_part, make_esp, run_bochs,
                  run_bochs_console, run_qemu)

MODE = re.compile(r"^idle: HLT until the next deadline, woken by the LAPIC timer in "
                  r"(TSC-deadline|one-shot) mode$", re.M)
REPORT = re.compile(r"^keel: idle (\d+) ms: (\d+) halts, (\d+) timer wakes, (\d+) stray "
                    r"interrupts$", re.M)
SLICE_US = 10000


def cfg(args):
    return f'guest name=idle type=pv image=pvidle.elf memory=4M args="{args}"\n'


def check_slept(log, ms):
    """pvidle slept ms on its timer and woke within a slice of its deadline;
    returns Keel's idle report (ms, halts, wakes, strays)."""
    out = guest_lines(log, "idle")
    assert f"pvidle: sleeping {ms} ms on its timer" in out, log
    late = [re.fullmatch(r"pvidle: woke (\d+) us after its deadline", l) for l in out]
    late = [int(m.group(1)) for m in late if m]
    assert late and late[0] < SLICE_US, log
    assert "keel: guest 'idle' stopped: shut down: status 0" in log
    m = REPORT.search(log)
    assert m, log
    idle_ms, halts, wakes, strays = (int(g) for g in m.groups())
    # The guest's sleep was idle time, and each halt ended by the timer or the deadline.
    assert idle_ms >= ms * 9 // 10, log
    assert wakes >= 1 and halts >= 1 and strays == 0, log
    assert POWER_OFF in log
    assert "KEEL PANIC" not in log
    return idle_ms, halts, wakes


def check_few_halts(log, ms):
    # One halt per armed deadline; a one-shot count that saturates (2^32) adds one per ~4 s.
    # Console output still queued when the CPU goes idle wakes it as the UART's FIFO drains
    # (16 bytes a wake; the guest's line before its sleep): at most a few. A CPU that woke on
    # a 10 ms poll would halt ~200 times here, and a spinning one prints no halts at all.
    idle_ms, halts, wakes = check_slept(log, ms)
    assert halts <= 1 + idle_ms // 1000 + 8 and wakes <= halts, log


def test_idle_halts_in_ring_3_under_qemu(tmp_path):
    """Ring-3 PV (QEMU TCG, no VT-x): the timer that ends slices also wakes the idle CPU."""
    log = keel_part(run_qemu(make_esp(tmp_path, cfg("ms=2000"), [guest("pvidle.elf")]),
                             timeout=120))
    assert MODE.search(log), log
    check_few_halts(log, 2000)


def test_idle_halts_in_a_vm_under_bochs(tmp_path):
    """The PV guest in a VM (Bochs, VT-x): the halt is in VMX root operation."""
    log = keel_part(run_bochs(make_esp(tmp_path, cfg("ms=2000"), [guest("pvidle.elf")])))
    assert MODE.search(log), log
    check_few_halts(log, 2000)


def test_typed_input_arrives_while_idle(tmp_path):
    """pvidle polls the console every 10 ms, blocked in between: Keel halts
    between polls (at least once per poll) and the typed line still arrives."""
    log = keel_part(run_bochs_console(make_esp(tmp_path, cfg("ms=200 read"),
                                               [guest("pvidle.elf")]),
                                      [("pvidle: type a line", "hello idle\r")], timeout=300))
    _, halts, _ = check_slept(log, 200)
    m = re.search(r"^\[idle\] pvidle: read 'hello idle' after (\d+) polls$", log, re.M)
    assert m and halts >= int(m.group(1)), log
