/* SPDX-License-Identifier: MIT */
/*
 * CPUID: the host's answer, minus what a guest must not see (VMX, SMX,
 * MONITOR, XSAVE/AVX until Keel switches XCR0, PMU, x2APIC), plus the
 * hypervisor bit and Keel's own leaves at 0x40000000 so a guest can
 * detect it. Leaf 0 and most others take the short path.
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <keel/abi.h>
#include <keel/vm.h>

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

static void filter(uint32_t leaf, struct cpuid_regs *c)
{
	switch (leaf) {
	case 1:
		c->ecx = (c->ecx & ~(uint32_t)L1_ECX_HIDE) | L1_ECX_HYPERVISOR;
		c->edx &= ~(uint32_t)L1_EDX_HIDE;
		/* One logical CPU, APIC ID 0 (Keel gives each guest one vCPU). */
		c->ebx = (c->ebx & 0xffff) | (1u << 16);
		break;
	case 7:
		c->ebx &= ~(uint32_t)L7_EBX_HIDE;
		c->ecx &= ~(uint32_t)L7_ECX_HIDE;
		c->edx = 0;
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

void vmx_guest_cpuid(uint32_t leaf, uint32_t sub, struct cpuid_regs *c)
{
	*c = cpuid(leaf, sub);
	filter(leaf, c);
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
		c = cpuid(leaf, (uint32_t)v->gpr.r[REG_RCX]);
		if (leaf != 0)
			filter(leaf, &c);
	}
	v->gpr.r[REG_RAX] = c.eax;
	v->gpr.r[REG_RBX] = c.ebx;
	v->gpr.r[REG_RCX] = c.ecx;
	v->gpr.r[REG_RDX] = c.edx;
	vmx_skip_instruction();
	return v;
}
