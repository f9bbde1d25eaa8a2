# SPDX-License-Identifier: MIT
"""The guest's MSRs as the Intel SDM has them (issue 9 part 1, docs/msrs.md):
msrwalk reads, writes and faults each MSR from an elf64 guest; the hvm disk
apicmsr turns its local APIC off and on through IA32_APIC_BASE and reads
the MTRRs SeaBIOS programmed. Both on two of Bochs's CPU models."""
import re

import pytest

from keel import POWER_OFF, guest, guest_lines, keel_part, make_esp, run_bochs

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
