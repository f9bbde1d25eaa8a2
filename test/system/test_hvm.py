# SPDX-License-Identifier: MIT
"""An hvm guest booting the way a PC does: Debian's SeaBIOS at the reset
vector, Keel's emulated PC platform, the MBR of the guest's disk."""
import re
from pathlib import Path

from keel import POWER_OFF, guest, guest_lines, keel_part, make_esp, run_bochs

SEABIOS = Path("/usr/share/seabios/bios-256k.bin")


def test_seabios_boots_the_mbr(tmp_path):
    cfg = "guest name=pc type=hvm image=mbrtest.img memory=32M\n"
    log = keel_part(run_bochs(make_esp(tmp_path, cfg, [guest("mbrtest.img"), SEABIOS])))
    out = guest_lines(log, "pc")
    fw = guest_lines(log, "pc:fw")
    # SeaBIOS took its QEMU path and found the platform Keel emulates.
    assert "Running on QEMU (i440fx)" in fw, log
    assert "Found QEMU fw_cfg" in fw
    assert "qemu/e820: addr 0x0000000000000000 len 0x0000000002000000 [RAM]" in fw
    assert "ata0-0: KEEL HARDDISK ATA-6 Hard-Disk (1 MiBytes)" in fw
    # The boot order Keel gives names the disk on the primary IDE channel.
    assert fw[fw.index("boot order:") + 1] == "1: /pci@i0cf8/ide@1,1/drive@0/disk@0"
    assert fw[fw.index("boot order:") + 2] != "2: "
    # Its screen output reaches Keel's console through the serial console.
    assert any("SeaBIOS (version" in l for l in out)
    assert "Booting from Hard Disk..." in out
    # The MBR: INT 10h, INT 13h, INT 15h E820, protected and long mode.
    assert "mbrtest: MBR running, hello through INT 10h" in out
    assert "mbrtest: stage 2 loaded through INT 13h" in out
    m = re.search(r"mbrtest: INT 15h E820 entries: (\d+)", "\n".join(out))
    assert m and int(m.group(1)) >= 5
    assert "mbrtest:   base 0000000000100000 length 0000000001EFE000 type 0001" in out
    assert "mbrtest: protected mode" in "\n".join(out)
    assert "mbrtest: long mode" in out
    assert "mbrtest: no RAM above 4 GiB in the E820 map" in out
    assert "mbrtest: EFER.LMA set, all steps passed" in out
    assert "keel: guest 'pc' stopped: debug-exit port: status 0" in log
    # Exit statistics with the host ticks spent per reason.
    assert re.search(r"keel: guest 'pc': \d+ exits, \d+ host ticks handling them", log)
    assert re.search(r"keel:   I/O instruction +\d+ +\d+ ticks +\d+/exit", log)
    assert POWER_OFF in log


def test_ram_above_4g(tmp_path):
    """64 MiB with at most 32 MiB below 4 GiB: the other 32 MiB at 4 GiB, as
    QEMU's pc machine does with max-ram-below-4g=32M."""
    cfg = "guest name=pc type=hvm image=mbrtest.img memory=64M ram-below-4g=32M\n"
    log = keel_part(run_bochs(make_esp(tmp_path, cfg, [guest("mbrtest.img"), SEABIOS])))
    out = guest_lines(log, "pc")
    fw = guest_lines(log, "pc:fw")
    assert re.search(r"keel: guest 'pc' \(hvm, 65536 KiB at host 0x[0-9a-f]+\) ready", log), log
    # SeaBIOS read both RAM entries from etc/e820 ...
    assert "qemu/e820: addr 0x0000000000000000 len 0x0000000002000000 [RAM]" in fw, log
    assert "qemu/e820: addr 0x0000000100000000 len 0x0000000002000000 [RAM]" in fw
    # ... and hands them on through INT 15h E820.
    assert "mbrtest:   base 0000000000100000 length 0000000001EFE000 type 0001" in out, log
    assert "mbrtest:   base 0000000100000000 length 0000000002000000 type 0001" in out
    # The entry is backed by EPT: written and read back from long mode.
    assert "mbrtest: RAM above 4 GiB written and read back" in out
    assert "mbrtest: EFER.LMA set, all steps passed" in out
    assert "keel: guest 'pc' stopped: debug-exit port: status 0" in log
    assert POWER_OFF in log


def test_hvm_guest_needs_its_firmware(tmp_path):
    cfg = ("guest name=pc type=hvm image=mbrtest.img memory=32M firmware=tiny.bin\n"
           "guest name=after type=real image=real16.bin memory=1M\n")
    tiny = tmp_path / "tiny.bin"
    tiny.write_bytes(b"\xf4" * 1000)
    log = keel_part(run_bochs(make_esp(tmp_path, cfg, [guest("mbrtest.img"), tiny,
                                                       guest("real16.bin")])))
    assert ("keel: guest 'pc': firmware tiny.bin is 1000 bytes: it must be a whole number of "
            "64 KiB, at most 16 MiB") in log
    assert "keel: guest 'after' stopped: debug-exit port: status 0" in log
    assert POWER_OFF in log


def test_misused_pc_gets_what_hardware_gives_and_resets(tmp_path):
    """hvmfault probes the PC with wrong accesses, then resets it through the
    8042, port 0xcf9, port 0x92 and a triple fault; each reset boots SeaBIOS
    again, and a CMOS byte carries the boot count across them."""
    cfg = "guest name=pc type=hvm image=hvmfault.img memory=32M\n"
    log = keel_part(run_bochs(make_esp(tmp_path, cfg, [guest("hvmfault.img"), SEABIOS]),
                              timeout=600))
    out = guest_lines(log, "pc")
    assert [l for l in out if l.startswith("hvmfault: boot ")] == [
        f"hvmfault: boot {n:02X}" for n in range(5)], log
    # What a PC gives for accesses nothing answers, and a disk's refusals.
    assert "hvmfault: PCI 00:1f.0 id FFFFFFFF" in out
    assert "hvmfault: fw_cfg item 7fff reads 00000000" in out
    assert "hvmfault: ATA command 99: status 41 error 04" in out  # DRDY ERR, ABRT
    assert "hvmfault: ATA read past the end: status 41 error 10" in out  # IDNF
    assert "hvmfault: unclaimed MMIO reads FFFFFFFF" in out
    assert "hvmfault: PIT and PIC garbage taken" in out
    # Shadow RAM follows PAM0: read-only after POST, writable with WE set.
    ro = [l for l in out if l.startswith("hvmfault: BIOS byte read-only: ")]
    m = re.fullmatch(r"hvmfault: BIOS byte read-only: (..) -> (..)", ro[0])
    assert m and m.group(1) == m.group(2), ro
    b = m.group(1)
    nb = f"{0xff ^ int(b, 16):02X}"
    assert f"hvmfault: BIOS byte with PAM0=30: {b} -> {nb}, then {nb} -> {b}" in out
    assert f"hvmfault: BIOS byte with PAM0=10: {b} -> {b}" in out
    # Keel's own writes for the guest obey PAM too (issue 8): string I/O on
    # both paths is dropped there, and a hypercall result fails with -EFAULT.
    assert b != "FA", "the MBR's first byte would not show a write"
    assert f"hvmfault: REP INSW from the disk into read-only BIOS: {b} -> {b}" in out
    assert f"hvmfault: REP INSB from the UART into read-only BIOS: {b} -> {b}" in out
    assert (f"hvmfault: MEMORY_QUERY into RAM 00000000, into read-only BIOS FFFFFFF2, "
            f"byte {b} -> {b}") in out
    # Every hypercall from an hvm guest gets what docs/abi.md says (24 calls, 0x18).
    assert "hvmfault: hypercalls: 18 calls, unexpected 00, first FF" in out, out
    # Every kind of reset restarted the PC; the triple fault was reported.
    for why in ("reset by the keyboard controller", "hard reset through port 0xcf9",
                "reset through port 0x92", "reset after a triple fault"):
        assert f"keel: guest 'pc': {why}; the PC restarts at its reset vector" in log
    assert "keel: guest 'pc': triple fault (the guest's own fault handling failed)" in log
    assert "hvmfault: every reset came back" in out
    # Each boot wrote its disk: Keel said once that the writes live in memory only.
    said = ("keel: guest 'pc' writes to its disk hvmfault.img: the disk lives in memory, so "
            "what it writes is lost at power-off")
    assert log.count(said) == 1, log
    assert "keel: guest 'pc' stopped: debug-exit port: status 0" in log
    assert POWER_OFF in log


def test_hpet_and_msi(tmp_path):
    """hpettest checks the HPET as SeaBIOS and a kernel see it: its capabilities,
    the ACPI table SeaBIOS builds for it, the counter halted and against the PM
    timer, one-shot and level interrupts through the IOAPIC, legacy replacement
    (the PIT and RTC silenced, timers 0 and 1 on IRQ 0 and 8 through the 8259),
    and MSI delivery through its FSB messages."""
    cfg = "guest name=pc type=hvm image=hpettest.img memory=32M\n"
    log = keel_part(run_bochs(make_esp(tmp_path, cfg, [guest("hpettest.img"), SEABIOS])))
    out = "\n".join(guest_lines(log, "pc"))
    m = re.search(r"hpettest: capabilities ([0-9a-f]{16}) \(as halves ([0-9a-f]{8}) "
                  r"([0-9a-f]{8})\)", out)
    assert m, log
    cap = int(m.group(1), 16)
    assert m.group(2) + m.group(3) == m.group(1)  # a 64-bit read and two 32-bit halves agree
    period = cap >> 32
    assert cap >> 16 & 0xffff == 0x8086 and cap & 0xff == 1
    assert (cap >> 8 & 0x1f) + 1 == 3 and cap & 1 << 13 and cap & 1 << 15  # 64-bit, LEG_RT_CAP
    assert 0 < period <= 100_000_000  # the spec's longest period, SeaBIOS's and Linux's limit
    routes = [re.search(rf"hpettest: timer {n}: routes ([0-9a-f]{{8}}), periodic, 64-bit, FSB",
                        out) for n in range(3)]
    assert all(routes), out
    # SeaBIOS found the block and describes it with the capability's low half.
    m = re.search(r"hpettest: ACPI HPET table: block id ([0-9a-f]{8}), address ([0-9a-f]{16})", out)
    assert m and int(m.group(1), 16) == cap & 0xffffffff and int(m.group(2), 16) == 0xfed00000
    assert re.search(r"hpettest: ACPI tables: .*\bHPET\b", out)
    assert "hpettest: halted counter 0000123456789abc, 2 ms later 0000123456789abc" in out
    # The counter runs at the rate its period says, measured against the ACPI PM timer.
    m = re.search(r"hpettest: counter advanced (\d+) in (\d+) PM timer ticks", out)
    hz, want = int(m.group(1)) * 3579545 / int(m.group(2)), 1e15 / period
    assert abs(hz - want) < want / 100, (hz, want)
    # One-shot on a pin its routes offer, once, no earlier than set and at most 2 ms late.
    m = re.search(r"hpettest: one-shot on IOAPIC pin (\d+): (\d+) interrupt\(s\), (\d+) ticks "
                  r"after it was set for (\d+)", out)
    assert m and int(routes[2].group(1), 16) >> int(m.group(1)) & 1, out
    late = int(m.group(3)) - int(m.group(4))
    assert m.group(2) == "1" and 0 <= late <= period and late <= 2e12 / period, m.group(0)
    # Level-triggered: the status bit set in the handler, cleared by writing 1, no storm.
    assert re.search(r"hpettest: level on IOAPIC pin \d+: 1 interrupt\(s\), status 4 in the "
                     r"handler, 0 after", out), out
    counts = {w: tuple(map(int, c)) for w, *c in re.findall(
        r"hpettest: legacy replacement (off|on|off again): PIT IRQ 0 (\d+), RTC IRQ 8 (\d+)", out)}
    assert counts["on"] == (0, 0), counts  # the HPET owns IRQ 0 and 8
    assert min(counts["off"] + counts["off again"]) >= 10, counts  # ~20 each at 1 kHz
    m = re.search(r"hpettest: periodic timer 0 on IRQ 0: (\d+) interrupts, (\d+) ticks apart "
                  r"\(period (\d+)\)", out)
    assert m and m.group(1) == "21" and abs(int(m.group(2)) - int(m.group(3))) <= int(m.group(3)) / 50
    assert "hpettest: one-shot timer 1 on IRQ 8: 1 interrupt(s)" in out
    # FSB (MSI) messages: taken by this APIC and by broadcast, dropped for another ID.
    assert "hpettest: FSB messages: to APIC 0 (this one) 1 interrupt(s), to APIC 1 0, broadcast 1" in out
    assert "hpettest: all steps passed" in out
    assert "keel: guest 'pc' stopped: debug-exit port: status 0" in log
    assert POWER_OFF in log
