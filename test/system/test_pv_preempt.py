# SPDX-License-Identifier: MIT
"""Ring-3 PV guests share the CPU: without VT-x (QEMU TCG) the host's LAPIC
timer ends each one's 10 ms slice (arch/x86/pv/pv_timer.c), as the
VMX-preemption timer does for guests in VMs."""
import re

from keel import POWER_OFF, guest, guest_lines, keel_part, make_esp, run_qemu

SPIN = ("guest name=spin-a type=pv image=pvspin.elf memory=4M\n"
        "guest name=spin-b type=pv image=pvspin.elf memory=4M\n")


def line_index(lines, tag, text):
    """Position in the whole log of the first line `[tag] text...`."""
    for i, l in enumerate(lines):
        if l.startswith(f"[{tag}] {text}"):
            return i
    raise AssertionError(f"no [{tag}] {text} line")


def test_cpu_bound_pv_guests_are_preempted_in_ring_3(tmp_path):
    log = keel_part(run_qemu(make_esp(tmp_path, SPIN, [guest("pvspin.elf")]), timeout=240))
    lines = log.splitlines()
    assert re.search(r"^lapic: timer \d+ kHz \(calibrated against the TSC\), vector 0xf0$",
                     log, re.M), log
    for name in ("spin-a", "spin-b"):
        out = guest_lines(log, name)
        # Interrupts are on in ring 3, where the guest cannot turn them off.
        assert f"{name}: started, RFLAGS.IF = 1" in out, log
        assert [f"{name}: round {r} of 6" for r in range(1, 7)] == \
            [l for l in out if " round " in l], log
        # It saw its clock jump while the other ran: preempted, not run to its end.
        m = re.search(rf"{name}: done, preempted (\d+) times", "\n".join(out))
        assert m and int(m.group(1)) >= 3, log
        assert f"keel: guest '{name}' stopped: shut down: status 0" in log
    # Output interleaves: each printed progress before the other had finished.
    assert line_index(lines, "spin-b", "spin-b: round 1 of 6") < \
        line_index(lines, "spin-a", "spin-a: done")
    assert line_index(lines, "spin-a", "spin-a: round 1 of 6") < \
        line_index(lines, "spin-b", "spin-b: done")
    assert POWER_OFF in log
    assert "KEEL PANIC" not in log
