/* SPDX-License-Identifier: MIT */
/*
 * x87/SSE state is the guest's own and neither VMX nor a ring-3 return
 * switches it; Keel itself never touches it (general registers only), so
 * it only changes hands when a different vCPU is entered (FXSAVE image,
 * SDM 1 10.5.1).
 */
#include <arch/fpu.h>
#include <keel/string.h>
#include <keel/vcpu.h>

static struct vcpu *fpu_owner; /* whose state is in the CPU now */

void arch_fpu_reset(struct vcpu *v)
{
	/* A reset vCPU whose state is in the CPU: that state is dropped, the image loads next. */
	if (fpu_owner == v)
		fpu_owner = NULL;
	memset(v->arch.fpu, 0, sizeof(v->arch.fpu));
	*(uint16_t *)&v->arch.fpu[0] = 0x037f;  /* FCW */
	*(uint32_t *)&v->arch.fpu[24] = 0x1f80; /* MXCSR */
}

void arch_fpu_switch(struct vcpu *v)
{
	if (fpu_owner == v)
		return;
	if (fpu_owner)
		__asm__ volatile("fxsave64 %0" : "=m"(fpu_owner->arch.fpu));
	__asm__ volatile("fxrstor64 %0" : : "m"(v->arch.fpu));
	fpu_owner = v;
}
