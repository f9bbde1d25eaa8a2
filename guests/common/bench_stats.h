/* SPDX-License-Identifier: MIT */
/*
 * What Keel's benchmark guests share (bench64, pvbench, ping): an ordered
 * TSC read and the median of a set of samples. Header-only, so it builds
 * into test guests and newlib-based PV guests alike.
 */
#ifndef GUESTS_BENCH_STATS_H
#define GUESTS_BENCH_STATS_H

#include <stdint.h>

/* LFENCE first: the read waits for the instructions before it (SDM 2B RDTSC). */
static inline uint64_t bench_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

/* Sorts v[0..n) in place (insertion sort: n is small) and returns its median. */
static inline uint64_t bench_median(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t x = v[i];
		unsigned j = i;

		for (; j && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return v[n / 2];
}

/*
 * Runs the statement(s) n times, each between two bench_rdtsc(): the ticks
 * of each round trip into samples[0..n), the least into min.
 */
#define BENCH_SAMPLE(samples, n, min, ...)                                   \
	do {                                                                 \
		(min) = ~0ULL;                                               \
		for (unsigned i_ = 0; i_ < (n); i_++) {                      \
			uint64_t t0_ = bench_rdtsc();                        \
			__VA_ARGS__;                                         \
			uint64_t d_ = bench_rdtsc() - t0_;                   \
			(samples)[i_] = d_;                                  \
			if (d_ < (min))                                      \
				(min) = d_;                                  \
		}                                                            \
	} while (0)

#endif
