/* SPDX-License-Identifier: MIT */
/*
 * Exit tracing: each vCPU keeps its last EXIT_TRACE_N exits (reason,
 * qualification, guest RIP, host TSC) in a ring, so the report of a stopped
 * guest, or Ctrl-A t, shows how it got there (vmm/exit_trace.c).
 */
#ifndef KEEL_EXIT_TRACE_H
#define KEEL_EXIT_TRACE_H

#include <stdint.h>

#define EXIT_TRACE_N 16 /* a power of two: the slot is the count masked */

/*
 * One array per field rather than an array of entries: every store in
 * exit_trace_record is then a single instruction with a scaled index. The
 * TSC is kept in the two halves RDTSC returns: joining them would cost
 * three instructions, a second store costs one.
 */
struct exit_trace {
	uint64_t count; /* exits recorded ever; the next goes to count % N */
	union {
		uint64_t v;
		uint32_t half[2]; /* low, high (x86 is little-endian) */
	} tsc[EXIT_TRACE_N];
	uint64_t qual[EXIT_TRACE_N];
	uint64_t rip[EXIT_TRACE_N];
	uint32_t reason[EXIT_TRACE_N]; /* 32 bits: a constant is then stored in one instruction */
};

struct exit_trace_entry {
	uint64_t seq; /* 1 for the vCPU's first exit */
	uint64_t tsc, qual, rip;
	unsigned reason;
};

/* On every exit: a handful of instructions, no branch. */
static inline void exit_trace_record(struct exit_trace *t, unsigned reason, uint64_t qual,
				     uint64_t rip, uint32_t tsc_lo, uint32_t tsc_hi)
{
	unsigned i = (unsigned)t->count++ & (EXIT_TRACE_N - 1);

	t->reason[i] = reason;
	t->qual[i] = qual;
	t->rip[i] = rip;
	t->tsc[i].half[0] = tsc_lo;
	t->tsc[i].half[1] = tsc_hi;
}

/* The recorded exits, oldest first, into out[EXIT_TRACE_N]; returns how many. */
unsigned exit_trace_read(const struct exit_trace *t, struct exit_trace_entry *out);

#endif
