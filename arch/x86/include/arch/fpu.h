/* SPDX-License-Identifier: MIT */
/*
 * A vCPU's x87/SSE/AVX state and XCR0 (arch/x86/fpu.c): the guest's own,
 * switched between vCPUs. Each CPU turns CR4.OSXSAVE on where it has XSAVE
 * (the first arch_fpu_reset() or arch_fpu_cpu_init() there).
 */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H

#include <stdint.h>

struct vcpu;

/* The state after FNINIT, with SSE exceptions masked (SDM 1 8.1.5, 10.2.3.1). */
void arch_fpu_reset(struct vcpu *v);
/* This CPU's XSAVE set-up (CR4.OSXSAVE) before it runs its first vCPU. */
void arch_fpu_cpu_init(void);
/* v leaves its CPU before it ran there (arch_vcpu_move): the CPU no longer holds its state. */
void arch_fpu_forget(struct vcpu *v);
/* Before entering v: its state into the CPU, the previous owner's saved. */
void arch_fpu_switch(struct vcpu *v);
/* XSETBV done for v (the caller checked the value): in the CPU too if v's state is there. */
void arch_fpu_set_xcr0(struct vcpu *v, uint64_t xcr0);

#endif
