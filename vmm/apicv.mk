# SPDX-License-Identifier: MIT
# VMX APIC virtualization of the hvm guest's local APIC (issue 9 part 5): the vLAPIC's side
# (its virtual-APIC page, host-tested) and the VMCS side.
KEEL_SRCS += vmm/dev/vlapic_apicv.c arch/x86/vmx/apicv.c
UNIT_TESTS += vlapic_apicv
UNIT_SRCS_vlapic_apicv := vmm/dev/vlapic.c vmm/dev/vlapic_timer.c vmm/dev/vlapic_x2apic.c \
	vmm/dev/vlapic_apicv.c vmm/dev/vlapic_pir.c
# The vLAPIC and its virtual-APIC page against a CPU played by the input (test/fuzz/fuzz_apicv.c).
FUZZ_TARGETS += apicv
FUZZ_SRCS_apicv = $(FUZZ_DEV) vmm/dev/vlapic.c vmm/dev/vlapic_timer.c vmm/dev/vlapic_apicv.c \
	vmm/dev/vlapic_pir.c
