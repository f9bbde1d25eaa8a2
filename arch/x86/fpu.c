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
#include <keel/cpuid.h>
#include <keel/string.h>
#include <keel/vcpu.h>

_Static_assert(VCPU_FPU_SIZE == XSAVE_MAX_SIZE, "the vCPU's XSAVE area holds what Keel offers");

static struct vcpu *fpu_owner; /* whose state is in the CPU now */
static uint64_t save_mask;     /* the components saved on a switch; 0 without XSAVE */
static uint64_t cpu_xcr0;      /* XCR0 as now in the CPU */
static bool ready;

static void xsetbv(uint64_t val)
{
	if (val == cpu_xcr0)
		return;
	__asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)));
	cpu_xcr0 = val;
}

/*
 * CR4.OSXSAVE on (so that XSETBV, XSAVE and XRSTOR work and the VMCS host
 * CR4 has it), and the components Keel switches: those of XFEATURE_KEEL
 * the CPU has, as long as their area fits the vCPU's.
 */
static void fpu_init(void)
{
	struct cpuid_regs d;

	ready = true;
	if (!(cpuid(1, 0).ecx & BIT(26)) || cpuid(0, 0).eax < 0xd)
		return;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	__asm__ volatile("xgetbv" : "=a"(d.eax), "=d"(d.edx) : "c"(0));
	cpu_xcr0 = (uint64_t)d.edx << 32 | d.eax;
	d = cpuid(0xd, 0);
	save_mask = ((uint64_t)d.edx << 32 | d.eax) & XFEATURE_KEEL;
	if ((save_mask & XFEATURE_AVX512) != XFEATURE_AVX512)
		save_mask &= ~(uint64_t)XFEATURE_AVX512;
	xsetbv(save_mask);
	if (cpuid(0xd, 0).ebx > VCPU_FPU_SIZE) {
		save_mask &= XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX;
		xsetbv(save_mask);
	}
	xsetbv(XFEATURE_X87 | XFEATURE_SSE);
}

void arch_fpu_reset(struct vcpu *v)
{
	if (!ready)
		fpu_init();
	/* A reset vCPU whose state is in the CPU: that state is dropped, the image loads next. */
	if (fpu_owner == v)
		fpu_owner = NULL;
	/* XSTATE_BV 0 in the header: XRSTOR puts every component in its init state. */
	memset(v->arch.fpu, 0, sizeof(v->arch.fpu));
	*(uint16_t *)&v->arch.fpu[0] = 0x037f;  /* FCW (what FXRSTOR loads) */
	*(uint32_t *)&v->arch.fpu[24] = 0x1f80; /* MXCSR (loaded by XRSTOR whatever XSTATE_BV) */
	v->arch.xcr0 = XCR0_POWER_ON;
}

void arch_fpu_switch(struct vcpu *v)
{
	uint32_t lo = (uint32_t)save_mask, hi = (uint32_t)(save_mask >> 32);

	if (fpu_owner == v)
		return;
	if (!save_mask) {
		if (fpu_owner)
			__asm__ volatile("fxsave64 %0" : "=m"(fpu_owner->arch.fpu));
		__asm__ volatile("fxrstor64 %0" : : "m"(v->arch.fpu));
		fpu_owner = v;
		return;
	}
	xsetbv(save_mask);
	if (fpu_owner)
		__asm__ volatile("xsave64 %0" : "=m"(fpu_owner->arch.fpu) : "a"(lo), "d"(hi));
	__asm__ volatile("xrstor64 %0" : : "m"(v->arch.fpu), "a"(lo), "d"(hi));
	xsetbv(v->arch.xcr0);
	fpu_owner = v;
}

void arch_fpu_set_xcr0(struct vcpu *v, uint64_t xcr0)
{
	v->arch.xcr0 = xcr0;
	if (fpu_owner == v)
		xsetbv(xcr0);
}
