# SPDX-License-Identifier: MIT
"""The guest's MSRs as the Intel SDM has them (issue 9 part 1, docs/msrs.md):
msrwalk reads, writes and faults each MSR from an elf64 guest; the hvm disk
apicmsr turns its local APIC off and on through IA32_APIC_BASE (and into
x2APIC mode and out) and reads the MTRRs SeaBIOS programmed. Both on two of Bochs's CPU models."""
import re

import pytest

from keel import POWER_OFF, SEABIOS_PATH, guest, guest_lines, keel_part, make_esp, run_bochs

# Every check msrwalk makes (guests/test/msrwalk.c): a missing one fails too.
MSRWALK_CHECKS = [
    "cpuid 1: MTRR advertised", "cpuid 1: PAT advertised", "cpuid 1: x2APIC hidden",
    "cpuid 1: TSC-deadline hidden", "cpuid 7: TSC_ADJUST advertised",
    "cpuid 7: no speculation-control MSRs",
    "APIC_BASE power-on: fee00000, EN, BSP", "cpuid 1: APIC flag while enabled",
    "APIC_BASE: x2APIC enable (not advertised) -> #GP", "APIC_BASE: reserved bit 0 -> #GP",
    "APIC_BASE: reserved bit 9 -> #GP", "APIC_BASE: bit MAXPHYADDR -> #GP",
    "APIC_BASE: moving the base -> #GP", "APIC_BASE: global disable",
    "cpuid 1: APIC flag clear while disabled",
    "APIC_BASE: disabled -> invalid (EXTD without EN) -> #GP",
    "APIC_BASE: disabled -> x2APIC -> #GP", "APIC_BASE: enable again", "cpuid 1: APIC flag back",
    "APIC_BASE: BSP flag clear (R/W)", "APIC_BASE: BSP flag set",
    "TSC_ADJUST power-on 0", "TSC write then RDTSC", "TSC write then RDMSR",
    "TSC write moved TSC_ADJUST by as much", "TSC_ADJUST write moved the TSC",
    "TSC_ADJUST reads back", "TSC_ADJUST 0: the TSC is back on its own time line",
    "MTRRCAP: 8 variable, fixed, WC, no SMRR", "MTRRCAP write -> #GP",
    "MTRRdefType: E, FE, WB", "MTRRdefType: type 2 -> #GP",
    "MTRRdefType: type 7 (UC- is PAT only) -> #GP", "MTRRdefType: reserved bit 12 -> #GP",
    "MTRRfix64K_00000 WB", "MTRRfix16K_A0000 UC", "MTRRfix4K_F8000 WP",
    "MTRRfix4K_C0000: one bad byte -> #GP", "MTRRphysBase0: 3 GiB UC",
    "MTRRphysMask0: 1 GiB, valid", "MTRRphysBase7: WT", "MTRRphysBase1: reserved bit 8 -> #GP",
    "MTRRphysBase1: bit MAXPHYADDR -> #GP", "MTRRphysMask1: reserved bit 0 -> #GP",
    "MTRRphysMask1: bit MAXPHYADDR -> #GP", "MTRRphysBase8 (no ninth pair) -> #GP",
    "MTRRdefType: off again",
    "MISC_ENABLE: fast strings, no BTS, no PEBS",
    "MISC_ENABLE: MONITOR FSM (MONITOR hidden) -> #GP", "MISC_ENABLE: reserved bit 3 -> #GP",
    "MISC_ENABLE: limit CPUID", "cpuid 0 limited to leaf 2", "MISC_ENABLE: limit off",
    "cpuid 0 back to its maximum",
    "EFER.NXE clear (as Keel starts elf64 guests)", "MISC_ENABLE: XD disable",
    "cpuid 80000001: NX hidden while XD disabled", "EFER.NXE while XD disabled -> #GP",
    "MISC_ENABLE: XD enabled again", "EFER.NXE set",
    "MISC_ENABLE: XD disable while EFER.NXE -> #GP", "EFER restored",
    "PAT: Linux's value", "PAT: reserved type 2 -> #GP", "PAT: power-on value again",
    "FEATURE_CONTROL: locked, VMX off", "FEATURE_CONTROL write (locked) -> #GP",
    "TSC_DEADLINE (not in CPUID) -> #GP", "SPEC_CTRL (not in CPUID) -> #GP",
    "PRED_CMD (not in CPUID) -> #GP", "ARCH_CAPABILITIES (not in CPUID) -> #GP",
    "FLUSH_CMD (not in CPUID) -> #GP", "x2APIC ID register (no x2APIC) -> #GP",
    "MCG_CAP (MCA hidden) -> #GP",
]

CFG = """console port=0x3f8 baud=115200
guest name=msrwalk type=elf64 image=msrwalk.elf memory=4M
"""


def check_msrwalk(log):
    out = guest_lines(log, "msrwalk")
    assert re.search(r"msrwalk: MAXPHYADDR (3[6-9]|4\d|5[0-2]), cpuid max leaf \d+", "\n".join(out))
    failed = [l for l in out if l.startswith("FAIL")]
    assert not failed, "\n".join(out)
    for name in MSRWALK_CHECKS:
        assert f"PASS {name}" in out, f"msrwalk check '{name}' missing:\n" + "\n".join(out)
    assert f"msrwalk: {len(MSRWALK_CHECKS)} checks, 0 failed" in out, "\n".join(out)
    assert "keel: guest 'msrwalk' stopped: debug-exit port: status 0" in log


@pytest.mark.parametrize("cpu", ["corei7_skylake_x", "corei7_haswell_4770"])
def test_msrs_from_a_guest(tmp_path, cpu):
    log = keel_part(run_bochs(make_esp(tmp_path, CFG, [guest("msrwalk.elf")]), cpu))
    check_msrwalk(log)
    assert POWER_OFF in log


def mtrr_type(cap, deftype, fixed, var, pa):
    """The memory type the MTRRs give address pa, by SDM 3A 12.11.4.1
    (written here independently of vmm/vmsr_mtrr.c); None if undefined."""
    if not deftype & 0x800:
        return 0
    if deftype & 0x400 and pa < 0x100000:
        if pa < 0x80000:
            msr, byte = 0x250, pa >> 16
        elif pa < 0xc0000:
            msr, byte = 0x258 + ((pa - 0x80000) >> 17), ((pa - 0x80000) >> 14) & 7
        else:
            msr, byte = 0x268 + ((pa - 0xc0000) >> 15), ((pa - 0xc0000) >> 12) & 7
        return fixed[msr] >> (8 * byte) & 0xff
    types = set()
    for n in range(cap & 0xff):
        base, mask = var[0x200 + 2 * n], var[0x201 + 2 * n]
        if mask & 0x800 and (pa & mask & ~0xfff) == (base & mask & ~0xfff):
            types.add(base & 0xff)
    if not types:
        return deftype & 0xff
    if 0 in types:
        return 0
    if types == {4, 6}:
        return 4
    return types.pop() if len(types) == 1 else None


def hexes(out, prefix):
    return [int(l.split()[-1], 16) for l in out if l.startswith(prefix)]


HVM_CFG = "guest name=pc type=hvm image=apicmsr.img memory=32M\n"
UC, WB = 0, 6
POWER_UP = {0x30: 0x00050014, 0x80: 0, 0xd0: 0, 0xe0: 0xffffffff, 0xf0: 0xff, 0x170: 0,
            0x270: 0, 0x320: 0x10000, 0x350: 0x10000, 0x360: 0x10000, 0x370: 0x10000,
            0x380: 0, 0x3e0: 0, 0x20: 0}  # SDM 3A 11.4.7.1, APIC ID 0


# Both ways Keel runs the local APIC (docs/msrs.md): virtualized by the CPU (skylake-x and
# haswell offer APIC virtualization), and emulated (keel.cfg vmx apicv=off).
@pytest.mark.parametrize("cpu,apicv", [("corei7_skylake_x", True), ("corei7_haswell_4770", True),
                                       ("corei7_skylake_x", False)])
def test_apic_base_and_mtrrs_in_an_hvm_guest(tmp_path, cpu, apicv):
    cfg = HVM_CFG if apicv else "vmx apicv=off\n" + HVM_CFG
    log = keel_part(run_bochs(make_esp(tmp_path, cfg, [guest("apicmsr.img"), SEABIOS_PATH]),
                              cpu))
    out = [l for l in guest_lines(log, "pc") if l.startswith("apicmsr: ")]
    text = "\n".join(out)
    assert "apicmsr: done" in out, log
    assert "keel: guest 'pc' stopped: debug-exit port: status 0" in log
    # Register writes (SVR, LVT, timer) reach the emulation as APIC-write exits with APIC
    # virtualization, as EPT violations without it.
    assert ("vmx: APIC virtualization yes" in log) == apicv, log
    # No Bochs model offers posted interrupts (pin-based allowed-1 0x7f): negotiated off.
    assert "vmx: posted interrupts no\n" in log, log
    assert (re.search(r"keel:   APIC write +\d+", log) is not None) == apicv, log
    # SeaBIOS found MTRRs (it skips them when MTRRCAP reads 0), programmed
    # them without a #GP and turned them on; the MMIO hole is UC, RAM WB.
    cap = hexes(out, "apicmsr: MTRRCAP ")[0]
    deftype = hexes(out, "apicmsr: MTRRdefType ")[0]
    fixed = {int(l.split()[2], 16): int(l.split()[3], 16) for l in out if "MTRRfix " in l}
    var = {int(l.split()[2], 16): int(l.split()[3], 16) for l in out if "MTRRvar " in l}
    assert cap == 0x508 and len(fixed) == 11 and len(var) == 16, text
    assert deftype & 0xc00 == 0xc00, text
    for pa, want in [(0xfee00000, UC), (0xfec00000, UC), (0xfed00000, UC), (0xa0000, UC),
                     (0x0, WB), (0x100000, WB), (0x1ffffff, WB)]:
        assert mtrr_type(cap, deftype, fixed, var, pa) == want, f"{pa:#x}\n{text}"
    # IA32_APIC_BASE: on, off, on, and unchanged by the faulting writes.
    assert hexes(out, "apicmsr: APIC_BASE ") == [0xfee00900, 0xfee00100, 0xfee00900,
                                                 0xfee00900], text
    apic_flag = [v >> 9 & 1 for v in hexes(out, "apicmsr: CPUID.1:EDX ")]
    assert apic_flag == [1, 0, 1], text  # SDM 3A 11.4.3: the flag follows EN
    # The timer ticks, stops with the APIC, and only ticks again once programmed.
    on, off, reset, again = (hexes(out, f"apicmsr: ticks {w} ")[0]
                             for w in ("enabled", "disabled", "after enable", "reprogrammed"))
    assert on >= 10 and again >= 10 and off == 0 and reset == 0, text
    # Disabled: the page reads as nothing is there. Enabled again: power-up state.
    regs = [(int(l.split()[2], 16), int(l.split()[3], 16)) for l in out if " reg " in l]
    assert len(regs) == 2 * len(POWER_UP), text
    assert all(v == 0xffffffff for _, v in regs[:len(POWER_UP)]), text
    assert dict(regs[len(POWER_UP):]) == POWER_UP, text
    for what in ("disabled to x2APIC", "x2APIC to xAPIC", "move"):
        assert hexes(out, f"apicmsr: #GP {what} ") == [1], text
    # SDM 3A 11.12.5.1: xAPIC -> x2APIC is legal.
    assert [l for l in out if re.fullmatch(r"apicmsr: #GP x2APIC [0-9A-F]+", l)] == \
        ["apicmsr: #GP x2APIC 00000000"], text
    assert POWER_OFF in log
