/* SPDX-License-Identifier: MIT */
/* Shared by the ways into and out of ring 3 (arch/x86/pv/). */
#ifndef PV_PRIV_H
#define PV_PRIV_H

#include <stdint.h>
#include <arch/cpu.h>
#include <arch/percpu.h>
#include <keel/vcpu.h>

struct trap_frame;
struct vcpu;

extern uint64_t pv_keel_cr3; /* Keel's own page tables (pv_entry.S) */

/* The vCPU that was in ring 3 on this CPU (after trap_common's SWAPGS: GS is Keel's). */
static inline struct vcpu *pv_current(void)
{
	struct vcpu *v;

	__asm__("mov %%gs:%c1, %0" : "=r"(v) : "i"(__builtin_offsetof(struct percpu, pv_current)));
	return v;
}

/* Keep what a trap or interrupt from ring 3 pushed as v's state: its GPRs and IRETQ frame. */
void pv_save_frame(struct vcpu *v, const struct trap_frame *f);

/* Keep a way back from ring 3 in v's exit trace, as the VMX dispatcher keeps an exit. */
static inline void pv_trace(struct vcpu *v, unsigned reason, uint64_t qual, uint64_t rip)
{
	uint32_t lo, hi;

	rdtsc_halves(&lo, &hi);
	exit_trace_record(&v->trace, reason, qual, rip, lo, hi);
}

#endif
