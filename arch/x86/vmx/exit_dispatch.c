/* SPDX-License-Identifier: MIT */
/*
 * The exit dispatcher: a const table indexed by the basic exit reason
 * (STYLE.md 5). Handlers return the vCPU to resume; they advance RIP
 * themselves. Anything without a handler stops that guest, never Keel.
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <keel/printk.h>
#include <keel/vm.h>

static struct vcpu *exit_unhandled(struct vcpu *v, unsigned reason)
{
	vm_stop(v->vm, "unhandled VM exit %u (%s)", reason, exit_reason_name(reason));
}

static exit_handler_fn *const exit_table[EXIT_REASONS_MAX] = {
	[EXIT_EXCEPTION_NMI] = exit_exception_nmi,
	[EXIT_EXTERNAL_INTERRUPT] = exit_external_interrupt,
	[EXIT_TRIPLE_FAULT] = exit_triple_fault,
	[EXIT_CPUID] = exit_cpuid,
	[EXIT_GETSEC] = exit_invalid_opcode,
	[EXIT_INTERRUPT_WINDOW] = exit_interrupt_window,
	[EXIT_PREEMPTION_TIMER] = exit_preemption_timer,
	[EXIT_HLT] = exit_hlt,
	[EXIT_INVD] = exit_skip_instruction,
	[EXIT_WBINVD] = exit_skip_instruction,
	[EXIT_CR_ACCESS] = exit_cr_access,
	[EXIT_VMCALL] = exit_vmcall,
	[EXIT_VMCLEAR] = exit_vmx_instruction,
	[EXIT_VMLAUNCH] = exit_vmx_instruction,
	[EXIT_VMPTRLD] = exit_vmx_instruction,
	[EXIT_VMPTRST] = exit_vmx_instruction,
	[EXIT_VMREAD] = exit_vmx_instruction,
	[EXIT_VMRESUME] = exit_vmx_instruction,
	[EXIT_VMWRITE] = exit_vmx_instruction,
	[EXIT_VMXOFF] = exit_vmx_instruction,
	[EXIT_VMXON] = exit_vmx_instruction,
	[EXIT_INVEPT] = exit_vmx_instruction,
	[EXIT_INVVPID] = exit_vmx_instruction,
	[EXIT_VMFUNC] = exit_invalid_opcode,
	[EXIT_IO_INSTRUCTION] = exit_io,
	[EXIT_RDMSR] = exit_rdmsr,
	[EXIT_WRMSR] = exit_wrmsr,
	[EXIT_ENTRY_FAIL_GUEST_STATE] = exit_entry_failure_guest_state,
	[EXIT_MWAIT] = exit_invalid_opcode,
	[EXIT_MONITOR] = exit_invalid_opcode,
	[EXIT_EPT_VIOLATION] = exit_ept_violation,
	[EXIT_EPT_MISCONFIG] = exit_ept_misconfig,
	[EXIT_XSETBV] = exit_invalid_opcode,
};

struct vcpu *vmx_exit_dispatch(struct vcpu *v)
{
	uint32_t reason = vmcs_read32(VMCS_EXIT_REASON) & 0xffff;

	if (unlikely(reason >= EXIT_REASONS_MAX || !exit_table[reason]))
		return exit_unhandled(v, reason);
	v->exits[reason]++;
	return exit_table[reason](v);
}

/*
 * The exit entry of hvm guests: their devices may have interrupts or
 * deadlines to deliver before the next entry. Chosen per vCPU, so other
 * guests do not pay for the check.
 */
struct vcpu *vmx_exit_dispatch_hvm(struct vcpu *v)
{
	uint32_t reason = vmcs_read32(VMCS_EXIT_REASON) & 0xffff;
	uint64_t t0 = rdtsc();
	struct vcpu *next = vmx_exit_dispatch(v);

	vcpu_before_entry(next, reason == EXIT_IO_INSTRUCTION || reason == EXIT_EPT_VIOLATION ||
				      reason == EXIT_WRMSR || reason == EXIT_HLT);
	/* Host ticks per exit reason: the cost of emulating this guest. */
	if (reason < EXIT_REASONS_MAX)
		v->exit_ticks[reason] += rdtsc() - t0;
	return next;
}
