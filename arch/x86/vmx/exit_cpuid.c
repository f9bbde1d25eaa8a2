/* SPDX-License-Identifier: MIT */
/*
 * CPUID: the host's answer, minus what a guest must not see (VMX, SMX,
 * MONITOR, XSAVE/AVX until Keel switches XCR0, PMU, x2APIC), plus the
 * hypervisor bit and Keel's own leaves at 0x40000000 so a guest can
 * detect it. Leaf 0 and most others take the short path. Where an MSR of
 * the vCPU's model (vmm/vmsr.c) changes what CPUID reports, the answer
 * follows the vCPU's MSRs: the APIC flag, the CPUID limit, NX.
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <keel/abi.h>
#include <keel/vm.h>
#include <keel/vmsr.h>

/*
 * Leaf 1: features whose MSRs or instructions Keel does not virtualise. A
 * guest that sees them touches those MSRs with plain RDMSR/WRMSR (Linux
 * reads IA32_MCG_CAP if MCA is set, for one) and would take a #GP.
 */
#define L1_EDX_HIDE (BIT(7) /* MCE */ | BIT(14) /* MCA */ | BIT(21) /* DS */ | \
		     BIT(22) /* ACPI thermal */ | BIT(29) /* TM */ | BIT(31) /* PBE */)
#define L1_ECX_HIDE (BIT(2) /* DTES64 */ | BIT(4) /* DS-CPL */ | BIT(7) /* EST */ | \
		     BIT(8) /* TM2 */ | BIT(14) /* xTPR */ | \
		     BIT(3) /* MONITOR */ | BIT(5) /* VMX */ | BIT(6) /* SMX */ | \
		     BIT(15) /* PDCM */ | BIT(21) /* x2APIC */ | BIT(24) /* TSC deadline */ | \
		     BIT(26) /* XSAVE */ | BIT(27) /* OSXSAVE */ | BIT(28) /* AVX */)
#define L1_ECX_HYPERVISOR BIT(31)
#define L1_EDX_APIC BIT(9)
#define L1_EDX_MTRR BIT(12) /* the MTRRs are Keel's (vmsr_mtrr.c), whatever the host has */
#define L7_EBX_TSC_ADJUST BIT(1) /* IA32_TSC_ADJUST is Keel's (vmsr.c) */
#define X1_EDX_NX BIT(20)
/* Leaf 7 EBX: AVX2, AVX-512 family, MPX, Intel PT, SGX, RTM/HLE. */
#define L7_EBX_HIDE (BIT(2) | BIT(4) | BIT(5) | BIT(11) | BIT(14) | BIT(16) | BIT(17) | \
		     BIT(21) | BIT(25) | BIT(26) | BIT(27) | BIT(28) | BIT(30) | BIT(31))
#define L7_ECX_HIDE (BIT(1) | BIT(5) /* WAITPKG */ | BIT(6) | BIT(7) /* CET shadow stacks */ | \
		     BIT(11) | BIT(12) | BIT(14))

static struct cpuid_regs keel_leaf(uint32_t leaf)
{
	switch (leaf) {
	case KEEL_CPUID_BASE:
		return (struct cpuid_regs){ KEEL_CPUID_FEATURES, KEEL_CPUID_SIG_EBX,
					    KEEL_CPUID_SIG_ECX, KEEL_CPUID_SIG_EDX };
	case KEEL_CPUID_FEATURES:
		return (struct cpuid_regs){ KEEL_ABI_VERSION, 0, 0, 0 };
	default:
		return (struct cpuid_regs){ 0, 0, 0, 0 };
	}
}

/* The host's highest basic leaf; leaf 7 is only ours to amend if it exists. */
static uint32_t basic_max(void)
{
	static uint32_t max;

	if (!max)
		max = cpuid(0, 0).eax;
	return max;
}

/*
 * m: the vCPU's MSRs, or NULL for the model's power-on view. Leaf 7 EDX
 * (speculation control and more) stays 0, so IA32_SPEC_CTRL, PRED_CMD,
 * FLUSH_CMD and ARCH_CAPABILITIES do not exist and are #GP (docs/msrs.md).
 */
static void filter(uint32_t leaf, uint32_t sub, struct cpuid_regs *c, const struct vmsr *m)
{
	switch (leaf) {
	case 0: /* Vol. 4 IA32_MISC_ENABLE[22]: limit CPUID maxval to 2 */
		if (m && (m->misc_enable & MISC_LIMIT_CPUID) && c->eax > 2)
			c->eax = 2;
		break;
	case 1:
		c->ecx = (c->ecx & ~(uint32_t)L1_ECX_HIDE) | L1_ECX_HYPERVISOR;
		c->edx = (c->edx & ~(uint32_t)L1_EDX_HIDE) | L1_EDX_MTRR;
		/* SDM 3A 11.4.3: a globally disabled APIC clears the APIC flag. */
		if (m && !(m->apic_base & APIC_BASE_EN))
			c->edx &= ~(uint32_t)L1_EDX_APIC;
		/* One logical CPU, APIC ID 0 (Keel gives each guest one vCPU). */
		c->ebx = (c->ebx & 0xffff) | (1u << 16);
		break;
	case 7:
		c->ebx &= ~(uint32_t)L7_EBX_HIDE;
		c->ecx &= ~(uint32_t)L7_ECX_HIDE;
		c->edx = 0;
		if (sub == 0 && basic_max() >= 7 && (vmx.ctl.proc & CPU_TSC_OFFSETTING))
			c->ebx |= L7_EBX_TSC_ADJUST;
		break;
	case 0x80000001: /* Vol. 4 IA32_MISC_ENABLE[34]: XD disabled hides NX */
		if (m && (m->misc_enable & MISC_XD_DISABLE))
			c->edx &= ~(uint32_t)X1_EDX_NX;
		break;
	case 0x15: /* TSC/crystal ratio and frequencies: guests calibrate against */
	case 0x16: /* the emulated PIT instead (Bochs's values are not its rate)   */
	case 0x6: /* no thermal/power management MSRs */
	case 0xa: /* no virtual PMU */
	case 0xd: /* no XSAVE state until XCR0 is switched per guest */
		*c = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	}
}

/* By value, so that the CPUID exit keeps its registers out of memory on leaf 0. */
static __attribute__((noinline)) struct cpuid_regs filtered(uint32_t leaf, uint32_t sub,
							    struct cpuid_regs c,
							    const struct vmsr *m)
{
	filter(leaf, sub, &c, m);
	return c;
}

void vmx_guest_cpuid(uint32_t leaf, uint32_t sub, struct cpuid_regs *c)
{
	*c = cpuid(leaf, sub);
	filter(leaf, sub, c, NULL);
}

/* The CPU the MSR model emulates, as the guest's CPUID describes it. Worked out once. */
const struct vmsr_cpu *vmx_guest_msr_cpu(void)
{
	static struct vmsr_cpu m;
	struct cpuid_regs l1, l7 = { 0, 0, 0, 0 }, x1 = { 0, 0, 0, 0 }, x8 = { 36, 0, 0, 0 };
	uint32_t xmax;

	if (m.maxphyaddr)
		return &m;
	vmx_guest_cpuid(1, 0, &l1);
	if (basic_max() >= 7)
		vmx_guest_cpuid(7, 0, &l7);
	xmax = cpuid(0x80000000, 0).eax;
	if (xmax >= 0x80000001)
		vmx_guest_cpuid(0x80000001, 0, &x1);
	if (xmax >= 0x80000008)
		vmx_guest_cpuid(0x80000008, 0, &x8);
	m = (struct vmsr_cpu){
		.pat = l1.edx & BIT(16),
		.mtrr = l1.edx & L1_EDX_MTRR,
		.tsc_adjust = l7.ebx & L7_EBX_TSC_ADJUST,
		.x2apic = l1.ecx & BIT(21),
		.nx = x1.edx & X1_EDX_NX,
		.lm = x1.edx & BIT(29),
		.tsc_writable = vmx.ctl.proc & CPU_TSC_OFFSETTING,
	};
	m.maxphyaddr = (uint8_t)x8.eax ? (uint8_t)x8.eax : 36; /* set last: the "done" flag */
	return &m;
}

/*
 * The CR4 bits a guest may set: those whose feature its CPUID shows (SDM 3A
 * 2.5: a bit for a feature the CPU lacks is reserved, and setting it is a
 * #GP). Never VMXE or SMXE: VMX and SMX are hidden. Worked out once.
 */
uint64_t vmx_guest_cr4_allowed(void)
{
	static uint64_t allowed;
	struct cpuid_regs l1, l7 = { 0, 0, 0, 0 };

	if (allowed)
		return allowed;
	vmx_guest_cpuid(1, 0, &l1);
	if (cpuid(0, 0).eax >= 7)
		vmx_guest_cpuid(7, 0, &l7);
	allowed = BIT(8) /* PCE */ |
		  (l1.edx & BIT(1) ? BIT(0) | BIT(1) : 0) /* VME, PVI */ |
		  (l1.edx & BIT(4) ? BIT(2) : 0) /* TSD */ | (l1.edx & BIT(2) ? BIT(3) : 0) /* DE */ |
		  (l1.edx & BIT(3) ? BIT(4) : 0) /* PSE */ | (l1.edx & BIT(6) ? BIT(5) : 0) /* PAE */ |
		  (l1.edx & BIT(7) ? BIT(6) : 0) /* MCE */ | (l1.edx & BIT(13) ? BIT(7) : 0) /* PGE */ |
		  (l1.edx & BIT(24) ? BIT(9) : 0) /* OSFXSR */ |
		  (l1.edx & BIT(25) ? BIT(10) : 0) /* OSXMMEXCPT */ |
		  (l7.ecx & BIT(2) ? BIT(11) : 0) /* UMIP */ | (l7.ecx & BIT(16) ? BIT(12) : 0) /* LA57 */ |
		  (l7.ebx & BIT(0) ? BIT(16) : 0) /* FSGSBASE */ |
		  (l1.ecx & BIT(17) ? BIT(17) : 0) /* PCIDE */ |
		  (l1.ecx & BIT(26) ? BIT(18) : 0) /* OSXSAVE */ |
		  (l7.ebx & BIT(7) ? BIT(20) : 0) /* SMEP */ | (l7.ebx & BIT(20) ? BIT(21) : 0) /* SMAP */ |
		  (l7.ecx & BIT(3) ? BIT(22) : 0) /* PKE */;
	return allowed;
}

struct vcpu *exit_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->gpr.r[REG_RAX];
	struct cpuid_regs c;

	if (unlikely(leaf - KEEL_CPUID_BASE < 0x10000000u)) {
		c = keel_leaf(leaf);
	} else {
		uint32_t sub = (uint32_t)v->gpr.r[REG_RCX];

		c = cpuid(leaf, sub);
		/* Leaf 0 is the host's unless MISC_ENABLE limits it. */
		if (leaf != 0 || unlikely(v->msr.misc_enable & MISC_LIMIT_CPUID))
			c = filtered(leaf, sub, c, &v->msr);
	}
	v->gpr.r[REG_RAX] = c.eax;
	v->gpr.r[REG_RBX] = c.ebx;
	v->gpr.r[REG_RCX] = c.ecx;
	v->gpr.r[REG_RDX] = c.edx;
	vmx_skip_instruction();
	return v;
}
