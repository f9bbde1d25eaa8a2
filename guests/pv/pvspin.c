/* SPDX-License-Identifier: MIT */
/*
 * pvspin: a CPU-bound PV guest that makes no hypercall between its
 * progress lines, so only a timer can take the CPU from it (in ring 3, the
 * host's LAPIC timer). It watches the TSC: a gap far longer than one loop
 * iteration means another guest ran meanwhile, and it reports how often
 * that happened. Ends with status 0.
 */
#include <inttypes.h>
#include <keel_pv.h>
#include <stdio.h>

#define ROUNDS 6
#define ITERS  2000000
/* Far longer than an iteration, even emulated, and far shorter than a 10 ms slice. */
#define GAP_NS 1000000

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t rflags(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; pop %0" : "=r"(f));
	return f;
}

int main(int argc, char **argv)
{
	uint64_t t0 = keel_time_ns(), gaps = 0, longest = 0, sum = 0, last;
	/* TSC ticks per GAP_NS, from Keel's clock: the TSC rate is not in CPUID everywhere. */
	uint64_t gap_ticks, tsc0 = rdtsc();

	(void)argc;
	while (keel_time_ns() - t0 < GAP_NS)
		;
	gap_ticks = rdtsc() - tsc0;
	printf("%s: started, RFLAGS.IF = %d\n", argv[0], (int)(rflags() >> 9 & 1));
	last = rdtsc();
	for (unsigned r = 1; r <= ROUNDS; r++) {
		for (unsigned i = 0; i < ITERS; i++) {
			uint64_t t = rdtsc();

			if (t - last > gap_ticks) {
				gaps++;
				if (t - last > longest)
					longest = t - last;
			}
			last = t;
			sum += t ^ i;
		}
		printf("%s: round %u of %u\n", argv[0], r, ROUNDS);
		last = rdtsc(); /* the line's own hypercall is not someone else's turn */
	}
	printf("%s: done, preempted %" PRIu64 " times, longest %" PRIu64 " us (sum %" PRIx64 ")\n",
	       argv[0], gaps, longest * GAP_NS / gap_ticks / 1000, sum & 0xff);
	return 0;
}
