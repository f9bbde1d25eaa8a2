# SPDX-License-Identifier: MIT
"""hvm guests with several vCPUs (keel.cfg vcpus=N, docs/vcpus.md): SeaBIOS
finds them through fw_cfg, the guest starts its APs with INIT-SIPI-SIPI and
sends IPIs with every destination kind; all vCPUs share one host CPU here."""
import re
from pathlib import Path

from keel import POWER_OFF, guest, guest_lines, keel_part, make_esp, run_bochs, run_qemu

SEABIOS = Path("/usr/share/seabios/bios-256k.bin")


def run_smptest(tmp_path, n):
    cfg = f"guest name=pc type=hvm image=smptest.img memory=32M vcpus={n}\n"
    return keel_part(run_bochs(make_esp(tmp_path, cfg, [guest("smptest.img"), SEABIOS])))


def check_smptest(log, n):
    out = guest_lines(log, "pc")
    fw = "\n".join(guest_lines(log, "pc:fw"))
    # SeaBIOS counted the CPUs fw_cfg and the CMOS announce by starting them itself.
    assert f"Found {n} cpu(s) max supported {n} cpu(s)" in fw, log
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
