/* SPDX-License-Identifier: MIT */
/*
 * RDMSR/WRMSR of MSRs the bitmap traps. A few are emulated; any other MSR
 * gets the #GP a CPU without it would raise (SDM Vol. 4 lists them).
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <keel/vm.h>

#define MSR_IA32_TSC          0x010
#define MSR_IA32_PLATFORM_ID  0x017
#define MSR_IA32_APIC_BASE    0x01b
#define MSR_IA32_BIOS_SIGN_ID 0x08b
#define MSR_IA32_MTRRCAP      0x0fe
#define MSR_IA32_MISC_ENABLE  0x1a0
#define MSR_IA32_MTRR_DEF     0x2ff

#define APIC_BASE_DEFAULT (0xfee00000ULL | BIT(11) /* enabled */ | BIT(8) /* BSP */)
/* Fast strings; no branch-trace store, no PEBS. */
#define MISC_ENABLE_DEFAULT (BIT(0) | BIT(11) | BIT(12))
#define EFER_WRITABLE (EFER_SCE | EFER_LME | EFER_NXE)

static bool pat_valid(uint64_t pat)
{
	for (unsigned i = 0; i < 8; i++) {
		uint8_t t = pat >> (8 * i) & 0xff;

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* Returns false when the MSR does not exist here: the caller injects #GP. */
static bool msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	switch (msr) {
	case MSR_IA32_TSC:
		*val = rdtsc() + vmcs_read(VMCS_TSC_OFFSET);
		return true;
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_IA32_MTRRCAP:
		*val = 0;
		return true;
	case MSR_IA32_FEATURE_CONTROL:
		*val = FEATURE_CONTROL_LOCK; /* locked, VMX off: no nested VMX */
		return true;
	case MSR_IA32_APIC_BASE:
		*val = APIC_BASE_DEFAULT;
		return true;
	case MSR_IA32_MISC_ENABLE:
		*val = MISC_ENABLE_DEFAULT;
		return true;
	case MSR_IA32_PAT:
		*val = vmx.ctl.pat ? vmcs_read(VMCS_GUEST_IA32_PAT) : v->arch.pat;
		return true;
	case MSR_IA32_EFER:
		*val = vmcs_read(VMCS_GUEST_IA32_EFER);
		return true;
	}
	return false;
}

static bool msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	switch (msr) {
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_IA32_MISC_ENABLE:
		return true; /* accepted and ignored, as microcode loaders expect */
	case MSR_IA32_APIC_BASE:
		return val == APIC_BASE_DEFAULT; /* the APIC cannot move yet */
	case MSR_IA32_PAT:
		if (!pat_valid(val))
			return false;
		if (vmx.ctl.pat)
			vmcs_write(VMCS_GUEST_IA32_PAT, val);
		else
			v->arch.pat = val;
		return true;
	case MSR_IA32_EFER: {
		uint64_t old = vmcs_read(VMCS_GUEST_IA32_EFER);

		if (val & ~(EFER_WRITABLE | EFER_LMA))
			return false;
		/* LMA is the CPU's to set; LME may not change while paging is on. */
		if (((val ^ old) & EFER_LME) && (vmcs_read(VMCS_GUEST_CR0) & CR0_PG))
			return false;
		vmcs_write(VMCS_GUEST_IA32_EFER, (val & EFER_WRITABLE) | (old & EFER_LMA));
		return true;
	}
	}
	return false;
}

struct vcpu *exit_rdmsr(struct vcpu *v)
{
	uint64_t val;

	if (!msr_read(v, (uint32_t)v->gpr.r[REG_RCX], &val)) {
		vmx_inject_exception(v, X86_GP, true, 0);
		return v;
	}
	v->gpr.r[REG_RAX] = (uint32_t)val;
	v->gpr.r[REG_RDX] = val >> 32;
	vmx_skip_instruction();
	return v;
}

struct vcpu *exit_wrmsr(struct vcpu *v)
{
	uint64_t val = (uint32_t)v->gpr.r[REG_RAX] | v->gpr.r[REG_RDX] << 32;

	if (!msr_write(v, (uint32_t)v->gpr.r[REG_RCX], val)) {
		vmx_inject_exception(v, X86_GP, true, 0);
		return v;
	}
	vmx_skip_instruction();
	return v;
}
