# SPDX-License-Identifier: MIT
"""Virtio devices in Keel's hvm guest (docs/virtio.md): Debian's Linux boots
from the IDE disk as in test_linux, loads Debian's virtio modules, finds a
virtio-blk disk (keel.cfg disk=) as /dev/vda and a virtio-console as hvc0.
One boot checks: vda's size and contents, an ext2 filesystem made on it,
written, synced, unmounted and read back, text written to /dev/hvc0 shown on
Keel's console, interrupts by MSI-X; and measures the exits and Keel's ticks
per MiB read with O_DIRECT from the IDE disk (ata_piix, loaded from the
initramfs's /lib/ide) and from vda (Ctrl-A s around each dd, a dd of nothing
as the baseline). In Bochs this takes minutes."""
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
        (r"hvc-says-42", "for d in fs ide; do for m in $(cat /lib/$d/order); do "
                         "insmod /lib/$d/$m.ko; done; done; "
                         "mke2fs -q /dev/vda && mount /dev/vda /mnt && "
                         "echo keel-file-$((5*5)) > /mnt/f && sync && umount /mnt && "
                         "mount -o ro /dev/vda /mnt && cat /mnt/f && umount /mnt\n"),
        (r"\] keel-file-25", "\x01s"),
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
    # Exits and ticks per MiB: each dd's interval less the baseline's (which
    # typed a command of the same length and read nothing). The totals also
    # count what the read's duration brings (timer interrupts); the device's
    # own exits are the IDE's port I/O and virtio's EPT violations (doorbells,
    # and the local APIC's EOIs, counted against virtio).
    tables = stats_tables(keel)
    assert len(tables) >= 4, tables
    base, ide, vda = [{k: tables[i + 1][k] - tables[i].get(k, 0) for k in tables[i + 1]}
                      for i in range(3)]
    per_mib = {name: {k: (d[k] - base.get(k, 0)) / READ_MIB for k in d}
               for name, d in (("ide", ide), ("vda", vda))}
    print("virtio bench (per MiB, less the baseline): "
          f"IDE {per_mib['ide']['exits']:.0f} exits, {per_mib['ide']['ticks']:.0f} ticks, "
          f"{per_mib['ide'].get('I/O instruction', 0):.0f} port I/O; "
          f"virtio-blk {per_mib['vda']['exits']:.0f} exits, {per_mib['vda']['ticks']:.0f} ticks, "
          f"{per_mib['vda'].get('EPT violation', 0):.0f} EPT violations; baseline {base}")
    device_ide = per_mib["ide"].get("I/O instruction", 0)
    device_vda = max(per_mib["vda"].get("EPT violation", 0), 1 / READ_MIB)
    assert device_ide >= 20 * device_vda, per_mib


def stats_tables(keel):
    """Each Ctrl-A s table: total exits and ticks, and each reason's count."""
    tables = []
    for m in re.finditer(STATS + r"\n((?:keel:   .*\n)*)", keel):
        t = {"exits": int(m.group(1)), "ticks": int(m.group(2))}
        for name, count in re.findall(r"^keel:   (\S.{0,21}?) +(\d+)", m.group(3), re.M):
            t[name] = int(count)
        tables.append(t)
    return tables
