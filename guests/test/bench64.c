/* SPDX-License-Identifier: MIT */
/*
 * bench64: exit-latency microbenchmark. For each exit type, RDTSC ticks per
 * round trip (guest loop included), min and median over many iterations.
 * In Bochs one tick is one emulated instruction and VM transitions are
 * free, so these are Keel's instruction counts per exit: deterministic.
 */
#include "lib/guest.h"
#include <bench_stats.h>

#define ITERS 301

static uint64_t samples[ITERS];

#define BENCH(name, ...)                                                              \
	do {                                                                         \
		uint64_t min;                                                        \
		BENCH_SAMPLE(samples, ITERS, min, __VA_ARGS__);                      \
		gprintf("BENCH %-8s min %6lu median %6lu\n", name, min, bench_median(samples, ITERS));  \
	} while (0)

int main(const char *args, uint64_t ram);
int main(const char *args, uint64_t ram)
{
	volatile uint32_t *mmio = (volatile uint32_t *)(KEEL_TESTDEV_MMIO + KEEL_TESTDEV_ID);

	(void)args, (void)ram;
	gprintf("bench64: %u iterations per exit type, ticks per round trip "
		"(ticks are TSC cycles; in Bochs they are instructions)\n", ITERS);
	BENCH("none", __asm__ volatile("" ::: "memory"));
	BENCH("cpuid", {
		uint32_t a = 0, b, c = 0, d;
		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	});
	BENCH("vmcall", {
		long r;
		__asm__ volatile("vmcall" : "=a"(r) : "a"(KEEL_HC_VERSION) : "memory");
	});
	BENCH("pio", (void)inb(0x3ff));
	BENCH("rdmsr", {
		uint32_t lo, hi;
		__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0x1b));
	});
	BENCH("mmio", (void)*mmio);
	gprintf("bench64: done\n");
	return 0;
}
