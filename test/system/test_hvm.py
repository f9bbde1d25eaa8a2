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
