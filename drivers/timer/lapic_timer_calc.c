/* SPDX-License-Identifier: MIT */
/* The LAPIC timer's arithmetic: rate from a measurement, count for a deadline. */
#include <drivers/lapic_timer.h>

/* ticks * num / den, exact while (den - 1) * num and ticks / den * num fit in 64 bits. */
static uint64_t mul_div(uint64_t ticks, uint64_t num, uint64_t den)
{
	return ticks / den * num + ticks % den * num / den;
}

uint64_t lapic_timer_rate(uint64_t counted, uint64_t tsc_ticks, uint64_t tsc_hz)
{
	/* A timer that did not move, or a TSC that did not, tells nothing. */
	if (!counted || !tsc_ticks || !tsc_hz || counted > UINT32_MAX)
		return 0;
	return mul_div(counted, tsc_hz, tsc_ticks);
}

uint32_t lapic_timer_count(uint64_t tsc_ticks, uint64_t timer_hz, uint64_t tsc_hz)
{
	uint64_t count;

	if (!timer_hz || !tsc_hz)
		return UINT32_MAX;
	/* Whole seconds first: past 2^32 counts the result is clamped anyway. */
	if (tsc_ticks / tsc_hz > UINT32_MAX / timer_hz)
		return UINT32_MAX;
	count = mul_div(tsc_ticks, timer_hz, tsc_hz);
	return count > UINT32_MAX ? UINT32_MAX : count ? (uint32_t)count : 1;
}
