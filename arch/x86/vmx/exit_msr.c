/* SPDX-License-Identifier: MIT */
/*
 * RDMSR/WRMSR of MSRs the bitmap traps. The rules are the MSR model's
 * (vmm/vmsr.c, host-tested); this applies what a write changed to the
 * VMCS and the vLAPIC. An MSR the model does not have is #GP, as on a CPU
 * without it. docs/msrs.md lists them.
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <keel/hvm.h>
#include <keel/vm.h>

static void apply(struct vcpu *v, int changed, const struct vmsr_ctx *c)
{
	if (changed & VMSR_CHG_TSC) {
		vmcs_write(VMCS_TSC_OFFSET, v->msr.tsc_offset);
		if (v->vm->hvm)
			vmx_lapic_tsc_moved(v);
	}
	if ((changed & VMSR_CHG_PAT) && vmx.ctl.pat)
		vmcs_write(VMCS_GUEST_IA32_PAT, v->msr.pat);
	if (changed & VMSR_CHG_EFER)
		vmcs_write(VMCS_GUEST_IA32_EFER, c->efer);
	if ((changed & VMSR_CHG_APIC) && v->vm->hvm) {
		vlapic_set_hw_enabled(hvm_lapic(v), v->msr.apic_base & APIC_BASE_EN);
		vlapic_set_x2apic(hvm_lapic(v), v->msr.apic_base & APIC_BASE_EXTD);
		if (hvm_lapic(v)->vapic) /* APIC-access page, controls, MSR bitmap follow */
			vmx_apicv_mode(v);
	}
}

/*
 * The x2APIC range and IA32_TSC_DEADLINE: the vLAPIC's, where the guest has
 * one. The MSR model has none of them, so they are looked for only once it
 * said #GP: the model's own MSRs pay nothing for them.
 */
static bool lapic_msr(struct vcpu *v, uint32_t msr)
{
	return ((msr >> 8) == 8 || msr == MSR_IA32_TSC_DEADLINE) && v->vm->hvm;
}

static void rdmsr_done(struct vcpu *v, uint64_t val)
{
	v->gpr.r[REG_RAX] = (uint32_t)val;
	v->gpr.r[REG_RDX] = val >> 32;
	vmx_skip_instruction();
}

/*
 * What the model refused: the vLAPIC's or #GP. Out of line and needing only
 * v, so that RDMSR's fast path keeps no more registers than before.
 */
static __attribute__((noinline, cold)) struct vcpu *rdmsr_not_model(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->gpr.r[REG_RCX];
	uint64_t val;

	if (lapic_msr(v, msr) && !vmx_lapic_rdmsr(v, msr, &val))
		rdmsr_done(v, val);
	else
		vmx_inject_exception(v, X86_GP, true, 0);
	return v;
}

struct vcpu *exit_rdmsr(struct vcpu *v)
{
	uint32_t msr = (uint32_t)v->gpr.r[REG_RCX];
	struct vmsr_ctx c = { 0 };
	uint64_t val;

	/* Only two reads need the live vCPU; the others stay cheap. */
	if (msr == MSR_IA32_TSC)
		c.host_tsc = rdtsc();
	else if (unlikely(msr == MSR_IA32_EFER))
		c.efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	if (vmsr_read(&v->msr, msr, &c, &val))
		return rdmsr_not_model(v);
	rdmsr_done(v, val);
	return v;
}

struct vcpu *exit_wrmsr(struct vcpu *v)
{
	uint64_t val = (uint32_t)v->gpr.r[REG_RAX] | v->gpr.r[REG_RDX] << 32;
	struct vmsr_ctx c = { .host_tsc = rdtsc(), .efer = vmcs_read(VMCS_GUEST_IA32_EFER),
			      .paging = vmcs_read(VMCS_GUEST_CR0) & CR0_PG };
	uint32_t msr = (uint32_t)v->gpr.r[REG_RCX];
	int changed = vmsr_write(&v->msr, msr, val, &c);

	if (changed < 0 && lapic_msr(v, msr))
		changed = vmx_lapic_wrmsr(v, msr, val);
	if (changed < 0) {
		vmx_inject_exception(v, X86_GP, true, 0);
		return v;
	}
	apply(v, changed, &c);
	vmx_skip_instruction();
	return v;
}
