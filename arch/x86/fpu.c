/* SPDX-License-Identifier: MIT */
/*
 * x87/SSE/AVX state and XCR0 are the guest's own, and neither VMX nor a
 * ring-3 return switches them; Keel itself never touches them (general
 * registers only), so they change hands only when a different vCPU is
 * entered. A guest's XCR0 stays in the CPU through its exits (XGETBV does
 * not exit, and an exit costs nothing more). Where the CPU has XSAVE, the
 * switch saves and restores every component Keel offers any guest (SDM 1
 * 13.7, 13.8) with XCR0 opened to all of them for the moment: a component
 * one guest leaves out of its XCR0 is then restored in its init state, not
 * left holding the previous guest's registers. Without XSAVE: FXSAVE
 * (SDM 1 10.5.1).
 */
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <keel/cpuid.h>
#include <keel/string.h>
#include <keel/vcpu.h>

_Static_assert(VCPU_FPU_SIZE == XSAVE_MAX_SIZE, "the vCPU's XSAVE area holds what Keel offers");

static uint64_t save_mask; /* the components saved on a switch; 0 without XSAVE (every CPU's) */
static bool probed;

static void xsetbv(struct percpu *c, uint64_t val)
{
	if (val == c->fpu_xcr0)
		return;
	__asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
	c->fpu_xcr0 = val;
}

/*
 * CR4.OSXSAVE on (so that XSETBV, XSAVE and XRSTOR work and the VMCS host
 * CR4 has it), and the components Keel switches: those of XFEATURE_KEEL
 * the CPU has, as long as their area fits the vCPU's. The boot CPU probes
 * them first (it builds every vCPU); the APs are the same CPU model (their
 * VMX capabilities were checked) and only turn XSAVE on for themselves.
 */
static void fpu_init(struct percpu *c)
{
	struct cpuid_regs d;

	c->fpu_ready = true;
	if (!(cpuid(1, 0).ecx & BIT(26)) || cpuid(0, 0).eax < 0xd)
		return;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	__asm__ volatile("xgetbv" : "=a"(d.eax), "=d"(d.edx) : "c"(0));
	c->fpu_xcr0 = (uint64_t)d.edx << 32 | d.eax;
	if (!probed) {
		probed = true;
		d = cpuid(0xd, 0);
		save_mask = ((uint64_t)d.edx << 32 | d.eax) & XFEATURE_KEEL;
		if ((save_mask & XFEATURE_AVX512) != XFEATURE_AVX512)
			save_mask &= ~(uint64_t)XFEATURE_AVX512;
		xsetbv(c, save_mask);
		if (cpuid(0xd, 0).ebx > VCPU_FPU_SIZE) {
			save_mask &= XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX;
			xsetbv(c, save_mask);
		}
	}
	xsetbv(c, XFEATURE_X87 | XFEATURE_SSE);
}

void arch_fpu_cpu_init(void)
{
	struct percpu *c = this_cpu();

	if (!c->fpu_ready)
		fpu_init(c);
}

void arch_fpu_reset(struct vcpu *v)
{
	struct percpu *c = vcpu_cpu_init(v);

	if (!c->fpu_ready)
		fpu_init(c);
	/* A reset vCPU whose state is in the CPU: that state is dropped, the image loads next. */
	if (c->fpu_owner == v)
		c->fpu_owner = NULL;
	/* XSTATE_BV 0 in the header: XRSTOR puts every component in its init state. */
	memset(v->arch.fpu, 0, sizeof(v->arch.fpu));
	*(uint16_t *)&v->arch.fpu[0] = 0x037f;  /* FCW (what FXRSTOR loads) */
	*(uint32_t *)&v->arch.fpu[24] = 0x1f80; /* MXCSR (loaded by XRSTOR whatever XSTATE_BV) */
	v->arch.xcr0 = XCR0_POWER_ON;
}

void arch_fpu_forget(struct vcpu *v)
{
	if (v->arch.pc->fpu_owner == v)
		v->arch.pc->fpu_owner = NULL;
}

/*
 * XSAVE, XRSTOR and XSETBV take EDX:EAX and ignore the upper halves of RAX
 * and RDX (SDM vol. 2, XSAVE, XRSTOR, XSETBV): the mask goes in whole as RAX,
 * its high half as RDX. Split into two 32-bit values it kept four
 * registers busy and, with the per-CPU pointer, made each switch save and
 * restore RBX: the event round trip (two switches) cost 26 instructions
 * more than this (make bench: 2472 -> 2446 in a VM, 2180 -> 2154 in ring 3).
 */
void arch_fpu_switch(struct vcpu *v)
{
	struct percpu *c = v->arch.pc;
	struct vcpu *owner = c->fpu_owner;
	uint64_t mask = save_mask;

	if (owner == v)
		return;
	if (!mask) {
		if (owner)
			__asm__ volatile("fxsave64 %0" : "=m"(owner->arch.fpu));
		__asm__ volatile("fxrstor64 %0" : : "m"(v->arch.fpu));
		c->fpu_owner = v;
		return;
	}
	xsetbv(c, mask);
	if (owner)
		__asm__ volatile("xsave64 %0" : "=m"(owner->arch.fpu) : "a"(mask), "d"(mask >> 32));
	__asm__ volatile("xrstor64 %0" : : "m"(v->arch.fpu), "a"(mask), "d"(mask >> 32));
	xsetbv(c, v->arch.xcr0);
	c->fpu_owner = v;
}

void arch_fpu_set_xcr0(struct vcpu *v, uint64_t xcr0)
{
	v->arch.xcr0 = xcr0;
	if (v->arch.pc->fpu_owner == v)
		xsetbv(v->arch.pc, xcr0);
}
