/* SPDX-License-Identifier: MIT */
/*
 * The exit dispatcher: a const table indexed by the basic exit reason
 * (STYLE.md 5). Handlers return the vCPU to resume; they advance RIP
 * themselves. Anything without a handler stops that guest, never Keel.
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <keel/hvm.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/vm.h>
#include <keel/vm_lock.h>

/*
 * Out of line and cold, and it reads the reason again itself: the hot path
 * then keeps nothing alive across a call and saves no registers for it.
 */
static __attribute__((noinline, cold)) struct vcpu *exit_unhandled(struct vcpu *v)
{
	unsigned reason = vmcs_read32(VMCS_EXIT_REASON) & 0xffff;

	vm_stop(v->vm, "unhandled VM exit %u (%s)", reason, exit_reason_name(reason));
}

/* The range is the default and the entries below override it, as intended. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
static exit_handler_fn *const exit_table[EXIT_REASONS_MAX] = {
	[0 ... EXIT_REASONS_MAX - 1] = exit_unhandled,
	[EXIT_EXCEPTION_NMI] = exit_exception_nmi,
	[EXIT_EXTERNAL_INTERRUPT] = exit_external_interrupt,
	[EXIT_TRIPLE_FAULT] = exit_triple_fault,
	[EXIT_CPUID] = exit_cpuid,
	[EXIT_GETSEC] = exit_invalid_opcode,
	[EXIT_INTERRUPT_WINDOW] = exit_interrupt_window,
	[EXIT_PREEMPTION_TIMER] = exit_preemption_timer,
	[EXIT_HLT] = exit_hlt,
	[EXIT_PAUSE] = exit_pause,
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
	[EXIT_XSETBV] = exit_xsetbv,
	[EXIT_TPR_BELOW_THRESHOLD] = exit_tpr_below_threshold,
	[EXIT_APIC_ACCESS] = exit_apic_access,
	[EXIT_EOI_INDUCED] = exit_eoi_induced,
	[EXIT_APIC_WRITE] = exit_apic_write,
};
#pragma GCC diagnostic pop

/*
 * Every exit goes into the vCPU's exit trace first (keel/exit_trace.h), so
 * the report of a guest stopped by any exit, handled or not, ends with it.
 * Qualification and RIP are read here for every exit rather than lazily by
 * the handlers that read them anyway: in instructions (Bochs ticks) a
 * VMREAD costs what the load of the trace slot's index in a handler would,
 * and lazy reading would leave entries without them. The record is about
 * 15 instructions (2 VMREADs, RDTSC, the slot, 5 stores); the table's
 * default entry and the cold unhandled path took 12 out (the NULL test,
 * the registers saved for a call), so an exit costs 3 more than before
 * the trace (docs/benchmarks.md).
 */
static inline __attribute__((always_inline)) struct vcpu *dispatch(struct vcpu *v, uint32_t reason)
{
	uint32_t tsc_lo, tsc_hi;

	rdtsc_halves(&tsc_lo, &tsc_hi);
	exit_trace_record(&v->trace, reason, vmcs_read(VMCS_EXIT_QUALIFICATION),
			  vmcs_read(VMCS_GUEST_RIP), tsc_lo, tsc_hi);
	if (unlikely(reason >= EXIT_REASONS_MAX))
		return exit_unhandled(v);
	v->exits[reason]++;
	return exit_table[reason](v);
}

struct vcpu *vmx_exit_dispatch(struct vcpu *v)
{
	return dispatch(v, vmcs_read32(VMCS_EXIT_REASON) & 0xffff);
}

/*
 * The armed deadline survives an entry that does not write it again: the
 * CPU saves the VMX-preemption timer's count on exit, or the LAPIC timer
 * (a TSC deadline) stands in for it, or there is no timer to write.
 */
static bool timer_holds(void)
{
	return vmx.ctl.save_timer || vmx.lapic_timer || !vmx.ctl.preempt_timer ||
	       (vmx.ctl.pin & PIN_PREEMPT_TIMER);
}

/* Exits that reach no device: CPUID, and RDMSR (the vLAPIC's MSRs are only read). */
static bool exit_reaches_no_device(uint32_t reason)
{
	return reason == EXIT_CPUID || reason == EXIT_RDMSR;
}

/*
 * Exits that may have moved a device deadline without an access that marks
 * the device (vmm/hvm_events.c): MSR writes (x2APIC, TSC deadline, APIC
 * base, the TSC) and HLT. Port I/O and MMIO to the timers mark them.
 */
static bool exit_may_move_deadline(uint32_t reason)
{
	return reason == EXIT_WRMSR || reason == EXIT_HLT;
}

/*
 * The exit entry of hvm guests: their devices may have interrupts or
 * deadlines to deliver before the next entry. Chosen per vCPU, so other
 * guests do not pay for the check.
 *
 * The fast path: an exit that reaches no device, when the last entry found
 * nothing pending (hvm_entry_unchanged), goes straight to the dispatcher:
 * the check would find what it found last time, and the armed timer holds
 * (a deadline that comes meanwhile exits the guest as soon as it is
 * entered). CPUID and RDMSR return the vCPU they were given, so no switch
 * can follow them. Such exits are counted but not timed (vcpu_print_stats):
 * two RDTSCs and the sum were a quarter of their cost. make bench: hvm
 * CPUID 319 -> 116.
 */
static __attribute__((noinline)) struct vcpu *exit_dispatch_hvm_full(struct vcpu *v,
									uint32_t reason)
{
	uint64_t t0 = rdtsc();
	struct vcpu *next;

	/* What the CPU did to the virtual-APIC page flows back first (vlapic_apicv.c). */
	if (hvm_lapic(v)->vapic)
		vmx_apicv_pull(v);
	next = dispatch(v, reason);

	vcpu_before_entry(next, exit_may_move_deadline(reason));
	/* Host ticks per exit reason: the cost of emulating this guest. */
	if (reason < EXIT_REASONS_MAX) {
		v->exit_ticks[reason] += rdtsc() - t0;
		v->exits_timed[reason]++;
	}
	return next;
}

/*
 * The full path out of line: the fast one then saves no registers. Both
 * dispatch the reason read here, not read again (4 instructions).
 */
struct vcpu *vmx_exit_dispatch_hvm(struct vcpu *v)
{
	uint32_t reason = vmcs_read32(VMCS_EXIT_REASON) & 0xffff;

	if (exit_reaches_no_device(reason) && hvm_entry_unchanged(v) && timer_holds())
		return dispatch(v, reason);
	return exit_dispatch_hvm_full(v, reason);
}

/*
 * The exit entry of a vCPU whose guest runs on several host CPUs (split,
 * keel/vm_lock.h). Everything but the CPUID fast path runs under the
 * guest's lock, taken here and released before the entry (a switch from
 * a handler releases it on its way, in the scheduler). A vCPU another CPU
 * kicked (hvm_smp.c) takes back its kick first, so a later one sends a
 * new IPI; the kicker cleared its idle flag, so the fast path is not
 * taken past what was sent. A guest another vCPU stopped meanwhile is
 * left here: this vCPU is out of its run queue already (vm_stop).
 */
struct vcpu *vmx_exit_dispatch_hvm_split(struct vcpu *v)
{
	uint32_t reason = vmcs_read32(VMCS_EXIT_REASON) & 0xffff;
	struct vcpu *next;

	__atomic_store_n(&hvm_cpu(v)->kicked, false, __ATOMIC_SEQ_CST);
	if (reason == EXIT_CPUID && hvm_entry_unchanged(v) && timer_holds())
		return dispatch(v, reason);
	vm_lock(v->vm);
	if (v->vm->state == VM_STOPPED)
		sched_exit(v);
	next = exit_dispatch_hvm_full(v, reason);
	vm_unlock_cpu();
	return next;
}
