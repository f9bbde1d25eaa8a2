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

#endif
