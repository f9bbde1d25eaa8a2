# SPDX-License-Identifier: MIT
# The guest's CPU: the CPUID model, XSETBV, x2APIC and TSC-deadline in the vLAPIC.
KEEL_SRCS += vmm/cpuid.c arch/x86/vmx/exit_xsetbv.c
UNIT_TESTS += cpuid
UNIT_SRCS_cpuid := vmm/cpuid.c vmm/vmsr.c vmm/vmsr_mtrr.c
KEEL_SRCS += vmm/dev/vlapic_x2apic.c arch/x86/vmx/exit_msr_lapic.c
UNIT_TESTS += vlapic_x2apic
UNIT_SRCS_vlapic_x2apic := vmm/dev/vlapic.c vmm/dev/vlapic_timer.c vmm/dev/vlapic_x2apic.c
# The vLAPIC through its MSRs (test/fuzz/fuzz_x2apic.c); FUZZ_DEV is defined in test/fuzz/build.mk.
FUZZ_TARGETS += x2apic
FUZZ_SRCS_x2apic = $(FUZZ_DEV) vmm/dev/vlapic.c vmm/dev/vlapic_timer.c vmm/dev/vlapic_x2apic.c
