# SPDX-License-Identifier: MIT
"""Outer hypervisors differ: some offer nested guests no VMX-preemption
timer. keel.cfg's "vmx preemption-timer=off" makes Keel do without the one
Bochs offers: its own LAPIC timer must then end slices (an external-interrupt
exit) and wake it for the hvm guest's device deadlines. Test guests as in
tools/keel-tests.cfg and two CPU-bound spin64 guests, which only a timer
can take the CPU from."""
import re

from keel import POWER_OFF, SEABIOS_PATH, guest, guest_lines, keel_part, make_esp, run_bochs
from test_pv import check_pingpong
from test_sched import line_index
from test_vmx import EXITS64_CHECKS

CFG = """console port=0x3f8 baud=115200
vmx preemption-timer=off
guest name=spin-a type=elf64 image=spin64.elf memory=4M args=a
guest name=exits64 type=elf64 image=exits64.elf memory=4M args="no timer"
guest name=real16 type=real image=real16.bin memory=1M
guest name=pc type=hvm image=mbrtest.img memory=32M
guest name=hello type=pv image=hello.elf memory=4M
guest name=ping type=pv image=ping.elf memory=4M
guest name=pong type=pv image=pong.elf memory=4M
guest name=spin-b type=elf64 image=spin64.elf memory=4M args=b
"""
FILES = ["spin64.elf", "exits64.elf", "real16.bin", "mbrtest.img", "hello.elf", "ping.elf",
         "pong.elf"]


def exit_counts(log, name):
    """A guest's exit statistics when it ended: {reason: count}."""
    m = re.search(rf"^keel: guest '{name}': \d+ exits.*\n((?:keel:   .*\n)+)", log, re.M)
    assert m, log
    rows = (re.match(r"keel:   (.{22}) +(\d+)", l) for l in m.group(1).splitlines())
    return {r.group(1).strip(): int(r.group(2)) for r in rows if r}


def test_guests_share_the_cpu_without_a_preemption_timer(tmp_path):
    esp = make_esp(tmp_path, CFG, [guest(f) for f in FILES] + [SEABIOS_PATH])
    log = keel_part(run_bochs(esp, timeout=600))
    assert ("vmx: preemption timer offered, not used (keel.cfg: vmx preemption-timer=off)"
            in log), log
    assert "vmx: preemption timer no: the LAPIC timer ends slices (external-interrupt exits)" \
        in log
    lines = log.splitlines()
    # The spinners were taken off the CPU, by the LAPIC timer: their statistics
    # show external-interrupt exits and no preemption-timer exit at all.
    for name in ("spin-a", "spin-b"):
        out = guest_lines(log, name)
        assert [f"spin64: round {r} of 6" for r in range(1, 7)] == \
            [l for l in out if "round" in l], log
        m = re.search(r"spin64: done, descheduled (\d+) times", "\n".join(out))
        assert m and int(m.group(1)) >= 3, log
        assert f"keel: guest '{name}' stopped: debug-exit port: status 0" in log
        assert exit_counts(log, name).get("external interrupt", 0) >= 3, log
    assert not re.search(r"^keel:   preemption timer +\d", log, re.M), log
    # They interleaved with each other and with the rest.
    a_done = line_index(lines, "spin-a", "spin64: done")
    assert line_index(lines, "spin-b", "spin64: round 1 of 6") < a_done
    assert line_index(lines, "pc", "") < a_done
    assert line_index(lines, "spin-a", "spin64: round 1 of 6") < \
        line_index(lines, "spin-b", "spin64: done")
    # Device time ran for the hvm guest: SeaBIOS booted and mbrtest's last
    # step waits, halted, for two ticks of the BIOS clock (the PIT's IRQ 0).
    pc = guest_lines(log, "pc")
    assert "Booting from Hard Disk..." in pc, log
    assert "mbrtest: EFER.LMA set, all steps passed" in pc
    assert "keel: guest 'pc' stopped: debug-exit port: status 0" in log
    # The other test guests as in keel-tests.cfg.
    out = guest_lines(log, "exits64")
    for name in EXITS64_CHECKS:
        assert f"PASS {name}" in out, f"exits64 check '{name}' missing or failed:\n{log}"
    assert not [l for l in out if l.startswith("FAIL")], log
    assert "real16: hello from real mode at 0000:7c00" in guest_lines(log, "real16")
    hello = guest_lines(log, "hello")
    assert "hello: time runs: yes" in hello, log
    assert "hello: all checks passed" in hello
    check_pingpong(log, ping_dom=5)
    for name in ("exits64", "real16"):
        assert f"keel: guest '{name}' stopped: debug-exit port: status 0" in log
    assert "keel: guest 'hello' stopped: shut down: status 0" in log
    assert POWER_OFF in log
    assert "KEEL PANIC" not in log
