# SPDX-License-Identifier: MIT
"""PV guests: C programs on Keel's PV runtime and newlib, talking to Keel
through the hypercall page (guests/include/keel/abi.h)."""
import re
import subprocess
from pathlib import Path

from keel import (POWER_OFF, guest, guest_lines, keel_part, make_esp, run_bochs,
                   run_bochs_console, run_qemu, stop_trace)

SEABIOS = Path("/usr/share/seabios/bios-256k.bin")


def test_hello_runs_newlib_on_the_pv_runtime(tmp_path):
    cfg = ('guest name=hello type=pv image=hello.elf memory=4M args="one two"\n'
           "guest name=after type=real image=real16.bin memory=1M\n")
    log = keel_part(run_bochs(make_esp(tmp_path, cfg, [guest("hello.elf"),
                                                       guest("real16.bin")])))
    out = guest_lines(log, "hello")
    assert "hello from hello (domain 0), 2 argument(s): [one] [two]" in out, log
    assert "hello: malloc-42-0.667" in out
    assert "hello: console by hypercalls, up to 4096 bytes a call, typed input comes here" in out
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


def check_pingpong(log, ping_dom=0):
    ping, pong = guest_lines(log, "ping"), guest_lines(log, "pong")
    assert (f"ping: page granted to domain {ping_dom + 1} as reference 0, channel on port 1"
            in ping), log
    assert f"pong: bound to domain {ping_dom} port 1 as port 1" in pong
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
        # In a VM the guest is its own ring 0: WRMSR reaches Keel, which answers with #GP;
        # a PV guest has no IDT, so with no fault entry it is stopped.
        assert "keel: guest 'priv' stopped: exception 13 (error 0x0) at rip 0x" in log
        assert "and no fault entry" in log
        # The exit that stopped each is the newest in its report's trace.
        assert stop_trace(log, "oob")[-1][2] == "EPT violation"
        assert stop_trace(log, "priv")[-1][2] == "WRMSR"
    else:
        assert ("keel: guest 'oob' stopped: #PF page fault at rip 0x") in log, log
        assert "read of 0x8000000, not its memory or not allowed (error 0x5)" in log
        assert "keel: guest 'priv' stopped: #GP general protection at rip 0x" in log
        # Ring 3 has no VM exits: its ways into Keel are traced with codes of their own,
        # a fault's qualification being CR2 for #PF, and a hypercall's its number.
        oob = stop_trace(log, "oob")
        rip = int(re.search(r"stopped: #PF page fault at rip 0x([0-9a-f]+)", log).group(1), 16)
        assert oob[-1][2:] == ("ring-3 #PF", 0x8000000, rip), oob
        assert "ring-3 SYSCALL" in [t[2] for t in oob[:-1]], oob  # its console writes
        assert stop_trace(log, "priv")[-1][2] == "ring-3 #GP"
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


# pvboot: the PV boot loader (docs/pv-loader.md) reads menu.lst from its FAT
# module, pvdisk.img, and starts hello from it with the entry's arguments and
# module; hello keeps the name keel.cfg gave pvboot.
PVBOOT = "guest name=boot type=pv image=pvboot.elf memory=16M module=pvdisk.img\n"


def assert_pvboot_booted_hello(log, mode):
    boot = guest_lines(log, "boot")
    for line in ("pvboot: FAT12 disk of 1440 KiB",
                 "pvboot: reading /boot/menu.lst (260 bytes)",
                 "pvboot:    0  Keel hello, no arguments",
                 "pvboot: *  1  Keel hello from menu.lst",
                 "pvboot: booting entry 1, 'Keel hello from menu.lst'",
                 "pvboot: /boot/note.txt: module of 54 bytes at 0xfef000",
                 "hello from boot (domain 0), 2 argument(s): [from] [menu.lst]",
                 "hello: module of 54 bytes: a note from pvdisk.img, handed over as hello's module",
                 f"hello: running {mode}",
                 "hello: all checks passed"):
        assert line in boot, log
    # Keel's start-info page now describes hello: its heap runs from hello's
    # end (below 1.1 MiB) to the module, not pvboot's (after the 1.4 MiB disk).
    heap = int(re.search(r"16384 KiB of RAM, heap (\d+) KiB", "\n".join(boot)).group(1))
    assert 15000 < heap < 15300, heap
    assert "keel: guest 'boot' stopped: shut down: status 0" in log
    assert POWER_OFF in log


def test_pvboot_chain_loads_hello_in_a_vm(tmp_path):
    log = keel_part(run_bochs(make_esp(tmp_path, PVBOOT,
                                       [guest("pvboot.elf"), guest("pvdisk.img")])))
    assert_pvboot_booted_hello(log, "in a VM (hypercalls by vmcall)")


def test_pvboot_chain_loads_hello_deprivileged(tmp_path):
    log = keel_part(run_qemu(make_esp(tmp_path, PVBOOT,
                                      [guest("pvboot.elf"), guest("pvdisk.img")])))
    assert_pvboot_booted_hello(log, "deprivileged in ring 3 (hypercalls by syscall)")


def fat_disk(path, files):
    """A FAT12 floppy image holding files: {path on the disk: bytes or a Path}."""
    subprocess.run(["mformat", "-C", "-f", "1440", "-i", str(path), "::"], check=True)
    src = path.parent / "src"
    for i, (dest, data) in enumerate(files.items()):
        if "/" in dest.strip("/"):
            subprocess.run(["mmd", "-D", "s", "-i", str(path), "::" + dest.rsplit("/", 1)[0]],
                           check=False, stderr=subprocess.DEVNULL)
        if not isinstance(data, Path):
            data_path = src / f"{path.stem}-{i}"
            src.mkdir(exist_ok=True)
            data_path.write_bytes(data)
            data = data_path
        subprocess.run(["mcopy", "-i", str(path), str(data), "::" + dest], check=True)
    return path


def test_pvboot_refuses_what_it_cannot_boot(tmp_path):
    """Each refusal names what is wrong and ends pvboot with its own status;
    the guest after them still runs."""
    disks = tmp_path / "disks"
    disks.mkdir()
    nomenu = fat_disk(disks / "nomenu.img", {"/boot/hello.elf": guest("hello.elf")})
    nokernel = fat_disk(disks / "nokernel.img", {
        "/menu.lst": b"title gone\n  kernel /boot/nosuch.elf\n"})
    badelf = fat_disk(disks / "badelf.img", {
        "/boot/menu.lst": b"timeout 0\ntitle real mode\n  kernel /boot/real16.bin\n",
        "/boot/real16.bin": guest("real16.bin")})
    cfg = ("guest name=nodisk type=pv image=pvboot.elf memory=4M\n"
           "guest name=notfat type=pv image=pvboot.elf memory=4M module=hello.elf\n"
           "guest name=nomenu type=pv image=pvboot.elf memory=4M module=nomenu.img\n"
           "guest name=badmenu type=pv image=pvboot.elf memory=4M module=pvdisk-bad.img\n"
           "guest name=nokernel type=pv image=pvboot.elf memory=4M module=nokernel.img\n"
           "guest name=badelf type=pv image=pvboot.elf memory=4M module=badelf.img\n"
           'guest name=after type=pv image=hello.elf memory=4M args="still here"\n')
    files = [guest("pvboot.elf"), guest("hello.elf"), guest("pvdisk-bad.img"), nomenu,
             nokernel, badelf]
    log = keel_part(run_qemu(make_esp(tmp_path, cfg, files, cylinders=40)))
    refusals = {
        "nodisk": (2, "pvboot: no disk image: give this guest one with module= in keel.cfg"),
        "notfat": (3, "pvboot: the module is not a FAT disk image: bad boot sector signature"),
        "nomenu": (4, "pvboot: no /boot/menu.lst or /menu.lst on the disk"),
        "badmenu": (5, "pvboot: menu.lst:4: unknown keyword 'kernal'"),
        "nokernel": (6, "pvboot: /boot/nosuch.elf: no such file or directory"),
        "badelf": (7, "pvboot: /boot/real16.bin: not an ELF64 x86-64 executable"),
    }
    for name, (status, message) in refusals.items():
        out = guest_lines(log, name)
        assert out and out[-1] == message, log
        assert f"keel: guest '{name}' stopped: shut down: status {status}" in log
    assert "pvboot: reading /menu.lst (37 bytes)" in guest_lines(log, "nokernel")
    assert "hello from after (domain 6), 2 argument(s): [still] [here]" in guest_lines(log, "after")
    assert "keel: guest 'after' stopped: shut down: status 0" in log
    assert POWER_OFF in log


def test_pvboot_boots_the_entry_typed_within_the_timeout(tmp_path):
    """A digit typed on Keel's console while pvboot counts down picks that entry."""
    disk = fat_disk(tmp_path / "choose.img", {
        "/boot/menu.lst": b"default 1\ntimeout 60\ntitle plain\n  kernel /boot/hello.elf\n"
                          b"title with arguments\n  kernel /boot/hello.elf a b c\n",
        "/boot/hello.elf": guest("hello.elf")})
    cfg = "guest name=boot type=pv image=pvboot.elf memory=16M module=choose.img\n"
    log = keel_part(run_bochs_console(make_esp(tmp_path, cfg, [guest("pvboot.elf"), disk]),
                                      [("Enter to boot now", "0")], timeout=300))
    out = guest_lines(log, "boot")
    assert "pvboot: booting entry 1 in 60 s; type its number to choose another, Enter to boot now" \
        in out, log
    assert "pvboot: booting entry 0, 'plain'" in out
    assert "hello from boot (domain 0), 0 argument(s):" in out
    assert not any(l.startswith("hello: module") for l in out)
    assert "hello: all checks passed" in out
    assert "keel: guest 'boot' stopped: shut down: status 0" in log


def test_hvm_and_two_pv_guests_side_by_side(tmp_path):
    """The issue's picture: the hvm test guest (SeaBIOS and mbrtest) and the
    ping-pong pair share the CPU in Bochs, each in its own VM."""
    cfg = ("guest name=pc type=hvm image=mbrtest.img memory=32M\n" + PINGPONG +
           "guest name=hello type=pv image=hello.elf memory=4M\n")
    log = keel_part(run_bochs(make_esp(tmp_path, cfg, [guest("mbrtest.img"), SEABIOS,
                                                       guest("ping.elf"), guest("pong.elf"),
                                                       guest("hello.elf")])))
    check_pingpong(log, ping_dom=1)
    # The hvm guest's UART owns what is typed; start info tells the PV guests so.
    assert ("hello: console by hypercalls, up to 4096 bytes a call, typed input goes to the hvm "
            "guest") in guest_lines(log, "hello")
    assert "mbrtest: EFER.LMA set, all steps passed" in guest_lines(log, "pc"), log
    assert "keel: guest 'pc' stopped: debug-exit port: status 0" in log
    # They ran side by side: pong answered before the pc guest finished booting.
    assert log.index('[pong] pong: got "ping 1"') < log.index("[pc] mbrtest: long mode")


def check_pvcb(log):
    out = guest_lines(log, "cb")
    assert "pvcb: bad entry refused: -22" in out, log
    for n in (1, 2, 3):
        assert f"pvcb: timer event {n} arrived by upcall while spinning: yes" in out, log
    assert "pvcb: ud2 -> vector 6, resumed" in out
    assert "pvcb: non-canonical read -> vector 13 error 0, resumed" in out
    assert any(l.startswith("pvcb: ") and l.endswith(" upcalls, done") for l in out)
    assert "keel: guest 'cb' stopped: shut down: status 0" in log
    return out


def test_upcalls_and_fault_handlers_in_a_vm_and_in_ring3(tmp_path):
    cfg = "guest name=cb type=pv image=pvcb.elf memory=4M\n"
    (tmp_path / "vm").mkdir()
    (tmp_path / "ring3").mkdir()
    vm = check_pvcb(keel_part(run_bochs(make_esp(tmp_path / "vm", cfg, [guest("pvcb.elf")]))))
    # QEMU's "max" CPU has SMEP and SMAP: Keel turns both on, and ring 3 still works.
    ring3_log = keel_part(run_qemu(make_esp(tmp_path / "ring3", cfg, [guest("pvcb.elf")]),
                                   cpu="max"))
    assert re.search(r"paging: page 0 unmapped, text 0x[0-9a-f]+-0x[0-9a-f]+ read-only, "
                     r"data not executable, SMEP on, SMAP on", ring3_log), ring3_log
    ring3 = check_pvcb(ring3_log)
    assert vm[:-1] == ring3[:-1]  # the same report, but for how many upcalls it took
