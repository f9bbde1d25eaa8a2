/* SPDX-License-Identifier: MIT */
/* Host tests for drivers/timer/lapic_timer_calc.c: the LAPIC timer's rate and counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <drivers/lapic_timer.h>

#define GHZ 1000000000ULL

static void test_rate(void **state)
{
	(void)state;
	/* QEMU: a 1 GHz timer counts 10^7 over 10 ms of a 2.6 GHz TSC. */
	assert_int_equal(lapic_timer_rate(10000000, 26000000, 2600000000ULL), GHZ);
	/* A 25 MHz crystal against a 3 GHz TSC, with the TSC read a little late. */
	assert_int_equal(lapic_timer_rate(250000, 30000300, 3 * GHZ), 24999750);
	/* Bochs-like: both count instructions, at an emulated 50 MHz. */
	assert_int_equal(lapic_timer_rate(500000, 500000, 50000000), 50000000);
	/* A timer or TSC that did not move, an unknown TSC rate, a count a 32-bit timer cannot give. */
	assert_int_equal(lapic_timer_rate(0, 26000000, 2600000000ULL), 0);
	assert_int_equal(lapic_timer_rate(10000000, 0, 2600000000ULL), 0);
	assert_int_equal(lapic_timer_rate(10000000, 26000000, 0), 0);
	assert_int_equal(lapic_timer_rate(1ULL << 32, 26000000, 2600000000ULL), 0);
	/* An 8.6 GHz TSC: counts * tsc_hz passes 2^64 (the old arithmetic gave half the rate). */
	assert_int_equal(lapic_timer_rate(UINT32_MAX, 1ULL << 32, 1ULL << 33), (1ULL << 33) - 2);
	/* A rate past 64 bits saturates rather than wraps. */
	assert_int_equal(lapic_timer_rate(UINT32_MAX, 1, UINT64_MAX), UINT64_MAX);
}

static void test_count(void **state)
{
	(void)state;
	/* A 10 ms slice at 2.6 GHz is 10^7 counts of a 1 GHz timer. */
	assert_int_equal(lapic_timer_count(26000000, GHZ, 2600000000ULL), 10000000);
	/* Rounded down, but never to 0, which would stop the timer: a passed deadline fires at once. */
	assert_int_equal(lapic_timer_count(2599, GHZ, 2600000000ULL), 999);
	assert_int_equal(lapic_timer_count(1, 25000000, 3 * GHZ), 1);
	assert_int_equal(lapic_timer_count(0, GHZ, 2600000000ULL), 1);
	/* Past 2^32 - 1 counts (4.29 s at 1 GHz) the count is clamped; the timer fires early. */
	assert_int_equal(lapic_timer_count(5 * 2600000000ULL, GHZ, 2600000000ULL), UINT32_MAX);
	assert_int_equal(lapic_timer_count(UINT64_MAX, GHZ, 2600000000ULL), UINT32_MAX);
	assert_int_equal(lapic_timer_count(UINT64_MAX - 5, 25000000, 3 * GHZ), UINT32_MAX);
	/* Just below the clamp: 4 s of a 1 GHz timer fits, with no overflow in between. */
	assert_int_equal(lapic_timer_count(4 * 2600000000ULL, GHZ, 2600000000ULL), 4 * GHZ);
	assert_int_equal(lapic_timer_count(4294967295ULL * 3, GHZ, 3 * GHZ), UINT32_MAX);
	/* A fast TSC and a fast timer: (tsc_hz - 1) * timer_hz still fits in 64 bits. */
	assert_int_equal(lapic_timer_count(5 * GHZ / 100, 2 * GHZ, 5 * GHZ), 20000000);
	/* Extreme rates: (tsc_hz - 1) * timer_hz far past 2^64, still exact (was 16777215). */
	assert_int_equal(lapic_timer_count((1ULL << 40) - 1, 1ULL << 30, 1ULL << 40), (1U << 30) - 1);
	assert_int_equal(lapic_timer_count(UINT64_MAX, UINT64_MAX, UINT64_MAX), UINT32_MAX);
	assert_int_equal(lapic_timer_count(UINT64_MAX / 2, 1, UINT64_MAX), 1);
	/* An uncalibrated timer never fires early. */
	assert_int_equal(lapic_timer_count(26000000, 0, 2600000000ULL), UINT32_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
