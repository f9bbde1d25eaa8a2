/* SPDX-License-Identifier: MIT */
/* A vCPU's x87/SSE state (arch/x86/fpu.c): the guest's own, switched between vCPUs. */
#ifndef ARCH_FPU_H
#define ARCH_FPU_H

struct vcpu;

/* The state after FNINIT, with SSE exceptions masked (SDM 1 8.1.5, 10.2.3.1). */
void arch_fpu_reset(struct vcpu *v);
/* Before entering v: its state into the CPU, the previous owner's saved. */
void arch_fpu_switch(struct vcpu *v);

#endif
