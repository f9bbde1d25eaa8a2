# SPDX-License-Identifier: MIT
KEEL_SRCS += arch/x86/entry.S arch/x86/traps.S arch/x86/gdt.c arch/x86/idt.c arch/x86/paging.c arch/x86/page_map.c \
	arch/x86/decode.c arch/x86/decode_store.c arch/x86/alu.c arch/x86/fpu.c arch/x86/pv/pv_entry.S arch/x86/pv/pv_setup.c arch/x86/pv/pv_trap.c \
	arch/x86/pv/pv_timer.c arch/x86/pv/pv_frame.c arch/x86/host_timer.c arch/x86/host_timer_irq.S \
	arch/x86/idle.c
KEEL_SRCS += $(addprefix arch/x86/vmx/,exit_stub.S vmx_init.c vmx_negotiate.c vm_setup.c \
	vcpu_setup.c vcpu_run.c ept.c exit_dispatch.c exit_names.c exit_cpuid.c exit_io.c \
	exit_msr.c exit_misc.c exit_ept.c mmio_string.c exit_vmcall.c guest_mem.c exit_cr.c \
	exit_io_string.c vcpu_events.c hypercall_page.c)
# INVEPT on every CPU that may cache a VM's EPT (issue 11).
KEEL_SRCS += arch/x86/vmx/ept_shootdown.c
KEEL_SRCS += arch/x86/smp.c arch/x86/smp_list.c arch/x86/smp_boot.S arch/x86/vmx/vmx_ap.c \
	arch/x86/vmx/vmx_caps_diff.c drivers/intc/lapic_ipi.c
UNIT_TESTS += smp_list
UNIT_SRCS_smp_list := arch/x86/smp_list.c
UNIT_TESTS += vmx_caps_diff
UNIT_SRCS_vmx_caps_diff := arch/x86/vmx/vmx_caps_diff.c
UNIT_CFLAGS_vmx_caps_diff := -Iarch/x86/vmx
