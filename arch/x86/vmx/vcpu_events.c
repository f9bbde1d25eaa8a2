/* SPDX-License-Identifier: MIT */
/*
 * Delivering external interrupts to a guest (SDM Vol. 3C 26.6 event
 * injection, 25.6.2 interrupt-window exiting) and waking Keel at a guest
 * deadline with the VMX-preemption timer (25.5.1), which counts down at
 * the TSC rate divided by 2^IA32_VMX_MISC[4:0].
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <arch/vmx.h>
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

void arch_vcpu_irq_window(struct vcpu *v, bool on)
{
	uint32_t proc = on ? v->arch.proc | CPU_INTR_WINDOW : v->arch.proc & ~CPU_INTR_WINDOW;

	if (proc != v->arch.proc && (vmx.ctl.proc_window_ok || !on)) {
		v->arch.proc = proc;
		vmcs_write(VMCS_PROC_CONTROLS, proc);
	}
}

void arch_vcpu_set_timer(struct vcpu *v, uint64_t tsc_deadline)
{
	uint32_t pin = v->arch.pin & ~(uint32_t)PIN_PREEMPT_TIMER;
	uint64_t now, ticks;

	if (vmx.ctl.pin & PIN_PREEMPT_TIMER || !vmx.ctl.preempt_timer)
		return; /* unavailable, or always on (set at setup) */
	if (tsc_deadline != ~0ULL) {
		now = rdtsc();
		ticks = tsc_deadline > now ? (tsc_deadline - now) >> (vmx.caps.misc & 31) : 0;
		vmcs_write(VMCS_PREEMPTION_TIMER, ticks > 0xffffffff ? 0xffffffff : ticks);
		pin |= PIN_PREEMPT_TIMER;
	}
	if (pin != v->arch.pin) {
		v->arch.pin = pin;
		vmcs_write(VMCS_PIN_CONTROLS, pin);
	}
}

/* The window opened: the before-entry hook injects what is pending. */
struct vcpu *exit_interrupt_window(struct vcpu *v)
{
	arch_vcpu_irq_window(v, false);
	return v;
}

/* A guest deadline passed; the before-entry hook runs the devices. */
struct vcpu *exit_preemption_timer(struct vcpu *v)
{
	return v;
}
