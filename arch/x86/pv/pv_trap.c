/* SPDX-License-Identifier: MIT */
/*
 * A deprivileged PV guest's ways back into Keel: SYSCALL (a hypercall) and
 * a CPU exception raised in ring 3. A fault goes to the guest's fault entry,
 * or stops that guest with a report; Keel and the other guests carry on.
 */
#include <arch/cpu.h>
#include <arch/desc.h>
#include <arch/pv.h>
#include <keel/hypercall.h>
#include <keel/printk.h>
#include <keel/pv.h>
#include <keel/vm.h>
#include "pv_priv.h"
#include "../vmx/exit_reason.h"

/* Exit statistics count faults as exception exits and hypercalls as VMCALLs, as in a VM. */


/*
 * Called from pv_syscall_entry with the guest's GPRs and its way back (RIP,
 * RFLAGS, RSP in arch.pv) saved and Keel's CR3 loaded.
 */
__attribute__((noreturn)) void pv_syscall(struct vcpu *v)
{
	uint64_t *r = v->gpr.r;

	pv_trace(v, EXIT_R3_SYSCALL, r[REG_RAX], r[REG_RCX] - 2); /* RIP of the 2-byte SYSCALL */
	v->exits[EXIT_VMCALL]++;
	r[REG_RAX] = hcall_dispatch(v);
	hcall_after(v);
	pv_enter(v);
}

static const char *const fault_names[32] = {
	[0] = "#DE divide error", [1] = "#DB debug", [3] = "#BP breakpoint", [4] = "#OF overflow",
	[5] = "#BR bound", [6] = "#UD invalid opcode", [7] = "#NM no FPU",
	[11] = "#NP segment not present", [12] = "#SS stack fault",
	[13] = "#GP general protection", [14] = "#PF page fault", [16] = "#MF x87 error",
	[17] = "#AC alignment", [19] = "#XM SIMD error",
};

/*
 * An exception in ring 3 (trap_handler sends it here): to the guest's fault
 * entry if it registered one, else the guest is stopped.
 */
__attribute__((noreturn)) void pv_trap(struct trap_frame *f)
{
	struct vcpu *v = pv_current();
	const char *name = f->vector < 32 && fault_names[f->vector] ? fault_names[f->vector] :
								      "exception";

	write_cr3(pv_keel_cr3);
	pv_save_frame(v, f);
	pv_trace(v, EXIT_R3_EXCEPTION + (unsigned)f->vector, f->vector == 14 ? read_cr2() : f->error,
		 f->rip);
	/* An NMI is the host's, not the guest's doing: note it and resume the guest. */
	if (f->vector == 2) {
		printk("pv: host NMI while guest '%s' ran\n", v->vm->name);
		pv_enter(v);
	}
	v->exits[EXIT_EXCEPTION_NMI]++;
	if (pv_bounce_fault(v, (unsigned)f->vector, f->error, f->vector == 14 ? read_cr2() : 0))
		pv_enter(v);
	if (f->vector == 14)
		vm_stop(v->vm, "%s at rip 0x%lx: %s of 0x%lx, not its memory or not allowed "
			"(error 0x%lx)", name, f->rip, f->error & 2 ? "write" : "read", read_cr2(),
			f->error);
	vm_stop(v->vm, "%s at rip 0x%lx (error 0x%lx)", name, f->rip, f->error);
}
