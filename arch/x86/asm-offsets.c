/* SPDX-License-Identifier: MIT */
/* Structure offsets for assembly, extracted by the Makefile (STYLE.md 4). */
#include <stddef.h>
#include <arch/percpu.h>
#include <keel/vcpu.h>
#include "vmx/vmcs.h"
#include "smp_tramp.h"

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
	DEFINE(PERCPU_PV_CURRENT, offsetof(struct percpu, pv_current));
	DEFINE(PERCPU_PV_STACK_TOP, offsetof(struct percpu, pv_stack_top));
	DEFINE(PERCPU_PV_USER_RSP, offsetof(struct percpu, pv_user_rsp));
	DEFINE(TRAMP_ENTRY, offsetof(struct smp_tramp_data, entry));
	DEFINE(TRAMP_PERCPU, offsetof(struct smp_tramp_data, percpu));
	DEFINE(TRAMP_STACK, offsetof(struct smp_tramp_data, stack));
	DEFINE(TRAMP_CR0, offsetof(struct smp_tramp_data, cr0));
	DEFINE(TRAMP_CR3, offsetof(struct smp_tramp_data, cr3));
	DEFINE(TRAMP_CR4, offsetof(struct smp_tramp_data, cr4));
	DEFINE(TRAMP_PAT, offsetof(struct smp_tramp_data, pat));
	DEFINE(TRAMP_PML4, offsetof(struct smp_tramp_data, pml4));
	DEFINE(TRAMP_EFER, offsetof(struct smp_tramp_data, efer));
	DEFINE(TRAMP_DATA_SIZE, sizeof(struct smp_tramp_data));
}
