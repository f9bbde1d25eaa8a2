/* SPDX-License-Identifier: MIT */
/* Structure offsets for assembly, extracted by the Makefile (STYLE.md 4). */
#include <stddef.h>
#include <keel/vcpu.h>
#include "vmx/vmcs.h"

#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"->" #sym " %0\"" ::"i"(val))

void asm_offsets(void);
void asm_offsets(void)
{
	DEFINE(VCPU_GPR_END, offsetof(struct vcpu, gpr) + sizeof(struct gpr_regs));
	DEFINE(VCPU_HOST_STACK, offsetof(struct vcpu, host_stack));
	DEFINE(VCPU_EXIT_FN, offsetof(struct vcpu, arch.exit_fn));
	DEFINE(VCPU_LAUNCHED, offsetof(struct vcpu, arch.launched));
	DEFINE(VMCS_HOST_RSP_ENC, VMCS_HOST_RSP);
	DEFINE(VCPU_PV_FRAME, offsetof(struct vcpu, arch.pv));
	DEFINE(VCPU_PV_CR3, offsetof(struct vcpu, arch.pv_cr3));
}
