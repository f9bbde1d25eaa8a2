/* SPDX-License-Identifier: MIT */
/* The LAPIC timer's arithmetic: rate from a measurement, count for a deadline. */
#include <drivers/lapic_timer.h>
#include <drivers/mul_div.h>

uint64_t lapic_timer_rate(uint64_t counted, uint64_t tsc_ticks, uint64_t tsc_hz)
{
	/* A timer that did not move, or a TSC that did not, tells nothing. */
	if (!counted || !tsc_ticks || !tsc_hz || counted > UINT32_MAX)
		return 0;
	return mul_div_sat(counted, tsc_hz, tsc_ticks, false);
}

uint32_t lapic_timer_count(uint64_t tsc_ticks, uint64_t timer_hz, uint64_t tsc_hz)
{
	uint64_t count;

	if (!timer_hz || !tsc_hz)
		return UINT32_MAX;
	/* Saturates rather than wraps: past 2^32 counts the timer fires early and is re-armed. */
	count = mul_div_sat(tsc_ticks, timer_hz, tsc_hz, false);
	return count > UINT32_MAX ? UINT32_MAX : count ? (uint32_t)count : 1;
}
