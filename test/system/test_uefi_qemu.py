# SPDX-License-Identifier: MIT
"""The UEFI loader and the no-VT-x path under QEMU TCG + OVMF (TCG never
offers VMX), and the loader's refusals of bad input."""
from keel import POWER_OFF, guest, keel_part, make_esp, run_qemu

ONE = "guest name=exits64 type=elf64 image=exits64.elf memory=4M\n"


def test_no_vtx_is_reported(tmp_path):
    log = run_qemu(make_esp(tmp_path, ONE, [guest("exits64.elf")]))
    assert "keel-loader: keel.elf entry 0x" in log
    keel = keel_part(log)
    assert "Keel hypervisor (loaded by uefi" in keel
    assert "acpi: 1 CPU(s)" in keel and "S5 found" in keel
    assert "vmx: this CPU has no VT-x (CPUID.1:ECX.VMX = 0): HVM guests cannot run" in keel
    assert "keel: guest 'exits64' not started: it needs VT-x with EPT" in keel
    assert POWER_OFF in keel


def test_bad_config_line_is_refused(tmp_path):
    cfg = ONE + "guest name=x type=elf64 image=exits64.elf memory=4M colour=blue\n"
    log = run_qemu(make_esp(tmp_path, cfg, [guest("exits64.elf")]), until="keel-loader: keel.cfg")
    assert "keel-loader: keel.cfg:2: unknown key 'colour'" in log
    assert "Keel hypervisor" not in log


def test_bad_ram_below_4g_is_refused(tmp_path):
    cfg = (ONE + "# a PC with too much RAM below 4 GiB\n"
           "guest name=pc type=hvm image=mbrtest.img memory=4G ram-below-4g=3584M\n")
    log = run_qemu(make_esp(tmp_path, cfg, [guest("exits64.elf")]), until="keel-loader: keel.cfg")
    assert "keel-loader: keel.cfg:3: ram-below-4g '3584M' is above 3G" in log
    assert "Keel hypervisor" not in log


def test_missing_guest_image_is_refused(tmp_path):
    log = run_qemu(make_esp(tmp_path, ONE, []), until="not loaded")
    assert "keel-loader: cannot open \\keel\\exits64.elf" in log
    assert "keel-loader: keel.cfg: guest 'exits64' not loaded" in log
    assert "Keel hypervisor" not in log


def test_bad_keel_elf_is_refused(tmp_path):
    bogus = tmp_path / "bogus.elf"
    bogus.write_bytes(b"\x7fELF" + b"\x01" * 60)
    log = run_qemu(make_esp(tmp_path, ONE, [guest("exits64.elf")], keel_elf=bogus),
                   until="keel-loader: keel.elf:")
    assert "keel-loader: keel.elf: not a 64-bit ELF (class 1)" in log
    assert "Keel hypervisor" not in log
