# SPDX-License-Identifier: MIT
"""Virtio devices in Keel's hvm guest (docs/virtio.md): Debian's Linux boots
from the IDE disk as in test_linux, loads Debian's virtio modules, finds a
virtio-blk disk (keel.cfg disk=) as /dev/vda and a virtio-console as hvc0.
One boot checks: vda's size and contents, an ext2 filesystem made on it,
written, synced, unmounted and read back, text written to /dev/hvc0 shown on
Keel's console, interrupts by MSI-X; and measures the exits and Keel's ticks
per MiB read with O_DIRECT from the IDE disk and from vda (Ctrl-A s around
each dd, a dd of nothing as the baseline). In Bochs this takes minutes."""
import hashlib
import random
import re

from keel import BUILD, POWER_OFF, keel_part, make_esp, run_bochs_console, SEABIOS_PATH

VDISK_MIB = 10
READ_MIB = 8
STATS = r"keel: guest 'linux': (\d+) exits, (\d+) host ticks handling them"


def vdisk(tmp_path):
    rnd = random.Random(10)
    data = bytes(rnd.getrandbits(8) for _ in range(1 << 20)) * VDISK_MIB
    path = tmp_path / "vdisk.img"
    path.write_bytes(data)
    return path, hashlib.md5(data[:1 << 20]).hexdigest()


def dd(dev, count, tag):
    return (f"dd if=/dev/{dev} of=/dev/null bs=1M count={count} iflag=direct 2>/dev/null; "
            f"echo {tag}-$((1+1))done\n")


def test_virtio_blk_and_console(tmp_path):
    img, md5 = vdisk(tmp_path)
    cfg = ("guest name=linux type=hvm image=linux-disk.img memory=192M disk=vdisk.img\n")
    esp = make_esp(tmp_path, cfg, [BUILD / "linux-disk.img", SEABIOS_PATH, img], cylinders=130)
    log = run_bochs_console(esp, [
        (r"keel-linux# ", "cat /sys/block/vda/size; dd if=/dev/vda bs=64k count=16 "
                          "2>/dev/null | md5sum; grep -c virtio /proc/interrupts\n"),
        (md5 + "  -", "echo hvc-says-$((6*7)) > /dev/hvc0; grep virtio /proc/interrupts\n"),
        (r"hvc-says-42", "for m in $(cat /lib/fs/order); do insmod /lib/fs/$m.ko; done; "
                         "mke2fs -q /dev/vda && mount /dev/vda /mnt && "
                         "echo keel-file-$((5*5)) > /mnt/f && sync && umount /mnt && "
                         "mount -o ro /dev/vda /mnt && cat /mnt/f && umount /mnt\n"),
        (r"\nkeel-file-25", "\x01s"),
        (STATS, dd("vda", 0, "base")),
        (r"base-2done", "\x01s"),
        (r"(?s)base-2done.*" + STATS, dd("sda", READ_MIB, "ide")),
        (r"ide-2done", "\x01s"),
        (r"(?s)ide-2done.*" + STATS, dd("vda", READ_MIB, "vda")),
        (r"vda-2done", "\x01s"),
        (r"(?s)vda-2done.*" + STATS, "exit\n"),
    ], megs=512, timeout=2400)
    keel = keel_part(log)
    assert "[linux] keel-linux: init started" in keel, log[-3000:]
    assert not re.search(r"insmod \S+ failed", keel), keel[-3000:]
    # The disk: its size in sectors, its first MiB as the image holds it.
    assert re.search(rf"^\[linux\] {VDISK_MIB * 2048}$", keel, re.M), keel[-3000:]
    assert re.search(rf"^\[linux\] {md5}  -$", keel, re.M), keel[-3000:]
    assert re.search(r"virtio_blk virtio\d: \[vda\] \d+ 512-byte logical blocks", keel)
    # Interrupts by MSI-X (Linux's default): vectors named after the queues.
    assert re.search(r"PCI-MSI.*virtio\d-req", keel), keel[-3000:]
    # hvc0: what the guest wrote there, on Keel's console as a line of the guest's.
    assert re.search(r"^\[linux\] hvc-says-42$", keel, re.M), keel[-3000:]
    # The filesystem: the file written, synced, unmounted, read back from the disk.
    assert re.search(r"^\[linux\] keel-file-25$", keel, re.M), keel[-3000:]
    assert "keel: guest 'linux' writes to its virtio disk vdisk.img" in keel
    assert "keel: guest 'linux' stopped: powered itself off (ACPI S5)" in keel
    assert "DEVICE_NEEDS_RESET" not in keel
    assert POWER_OFF in keel
    # Exits and ticks per MiB: each dd's interval less the baseline's.
    totals = [(int(e), int(t)) for e, t in re.findall(STATS, keel)]
    assert len(totals) >= 4, totals
    base, ide, vda = [(totals[i + 1][0] - totals[i][0], totals[i + 1][1] - totals[i][1])
                      for i in range(3)]
    ide_exits = (ide[0] - base[0]) / READ_MIB
    vda_exits = max(vda[0] - base[0], 1) / READ_MIB
    ide_ticks = (ide[1] - base[1]) / READ_MIB
    vda_ticks = (vda[1] - base[1]) / READ_MIB
    print(f"virtio bench: IDE {ide_exits:.0f} exits/MiB {ide_ticks:.0f} ticks/MiB; "
          f"virtio-blk {vda_exits:.0f} exits/MiB {vda_ticks:.0f} ticks/MiB; "
          f"baseline {base}")
    assert ide_exits >= 20 * vda_exits, (ide, vda, base)
