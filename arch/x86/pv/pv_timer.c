/* SPDX-License-Identifier: MIT */
/*
 * Preempting ring-3 PV guests. Without VT-x there is no VMX-preemption
 * timer, so the local APIC timer ends a guest's slice: whenever the
 * scheduler sets a deadline for a ring-3 vCPU (arch_vcpu_set_timer), it is
 * armed for it, and its interrupt brings Keel back from ring 3 on
 * HOST_TIMER_VECTOR to the same sched_tick a VMX guest's timer exit calls.
 * The timer is shared with the idle CPU (arch/x86/host_timer.c owns it).
 *
 * Ring-3 guests run with RFLAGS.IF set and cannot clear it: at IOPL 0,
 * CLI and STI raise #GP in ring 3, and POPF and IRET leave IF unchanged
 * (SDM 2B CLI, POPF, IRET). Keel runs with IF clear (interrupt gates,
 * IA32_FMASK for SYSCALL) but in its idle halt, whose timer interrupts
 * never come here (arch/x86/host_timer_irq.S), so this one is from ring 3.
 * One that comes due while Keel runs stays pending in the APIC's IRR and
 * is taken right after the IRETQ into ring 3, maybe into another vCPU
 * than the one it was armed for: sched_tick then finds the deadline not
 * reached, and that vCPU resumes with the timer armed for its own.
 */
#include <arch/cpu.h>
#include <arch/desc.h>
#include <arch/host_timer.h>
#include <arch/pv.h>
#include <arch/pv_timer.h>
#include <arch/smp.h>
#include <arch/vmx.h>
#include <drivers/intc.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/vcpu.h>
#include "pv_priv.h"
#include "../vmx/exit_reason.h" /* exit statistics: the slice end counts as in a VM */

void pv_timer_init(void)
{
	host_timer_init();
	if (!host_timer_ready())
		printk("pv: no timer: a ring-3 guest keeps the CPU until it yields, blocks or ends\n");
}

void pv_timer_set(uint64_t tsc_deadline)
{
	host_timer_arm(tsc_deadline);
}

/*
 * The slice timer, or another CPU's wake-up IPI (a vCPU of this CPU's is
 * runnable: a VMX guest takes it as an external-interrupt exit, this is
 * the same), from ring 3.
 */
void pv_timer_interrupt(struct trap_frame *f)
{
	struct vcpu *v = pv_current();

	write_cr3(pv_keel_cr3);
	pv_save_frame(v, f);
	if (f->vector == SMP_WAKE_VECTOR) {
		v->exits[EXIT_EXTERNAL_INTERRUPT]++;
		pv_trace(v, EXIT_R3_EXCEPTION + SMP_WAKE_VECTOR, SMP_WAKE_VECTOR, f->rip);
		smp_wake_count(v->cpu);
	} else {
		v->exits[EXIT_PREEMPTION_TIMER]++;
		pv_trace(v, EXIT_R3_TIMER, 0, f->rip);
	}
	lapic_eoi();
	/* Returns only if v keeps the CPU, with the timer armed again for it. */
	v = sched_tick(v);
	pv_enter(v);
}
