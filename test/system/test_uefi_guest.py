# SPDX-License-Identifier: MIT
"""A UEFI hvm guest (issue 9 part 8): firmware=OVMF.fd gives the guest Debian's
OVMF in place of SeaBIOS, mapped read-only at the top of 4 GiB. OVMF runs
without a writable flash (its variables stay in RAM) and without SMM, finds
Keel's PC (i440FX, PIIX3/PIIX4, fw_cfg with the "QEMU" signature and
etc/e820), and its boot manager starts the built-in UEFI shell on COM1. The
test types a shell command and checks the PCI devices OVMF enumerated.
In Bochs this takes about 40 s to the shell (Keel's own OVMF boot included)
and 53 s in all, typing included (measured with pytest).

OVMF maps no block device on Keel's PIIX IDE disk ("map: No mapping found",
docs/uefi-guest.md), but it drives the guest's virtio-blk disk (disk=, PCI
00:04.0) with its own virtio 1.0 driver: from there it boots GRUB for EFI, and
GRUB the Linux test kernel, to the shell."""
import re

from keel import BUILD, make_esp, run_bochs_console, keel_part

OVMF = "/usr/share/ovmf/OVMF.fd"
SHELL = r"Shell> "


def test_ovmf_boots_to_the_uefi_shell(tmp_path):
    cfg = "guest name=efi type=hvm image=efi-disk.img firmware=OVMF.fd memory=128M\n"
    esp = make_esp(tmp_path, cfg, [BUILD / "efi-disk.img", OVMF], cylinders=60)
    log = run_bochs_console(esp, [
        (SHELL, "pci\r"),
        # the second prompt: after the pci listing
        (r"(?s)Shell> .*Shell> ", "\x01s"),
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
    # Ctrl-A s answered while OVMF's shell ran: the guest is alive and exiting.
    assert re.search(r"^keel: guest 'efi': \d+ exits", text, re.M), text[-3000:]
    assert "keel: guest 'efi' stopped: powered itself off (ACPI S5)" in text, text[-3000:]


def test_ovmf_boots_grub_and_linux_from_virtio_blk(tmp_path):
    """The EFI test disk as the guest's virtio-blk disk: OVMF's boot manager
    starts \\EFI\\BOOT\\BOOTX64.EFI from PCI 00:04.0, GRUB loads Linux, which
    finds the same disk as vda and reaches its shell; the shell computes what
    is typed, and its exit powers the guest off. GRUB needs 512 MiB."""
    cfg = ("guest name=efi type=hvm image=efi-disk.img firmware=OVMF.fd memory=512M "
           "disk=efi-disk.img\n")
    esp = make_esp(tmp_path, cfg, [BUILD / "efi-disk.img", OVMF], cylinders=120)
    log = run_bochs_console(esp, [
        (r"keel-linux# ", "echo efi-$((6*7))\r"),
        (r"\befi-42\b", "exit\r"),
    ], timeout=1500, megs=1024)
    text = re.sub(r"\x1b\[[0-9;=?]*[A-Za-z]|\?\[[0-9;=?]*[A-Za-z]", "", keel_part(log))
    assert re.search(r'^\[efi\] BdsDxe: starting Boot\d+ "UEFI Misc Device" from '
                     r"PciRoot\(0x0\)/Pci\(0x4,0x0\)$", text, re.M), text[-3000:]
    assert "[efi] keel-linux: grub starting the kernel" in text, text[-3000:]
    assert re.search(r"^\[efi\] \[ *[\d.]+\] virtio_blk virtio\d+: \[vda\]", text, re.M), \
        text[-3000:]
    assert re.search(r"^\[efi\] efi-42$", text, re.M), text[-3000:]
    assert "[efi] keel-linux: shell exited, powering off" in text, text[-3000:]
    assert "keel: guest 'efi' stopped" in text, text[-3000:]
