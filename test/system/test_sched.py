# SPDX-License-Identifier: MIT
"""The scheduler (vmm/sched.c): guests run side by side, CPU-bound ones
preempted by the VMX-preemption timer at the end of their slice, an hvm
guest's HLT leaving the CPU to the others."""
import re

from keel import POWER_OFF, SEABIOS_PATH, guest, guest_lines, keel_part, make_esp, run_bochs

SIDE_BY_SIDE = """console port=0x3f8 baud=115200
guest name=spin-a type=elf64 image=spin64.elf memory=4M args=a
guest name=spin-b type=elf64 image=spin64.elf memory=4M args=b
guest name=pc type=hvm image=mbrtest.img memory=32M
"""


def line_index(lines, tag, text):
    """Position in the whole log of the first line `[tag] text...`."""
    for i, l in enumerate(lines):
        if l.startswith(f"[{tag}] {text}"):
            return i
    raise AssertionError(f"no [{tag}] {text} line")


def test_guests_share_the_cpu(tmp_path):
    files = [guest("spin64.elf"), guest("mbrtest.img"), SEABIOS_PATH]
    log = keel_part(run_bochs(make_esp(tmp_path, SIDE_BY_SIDE, files)))
    lines = log.splitlines()
    for name in ("spin-a", "spin-b"):
        out = guest_lines(log, name)
        assert [f"spin64: round {r} of 6" for r in range(1, 7)] == \
            [l for l in out if "round" in l], log
        # The guest saw its own clock jump while the others ran: preempted, not run to the end.
        m = re.search(r"spin64: done, descheduled (\d+) times, longest (\d+) ticks", "\n".join(out))
        assert m and int(m.group(1)) >= 3, log
        assert f"keel: guest '{name}' stopped: debug-exit port: status 0" in log
    assert "mbrtest: EFER.LMA set, all steps passed" in guest_lines(log, "pc"), log
    assert "keel: guest 'pc' stopped: debug-exit port: status 0" in log
    # Output interleaves: each guest printed before the one started first had finished.
    a_done = line_index(lines, "spin-a", "spin64: done")
    assert line_index(lines, "spin-b", "spin64: round 1 of 6") < a_done
    assert line_index(lines, "pc", "") < a_done
    assert line_index(lines, "spin-a", "spin64: round 1 of 6") < \
        line_index(lines, "spin-b", "spin64: done")
    # Whoever started, all were running before anyone ended.
    first_stop = min(i for i, l in enumerate(lines) if re.match(r"keel: guest '.*' stopped", l))
    for name in ("spin-a", "spin-b", "pc"):
        assert lines.index(f"keel: running guest '{name}'") < first_stop
    assert POWER_OFF in log
    assert "KEEL PANIC" not in log
