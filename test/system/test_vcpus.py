# SPDX-License-Identifier: MIT
"""hvm guests with several vCPUs (keel.cfg vcpus=N, docs/vcpus.md): SeaBIOS
finds them through fw_cfg, the guest starts its APs with INIT-SIPI-SIPI and
sends IPIs with every destination kind; all vCPUs share one host CPU here."""
import re
from pathlib import Path

from keel import POWER_OFF, guest, guest_lines, keel_part, make_esp, run_bochs, run_qemu

SEABIOS = Path("/usr/share/seabios/bios-256k.bin")


def run_smptest(tmp_path, n, host_cpus=1, extra=""):
    cfg = f"guest name=pc type=hvm image=smptest.img memory=32M vcpus={n}{extra}\n"
    return keel_part(run_bochs(make_esp(tmp_path, cfg, [guest("smptest.img"), SEABIOS]),
                               cpus=host_cpus))


def check_smptest(log, n):
    out = guest_lines(log, "pc")
    fw = "\n".join(guest_lines(log, "pc:fw"))
    # SeaBIOS counted the CPUs fw_cfg and the CMOS announce by starting them itself, on both
    # boots: the first ends in a reset by CPU 1 (port 0xcf9), whatever host CPU the BSP is on.
    assert fw.count(f"Found {n} cpu(s) max supported {n} cpu(s)") == 2, log
    assert "smptest: cpu 1 resets the PC" in out, log
    assert "keel: guest 'pc': hard reset through port 0xcf9; the PC restarts at its reset vector" \
        in log, log
    assert "smptest: booted again after cpu 1 reset the PC" in out, log
    assert f"smptest: {n} CPUs (fw_cfg)" in "\n".join(out), log
    assert "smptest: INIT-SIPI-SIPI started the APs: ok" in out, log
    for i in range(1, n):
        assert f"smptest: cpu {i} ran (APIC ID = CPUID's)" in out, log
    for what in ["each AP started once", "physical destinations", "logical flat destination",
                 "physical broadcast", "all excluding self", "all including self", "self",
                 "lowest priority (one AP, the first on a tie)", "NMI",
                 "cluster model on every CPU", "logical cluster destination",
                 "x2APIC mode on every CPU", "x2APIC physical destinations",
                 "x2APIC logical destination"]:
        assert f"smptest: {what}: ok" in out, (what, log)
    assert f"smptest: all {n} CPUs ran, every IPI arrived" in out, log
    assert "keel: guest 'pc' stopped: debug-exit port: status 0" in log
    # Statistics per vCPU: every one of them exited, so every one ran.
    assert len(re.findall(r"keel: guest 'pc'( vcpu \d+)?: \d+ exits", log)) == n, log
    assert POWER_OFF in log
    m = re.search(r"smptest: IPI round trip to cpu 1: (\d+) ticks", "\n".join(out))
    assert m, log
    return int(m.group(1))


def test_two_vcpus_ipis(tmp_path):
    rtt = check_smptest(run_smptest(tmp_path, 2), 2)
    print(f"IPI round trip between two vCPUs on one host CPU: {rtt} ticks")


def test_four_vcpus_ipis(tmp_path):
    check_smptest(run_smptest(tmp_path, 4), 4)


def test_bad_vcpus_refused(tmp_path):
    """The loader refuses vcpus= it cannot honour by name, with the line."""
    for value, why in [("0", "vcpus '0' is out of range (1..8)"),
                       ("9", "vcpus '9' is out of range (1..8)"),
                       ("two", "vcpus 'two' is not a number of vCPUs")]:
        d = tmp_path / value
        d.mkdir()
        cfg = f"guest name=pc type=hvm image=smptest.img memory=32M vcpus={value}\n"
        log = run_qemu(make_esp(d, cfg, [guest("smptest.img"), SEABIOS]),
                       until="keel-loader: keel.cfg")
        assert f"keel-loader: keel.cfg:1: {why}" in log, log
        assert "Keel hypervisor" not in log


def test_two_vcpus_on_two_host_cpus(tmp_path):
    """vcpus=2 on a two-CPU machine: each vCPU on a host CPU of its own (the guest is split,
    its exits under its lock); every IPI of smptest crosses host CPUs and is kicked there."""
    log = run_smptest(tmp_path, 2, host_cpus=2, extra=" cpus=0-1")
    assert "sched: guest 'pc' vCPUs on CPUs 0 1 (cpus= allows 0x3)" in log, log
    rtt = check_smptest(log, 2)
    # IPIs reached the vCPU in the guest on the other CPU by host IPI, and SeaBIOS's PAM
    # changes (EPT write protection of the BIOS area) were shot down on the other CPU too.
    m = re.search(r"keel: guest 'pc' on 2 host CPUs: (\d+) kicks \(host IPIs to a vCPU in the "
                  r"guest\), (\d+) EPT shootdowns answered by another CPU", log)
    assert m and int(m.group(1)) > 0 and int(m.group(2)) > 0, log
    print(f"IPI round trip between two vCPUs on two host CPUs: {rtt} ticks")


def test_four_vcpus_on_two_host_cpus(tmp_path):
    """vcpus=4 on two host CPUs: two vCPUs on each, so IPIs go both to a vCPU queued behind
    another on its host CPU and to one running on the other host CPU."""
    log = run_smptest(tmp_path, 4, host_cpus=2, extra=" cpus=0-1")
    assert "sched: guest 'pc' vCPUs on CPUs 0 1 0 1 (cpus= allows 0x3)" in log, log
    check_smptest(log, 4)


def test_split_guest_resets(tmp_path):
    """A guest split over two host CPUs resets four ways (8042, port 0xcf9, port 0x92, a triple
    fault: hvmfault.img): its AP, parked on the other CPU, goes back to waiting for SIPI there,
    and each boot SeaBIOS starts it again."""
    cfg = "guest name=pc type=hvm image=hvmfault.img memory=32M vcpus=2 cpus=0-1\n"
    log = keel_part(run_bochs(make_esp(tmp_path, cfg, [guest("hvmfault.img"), SEABIOS]),
                              timeout=900, cpus=2))
    out = guest_lines(log, "pc")
    assert "sched: guest 'pc' vCPUs on CPUs 0 1 (cpus= allows 0x3)" in log, log
    assert [l for l in out if l.startswith("hvmfault: boot ")] == [
        f"hvmfault: boot {n:02X}" for n in range(5)], log
    for why in ("reset by the keyboard controller", "hard reset through port 0xcf9",
                "reset through port 0x92", "reset after a triple fault"):
        assert f"keel: guest 'pc': {why}; the PC restarts at its reset vector" in log
    # SeaBIOS started the AP (on the other host CPU) on every one of the five boots.
    fw = "\n".join(guest_lines(log, "pc:fw"))
    assert fw.count("Found 2 cpu(s) max supported 2 cpu(s)") == 5, fw[-3000:]
    assert "hvmfault: every reset came back" in out
    assert "keel: guest 'pc' stopped: debug-exit port: status 0" in log
    assert POWER_OFF in log


def test_vcpus_share_a_cpu_unless_asked(tmp_path):
    """Without cpus= naming several CPUs, a guest's vCPUs stay on one host CPU even on a
    two-CPU machine (spreading is asked for: docs/vcpus.md)."""
    log = run_smptest(tmp_path, 2, host_cpus=2)
    # All on CPU 0, so the scheduler runs as on one CPU (no placement lines).
    assert "smp: CPUs started: 0 1 (2)" in log, log
    assert "keel: running guest 'pc'\n" in log and "vCPUs on CPUs" not in log, log
    assert not re.search(r"keel: guest 'pc' on \d host CPUs", log), log
    check_smptest(log, 2)
