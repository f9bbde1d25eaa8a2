/* SPDX-License-Identifier: MIT */
/* Exits that end a guest, or that need nothing but a fault or a count. */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <arch/host_timer.h>
#include <arch/smp.h>
#include <arch/vmx.h>
#include <drivers/intc.h>
#include <keel/printk.h>
#include <keel/hvm.h>
#include <keel/sched.h>
#include <keel/vm.h>

struct vcpu *exit_exception_nmi(struct vcpu *v)
{
	uint32_t info = vmcs_read32(VMCS_EXIT_INTR_INFO);

	/* Type 2 is an NMI that arrived while the guest ran: it was the host's. */
	if (((info >> 8) & 7) == 2) {
		vmx_redeliver(v);
		printk("vmx: host NMI during guest '%s'\n", v->vm->name);
		return v;
	}
	/* Only PV guests trap exceptions (arch_vcpu_trap_exceptions); #PF's address is the qualification. */
	if (vmx_pv_exception(v, info & 0xff, (info & BIT(11)) ? vmcs_read32(VMCS_EXIT_INTR_ERROR) : 0,
			     (info & 0xff) == X86_PF ? vmcs_read(VMCS_EXIT_QUALIFICATION) : 0))
		return v;
	vm_stop(v->vm, "unexpected exception exit, vector %u", info & 0xff);
}

/*
 * Keel's interrupts stay masked; with "acknowledge interrupt on exit" the
 * CPU has already taken the vector from the local APIC (SDM 3C 28.2.2), so
 * all that is left is the EOI. Keel's one source is its LAPIC timer: the
 * idle timer, which may fire after idle ended (arch/x86/idle.c), or, where
 * there is no VMX-preemption timer, the end of a slice or a device deadline
 * (vcpu_events.c). Any other: say so once.
 */
struct vcpu *exit_external_interrupt(struct vcpu *v)
{
	static bool reported;
	unsigned vector = vmcs_read32(VMCS_EXIT_INTR_INFO) & 0xff;

	vmx_redeliver(v); /* it may have come while the guest took an interrupt */

	/* Another CPU made a vCPU of this one's runnable (vmm/sched.c): time to look again. */
	if (vector == SMP_WAKE_VECTOR) {
		smp_wake_count(v->cpu);
		vmx_ept_shootdown_ack(v->cpu);
		lapic_eoi();
		return sched_tick(v);
	}
	/* Unreported: a posted-interrupt notification meant for a vCPU that ran here (posted.c). */
	if (!reported && vector != HOST_TIMER_VECTOR && vector != POSTED_NOTIFY_VECTOR) {
		reported = true;
		printk("vmx: host interrupt vector %u while guest '%s' ran (acknowledged)\n", vector,
		       v->vm->name);
	}
	lapic_eoi();
	if (vector == HOST_TIMER_VECTOR && vmx.lapic_timer)
		return vmx_lapic_timer_exit(v);
	return v;
}

/*
 * A triple fault puts the CPU in shutdown; a PC's chipset answers the
 * shutdown cycle with a reset, so an hvm guest reboots (after a report).
 * Other guests have no firmware to reboot into: they are stopped.
 */
struct vcpu *exit_triple_fault(struct vcpu *v)
{
	if (!v->vm->hvm)
		vm_stop(v->vm, "triple fault (the guest's own fault handling failed)");
	printk("keel: guest '%s': triple fault (the guest's own fault handling failed)\n",
	       v->vm->name);
	arch_vcpu_dump(v);
	hvm_request_reset(v->vm, "reset after a triple fault");
	return v;
}

struct vcpu *exit_hlt(struct vcpu *v)
{
	vmx_skip_instruction();
	if (!(vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF)) {
		if (v->vm->hvm && v->vm->nr_vcpus > 1)
			return hvm_halt_cli(v); /* a parked AP: INIT or NMI gets it out */
		vm_stop(v->vm, "halted with interrupts disabled");
	}
	if (v->vm->hvm)
		return hvm_halt(v);
	vm_stop(v->vm, "halted waiting for an interrupt that no device can raise");
}

/*
 * PAUSE (exiting only on guests with several vCPUs): the vCPU it waits for
 * may be queued. Not where each vCPU has a host CPU of its own (placed so
 * after the VMCS was built): the one it waits for runs, and PAUSE exiting
 * goes off at the first (again after a fresh VMCS).
 */
struct vcpu *exit_pause(struct vcpu *v)
{
	vmx_skip_instruction();
	if (v->vm->cpu_each) {
		v->arch.proc &= ~(uint32_t)CPU_PAUSE_EXITING;
		vmcs_write(VMCS_PROC_CONTROLS, v->arch.proc);
		return v;
	}
	sched_yield(v);
	return v;
}

struct vcpu *exit_vmx_instruction(struct vcpu *v)
{
	/* Keel offers no nested VMX: the guest gets the #UD of a CPU without it. */
	vmx_inject_exception(v, X86_UD, false, 0);
	return v;
}

/* INVD/WBINVD: guest memory is coherent write-back RAM, nothing to flush. */
struct vcpu *exit_skip_instruction(struct vcpu *v)
{
	vmx_skip_instruction();
	return v;
}

struct vcpu *exit_invalid_opcode(struct vcpu *v)
{
	vmx_inject_exception(v, X86_UD, false, 0);
	return v;
}

struct vcpu *exit_entry_failure_guest_state(struct vcpu *v)
{
	vm_stop(v->vm, "VM entry refused the guest state (qualification %lu)",
		vmcs_read(VMCS_EXIT_QUALIFICATION));
}

struct vcpu *exit_ept_misconfig(struct vcpu *v)
{
	vm_stop(v->vm, "EPT misconfiguration at 0x%lx (a Keel bug)",
		vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS));
}
