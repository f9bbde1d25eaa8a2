/* SPDX-License-Identifier: MIT */
/*
 * XSETBV always exits (SDM 3C 26.1.2). The CPU raised #UD before the exit
 * if CR4.OSXSAVE was clear (26.1.1: #UD has priority over the exit); the
 * check is made again here for CPUs or emulators that exit first. Then, as
 * XSETBV's description (SDM 2B) says: #GP(0) at CPL > 0, for any XCR but
 * XCR0, and for an XCR0 value the model refuses (vmm/cpuid.c: reserved or
 * unoffered bits, x87 clear, AVX without SSE, AVX-512 incomplete or without
 * AVX). A good value becomes the vCPU's XCR0, in the CPU at once.
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <arch/fpu.h>
#include <keel/cpuid.h>
#include <keel/vm.h>

struct vcpu *exit_xsetbv(struct vcpu *v)
{
	uint64_t val = (uint32_t)v->gpr.r[REG_RAX] | v->gpr.r[REG_RDX] << 32;
	unsigned cpl = (vmcs_read32(VMCS_GUEST_SS_AR) >> 5) & 3;

	if (!(vmcs_read(VMCS_GUEST_CR4) & CR4_OSXSAVE)) {
		vmx_inject_exception(v, X86_UD, false, 0);
		return v;
	}
	/* Virtual-8086 mode runs at CPL 3, and SS.DPL says so (SDM 3C 27.3.1.2). */
	if (cpl != 0 || (uint32_t)v->gpr.r[REG_RCX] != 0 ||
	    !cpuid_xcr0_valid(vmx_cpuid_model(), val)) {
		vmx_inject_exception(v, X86_GP, true, 0);
		return v;
	}
	arch_fpu_set_xcr0(v, val);
	vmx_skip_instruction();
	return v;
}
