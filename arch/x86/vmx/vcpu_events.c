/* SPDX-License-Identifier: MIT */
/*
 * Delivering external interrupts to a guest (SDM Vol. 3C 26.6 event
 * injection, 25.6.2 interrupt-window exiting) and waking Keel at a guest
 * deadline with the VMX-preemption timer (25.5.1), which counts down at
 * the TSC rate divided by 2^IA32_VMX_MISC[4:0], only while the guest runs.
 * Each VM entry loads the count from the VMCS; where the CPU saves it on
 * exit the countdown goes on across exits, so a deadline armed once holds
 * for a guest whose exits never touch it (test and PV guests: their slice
 * end). Without that, such a vCPU re-arms on every entry.
 *
 * Without the timer (an outer hypervisor that offers none, or keel.cfg's
 * "vmx preemption-timer=off") the host's LAPIC timer takes its place: armed
 * for the same deadline, its interrupt is an external-interrupt exit (SDM
 * 3C 25.2), which goes where the timer's exit would. A TSC deadline holds
 * across exits by itself, so it is written only when it changes.
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <arch/host_timer.h>
#include <arch/percpu.h>
#include <arch/pv_timer.h>
#include <arch/vmx.h>
#include <keel/sched.h>
#include <keel/vm.h>

#define INTR_BLOCK_STI   BIT(0)
#define INTR_BLOCK_MOVSS BIT(1)
#define INTR_INFO_VALID  BIT(31)

bool arch_vcpu_can_inject_irq(struct vcpu *v)
{
	(void)v;
	return (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & (INTR_BLOCK_STI | INTR_BLOCK_MOVSS)) &&
	       !(vmcs_read32(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID);
}

void arch_vcpu_inject_irq(struct vcpu *v, uint8_t vector)
{
	(void)v;
	/* Type 0: external interrupt; a halted guest would resume on delivery. */
	vmcs_write(VMCS_ENTRY_INTR_INFO, vector | INTR_INFO_VALID);
}

#define INTR_BLOCK_NMI   BIT(3)
#define INTR_TYPE_NMI    (2u << 8)

/*
 * SDM 3C 26.3.1.5, 26.6.1.2: an NMI is injected only with no blocking by
 * NMI or MOV SS (and, on some CPUs, STI); delivering it blocks further
 * NMIs until the guest's IRET. A blocked one waits for a later entry.
 */
bool arch_vcpu_inject_nmi(struct vcpu *v)
{
	(void)v;
	if ((vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) &
	     (INTR_BLOCK_STI | INTR_BLOCK_MOVSS | INTR_BLOCK_NMI)) ||
	    (vmcs_read32(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID))
		return false;
	vmcs_write(VMCS_ENTRY_INTR_INFO, 2 | INTR_TYPE_NMI | INTR_INFO_VALID);
	return true;
}

/*
 * An exit that came while the CPU delivered an event through the guest's
 * IDT (SDM 3C 27.2.4): its IDT-vectoring information names the event,
 * which the guest has not received. A host interrupt (a wake-up IPI from
 * another CPU, Keel's timer) or NMI can come so, also during virtual-
 * interrupt delivery, after the CPU moved the vector from VIRR to VISR
 * (30.2.2). Injected again at the next entry (26.6), as KVM does, the
 * guest gets it as if nothing had come between; dropped, it never runs
 * that handler (an IPI, a timer tick lost; with the vector in VISR, its
 * class blocked for good). Software interrupts and exceptions need their
 * instruction length again (27.2.5). True if there was one.
 */
bool vmx_redeliver(struct vcpu *v)
{
	uint32_t info = vmcs_read32(VMCS_IDT_VECTORING_INFO);
	unsigned type = (info >> 8) & 7;

	if (!(info & INTR_INFO_VALID))
		return false;
	/* Bit 12 is undefined here and reserved (0) in the entry field, as bits 30:13 (26.2.1.3). */
	vmcs_write(VMCS_ENTRY_INTR_INFO, info & (INTR_INFO_VALID | 0xfff));
	if (info & BIT(11))
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR, vmcs_read32(VMCS_IDT_VECTORING_ERROR));
	if (type == 4 || type == 5 || type == 6)
		vmcs_write(VMCS_ENTRY_INSTR_LEN, vmcs_read32(VMCS_EXIT_INSTR_LEN));
	v->redelivered++;
	return true;
}

void arch_vcpu_irq_window(struct vcpu *v, bool on)
{
	uint32_t proc = on ? v->arch.proc | CPU_INTR_WINDOW : v->arch.proc & ~CPU_INTR_WINDOW;

	if (proc != v->arch.proc && (vmx.ctl.proc_window_ok || !on)) {
		v->arch.proc = proc;
		vmcs_write(VMCS_PROC_CONTROLS, proc);
	}
}

/* The dispatcher of a vCPU whose timer count does not survive exits. */
static struct vcpu *exit_dispatch_rearm(struct vcpu *v)
{
	struct vcpu *next = vmx_exit_dispatch(v);

	arch_vcpu_set_timer(next, next->arch.timer_tsc);
	return next;
}

/*
 * The deadline the LAPIC timer was last armed with for a guest, ~0 once it
 * fired. Idle arms the timer too, for its own deadline, once per halt
 * (idle_halts counts them): after any halt, taken by the timer or ended
 * early by a wake-up IPI with idle's deadline still armed, ours is armed
 * again.
 */
static struct {
	uint64_t armed, idle_arms;
} lapic_timer[CPUS_MAX]; /* per host CPU (v->cpu); armed 0 stands for ~0: never armed */

/* pc: the CPU's struct percpu (v->arch.pc). */
static void set_lapic_timer(unsigned cpu, const struct percpu *pc, uint64_t tsc_deadline)
{
	uint64_t arms = pc->idle_halts;

	if (~tsc_deadline != lapic_timer[cpu].armed || arms != lapic_timer[cpu].idle_arms) {
		lapic_timer[cpu].armed = ~tsc_deadline;
		lapic_timer[cpu].idle_arms = arms;
		host_timer_arm(tsc_deadline);
	}
}

/* It fired: whatever deadline comes next (even the same, early one-shot count) is armed. */
struct vcpu *vmx_lapic_timer_exit(struct vcpu *v)
{
	lapic_timer[v->cpu].armed = 0;
	return sched_tick(v);
}

void arch_vcpu_set_timer(struct vcpu *v, uint64_t tsc_deadline)
{
	uint32_t pin = v->arch.pin & ~(uint32_t)PIN_PREEMPT_TIMER;
	uint64_t now, ticks;

	/* A ring-3 PV vCPU has no VMCS: the LAPIC timer preempts it. */
	if (v->vm->arch.depriv) {
		pv_timer_set(tsc_deadline);
		return;
	}
	if (vmx.lapic_timer) {
		set_lapic_timer(v->cpu, v->arch.pc, tsc_deadline);
		return;
	}
	/* Unavailable, or always on (set at setup). */
	if (vmx.ctl.pin & PIN_PREEMPT_TIMER || !vmx.ctl.preempt_timer)
		return;
	if (tsc_deadline != ~0ULL) {
		now = rdtsc();
		ticks = tsc_deadline > now ? (tsc_deadline - now) >> (vmx.caps.misc & 31) : 0;
		vmcs_write(VMCS_PREEMPTION_TIMER, ticks > 0xffffffff ? 0xffffffff : ticks);
		pin |= PIN_PREEMPT_TIMER;
	}
	if (pin != v->arch.pin) {
		v->arch.pin = pin;
		vmcs_write(VMCS_PIN_CONTROLS, pin);
		/* Saving the count is allowed only while the timer is on (SDM 3C 27.2.1.2). */
		if (vmx.ctl.save_timer)
			vmcs_write(VMCS_EXIT_CONTROLS, vmx.ctl.exit | (pin & PIN_PREEMPT_TIMER ?
								       EXIT_SAVE_PREEMPT_TIMER : 0));
	}
	/* hvm guests re-arm before every entry anyway (vcpu_before_entry). */
	if (!vmx.ctl.save_timer && !v->vm->hvm) {
		v->arch.timer_tsc = tsc_deadline;
		v->arch.exit_fn = tsc_deadline == ~0ULL ? vmx_exit_dispatch : exit_dispatch_rearm;
	}
}

/* The window opened: the before-entry hook injects what is pending. */
struct vcpu *exit_interrupt_window(struct vcpu *v)
{
	arch_vcpu_irq_window(v, false);
	return v;
}

/*
 * A deadline passed: the scheduler's (switch to another vCPU), or an hvm
 * guest's device deadline (the before-entry hook runs its devices).
 */
struct vcpu *exit_preemption_timer(struct vcpu *v)
{
	return sched_tick(v);
}
