# SPDX-License-Identifier: MIT
"""A UEFI hvm guest (issue 9 part 8): firmware=OVMF.fd gives the guest Debian's
OVMF in place of SeaBIOS, mapped read-only at the top of 4 GiB. OVMF runs
without a writable flash (its variables stay in RAM) and without SMM, finds
Keel's PC (i440FX, PIIX3/PIIX4, fw_cfg with the "QEMU" signature and
etc/e820), and its boot manager starts the built-in UEFI shell on COM1. The
test types a shell command and checks the PCI devices OVMF enumerated.
In Bochs this takes about 40 s to the shell (Keel's own OVMF boot included)
and 53 s in all, typing included (measured with pytest).

OVMF maps Keel's PIIX IDE disk (image=, PCI 00:01.1, PIO: the disk offers no
DMA mode) and drives the guest's virtio-blk disk (disk=, PCI 00:04.0) with its
own virtio 1.0 driver: from either it boots GRUB for EFI, and GRUB the Linux
test kernel, to the shell."""
import re

from keel import BUILD, make_esp, run_bochs_console, keel_part

OVMF = "/usr/share/ovmf/OVMF.fd"
SHELL = r"Shell> "


def blank_disk(tmp_path):
    """1 MiB of zeros: an IDE disk with nothing to boot."""
    blank = tmp_path / "blank.img"
    blank.write_bytes(bytes(1 << 20))
    return blank


def test_ovmf_boots_to_the_uefi_shell(tmp_path):
    """An IDE disk with nothing to boot (1 MiB of zeros): OVMF maps it as a
    block device, finds no boot loader on it and starts its shell."""
    blank = blank_disk(tmp_path)
    cfg = "guest name=efi type=hvm image=blank.img firmware=OVMF.fd memory=128M\n"
    esp = make_esp(tmp_path, cfg, [blank, OVMF], cylinders=60)
    log = run_bochs_console(esp, [
        (SHELL, "map\r"),
        (r"(?s)Shell> .*Shell> ", "pci\r"),
        # the third prompt: after the pci listing
        (r"(?s)Shell> .*Shell> .*Shell> ", "\x01s"),
        # then the shell's power-off: OVMF's ResetSystem writes S5 to PIIX4's PM1a_CNT
        (r"keel: guest 'efi': \d+ exits", "reset -s\r"),
    ], timeout=300)
    keel = keel_part(log)
    text = re.sub(r"\x1b\[[0-9;=?]*[A-Za-z]|\?\[[0-9;=]*[A-Za-z]", "", keel)
    assert "keel: guest 'efi' (hvm," in text, log[-3000:]
    # OVMF's boot manager, then its shell, on the guest's COM1.
    assert re.search(r'^\[efi\] BdsDxe: starting Boot\d+ "EFI Internal Shell"', text, re.M), \
        text[-3000:]
    assert re.search(r"^\[efi\] UEFI Interactive Shell v2\.\d", text, re.M), text[-3000:]
    # PciBusDxe enumerated Keel's i440FX host bridge, PIIX3 ISA bridge, its IDE
    # function in legacy mode (prog-if 0x80) and the PIIX4 power management.
    listing = "\n".join(l[6:] for l in text.splitlines() if l.startswith("[efi] "))
    for dev, ids in (("00   00   00    00", "Vendor 8086 Device 1237"),
                     ("00   00   01    00", "Vendor 8086 Device 7000"),
                     ("00   00   01    01", "Vendor 8086 Device 7010 Prog Interface 80"),
                     ("00   00   01    03", "Vendor 8086 Device 7113")):
        assert re.search(re.escape(dev) + r" ==> .*\n\s+" + re.escape(ids), listing), listing
    # The IDE disk, found by AtaAtapiPassThruDxe on PIIX3 IDE's primary channel: a boot
    # option the boot manager tried, and a block device in the shell's map.
    assert re.search(r'^\[efi\] BdsDxe: failed to load Boot\d+ "UEFI KEEL HARDDISK KEEL0+" from '
                     r"PciRoot\(0x0\)/Pci\(0x1,0x1\)/Ata\(Primary,Master,0x0\)", text, re.M), \
        text[-3000:]
    assert re.search(r"^\[efi\] *BLK0: Alias\(s\):\s*\n\[efi\] *PciRoot\(0x0\)/Pci\(0x1,0x1\)/"
                     r"Ata\(0x0\)\r?$", text, re.M), text[-3000:]
    assert "No mapping found" not in text
    # Ctrl-A s answered while OVMF's shell ran: the guest is alive and exiting.
    assert re.search(r"^keel: guest 'efi': \d+ exits", text, re.M), text[-3000:]
    assert "keel: guest 'efi' stopped: powered itself off (ACPI S5)" in text, text[-3000:]


def boot_efi_disk_to_linux(tmp_path, image, disk, word, boot_option, disk_line, cmd=""):
    """The guest's IDE image= and virtio-blk disk= (or None) under OVMF, one
    of them the EFI test disk: OVMF's boot manager starts boot_option (a
    regex), GRUB for EFI loads Linux, which finds the disk (disk_line) and
    reaches its shell; the shell runs cmd and computes `echo word-$((6*7))`,
    and its exit powers the guest off. GRUB needs 512 MiB."""
    cfg = (f"guest name=efi type=hvm image={image.name} firmware=OVMF.fd memory=512M" +
           (f" disk={disk.name}" if disk else "") + "\n")
    files = {image, disk or image, BUILD / "efi-disk.img"}
    esp = make_esp(tmp_path, cfg, sorted(files) + [OVMF], cylinders=120)
    log = run_bochs_console(esp, [
        (r"keel-linux# ", f"{cmd}echo {word}-$((6*7))\r"),
        (rf"\b{word}-42\b", "exit\r"),
    ], timeout=1500, megs=1024)
    text = re.sub(r"\x1b\[[0-9;=?]*[A-Za-z]|\?\[[0-9;=?]*[A-Za-z]", "", keel_part(log))
    assert re.search(r"^\[efi\] BdsDxe: starting Boot\d+ " + boot_option + r"\r?$", text, re.M), \
        text[-3000:]
    assert "EFI Internal Shell" not in text, text[-3000:]
    assert "[efi] keel-linux: grub starting the kernel" in text, text[-3000:]
    assert re.search(r"^\[efi\] \[ *[\d.]+\] " + disk_line, text, re.M), text[-3000:]
    assert re.search(rf"^\[efi\] {word}-42\r?$", text, re.M), text[-3000:]
    assert "[efi] keel-linux: shell exited, powering off" in text, text[-3000:]
    assert "keel: guest 'efi' stopped" in text, text[-3000:]


def test_ovmf_boots_grub_and_linux_from_virtio_blk(tmp_path):
    """The EFI test disk as the guest's virtio-blk disk, beside an IDE disk with
    nothing to boot: OVMF tries the IDE disk, then (Keel's fw_cfg bootorder
    names it second, before OVMF's shell) boots the virtio disk at PCI 00:04.0,
    and Linux finds it as vda."""
    boot_efi_disk_to_linux(
        tmp_path, blank_disk(tmp_path), BUILD / "efi-disk.img", "efi",
        r'"UEFI Misc Device" from PciRoot\(0x0\)/Pci\(0x4,0x0\)',
        r"virtio_blk virtio\d+: \[vda\]")


def test_ovmf_boots_grub_and_linux_from_ide(tmp_path):
    """The EFI test disk as the guest's IDE disk (image=) alone: OVMF boots it
    from the primary master of PIIX3 IDE, GRUB reads Linux and its initramfs
    through OVMF's ATA driver, and Linux, given ata_piix (the initramfs's
    /lib/ide), finds the disk as sda."""
    boot_efi_disk_to_linux(
        tmp_path, BUILD / "efi-disk.img", None, "ide", r'"UEFI KEEL HARDDISK KEEL0+" from '
        r"PciRoot\(0x0\)/Pci\(0x1,0x1\)/Ata\(Primary,Master,0x0\)",
        r"sd 0:0:0:0: \[sda\] \d+ 512-byte logical blocks",
        "for m in $(cat /lib/ide/order); do insmod /lib/ide/$m.ko; done; ")
