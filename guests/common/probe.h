/* SPDX-License-Identifier: MIT */
/*
 * Probing instructions that may fault, for hostile guests: the fault
 * handler (test guests: the IDT of guests/test/lib/probe.c; PV guests:
 * their fault entry) records the vector and error code and resumes at the
 * address the probe stored before it ran. No instruction length is
 * guessed: each probe names its own resume point. Header-only.
 *
 *	probe_vector = PROBE_NONE;
 *	__asm__ volatile(PROBE_BEGIN "rdmsr" PROBE_END
 *			 : "+a"(lo), "+d"(hi) : "c"(msr) : PROBE_CLOBBERS);
 *	vec = probe_vector;
 */
#ifndef PROBE_H
#define PROBE_H

#include <stdint.h>

#define PROBE_NONE (-1) /* the instruction completed */

/* R11 carries the resume address (label 1 after the instruction) into probe_resume. */
#define PROBE_BEGIN "lea 1f(%%rip), %%r11\n\tmov %%r11, probe_resume(%%rip)\n\t"
#define PROBE_END   "\n1:\tmovq $0, probe_resume(%%rip)"
#define PROBE_CLOBBERS "r11", "memory", "cc"

/*
 * PROBE_TRY("insn", : outputs : inputs : clobbers): one instruction as a
 * probe; evaluates to the vector it raised or PROBE_NONE.
 */
#define PROBE_TRY(insn, ...)                                                 \
	({                                                                   \
		probe_vector = PROBE_NONE;                                   \
		__asm__ volatile(PROBE_BEGIN insn PROBE_END __VA_ARGS__);    \
		probe_vector;                                                \
	})

extern volatile uint64_t probe_resume; /* where a fault resumes; 0: a fault is fatal */
extern volatile int probe_vector;      /* the last fault's vector, or PROBE_NONE */
extern volatile uint64_t probe_error;  /* its error code (0 if it has none) */
extern volatile uint64_t probe_cr2;    /* CR2 after a #PF */
extern volatile uint64_t probe_rip;    /* the RIP the fault's frame held */

/* Test guests: load the probe IDT in place of guest_init's (guests/test/lib/probe.c). */
void probe_init(void);

static inline int probe_rdmsr(uint32_t msr, uint64_t *val)
{
	uint32_t lo = 0, hi = 0;

	probe_vector = PROBE_NONE;
	__asm__ volatile(PROBE_BEGIN "rdmsr" PROBE_END : "+a"(lo), "+d"(hi) : "c"(msr)
			 : PROBE_CLOBBERS);
	*val = (uint64_t)hi << 32 | lo;
	return probe_vector;
}

static inline int probe_wrmsr(uint32_t msr, uint64_t val)
{
	probe_vector = PROBE_NONE;
	__asm__ volatile(PROBE_BEGIN "wrmsr" PROBE_END
			 : : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
			 : PROBE_CLOBBERS);
	return probe_vector;
}

#endif
