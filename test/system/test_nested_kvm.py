# SPDX-License-Identifier: MIT
"""Keel under KVM, as users run it (README "Under QEMU with KVM"), on a
machine without VT-x: Bochs runs Debian's Linux, whose kvm_intel (nested=1)
runs QEMU with -accel kvm and README's command line, which boots Keel with
tools/keel-tests.cfg (tools/mknested.sh, tools/run-nested.sh). Keel's
guests run on KVM's nested VMX: its capability set, its exits."""
import re

import pytest

from keel import BUILD, POWER_OFF, ROOT, SEABIOS_PATH, guest, guest_lines, make_esp
from test_pv import check_pingpong
from test_vmx import EXITS64_CHECKS

NESTED_DISK = BUILD / "nested-disk.img"
CFG = ROOT / "tools/keel-tests.cfg"
# A run took about 10 minutes here; the timeout leaves room for a busy machine.
TIMEOUT = 1800


def run_nested(esp, timeout=TIMEOUT):
    from keel import _run
    log = esp.with_suffix(".serial.log")
    return _run([str(ROOT / "tools/run-nested.sh"), str(NESTED_DISK), str(esp), str(log),
                 str(timeout)], log, "nested: powering off", timeout)


def domains(cfg_text):
    """Keel numbers its guests in keel.cfg's order: {name: domain id}."""
    names = re.findall(r"^guest name=(\S+)", cfg_text, re.M)
    return {n: i for i, n in enumerate(names)}


XSAVE_LINE = re.compile(r"^nested: xsave flags:(.*)$", re.M)


def assert_standard_xsave(log):
    """tools/nested/grub.cfg's clearcpuid=xsaves,xsavec: Bochs lays the
    compacted XSAVE area out wrong, so the nested Linux must not have either."""
    m = XSAVE_LINE.search(log)
    assert m, log[-3000:]
    flags = m.group(1).split()
    assert "xsave" in flags and "xsaves" not in flags and "xsavec" not in flags, flags


def test_xsave_line_accepts_and_rejects():
    assert_standard_xsave("nested: xsave flags: xsave xsaveopt\n")
    for bad in ("nested: xsave flags: xsave xsaveopt xsavec\n",
                "nested: xsave flags: xsave xsaveopt xsaves\n", "nested: init started\n"):
        with pytest.raises(AssertionError):
            assert_standard_xsave(bad)


def assert_kvm_offered_nested_vmx(log):
    assert_standard_xsave(log)
    assert "nested: kvm_intel nested=Y, /dev/kvm present" in log, log[-3000:]
    # tools/nested/kvmcaps.c: a fresh KVM vCPU's VMX MSRs; KVM's VMCS revision.
    caps = dict(re.findall(r"^kvmcaps: (\w+) +\(0x[0-9a-f]+\) ([0-9a-f]{16})$", log, re.M))
    assert caps.get("feature_control") == "0000000000000000", log[-3000:]
    assert caps["basic"].endswith("11e57ed0"), caps
    assert int(caps["true_pin"][:8], 16) & 0x40, caps  # the VMX-preemption timer


def keel_lines(log):
    i = log.find("Keel hypervisor")
    assert i >= 0, log[-3000:]
    return log[i:]


def assert_test_guests_pass(log, dom):
    out = guest_lines(log, "exits64")
    assert "exits64: started with 4096 KiB RAM, args 'default run'" in out, log
    for name in EXITS64_CHECKS:
        assert f"PASS {name}" in out, f"exits64 check '{name}' missing or failed:\n{log}"
    assert not [l for l in out if l.startswith("FAIL")], log
    assert re.search(r"exits64: \d+ checks, 0 failed", "\n".join(out))
    real = guest_lines(log, "real16")
    assert "real16: hello from real mode at 0000:7c00" in real, log
    assert "PASS real-mode vmcall version" in real
    pc = guest_lines(log, "pc")
    assert "Booting from Hard Disk..." in pc, log
    assert "mbrtest: EFER.LMA set, all steps passed" in pc
    hello = guest_lines(log, "hello")
    assert (f"hello from hello (domain {dom['hello']}), 2 argument(s): [from] [keel-tests.cfg]"
            in hello), log
    assert "hello: running in a VM (hypercalls by vmcall)" in hello
    assert "hello: time runs: yes" in hello
    assert "hello: all checks passed" in hello
    check_pingpong(log, ping_dom=dom["ping"])
    boot = guest_lines(log, "boot")
    assert "pvboot: booting entry 1, 'Keel hello from menu.lst'" in boot, log
    assert f"hello from boot (domain {dom['boot']}), 2 argument(s): [from] [menu.lst]" in boot
    assert "hello: all checks passed" in boot
    for name, end in (("exits64", "debug-exit port: status 0"),
                      ("real16", "debug-exit port: status 0"),
                      ("pc", "debug-exit port: status 0"),
                      ("hello", "shut down: status 0"), ("ping", "shut down: status 0"),
                      ("pong", "shut down: status 0"), ("boot", "shut down: status 0")):
        assert f"keel: guest '{name}' stopped: {end}" in log, log
    assert POWER_OFF in log
    assert "KEEL PANIC" not in log


@pytest.mark.skipif(not NESTED_DISK.exists(), reason="make build/nested-disk.img first")
def test_keel_tests_cfg_under_nested_kvm(tmp_path):
    cfg = CFG.read_text()
    files = sorted(set(re.findall(r"(?:image|module)=(\S+)", cfg)))
    esp = make_esp(tmp_path, cfg, [guest(f) for f in files] + [SEABIOS_PATH], cylinders=20)
    log = run_nested(esp)
    assert_kvm_offered_nested_vmx(log)
    keel = keel_lines(log)
    # Keel sees KVM below it, and KVM's VMX: its VMCS revision id and its
    # preemption timer, counting at TSC/32.
    assert re.search(r"^cpu: .* \(nested under KVMKVMKVM\)$", keel, re.M), keel
    assert re.search(r"^vmx: basic [0-9a-f]{8}11e57ed0 pin ", keel, re.M), keel
    # What Keel read is what KVM offers (QEMU's -cpu host passes it on), where
    # it decides something: the revision, the pin controls (the timer), the
    # timer's rate, EPT and VPID.
    caps = dict(re.findall(r"^kvmcaps: (\w+) +\(0x[0-9a-f]+\) ([0-9a-f]{16})$", log, re.M))
    seen = dict(re.findall(r"\b(basic|pin|misc|ept/vpid) ([0-9a-f]{16})\b", keel))
    assert seen == {"basic": caps["basic"], "pin": caps["true_pin"], "misc": caps["misc"],
                    "ept/vpid": caps["ept_vpid"]}, (seen, caps)
    assert "vmx: EPT yes, unrestricted guest yes, VPID yes" in keel
    assert "vmx: preemption timer yes" in keel
    assert "vmx: VMX on" in keel
    assert_test_guests_pass(keel, domains(cfg))
    assert re.search(r"nested: QEMU exited with status 0", log), log[-2000:]
