# SPDX-License-Identifier: MIT
"""Debian's Linux in Keel's hvm guest, booted the way a PC boots it: SeaBIOS,
GRUB from the MBR, the 6.1 kernel, a busybox shell on the serial console.
The test types a command and checks what the shell answers. In Bochs this
takes about two minutes."""
import re

from keel import BUILD, POWER_OFF, keel_part, make_esp, run_bochs_console, SEABIOS_PATH


def test_linux_boots_to_a_shell(tmp_path):
    cfg = "guest name=linux type=hvm image=linux-disk.img memory=192M\n"
    esp = make_esp(tmp_path, cfg, [BUILD / "linux-disk.img", SEABIOS_PATH], cylinders=100)
    log = run_bochs_console(esp, [
        (r"keel-linux# ", "echo hello-from-$((6*7))\n"),
        (r"hello-from-42", "exit\n"),
    ], megs=512, timeout=1500)
    keel = keel_part(log)
    assert "[linux] SeaBIOS (version" in keel or "SeaBIOS (version" in keel, log[-3000:]
    assert "[linux] keel-linux: grub starting the kernel" in keel
    assert re.search(r"\[linux\] \[ *[0-9.]+\] Linux version 6\.1\.", keel)
    assert "[linux] keel-linux: init started" in keel
    # What the shell printed in answer to the typed command.
    assert re.search(r"^\[linux\] hello-from-42$", keel, re.M), keel[-3000:]
    assert "keel: guest 'linux' stopped: powered itself off (ACPI S5)" in keel
    assert re.search(r"keel: guest 'linux': \d+ exits, \d+ host ticks handling them", keel)
    assert POWER_OFF in keel
