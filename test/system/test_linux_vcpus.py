# SPDX-License-Identifier: MIT
"""Debian's Linux in an hvm guest with several vCPUs (keel.cfg vcpus=N,
docs/vcpus.md): SeaBIOS's tables list them, Linux starts every AP with
INIT-SIPI-SIPI through its local APIC and nproc counts them. The vCPUs
share Bochs's one CPU, time-sliced by Keel. (Linux spread over two host
CPUs is not tested here: it hangs now and then, docs/vcpus.md.)"""
import re

import pytest

from keel import BUILD, keel_part, make_esp, run_bochs_console, SEABIOS_PATH


@pytest.mark.parametrize("n", [2, 4])
def test_linux_nproc(tmp_path, n):
    cfg = f"guest name=linux type=hvm image=linux-disk.img memory=192M vcpus={n}\n"
    esp = make_esp(tmp_path, cfg, [BUILD / "linux-disk.img", SEABIOS_PATH], cylinders=100)
    # exit only once the answer is out: typed on the same line, the answer
    # was missing in 1 of 4 CI boots (2 and 4 vCPUs), the shell's exit seen
    # before it. Likely the exit's tty hang-up dropping output the UART had
    # not sent yet, which takes longer with vCPUs time-sliced on one host CPU
    # (not proven; see docs/vcpus.md).
    log = run_bochs_console(esp, [
        (r"keel-linux# ", "echo cpus-online: $(nproc) $(cat /sys/devices/system/cpu/online)\n"),
        (r"cpus-online: \d", "exit\n"),
    ], megs=512, timeout=1500)
    keel = keel_part(log)
    assert "[linux] keel-linux: init started" in keel, log[-3000:]
    # Linux found the CPUs in SeaBIOS's MADT and brought every one up.
    assert re.search(rf"\[linux\] \[ *[0-9.]+\] smp: Brought up 1 node, {n} CPUs", keel), \
        keel[-3000:]
    assert re.search(rf"^\[linux\] cpus-online: {n} 0-{n - 1}$", keel, re.M), keel[-3000:]
    assert "keel: guest 'linux' stopped: powered itself off (ACPI S5)" in keel
    for i in range(1, n):
        assert re.search(rf"keel: guest 'linux' vcpu {i}: \d+ exits", keel)

