/* SPDX-License-Identifier: MIT */
/*
 * pvbench: the cost of a hypercall made the PV way, through the hypercall
 * page (call; mov; vmcall or syscall; ret), in ticks per round trip: min
 * and median of many. In Bochs one tick is one emulated instruction, so
 * these are instruction counts, deterministic from run to run.
 */
#include <bench_stats.h>
#include <keel_pv.h>
#include <stdio.h>

#define ITERS 301

static uint64_t samples[ITERS];

#define BENCH(name, ...)                                                                  \
	do {                                                                             \
		uint64_t min;                                                            \
		BENCH_SAMPLE(samples, ITERS, min, __VA_ARGS__);                          \
		printf("BENCH %-8s min %6llu median %6llu\n", name, (unsigned long long)min,  \
		       (unsigned long long)bench_median(samples, ITERS));                                    \
	} while (0)

int main(void)
{
	printf("pvbench: %s, %u iterations, ticks per round trip "
	       "(ticks are TSC cycles; in Bochs they are instructions)\n",
	       keel_start_info->flags & KEEL_START_VMX ? "in a VM" : "deprivileged", ITERS);
	BENCH("none", __asm__ volatile("" ::: "memory"));
	BENCH("hcall", (void)keel_hcall(KEEL_HC_VERSION, 0, 0, 0));
	printf("pvbench: done\n");
	return 0;
}
