# SPDX-License-Identifier: MIT
"""Debian's Linux in an hvm guest with several vCPUs (keel.cfg vcpus=N,
docs/vcpus.md): SeaBIOS's tables list them, Linux starts every AP with
INIT-SIPI-SIPI through its local APIC and nproc counts them. The vCPUs
share Bochs's one CPU, time-sliced by Keel. Linux spread over two host
CPUs (cpus=0-1) runs only when asked (KEEL_LINUX_SPLIT=1): it hung now and
then, and has not been seen to since a369f29 in too few runs to tell
(docs/vcpus.md)."""
import os
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


# Two sha256sum of the same 8 MiB one after the other, then both at once;
# /proc/uptime (guest time, 10 ms steps) around each. The file is in the
# initramfs (page cache), so both jobs are pure computation.
SHA_JOB = ("dd if=/dev/urandom of=/tmp/f bs=1M count=8 2>/dev/null; "
           "s=$(cut -d' ' -f1 /proc/uptime); sha256sum /tmp/f >/dev/null; "
           "sha256sum /tmp/f >/dev/null; m=$(cut -d' ' -f1 /proc/uptime); "
           "sha256sum /tmp/f >/dev/null & sha256sum /tmp/f >/dev/null & wait; "
           "e=$(cut -d' ' -f1 /proc/uptime); echo sha-times: $s $m $e\n")


@pytest.mark.skipif(os.environ.get("KEEL_LINUX_SPLIT") != "1",
                    reason="Linux spread over two host CPUs: KEEL_LINUX_SPLIT=1 (docs/vcpus.md)")
def test_linux_two_vcpus_on_two_host_cpus(tmp_path):
    """Issue 11: vcpus=2 cpus=0-1 on a two-CPU machine puts each vCPU on a host CPU of its
    own; Linux's nproc is 2 and two jobs at once take about half the time of one after the
    other (guest time: in Bochs a tick is an instruction, whichever CPU runs it). Ctrl-A s
    before the exit shows where each vCPU is and what it waits for, also in a hung run's
    log (esp.serial.log)."""
    cfg = "guest name=linux type=hvm image=linux-disk.img memory=192M vcpus=2 cpus=0-1\n"
    esp = make_esp(tmp_path, cfg, [BUILD / "linux-disk.img", SEABIOS_PATH], cylinders=100)
    log = run_bochs_console(esp, [
        (r"keel-linux# ", "echo cpus-online: $(nproc) $(cat /sys/devices/system/cpu/online)\n"),
        (r"cpus-online: \d", SHA_JOB),
        (r"sha-times: [0-9.]+ [0-9.]+ [0-9.]+", "\x01s"),
        (r"guest 'linux' vcpu 1: \d+ exits", "exit\n"),
    ], megs=512, timeout=1200, cpus=2)
    keel = keel_part(log)
    assert "sched: guest 'linux' vCPUs on CPUs 0 1 (cpus= allows 0x3)" in keel, keel[-3000:]
    assert re.search(r"\[linux\] \[ *[0-9.]+\] smp: Brought up 1 node, 2 CPUs", keel), \
        keel[-3000:]
    assert re.search(r"^\[linux\] cpus-online: 2 0-1$", keel, re.M), keel[-3000:]
    m = re.search(r"^\[linux\] sha-times: ([0-9.]+) ([0-9.]+) ([0-9.]+)$", keel, re.M)
    assert m, keel[-3000:]
    s, mid, e = (float(x) for x in m.groups())
    serial, parallel = mid - s, e - mid
    print(f"two sha256sum of 8 MiB: {serial:.2f} s one after the other, {parallel:.2f} s "
          f"at once (guest time), {serial / parallel:.2f}x")
    # Half the time, give or take the shell, the fork and the page-cache reads.
    assert serial > 0.2 and parallel < 0.65 * serial, (serial, parallel)
    # Ctrl-A s: each vCPU on its own host CPU.
    assert re.search(r"^keel:   host CPU 0, ", keel, re.M), keel[-3000:]
    assert re.search(r"^keel:   host CPU 1, ", keel, re.M), keel[-3000:]
    assert "keel: guest 'linux' stopped: powered itself off (ACPI S5)" in keel
    for i in range(2):
        assert re.search(rf"keel: guest 'linux' vcpu {i}: \d+ exits", keel)
