# SPDX-License-Identifier: MIT
# The guest's CPU: the CPUID model, XSETBV, x2APIC and TSC-deadline in the vLAPIC.
KEEL_SRCS += vmm/cpuid.c arch/x86/vmx/exit_xsetbv.c
UNIT_TESTS += cpuid
UNIT_SRCS_cpuid := vmm/cpuid.c vmm/vmsr.c vmm/vmsr_mtrr.c
