/* SPDX-License-Identifier: MIT */
/*
 * CPUID: the model of vmm/cpuid.c (the host's answer minus what a guest
 * must not see, host-tested), plus the hypervisor leaves from 0x40000000
 * (cpuid_hv_leaf: Keel's own so a guest can detect it, then KVM's
 * signature). Leaf 0 takes the short path. Where the vCPU's state changes
 * an answer, it follows the vCPU: its MSRs (the APIC flag, the
 * CPUID limit, NX, x2APIC and TSC-deadline for vCPUs with a vLAPIC), its
 * CR4.OSXSAVE and XCR0.
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <keel/abi.h>
#include <keel/cpuid.h>
#include <keel/vm.h>
#include <keel/vmsr.h>

static struct cpuid_model model;

static struct cpuid_regs host_cpuid(uint32_t leaf, uint32_t sub)
{
	return cpuid(leaf, sub);
}

const struct cpuid_model *vmx_cpuid_model(void)
{
	if (!model.host)
		cpuid_model_init(&model, host_cpuid, vmx.ctl.proc & CPU_TSC_OFFSETTING);
	return &model;
}

static uint32_t basic_max(void)
{
	return vmx_cpuid_model()->basic_max;
}

/* Every leaf but the short path's and the hypervisor's: through the model. */
static struct cpuid_regs filtered(struct vcpu *v, uint32_t leaf, uint32_t sub, struct cpuid_regs c)
{
	struct cpuid_vcpu s = { .msr = &v->msr, .xcr0 = v->arch.xcr0, .apic_id = v->index };

	if (leaf == 1)
		s.osxsave = vmcs_read(VMCS_GUEST_CR4) & CR4_OSXSAVE;
	return cpuid_guest(&model, leaf, sub, c, &s);
}

/* The power-on view of a vCPU with a local APIC: what the MSR model and CR4 derive from. */
void vmx_guest_cpuid(uint32_t leaf, uint32_t sub, struct cpuid_regs *c)
{
	*c = cpuid_guest(vmx_cpuid_model(), leaf, sub, cpuid(leaf, sub), NULL);
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
		.mtrr = l1.edx & BIT(12),
		.tsc_adjust = l7.ebx & BIT(1),
		.x2apic = l1.ecx & BIT(21),
		.tsc_deadline = l1.ecx & BIT(24),
		.nx = x1.edx & BIT(20),
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
	if (basic_max() >= 7)
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

static struct vcpu *cpuid_answer(struct vcpu *v, struct cpuid_regs c)
{
	v->gpr.r[REG_RAX] = c.eax;
	v->gpr.r[REG_RBX] = c.ebx;
	v->gpr.r[REG_RCX] = c.ecx;
	v->gpr.r[REG_RDX] = c.edx;
	vmx_skip_instruction();
	return v;
}

/*
 * The leaves that are not the short path's, each a whole exit of its own
 * that exit_cpuid tail-calls: joined to the short path, their calls made
 * it save registers and shuffle the answer (make bench: CPUID 104 -> 112
 * once cpuid_hv_leaf was a call).
 */
static __attribute__((noinline)) struct vcpu *exit_cpuid_hv(struct vcpu *v, uint32_t leaf)
{
	return cpuid_answer(v, cpuid_hv_leaf(leaf));
}

static __attribute__((noinline)) struct vcpu *exit_cpuid_filtered(struct vcpu *v, uint32_t leaf)
{
	uint32_t sub = (uint32_t)v->gpr.r[REG_RCX];

	return cpuid_answer(v, filtered(v, leaf, sub, cpuid(leaf, sub)));
}

struct vcpu *exit_cpuid(struct vcpu *v)
{
	uint32_t leaf = (uint32_t)v->gpr.r[REG_RAX];

	if (unlikely(leaf - KEEL_CPUID_BASE < 0x10000000u))
		return exit_cpuid_hv(v, leaf);
	/* Leaf 0 is the host's unless MISC_ENABLE limits it. */
	if (leaf != 0 || unlikely(v->msr.misc_enable & MISC_LIMIT_CPUID))
		return exit_cpuid_filtered(v, leaf);
	return cpuid_answer(v, cpuid(0, 0));
}
