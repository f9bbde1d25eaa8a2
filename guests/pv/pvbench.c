/* SPDX-License-Identifier: MIT */
/*
 * pvbench: the cost of a hypercall made the PV way, through the hypercall
 * page (call; mov; vmcall or syscall; ret), in ticks per round trip: min
 * and median of many. In Bochs one tick is one emulated instruction, so
 * these are instruction counts, deterministic from run to run.
 */
#include <keel_pv.h>
#include <stdio.h>

#define ITERS 301

static uint64_t samples[ITERS];

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static uint64_t median(void)
{
	for (unsigned i = 1; i < ITERS; i++) {
		uint64_t v = samples[i];
		unsigned j = i;

		for (; j && samples[j - 1] > v; j--)
			samples[j] = samples[j - 1];
		samples[j] = v;
	}
	return samples[ITERS / 2];
}

#define BENCH(name, ...)                                                                  \
	do {                                                                             \
		uint64_t min = UINT64_MAX;                                               \
		for (unsigned i = 0; i < ITERS; i++) {                                   \
			uint64_t t0 = rdtsc_ordered();                                   \
			__VA_ARGS__;                                                     \
			uint64_t d = rdtsc_ordered() - t0;                               \
			samples[i] = d;                                                  \
			if (d < min)                                                     \
				min = d;                                                 \
		}                                                                        \
		printf("BENCH %-8s min %6llu median %6llu\n", name, (unsigned long long)min,  \
		       (unsigned long long)median());                                    \
	} while (0)

int main(void)
{
	printf("pvbench: %s, %u iterations, ticks per round trip\n",
	       keel_start_info->flags & KEEL_START_VMX ? "in a VM" : "deprivileged", ITERS);
	BENCH("none", __asm__ volatile("" ::: "memory"));
	BENCH("hcall", (void)keel_hcall(KEEL_HC_VERSION, 0, 0, 0));
	printf("pvbench: done\n");
	return 0;
}
