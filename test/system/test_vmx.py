# SPDX-License-Identifier: MIT
"""Keel booted the real way (Bochs + OVMF -> BOOTX64.EFI -> keel.elf) with
VT-x emulated: every exit type, real mode, CPU models, misbehaving guests."""
import re

import pytest

from keel import (POWER_OFF, dump_rip, guest, guest_lines, keel_part, make_esp, run_bochs,
                  stop_trace)

STANDARD = """console port=0x3f8 baud=115200
guest name=exits64 type=elf64 image=exits64.elf memory=4M args="from the test"
guest name=real16 type=real image=real16.bin memory=1M
"""
STANDARD_FILES = [guest("exits64.elf"), guest("real16.bin")]

# Checks exits64 makes: one per exit type and behaviour (see guests/test/exits64.c).
EXITS64_CHECKS = [
    "cpuid 0x40000000 signature KeelKeelKeel", "cpuid 1 hypervisor bit set", "cpuid 1 VMX hidden",
    "cpuid 0x40000100 signature KVMKVMKVM", "cpuid 0x40000101 no KVM features",
    "vmcall version", "vmcall unknown number -> -ENOSYS", "vmcall console write",
    "vmcall console write bad pointer -> -EFAULT", "vmcall yield", "port in 0x3fd (UART LSR)",
    "port in 0x80 (no device) reads 0xff", "rdmsr IA32_APIC_BASE",
    "rdmsr unknown MSR 0x12345 -> #GP", "wrmsr/rdmsr IA32_PAT", "wrmsr/rdmsr FS_BASE (pass-through)",
    "mmio read testdev id", "mmio 64-bit write/read scratch", "mmio movzx byte read",
    "mmio rep stosq", "mmio stosl with DF=1 steps down", "mmio movsq RAM to device",
    "mmio movsq device to RAM", "mmio rep movsl device to RAM", "mmio movsl device to device",
    "mmio orq imm", "mmio andl imm (32-bit result)", "mmio andb imm to zero sets ZF",
    "mmio xorq reg", "mmio xorl to register", "mmio testq imm (no store)",
    "mmio testb imm sets ZF", "mmio cmpq 5 - 7 borrows", "mmio cmpq signed overflow sets OF",
    "mmio cmp register with device (equal)",
    "vmxon in guest -> #UD",
]


def assert_standard_guests_pass(log):
    out = guest_lines(log, "exits64")
    assert "exits64: started with 4096 KiB RAM, args 'from the test'" in out
    for name in EXITS64_CHECKS:
        assert f"PASS {name}" in out, f"exits64 check '{name}' missing or failed:\n{log}"
    assert not [l for l in out if l.startswith("FAIL")], log
    assert re.search(r"exits64: \d+ checks, 0 failed", "\n".join(out))
    assert "hello through KEEL_HC_CONSOLE_WRITE" in out
    assert "keel: guest 'exits64' stopped: debug-exit port: status 0" in log
    real = guest_lines(log, "real16")
    assert "real16: hello from real mode at 0000:7c00" in real
    assert "PASS real-mode cpuid 0x40000000 signature" in real
    assert "PASS real-mode vmcall version" in real
    assert "keel: guest 'real16' stopped: debug-exit port: status 0" in log
    assert POWER_OFF in log


@pytest.mark.parametrize("cpu", ["corei7_skylake_x", "corei7_haswell_4770",
                                 "corei7_sandy_bridge_2600k", "tigerlake"])
def test_guests_on_cpu_model(tmp_path, cpu):
    log = keel_part(run_bochs(make_esp(tmp_path, STANDARD, STANDARD_FILES), cpu))
    assert "vmx: VMX on" in log, log
    assert "EPT yes, unrestricted guest yes" in log
    # Every control was negotiated from the capability MSRs and printed.
    assert re.search(r"vmx: using pin [0-9a-f]{8} proc [0-9a-f]{8} proc2 [0-9a-f]{8}", log)
    assert_standard_guests_pass(log)


def test_boot_report(tmp_path):
    log = keel_part(run_bochs(make_esp(tmp_path, STANDARD, STANDARD_FILES)))
    assert "Keel hypervisor (loaded by uefi" in log
    assert re.search(r"cpu: .+ \(signature 0x[0-9a-f]+\)", log)
    assert re.search(r"mem: \d+ regions, RAM up to 0x[0-9a-f]+, \d+ MiB free", log)
    # OVMF in Bochs installs no ACPI tables: Keel finds the PIIX4 itself.
    assert "PIIX4 power management at 0xb000" in log
    m = re.search(r"tsc: (\d+) kHz \(calibrated against (ACPI PM timer|PIT)\)", log)
    # Bochs runs ips=50000000: one tick per instruction, 50 MHz of emulated time.
    assert m and 45000 < int(m.group(1)) < 55000, log
    assert "vmx: IA32_FEATURE_CONTROL unlocked (0x0): enabling VMX and locking it" in log
    # Keel's own memory is hardened (issue 8): no page 0, read-only text, NX, SMEP, SMAP.
    assert re.search(r"paging: page 0 unmapped, text 0x[0-9a-f]+-0x[0-9a-f]+ read-only, "
                     r"data not executable, SMEP on, SMAP on", log), log
    assert "keel: guest 'exits64': debug-exit port: status 0" in log
    # Exit statistics when a guest ends: total, then one line per reason seen.
    m = re.search(r"keel: guest 'exits64': (\d+) exits\n", log)
    assert m and int(m.group(1)) > 100, log
    assert re.search(r"keel:   CPUID +\d+\n", log)
    assert re.search(r"keel:   EPT violation +\d+\n", log)


BAD = """guest name=oob type=elf64 image=bad64.elf memory=4M args=oob
guest name=vmxon type=elf64 image=bad64.elf memory=4M args=vmxon
guest name=triple type=elf64 image=bad64.elf memory=4M args=triple
guest name=mmio type=elf64 image=bad64.elf memory=4M args=mmio
guest name=notelf type=elf64 image=real16.bin memory=4M
guest name=taskswitch type=real image=taskswitch16.bin memory=1M
guest name=good type=elf64 image=exits64.elf memory=4M
"""


def test_misbehaving_guests_are_stopped(tmp_path):
    files = [guest("bad64.elf"), guest("real16.bin"), guest("taskswitch16.bin"),
             guest("exits64.elf")]
    log = keel_part(run_bochs(make_esp(tmp_path, BAD, files)))
    # Memory outside the guest's EPT: stopped, the report names the address.
    assert "[oob] bad64: reading 0x10400000, beyond my 4096 KiB of RAM" in log
    assert ("keel: guest 'oob' stopped: EPT violation: read at guest-physical 0x10400000, "
            "outside the guest's memory") in log
    # VMXON: #UD injected; with no IDT that becomes a triple fault.
    vmxon = log[log.index("keel: running guest 'vmxon'"):]
    assert "keel: guest 'vmxon' stopped: triple fault" in vmxon
    # A triple fault: stopped with a register dump and the VMCS exit fields.
    triple = log[log.index("keel: running guest 'triple'"):]
    assert "keel: guest 'triple' stopped: triple fault" in triple
    assert re.search(r"exit reason 2 \(triple fault\) qualification", triple)
    assert re.search(r"rip 0008:[0-9a-f]{16}", triple)
    # An instruction the MMIO decoder does not emulate: stopped, the report names it.
    assert "[mmio] bad64: xadd on MMIO 0xfeb00008" in log
    assert re.search(r"keel: guest 'mmio' stopped: MMIO at 0xfeb00008 by an instruction Keel "
                     r"cannot emulate \(unsupported two-byte opcode\), bytes 48 0f c1 [0-9a-f]{2}",
                     log), log
    # A malformed image is refused by name; it never runs.
    assert "keel: guest 'notelf': image real16.bin: not an ELF file (bad magic)" in log
    assert "running guest 'notelf'" not in log
    # An exit Keel has no handler for (a task switch) stops that guest, with a report.
    assert "[taskswitch] taskswitch16: jumping to a TSS" in log
    assert "keel: guest 'taskswitch' stopped: unhandled VM exit 9 (task switch)" in log
    # Each report ends with the guest's last exits, the one that stopped it newest.
    oob = stop_trace(log, "oob")
    assert oob[-1][2] == "EPT violation", oob
    assert oob[-1][3] & 7 == 1, oob  # qualification: a data read, no write or fetch
    assert oob[-1][4] == dump_rip(log, "oob") >= 0x100000  # in bad64, as the dump says
    assert len(oob) > 1  # its console writes came before
    assert stop_trace(log, "triple")[-1][2] == "triple fault"
    # VMXON exits, Keel injects #UD, the guest has no IDT: a triple fault next.
    assert [t[2] for t in stop_trace(log, "vmxon")[-2:]] == ["VMXON", "triple fault"]
    assert stop_trace(log, "taskswitch")[-1][2] == "task switch"
    # Keel and the other guests carry on.
    assert "PASS vmxon in guest -> #UD" in guest_lines(log, "good")
    assert "keel: guest 'good' stopped: debug-exit port: status 0" in log
    assert "keel: guest 'good': last" not in log  # an orderly end prints no trace
    assert POWER_OFF in log
    assert "KEEL PANIC" not in log


def test_no_unrestricted_guest(tmp_path):
    # Lynnfield has EPT but no unrestricted guest: 64-bit guests run, real mode is refused.
    log = keel_part(run_bochs(make_esp(tmp_path, STANDARD, STANDARD_FILES), "corei5_lynnfield_750"))
    assert "unrestricted guest no" in log
    assert ("keel: guest 'real16' not started: real mode needs VT-x \"unrestricted guest\", "
            "which this CPU does not offer") in log
    assert "keel: guest 'exits64' stopped: debug-exit port: status 0" in log
    assert POWER_OFF in log


def test_no_ept(tmp_path):
    log = keel_part(run_bochs(make_esp(tmp_path, STANDARD, STANDARD_FILES), "core2_penryn_t9600"))
    assert "vmx: EPT no" in log
    # Core 2 cannot switch IA32_EFER on VM exit/entry, which Keel needs for any guest.
    assert ("vmx: cannot use VT-x: VM-exit controls lack required bits 0x300000 "
            "(save IA32_EFER, load IA32_EFER)") in log
    assert ("keel: guest 'exits64' not started: it needs VT-x with EPT, which this CPU does "
            "not offer") in log
    assert "running guest" not in log
    assert POWER_OFF in log


def test_no_vmx_amd(tmp_path):
    log = keel_part(run_bochs(make_esp(tmp_path, STANDARD, STANDARD_FILES), "ryzen"))
    assert "vmx: this CPU has no VT-x (CPUID.1:ECX.VMX = 0): HVM guests cannot run" in log
    assert "keel: guest 'exits64' not started" in log
    assert POWER_OFF in log
