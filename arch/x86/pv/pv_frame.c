/* SPDX-License-Identifier: MIT */
/* A ring-3 vCPU's state from the frame trap_common built (arch/x86/traps.S). */
#include <arch/desc.h>
#include <keel/vcpu.h>
#include "pv_priv.h"

void pv_save_frame(struct vcpu *v, const struct trap_frame *f)
{
	uint64_t *r = v->gpr.r;

	r[REG_RAX] = f->rax, r[REG_RCX] = f->rcx, r[REG_RDX] = f->rdx, r[REG_RBX] = f->rbx;
	r[REG_RBP] = f->rbp, r[REG_RSI] = f->rsi, r[REG_RDI] = f->rdi, r[REG_R8] = f->r8;
	r[REG_R9] = f->r9, r[REG_R10] = f->r10, r[REG_R11] = f->r11, r[REG_R12] = f->r12;
	r[REG_R13] = f->r13, r[REG_R14] = f->r14, r[REG_R15] = f->r15;
	v->arch.pv = (struct pv_frame){ f->rip, f->cs, f->rflags, f->rsp, f->ss };
}
