/* SPDX-License-Identifier: MIT */
/*
 * A vCPU's x87/SSE/AVX state and XCR0 (arch/x86/fpu.c): the guest's own,
 * switched between vCPUs. The first arch_fpu_reset() turns CR4.OSXSAVE on
 * where the CPU has XSAVE (a second CPU would need it too).
 */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H

#include <stdint.h>

struct vcpu;

/* The state after FNINIT, with SSE exceptions masked (SDM 1 8.1.5, 10.2.3.1). */
void arch_fpu_reset(struct vcpu *v);
/* Before entering v: its state into the CPU, the previous owner's saved. */
void arch_fpu_switch(struct vcpu *v);
/* XSETBV done for v (the caller checked the value): in the CPU too if v's state is there. */
void arch_fpu_set_xcr0(struct vcpu *v, uint64_t xcr0);

#endif
