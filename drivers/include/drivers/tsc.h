/* SPDX-License-Identifier: MIT */
/*
 * The TSC as Keel's clock. Its rate is measured against a fixed-frequency
 * timer, never read from CPUID 0x15/0x16: Bochs reports a frequency there
 * unrelated to its one-tick-per-instruction TSC.
 */
#ifndef DRIVERS_TSC_H
#define DRIVERS_TSC_H

#include <stdint.h>
#include <drivers/mul_div.h>

#define NSEC_PER_SEC 1000000000ULL
/* A deadline that never comes, in TSC ticks or ns (VTIME_NEVER, RUNQ_NEVER). */
#define TSC_NEVER UINT64_MAX

struct acpi_info;

/* TSC ticks per second; 0 until tsc_calibrate() has succeeded. */
extern uint64_t tsc_hz;

/*
 * Measure the TSC against the ACPI PM timer (ai may be NULL) or else PIT
 * channel 2, set tsc_hz and return it; 0 if neither timer works.
 */
uint64_t tsc_calibrate(const struct acpi_info *ai);

/*
 * Conversions at a TSC rate of hz, pure (host-tested in test/unit/test_time.c).
 * They saturate: TSC_NEVER stays never, and so does anything whose result
 * is past 2^64 - 1. Ticks round down to ns, ns round up to ticks, so once
 * the TSC reaches base + tsc_ns_to_ticks(t), tsc_ticks_to_ns(TSC - base) is
 * at least t: a sleeper woken at its TSC deadline finds its ns deadline
 * passed and does not go back to sleep. With hz unknown (0) time stands
 * still: every duration is 0 ns and every deadline but 0 is never.
 */
static inline uint64_t tsc_ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	if (ticks == TSC_NEVER)
		return TSC_NEVER;
	return hz ? mul_div_sat(ticks, NSEC_PER_SEC, hz, false) : 0;
}

static inline uint64_t tsc_ns_to_ticks(uint64_t ns, uint64_t hz)
{
	if (ns == TSC_NEVER || (!hz && ns))
		return TSC_NEVER;
	return mul_div_sat(ns, hz, NSEC_PER_SEC, true);
}

/* The TSC ticks after tsc; TSC_NEVER if that is past 2^64 - 1. */
static inline uint64_t tsc_after(uint64_t tsc, uint64_t ticks)
{
	uint64_t t;

	return __builtin_add_overflow(tsc, ticks, &t) ? TSC_NEVER : t;
}

/* The same at tsc_hz. */
uint64_t tsc_to_ns(uint64_t ticks);
uint64_t ns_to_tsc(uint64_t ns);

/* Busy-wait; before calibration it assumes a 1 GHz TSC. */
void tsc_udelay(uint64_t us);

#endif
