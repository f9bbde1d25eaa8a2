/* SPDX-License-Identifier: MIT */
/* Entering a vCPU, switching between vCPUs, injecting events, reporting. */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <arch/vmx.h>
#include <arch/fpu.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/pv.h>
#include <keel/printk.h>
#include <keel/pv.h>
#include <keel/vm.h>

static void switch_msrs(struct vcpu *v, struct percpu *pc)
{
	struct vcpu *owner = pc->msrs_owner;

	if (owner == v)
		return;
	for (unsigned i = 0; i < VMX_SWITCHED_MSRS; i++) {
		if (owner)
			owner->arch.msrs[i] = rdmsr(vmx_switched_msrs[i]);
		wrmsr(vmx_switched_msrs[i], v->arch.msrs[i]);
	}
	pc->msrs_owner = v;
}

/*
 * Switching needs no VMCLEAR: a CPU keeps any number of VMCSs active, each
 * with its own launch state, and VMPTRLD only chooses the current one (SDM
 * 3C 25.1, 25.11.3). VMCLEAR is for moving a VMCS to another CPU. A
 * deprivileged PV vCPU has no VMCS.
 */
static inline void vmcs_load(struct vcpu *v, struct percpu *pc)
{
	uint8_t fail;

	if (pc->vmx_current == v)
		return;
	__asm__ volatile("vmptrld %1; setbe %0" : "=qm"(fail) : "m"(v->arch.vmcs_pa) : "cc", "memory");
	if (fail)
		panic("vmx: VMPTRLD failed for guest '%s'", v->vm->name);
	pc->vmx_current = v;
}

/* depriv first: a ring-3 vCPU (never any CPU's current VMCS) returns at once. */
void arch_vcpu_load(struct vcpu *v)
{
	if (!v->vm->arch.depriv)
		vmcs_load(v, v->arch.pc);
}

/*
 * v moves to CPU cpu (it runs there from now on). Called on the CPU that
 * built or last ran it, which VMCLEARs it: a VMCS may be active on one CPU
 * only, and VMCLEAR writes its cached state to memory and clears its launch
 * state, so the next entry, on the new CPU, is a VMLAUNCH (SDM 3C 25.1,
 * 25.11.3). Its state in this CPU's FPU and MSRs stays behind unless saved:
 * it has not run yet when the scheduler places it, so there is none.
 */
void arch_vcpu_move(struct vcpu *v, unsigned cpu)
{
	uint8_t fail;

	if (!v->vm->arch.depriv && v->arch.vmcs_pa) {
		__asm__ volatile("vmclear %1; setbe %0" : "=qm"(fail) : "m"(v->arch.vmcs_pa) : "cc", "memory");
		if (fail)
			panic("vmx: VMCLEAR failed for guest '%s'", v->vm->name);
		v->arch.launched = 0;
	}
	if (v->arch.pc->vmx_current == v)
		v->arch.pc->vmx_current = NULL;
	if (v->arch.pc->msrs_owner == v)
		panic("vmx: guest '%s' moved after it ran", v->vm->name);
	arch_fpu_forget(v);
	/*
	 * It never ran on the old CPU, which holds none of its EPT: only the
	 * CPUs of the VM's vCPUs may from now on (the old one if another of
	 * them stays there).
	 */
	v->cpu = cpu;
	v->vm->arch.ept_cpus = 0;
	for (unsigned i = 0; i < v->vm->nr_vcpus; i++)
		v->vm->arch.ept_cpus |= 1ULL << v->vm->vcpus[i].cpu;
	v->arch.pc = smp_percpu(cpu);
}

struct vcpu *arch_vcpu_current(void)
{
	return this_cpu()->vmx_current; /* on an exit path: GS is Keel's */
}

/*
 * v->arch.pc read once, and the VMCS load inline, its depriv test already
 * made: through arch_vcpu_load and a v->arch.pc load at each use, the
 * same-CPU event round trip (two switches) took 8 instructions more in a
 * VM, 4 in ring 3 (make bench: 2426 -> 2418, 2134 -> 2130).
 */
void arch_vcpu_run(struct vcpu *v)
{
	struct percpu *pc = v->arch.pc;

	if (v->vm->arch.depriv) {
		arch_fpu_switch(v);
		pv_enter(v);
	}
	vmcs_load(v, pc);
	/*
	 * Built on another CPU (the boot CPU builds every VM) and moved here:
	 * this CPU's host state, before its first entry here, which is a
	 * VMLAUNCH (arch_vcpu_move's VMCLEAR cleared the launch state).
	 */
	if (!v->arch.launched && v->arch.host_cpu != v->cpu)
		vmx_host_state_this_cpu(v);
	switch_msrs(v, pc);
	arch_fpu_switch(v);
	vmx_enter(v);
}

void arch_vcpu_get_frame(struct vcpu *v, uint64_t *rip, uint64_t *rsp, uint64_t *rflags)
{
	if (v->vm->arch.depriv) {
		*rip = v->arch.pv.rip, *rsp = v->arch.pv.rsp, *rflags = v->arch.pv.rflags;
		return;
	}
	*rip = vmcs_read(VMCS_GUEST_RIP);
	*rsp = vmcs_read(VMCS_GUEST_RSP);
	*rflags = vmcs_read(VMCS_GUEST_RFLAGS);
}

void arch_vcpu_set_frame(struct vcpu *v, uint64_t rip, uint64_t rsp, uint64_t rflags)
{
	if (v->vm->arch.depriv) {
		v->arch.pv.rip = rip, v->arch.pv.rsp = rsp, v->arch.pv.rflags = rflags;
		return;
	}
	vmcs_write(VMCS_GUEST_RIP, rip);
	vmcs_write(VMCS_GUEST_RSP, rsp);
	vmcs_write(VMCS_GUEST_RFLAGS, rflags);
}

/*
 * A PV guest in a VM has no IDT of its own: the exception goes to its fault
 * entry, as in ring 3, or it is stopped with a report (not a triple fault).
 */
bool vmx_pv_exception(struct vcpu *v, unsigned vector, uint32_t error, uint64_t address)
{
	if (!v->vm->pv)
		return false;
	if (!pv_bounce_fault(v, vector, error, address))
		vm_stop(v->vm, "exception %u (error 0x%x) at rip 0x%lx, and no fault entry", vector,
			error, vmcs_read(VMCS_GUEST_RIP));
	return true;
}

void vmx_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error)
{
	if (vmx_pv_exception(v, vector, has_error ? error : 0, 0))
		return;
	/* Interruption info: vector, type 3 (hardware exception), valid. */
	uint32_t info = vector | (3u << 8) | BIT(31);

	/* SDM 3C 26.2.1.3: no error code may be delivered in real mode. */
	if (has_error && (vmcs_read(VMCS_GUEST_CR0) & CR0_PE)) {
		info |= BIT(11);
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR, error);
	}
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
}

void vmcs_fail(const char *op, uint32_t field)
{
	panic("vmx: %s of VMCS field 0x%04x failed (instruction error %lu)", op, field,
	      vmcs_read(VMCS_VM_INSTRUCTION_ERROR));
}

void arch_vcpu_dump(struct vcpu *v)
{
	const uint64_t *r = v->gpr.r;

	if (v->vm->arch.depriv) {
		printk("  ring 3 (no VT-x): rip %04lx:%016lx rsp %016lx rflags %08lx\n", v->arch.pv.cs,
		       v->arch.pv.rip, v->arch.pv.rsp, v->arch.pv.rflags);
		printk("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", r[REG_RAX], r[REG_RBX],
		       r[REG_RCX], r[REG_RDX]);
		printk("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", r[REG_RSI], r[REG_RDI],
		       r[REG_RBP], r[REG_R8]);
		return;
	}
	printk("  exit reason %u (%s) qualification 0x%lx\n", vmcs_read32(VMCS_EXIT_REASON) & 0xffff,
	       exit_reason_name(vmcs_read32(VMCS_EXIT_REASON) & 0xffff),
	       vmcs_read(VMCS_EXIT_QUALIFICATION));
	printk("  guest-physical 0x%lx linear 0x%lx intr-info 0x%x idt-vectoring 0x%x instr-len %u\n",
	       vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS), vmcs_read(VMCS_GUEST_LINEAR_ADDRESS),
	       vmcs_read32(VMCS_EXIT_INTR_INFO), vmcs_read32(VMCS_IDT_VECTORING_INFO),
	       vmcs_read32(VMCS_EXIT_INSTR_LEN));
	printk("  rip %04x:%016lx rsp %016lx rflags %08lx\n", vmcs_read16(VMCS_GUEST_CS_SEL),
	       vmcs_read(VMCS_GUEST_RIP), vmcs_read(VMCS_GUEST_RSP), vmcs_read(VMCS_GUEST_RFLAGS));
	printk("  cr0 %08lx cr3 %016lx cr4 %08lx efer %lx\n", vmcs_read(VMCS_GUEST_CR0),
	       vmcs_read(VMCS_GUEST_CR3), vmcs_read(VMCS_GUEST_CR4), vmcs_read(VMCS_GUEST_IA32_EFER));
	printk("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", r[REG_RAX], r[REG_RBX], r[REG_RCX],
	       r[REG_RDX]);
	printk("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", r[REG_RSI], r[REG_RDI], r[REG_RBP],
	       r[REG_R8]);
	printk("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", r[REG_R9], r[REG_R10], r[REG_R11],
	       r[REG_R12]);
	printk("  r13 %016lx r14 %016lx r15 %016lx\n", r[REG_R13], r[REG_R14], r[REG_R15]);
}

/* VMfailValid/VMfailInvalid on VMLAUNCH/VMRESUME: bad controls or host state. */
void vmx_entry_failed(struct vcpu *v)
{
	printk("vmx: VM entry failed for guest '%s': instruction error %lu\n", v->vm->name,
	       vmcs_read(VMCS_VM_INSTRUCTION_ERROR));
	arch_vcpu_dump(v);
	panic("VM entry failed (host-side VMCS setup is wrong)");
}
