# SPDX-License-Identifier: MIT
# Posted interrupts (issue 11 part 3; SDM 3C 30.6): the descriptor and its take into the vLAPIC
# model (pure, host-tested, fuzzed). Used only where vmx_negotiate() finds the CPU offers them.
KEEL_SRCS += vmm/dev/vlapic_pir.c vmm/hvm_posted.c arch/x86/vmx/posted.c
UNIT_TESTS += vlapic_pir
UNIT_SRCS_vlapic_pir := vmm/dev/vlapic.c vmm/dev/vlapic_timer.c vmm/dev/vlapic_x2apic.c \
	vmm/dev/vlapic_apicv.c vmm/dev/vlapic_pir.c
# The descriptor, a poster, the CPU's processing and Keel's exits (test/fuzz/fuzz_vlapic_pir.c).
FUZZ_TARGETS += vlapic_pir
FUZZ_SRCS_vlapic_pir = $(FUZZ_DEV) vmm/dev/vlapic.c vmm/dev/vlapic_timer.c \
	vmm/dev/vlapic_apicv.c vmm/dev/vlapic_pir.c
# Which of a split guest's messages are posted (vmm/hvm_posted.c behind vmm/dev/apic_bus.c).
UNIT_TESTS += hvm_posted
UNIT_SRCS_hvm_posted := vmm/hvm_posted.c vmm/dev/apic_bus.c vmm/dev/pci_msi.c \
	vmm/dev/vlapic.c vmm/dev/vlapic_timer.c vmm/dev/vlapic_x2apic.c vmm/dev/vlapic_apicv.c \
	vmm/dev/vlapic_pir.c
