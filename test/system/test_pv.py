# SPDX-License-Identifier: MIT
"""PV guests: C programs on Keel's PV runtime and newlib, talking to Keel
through the hypercall page (guests/include/keel/abi.h)."""
import re
from pathlib import Path

from keel import POWER_OFF, guest, guest_lines, keel_part, make_esp, run_bochs, run_qemu

SEABIOS = Path("/usr/share/seabios/bios-256k.bin")


def test_hello_runs_newlib_on_the_pv_runtime(tmp_path):
    cfg = ('guest name=hello type=pv image=hello.elf memory=4M args="one two"\n'
           "guest name=after type=real image=real16.bin memory=1M\n")
    log = keel_part(run_bochs(make_esp(tmp_path, cfg, [guest("hello.elf"),
                                                       guest("real16.bin")])))
    out = guest_lines(log, "hello")
    assert "hello from hello (domain 0), 2 argument(s): [one] [two]" in out, log
    assert "hello: malloc-42-0.667" in out
    assert "hello: 4096 KiB of RAM, heap " in "\n".join(out)
    heap = int(re.search(r"heap (\d+) KiB", "\n".join(out)).group(1))
    assert 2500 < heap < 4096
    assert "hello: time runs: yes" in out
    for line in ("my domain id = 0",
                 "console write from unmapped memory = -14",
                 "console write from a non-canonical address = -14",
                 "console write of 1 MiB = -22",
                 "memory query into unmapped memory = -14",
                 "domain find of an unknown name = -2",
                 "domain find of an empty name = -22",
                 "shutdown with reason 7 = -22",
                 "call 100 = -38"):
        assert f"hello: {line}" in out, log
    assert "hello: all checks passed" in out
    assert "keel: guest 'hello' stopped: shut down: status 0" in log
    # The other guest still runs after it.
    assert "keel: guest 'after' stopped: debug-exit port: status 0" in log
    assert POWER_OFF in log


def hello_lines(log):
    """hello's report, without the line that names the mode it ran in."""
    return [l for l in guest_lines(log, "hello") if not l.startswith("hello: running ")]


def test_hello_runs_deprivileged_without_vtx(tmp_path):
    """QEMU TCG offers no VT-x: the same hello binary runs in ring 3, making its
    hypercalls with SYSCALL, and prints what it printed in a VM; the hvm guest
    beside it is refused by name."""
    cfg = ('guest name=pc type=hvm image=mbrtest.img memory=32M\n'
           'guest name=hello type=pv image=hello.elf memory=4M args="one two"\n')
    files = [guest("mbrtest.img"), SEABIOS, guest("hello.elf")]
    (tmp_path / "qemu").mkdir()
    (tmp_path / "bochs").mkdir()
    depriv = keel_part(run_qemu(make_esp(tmp_path / "qemu", cfg, files)))
    assert "keel: VT-x unavailable: guests that need it will not run" in depriv, depriv
    assert ("keel: guest 'pc' not started: it needs VT-x with EPT, which this CPU does not "
            "offer") in depriv
    assert "keel: guest 'hello' (pv in ring 3, no VT-x, 4096 KiB at host" in depriv
    out = guest_lines(depriv, "hello")
    assert "hello: running deprivileged in ring 3 (hypercalls by syscall)" in out
    assert "hello: all checks passed" in out
    assert "keel: guest 'hello' stopped: shut down: status 0" in depriv
    assert POWER_OFF in depriv

    vmx = keel_part(run_bochs(make_esp(tmp_path / "bochs", cfg.splitlines()[1] + "\n",
                                       [guest("hello.elf")])))
    assert "hello: running in a VM (hypercalls by vmcall)" in guest_lines(vmx, "hello"), vmx
    assert hello_lines(depriv) == hello_lines(vmx)


PINGPONG = ("guest name=ping type=pv image=ping.elf memory=4M\n"
            "guest name=pong type=pv image=pong.elf memory=4M\n")


def check_pingpong(log):
    ping, pong = guest_lines(log, "ping"), guest_lines(log, "pong")
    assert "ping: page granted to domain 1 as reference 0, channel on port 1" in ping, log
    assert "pong: bound to domain 0 port 1 as port 1" in pong
    for n in range(1, 11):
        assert f'pong: got "ping {n}"' in pong
        assert f"ping: round {n}: pong {n}" in ping
    # What pong may not do, it gets an error for, and goes on.
    assert "pong: map a grant nobody made: -1" in pong          # -EPERM
    assert "pong: map outside the grant window: -22" in pong    # -EINVAL
    assert "pong: send on a port it does not have: -22" in pong
    assert "pong: map ping's page: 0" in pong
    # Closing the channel wakes pong, whose next send fails.
    assert "ping: sending on the closed port: -22" in ping
    assert "pong: ping closed the channel (send: -22)" in pong
    assert "pong: unmap: 0, again: -22" in pong
    assert "keel: guest 'ping' stopped: shut down: status 0" in log
    assert "keel: guest 'pong' stopped: shut down: status 0" in log
    assert POWER_OFF in log


def test_ping_pong_through_a_granted_page_and_events(tmp_path):
    """Two PV guests side by side in VMs: messages through a granted page,
    an event each way per round, blocking in between."""
    log = keel_part(run_bochs(make_esp(tmp_path, PINGPONG, [guest("ping.elf"),
                                                            guest("pong.elf")])))
    check_pingpong(log)


def test_ping_pong_deprivileged(tmp_path):
    """The same pair in ring 3 on QEMU TCG (no VT-x)."""
    log = keel_part(run_qemu(make_esp(tmp_path, PINGPONG, [guest("ping.elf"),
                                                           guest("pong.elf")])))
    check_pingpong(log)


BAD = ('guest name=oob type=pv image=pvbad.elf memory=4M args="oob"\n'
       'guest name=priv type=pv image=pvbad.elf memory=4M args="priv"\n'
       'guest name=crash type=pv image=pvbad.elf memory=4M args="crash"\n'
       'guest name=notelf type=pv image=keel.cfg memory=4M\n'
       'guest name=big type=pv image=hello.elf memory=2G\n'
       'guest name=hello type=pv image=hello.elf memory=4M\n')


def check_bad(log, vmx):
    # Each is stopped with a report naming what it did; the guest after them runs.
    if vmx:
        assert ("keel: guest 'oob' stopped: EPT violation: read at guest-physical 0x8000000, "
                "outside the guest's memory") in log, log
        # In a VM the guest is its own ring 0: WRMSR reaches Keel, which refuses it with #GP.
        assert "keel: guest 'priv' stopped: #GP" in log or "guest 'priv' stopped" in log
    else:
        assert ("keel: guest 'oob' stopped: #PF page fault at rip 0x") in log, log
        assert "read of 0x8000000, not its memory or not allowed (error 0x5)" in log
        assert "keel: guest 'priv' stopped: #GP general protection at rip 0x" in log
    assert "keel: guest 'crash' stopped: crashed: the guest gave up with status 42" in log
    assert "pvbad: still running" not in log
    assert "keel: guest 'notelf': image keel.cfg: " in log
    assert "keel: guest 'big' not started: a pv guest needs 2M to 1G of memory" in log
    assert "hello: all checks passed" in guest_lines(log, "hello")
    assert "keel: guest 'hello' stopped: shut down: status 0" in log
    assert POWER_OFF in log


def test_misbehaving_pv_guests_are_stopped_deprivileged(tmp_path):
    files = [guest("pvbad.elf"), guest("hello.elf")]
    check_bad(keel_part(run_qemu(make_esp(tmp_path, BAD, files))), vmx=False)


def test_misbehaving_pv_guests_are_stopped_in_vms(tmp_path):
    files = [guest("pvbad.elf"), guest("hello.elf")]
    check_bad(keel_part(run_bochs(make_esp(tmp_path, BAD, files))), vmx=True)
