/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data, reached through GS: IA32_GS_BASE holds the CPU's struct
 * percpu, whose first field points at itself, so this_cpu() is one load
 * (%gs:0). A VM exit restores GS_BASE from the VMCS host-state area
 * (VMCS_HOST_GS_BASE). A ring-3 PV guest can change GS_BASE (a MOV to GS
 * loads the base from its descriptor, SDM 3A 3.4.4), so Keel SWAPGSes on
 * every way into and out of ring 3 (arch/x86/pv/pv_entry.S, traps.S): while
 * a guest runs in ring 3, IA32_KERNEL_GS_BASE holds this pointer. A ring-3
 * guest reaches these pages under its own page tables (the SYSCALL entry
 * reads GS before it switches CR3, the CPU pushes onto the TSS's stacks),
 * so every CPU's lies in Keel's image (docs/smp.md).
 */
#ifndef ARCH_PERCPU_H
#define ARCH_PERCPU_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/desc.h>

struct vcpu;

#define CPUS_MAX 64

enum cpu_state {
	CPU_OFFLINE = 0, /* not started, or did not answer */
	CPU_STARTING,    /* runs Keel's code, not done setting up */
	CPU_ONLINE,      /* set up, idles until given work */
	CPU_LEFT_OUT,    /* answered, but differs from the boot CPU: halted for good */
};

struct percpu {
	struct percpu *self; /* %gs:0 */
	uint32_t cpu;        /* Keel's number: 0 is the boot CPU */
	uint32_t apic_id;
	volatile uint32_t state; /* enum cpu_state, written by the CPU itself once started */
	int      vmx;            /* 0: VMX on; -errno: off (why was printed) */
	uint64_t vmxon_pa;       /* its VMXON region (SDM 3C 24.11.5), allocated by the boot CPU */
	uint64_t ist_top[3];
	uint64_t stack_top;
	volatile uint64_t halts; /* idle HLTs taken */
	volatile uint64_t wakes; /* wake-up IPIs taken (SMP_WAKE_VECTOR) */
	/* Host LAPIC timer interrupts taken in Keel (idle), other vectors (host_timer.c). */
	volatile uint64_t timer_wakes, stray_irqs;
	uint64_t idle_halts, idle_ticks; /* arch_cpu_idle: halts waiting for a deadline, time in it */
	/*
	 * Whose state the CPU holds: the current VMCS, the switched MSRs, the
	 * FPU (arch/x86/vmx/vcpu_run.c, arch/x86/fpu.c). Reached through the
	 * vCPU's own pointer (v->arch.pc).
	 */
	struct vcpu *vmx_current, *msrs_owner, *fpu_owner;
	uint64_t fpu_xcr0; /* XCR0 as now in the CPU */
	/*
	 * Ring 3 (arch/x86/pv/pv_entry.S): the vCPU there now, the stack that
	 * traps from ring 3 (TSS RSP0), SYSCALL's C handler and pv_enter's
	 * IRETQ frame use (one at a time: each way in starts at its top, each
	 * way out abandons it), and SYSCALL's scratch slot for the guest's RSP.
	 */
	struct vcpu *pv_current;
	uint64_t pv_stack_top, pv_user_rsp;
	bool     fpu_ready; /* CR4.OSXSAVE set and XCR0 read on this CPU */
	char     why[96];        /* CPU_LEFT_OUT: the reason, printed by the boot CPU */
	struct cpu_tables tables;
};

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__("mov %%gs:0, %0" : "=r"(p));
	return p;
}

/* Keel's number for this CPU (GS is Keel's wherever Keel runs but the SWAPGS windows). */
static inline unsigned this_cpu_id(void)
{
	unsigned cpu;

	__asm__("movl %%gs:%c1, %0" : "=r"(cpu) : "i"(__builtin_offsetof(struct percpu, cpu)));
	return cpu;
}

#endif
