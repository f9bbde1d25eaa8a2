# SPDX-License-Identifier: MIT
"""The guest's CPU (issue 9 parts 2 and 3): XSAVE/XSETBV/AVX and the
context switch of the AVX state (xsavetest, two of them side by side), and
the local APIC's x2APIC mode and TSC-deadline timer in an hvm guest
(cputest), on two of Bochs's CPU models: Skylake-X (AVX-512) and Sandy
Bridge (AVX only, no x2APIC in the host: Keel's vLAPIC offers it anyway).
What each model lacks is skipped by the guests on what CPUID says, and the
test checks they said so."""
import re

import pytest

from keel import POWER_OFF, SEABIOS_PATH, guest, guest_lines, keel_part, make_esp, run_bochs

MODELS = ["corei7_skylake_x", "corei7_sandy_bridge_2600k"]
AVX512 = {"corei7_skylake_x": True, "corei7_sandy_bridge_2600k": False}

XSAVE_CHECKS = [
    "cpuid 1: no x2APIC or TSC-deadline without a local APIC",
    "cpuid 1: XSAVE", "cpuid 1: AVX", "cpuid 1: OSXSAVE clear with CR4.OSXSAVE clear",
    "cpuid d: x87 SSE AVX, no MPX or PKRU", "cpuid d.1: XSAVES hidden",
    "XSETBV without CR4.OSXSAVE -> #UD", "cpuid 1: OSXSAVE follows CR4",
    "XCR0 power-on value 1", "cpuid d: size for XCR0 = 1",
    "XSETBV x87 clear -> #GP", "XSETBV SSE without x87 -> #GP", "XSETBV AVX without SSE -> #GP",
    "XSETBV MPX (not offered) -> #GP", "XSETBV PKRU (not offered) -> #GP",
    "XSETBV opmask alone -> #GP", "XSETBV AVX-512 without AVX -> #GP", "XSETBV bit 63 -> #GP",
    "XSETBV XCR1 -> #GP", "XSETBV at CPL 3 -> #GP(0)", "XSAVES (hidden) -> #UD",
    "XSETBV x87|SSE", "XSETBV x87|SSE|AVX",
    "cpuid d: size follows XCR0",
    "AVX registers kept while descheduled",
]
XSAVE_CHECKS_AVX512 = ["XSETBV AVX-512", "cpuid d: size for all of XCR0"]
XSAVE_CHECKS_NO_AVX512 = ["XSETBV AVX-512 (not offered) -> #GP"]

XSAVE_CFG = """console port=0x3f8 baud=115200
guest name=xa type=elf64 image=xsavetest.elf memory=4M
guest name=xb type=elf64 image=xsavetest.elf memory=4M
"""


def check_xsavetest(log, name, avx512):
    out = guest_lines(log, name)
    text = "\n".join(out)
    assert not [l for l in out if l.startswith("FAIL")], text
    want = XSAVE_CHECKS + (XSAVE_CHECKS_AVX512 if avx512 else XSAVE_CHECKS_NO_AVX512)
    for what in want:
        assert f"PASS {what}" in out, f"{name}: check '{what}' missing:\n{text}"
    assert ("avx512 offered" if avx512 else "avx512 not offered (CPUID)") in text, text
    rounds = re.findall(r"xsavetest: round \d: (\d+) descheduling\(s\), (\d+) bytes of (\S+) differ",
                        text)
    assert len(rounds) == 3, text
    assert all(int(bad) == 0 for _, bad, _ in rounds), text
    assert all(regs == ("ZMM0-31/K1-7" if avx512 else "YMM0-15") for _, _, regs in rounds), text
    # The state was out of the CPU: the other guest ran meanwhile.
    assert sum(int(j) for j, _, _ in rounds) >= 3, text
    assert f"keel: guest '{name}' stopped: debug-exit port: status 0" in log


@pytest.mark.parametrize("cpu", MODELS)
def test_xsave_and_avx_state(tmp_path, cpu):
    log = keel_part(run_bochs(make_esp(tmp_path, XSAVE_CFG, [guest("xsavetest.elf")]), cpu))
    check_xsavetest(log, "xa", AVX512[cpu])
    check_xsavetest(log, "xb", AVX512[cpu])
    assert POWER_OFF in log


CPUTEST_CHECKS = [
    "cpuid 1: x2APIC", "cpuid 1: TSC-deadline", "cpuid 1: XSAVE", "cpuid 1: APIC",
    "YMM registers kept while descheduled",
    "APIC_BASE: xAPIC, BSP", "x2APIC ID in xAPIC mode -> #GP", "APIC_BASE: xAPIC -> x2APIC",
    "APIC_BASE reads x2APIC", "x2APIC ID 0", "x2APIC version", "x2APIC LDR: cluster 0, bit 0",
    "MMIO page off in x2APIC mode", "x2APIC SVR", "x2APIC TPR and PPR",
    "x2APIC ID write (read-only) -> #GP", "x2APIC LDR write (read-only) -> #GP",
    "x2APIC EOI read (write-only) -> #GP", "x2APIC SELF IPI read (write-only) -> #GP",
    "x2APIC DFR (none) -> #GP", "x2APIC ICR2 (none) -> #GP", "x2APIC EOI non-zero -> #GP",
    "x2APIC ESR non-zero -> #GP", "x2APIC TPR bit 32 -> #GP",
    "x2APIC MSR 0x8ff (reserved) -> #GP", "SELF IPI arrives", "ICR to x2APIC ID 0 arrives",
    "ICR reads back (one 64-bit MSR)", "ICR to x2APIC ID 0x100 does not",
    "APIC_BASE: x2APIC -> xAPIC -> #GP", "APIC_BASE unchanged",
    "TSC_DEADLINE reads 0 in one-shot mode", "TSC_DEADLINE write ignored in one-shot mode",
    "LVT timer: TSC-deadline mode", "TSC_DEADLINE reads back armed",
    "TSC-deadline interrupt arrives", "not before the deadline", "TSC_DEADLINE reads 0 once fired",
    "one interrupt per write", "a passed deadline fires at once", "writing 0 disarms",
    "TSC_DEADLINE 0 after leaving the mode",
    "APIC_BASE: x2APIC -> disabled", "x2APIC version while disabled -> #GP",
    "cpuid 1: APIC flag clear while disabled", "APIC_BASE: disabled -> x2APIC -> #GP",
    "APIC_BASE: EXTD without EN -> #GP", "APIC_BASE: disabled -> xAPIC",
    "MMIO page back in xAPIC mode", "power-up SVR after the disabled state",
    "x2APIC MSR in xAPIC mode -> #GP",
]

# cputest, and an xsavetest beside it whose AVX state is in the CPU whenever cputest is not.
CPUTEST_CFG = """console port=0x3f8 baud=115200
guest name=pc type=hvm image=cputest.img memory=32M
guest name=xc type=elf64 image=xsavetest.elf memory=4M args=rounds=40
"""


@pytest.mark.parametrize("cpu", MODELS)
def test_x2apic_and_tsc_deadline(tmp_path, cpu):
    log = keel_part(run_bochs(make_esp(tmp_path, CPUTEST_CFG,
                                       [guest("cputest.img"), guest("xsavetest.elf"), SEABIOS_PATH]),
                              cpu))
    out = [l for l in guest_lines(log, "pc") if l.startswith("cputest: ")]
    text = "\n".join(out)
    assert not [l for l in out if " FAIL " in l], text
    for what in CPUTEST_CHECKS:
        assert f"cputest: PASS {what}" in out, f"check '{what}' missing:\n{text}"
    m = re.search(r"cputest: YMM0-15 over (\d+) descheduling\(s\): 0 bytes differ", text)
    assert m and int(m.group(1)) >= 1, text  # the companion ran while YMM held the pattern
    assert "cputest: 0 failed" in out, text
    assert "keel: guest 'pc' stopped: debug-exit port: status 0" in log
    comp = "\n".join(guest_lines(log, "xc"))
    assert "xsavetest: 0 failed" in comp or ", 0 failed" in comp, comp
    assert POWER_OFF in log
