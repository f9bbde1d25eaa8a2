/* SPDX-License-Identifier: MIT */
/*
 * Host tests for time arithmetic at its edges: TSC <-> ns conversions and
 * TSC deadlines (drivers/tsc.h, drivers/mul_div.h), and the run queue's
 * deadlines (vmm/runq.c). Nothing may wrap: a result past 2^64 - 1 is
 * "never", so a far deadline cannot land in the past.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <drivers/tsc.h>
#include <keel/runq.h>
#include <keel/vtime.h>

#define GHZ   1000000000ULL
#define NEVER UINT64_MAX

typedef unsigned __int128 u128;

/* Typical and extreme TSC rates; 18446744074 Hz is the first whose products pass 2^64. */
static const uint64_t rates[] = {
	GHZ, 3 * GHZ, 100000000, 2600000000ULL, 1, 3, 18446744073ULL, 18446744074ULL,
	1ULL << 40, UINT64_MAX - 1, UINT64_MAX,
};
#define NR_RATES (sizeof(rates) / sizeof(rates[0]))

/* The exact result, by the host's 128-bit division: an independent reference. */
static uint64_t exact(uint64_t x, uint64_t num, uint64_t den, bool up)
{
	u128 p = (u128)x * num, q = p / den + (up && p % den);

	return q > UINT64_MAX ? NEVER : (uint64_t)q;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A random value of random width, so small, medium and huge values all come up. */
static uint64_t any(void)
{
	return xorshift() >> (xorshift() % 64);
}

static void test_mul_div_exact(void **state)
{
	const uint64_t xs[] = { 0, 1, 2, 999999999, GHZ, GHZ + 1, 1ULL << 32, 1ULL << 63,
				UINT64_MAX / 3, UINT64_MAX - 1, UINT64_MAX };

	(void)state;
	for (unsigned i = 0; i < NR_RATES; i++) {
		for (unsigned j = 0; j < sizeof(xs) / sizeof(xs[0]); j++) {
			for (int up = 0; up < 2; up++) {
				assert_int_equal(mul_div_sat(xs[j], rates[i], GHZ, up),
						 exact(xs[j], rates[i], GHZ, up));
				assert_int_equal(mul_div_sat(xs[j], GHZ, rates[i], up),
						 exact(xs[j], GHZ, rates[i], up));
			}
		}
	}
	/* Arbitrary operands, the by-hand 128-bit division among them. */
	for (unsigned k = 0; k < 200000; k++) {
		uint64_t x = any(), num = any(), den = any() | 1;
		bool up = k & 1;

		assert_int_equal(mul_div_sat(x, num, den, up), exact(x, num, den, up));
	}
	/* The wide path proper: (den - 1) * num far past 2^64, the quotient just fits. */
	assert_int_equal(mul_div_sat(UINT64_MAX - 1, UINT64_MAX - 1, UINT64_MAX, false),
			 UINT64_MAX - 2);
	assert_int_equal(mul_div_sat(UINT64_MAX - 1, UINT64_MAX - 1, UINT64_MAX, true),
			 UINT64_MAX - 1);
	assert_int_equal(mul_div_sat(UINT64_MAX, UINT64_MAX, UINT64_MAX - 1, false), NEVER);
}

static void test_ns_to_ticks_edges(void **state)
{
	(void)state;
	for (unsigned i = 0; i < NR_RATES; i++) {
		assert_int_equal(tsc_ns_to_ticks(0, rates[i]), 0);
		assert_int_equal(tsc_ns_to_ticks(NEVER, rates[i]), NEVER);
	}
	/* 1 GHz: the identity, up to the top. */
	assert_int_equal(tsc_ns_to_ticks(1, GHZ), 1);
	assert_int_equal(tsc_ns_to_ticks(NEVER - 1, GHZ), NEVER - 1);
	/* 3 GHz overflows 64 bits just past 6148914691236517205 ns (195 years). */
	assert_int_equal(tsc_ns_to_ticks(1, 3 * GHZ), 3);
	assert_int_equal(tsc_ns_to_ticks(6148914691236517204ULL, 3 * GHZ), 18446744073709551612ULL);
	assert_int_equal(tsc_ns_to_ticks(6148914691236517205ULL, 3 * GHZ), NEVER);
	/* One above: the old arithmetic gave tick 2, a deadline long past. */
	assert_int_equal(tsc_ns_to_ticks(6148914691236517206ULL, 3 * GHZ), NEVER);
	assert_int_equal(tsc_ns_to_ticks(1ULL << 63, 3 * GHZ), NEVER);
	/* 100 MHz rounds up (a deadline is never early) and never overflows. */
	assert_int_equal(tsc_ns_to_ticks(1, 100000000), 1);
	assert_int_equal(tsc_ns_to_ticks(10, 100000000), 1);
	assert_int_equal(tsc_ns_to_ticks(11, 100000000), 2);
	assert_int_equal(tsc_ns_to_ticks(NEVER - 1, 100000000), 1844674407370955162ULL);
	/* The first rate past 2^64 / 10^9: its boundary, through the wide division. */
	assert_int_equal(tsc_ns_to_ticks(999999999984254761ULL, 18446744074ULL),
			 18446744073709551606ULL);
	assert_int_equal(tsc_ns_to_ticks(999999999984254762ULL, 18446744074ULL), NEVER);
	/* A 2^64 - 1 Hz TSC: one second is already never. */
	assert_int_equal(tsc_ns_to_ticks(1, UINT64_MAX), 18446744074ULL);
	assert_int_equal(tsc_ns_to_ticks(999999999, UINT64_MAX), 18446744055262807542ULL);
	assert_int_equal(tsc_ns_to_ticks(GHZ, UINT64_MAX), NEVER);
	/* Unknown rate: time stands still, so only deadline 0 ever comes. */
	assert_int_equal(tsc_ns_to_ticks(0, 0), 0);
	assert_int_equal(tsc_ns_to_ticks(1, 0), NEVER);
}

static void test_ticks_to_ns_edges(void **state)
{
	(void)state;
	for (unsigned i = 0; i < NR_RATES; i++) {
		assert_int_equal(tsc_ticks_to_ns(0, rates[i]), 0);
		assert_int_equal(tsc_ticks_to_ns(NEVER, rates[i]), NEVER);
	}
	assert_int_equal(tsc_ticks_to_ns(1, GHZ), 1);
	assert_int_equal(tsc_ticks_to_ns(NEVER - 1, GHZ), NEVER - 1);
	/* Rounded down: elapsed time is never ahead of the TSC. */
	assert_int_equal(tsc_ticks_to_ns(1, 3 * GHZ), 0);
	assert_int_equal(tsc_ticks_to_ns(2, 3 * GHZ), 0);
	assert_int_equal(tsc_ticks_to_ns(3, 3 * GHZ), 1);
	assert_int_equal(tsc_ticks_to_ns(NEVER - 1, 3 * GHZ), 6148914691236517204ULL);
	/* 100 MHz overflows just past 1844674407370955161 ticks; the old arithmetic gave 4 ns. */
	assert_int_equal(tsc_ticks_to_ns(1, 100000000), 10);
	assert_int_equal(tsc_ticks_to_ns(1844674407370955161ULL, 100000000), 18446744073709551610ULL);
	assert_int_equal(tsc_ticks_to_ns(1844674407370955162ULL, 100000000), NEVER);
	/* 1 Hz: 18446744073 s is the last second that fits. */
	assert_int_equal(tsc_ticks_to_ns(18446744073ULL, 1), 18446744073000000000ULL);
	assert_int_equal(tsc_ticks_to_ns(18446744074ULL, 1), NEVER);
	assert_int_equal(tsc_ticks_to_ns(NEVER - 1, UINT64_MAX), 999999999);
	assert_int_equal(tsc_ticks_to_ns(12345, 0), 0);
}

/* Both conversions never go down, however close to the overflow point. */
static void test_monotonic_across_boundary(void **state)
{
	(void)state;
	for (unsigned i = 0; i < NR_RATES; i++) {
		uint64_t hz = rates[i];
		/* The last ns, and the last tick, whose exact result fits. */
		u128 nb = ((u128)UINT64_MAX * GHZ) / hz, tb = ((u128)UINT64_MAX * hz) / GHZ;
		uint64_t centres[] = { 0, nb > UINT64_MAX ? UINT64_MAX - 2000 : (uint64_t)nb,
				       tb > UINT64_MAX ? UINT64_MAX - 2000 : (uint64_t)tb };

		for (unsigned c = 0; c < 3; c++) {
			uint64_t from = centres[c] > 2000 ? centres[c] - 2000 : 0;
			uint64_t to = centres[c] < UINT64_MAX - 2000 ? centres[c] + 2000 : UINT64_MAX;
			uint64_t prev_t = tsc_ns_to_ticks(from, hz), prev_n = tsc_ticks_to_ns(from, hz);

			for (uint64_t x = from + 1; x <= to && x != 0; x++) {
				uint64_t t = tsc_ns_to_ticks(x, hz), n = tsc_ticks_to_ns(x, hz);

				assert_true(t >= prev_t);
				assert_true(n >= prev_n);
				prev_t = t, prev_n = n;
			}
		}
		/* Past the boundary it is never, not a small wrapped value. */
		if (nb < UINT64_MAX)
			assert_int_equal(tsc_ns_to_ticks((uint64_t)nb + 1, hz), NEVER);
		if (tb < UINT64_MAX)
			assert_int_equal(tsc_ticks_to_ns((uint64_t)tb + 1, hz), NEVER);
	}
}

/*
 * Once the TSC reaches the deadline ns converts to, the ns clock has
 * passed it, and one tick earlier it has not: a vCPU woken at its TSC
 * deadline fires its timer at once instead of blocking again.
 */
static void check_round_trip(uint64_t ns, uint64_t hz)
{
	uint64_t t = tsc_ns_to_ticks(ns, hz);

	if (t == NEVER)
		return;
	assert_true(tsc_ticks_to_ns(t, hz) >= ns);
	if (t)
		assert_true(tsc_ticks_to_ns(t - 1, hz) < ns);
}

static void test_deadline_round_trip(void **state)
{
	(void)state;
	for (unsigned i = 0; i < NR_RATES; i++) {
		for (uint64_t ns = 0; ns < 3000; ns++)
			check_round_trip(ns, rates[i]);
		for (unsigned k = 0; k < 20000; k++)
			check_round_trip(any(), rates[i]);
		check_round_trip(6148914691236517204ULL, rates[i]);
		check_round_trip(NEVER - 1, rates[i]);
	}
}

static void test_tsc_after(void **state)
{
	(void)state;
	assert_int_equal(tsc_after(0, 0), 0);
	assert_int_equal(tsc_after(1000, 10), 1010);
	assert_int_equal(tsc_after(NEVER - 1, 1), NEVER);
	assert_int_equal(tsc_after(NEVER - 1, 2), NEVER);
	assert_int_equal(tsc_after(1ULL << 63, 1ULL << 63), NEVER);
	assert_int_equal(tsc_after(12345, NEVER), NEVER);
	assert_int_equal(tsc_after(0, NEVER), NEVER);
}

/* The issue: a PV SET_TIMER far ahead is never, or in the future; never in the past. */
static void test_far_deadline_is_not_past(void **state)
{
	const uint64_t base = 987654321987ULL; /* host TSC when the VM was built */
	const uint64_t far[] = { 6148914691236517206ULL, 1ULL << 63, NEVER - 1, NEVER };

	(void)state;
	assert_int_equal(tsc_after(base, tsc_ns_to_ticks(6148914691236517206ULL, 3 * GHZ)), NEVER);
	assert_int_equal(tsc_after(base, tsc_ns_to_ticks(VTIME_NEVER, 100000000)), NEVER);
	for (unsigned i = 0; i < NR_RATES; i++) {
		for (unsigned j = 0; j < sizeof(far) / sizeof(far[0]); j++) {
			uint64_t at = tsc_after(base, tsc_ns_to_ticks(far[j], rates[i]));

			assert_true(at > base);
			/* Reached at all: guest time there is at least the deadline. */
			if (at != NEVER)
				assert_true(tsc_ticks_to_ns(at - base, rates[i]) >= far[j]);
		}
	}
}

/* The run queue: blocked until never costs nothing, a passed deadline wakes once. */
static struct runq q;
static struct runq_entity ent[2];

static void two(uint64_t slice, uint64_t now)
{
	runq_init(&q, slice);
	assert_int_equal(runq_add(&q, &ent[0], now), 0);
	assert_int_equal(runq_add(&q, &ent[1], now), 0);
}

static void test_runq_block_never_sleeps(void **state)
{
	uint64_t now = 1000;

	(void)state;
	two(1000, now);
	assert_ptr_equal(runq_pick(&q, now, false), &ent[0]);
	runq_block(&q, &ent[0], RUNQ_NEVER, now);
	/* The other runs alone, with no timer, right up to the end of time. */
	for (unsigned k = 1; k < 7; k++) {
		now = k * (UINT64_MAX / 7);
		assert_ptr_equal(runq_pick(&q, now, false), &ent[1]);
		assert_true(q.deadline == RUNQ_NEVER);
	}
	assert_ptr_equal(runq_pick(&q, UINT64_MAX - 1, false), &ent[1]);
	assert_int_equal(ent[0].state, RUNQ_BLOCKED);
	/* Alone: nobody to run and nothing to wait for (Keel's idle then stops it). */
	runq_remove(&q, &ent[1], UINT64_MAX - 1);
	assert_null(runq_pick(&q, UINT64_MAX - 1, false));
	assert_true(runq_next_wake(&q) == RUNQ_NEVER);
}

static void test_runq_past_deadline_wakes_once(void **state)
{
	uint64_t now = 50000;

	(void)state;
	two(1000, now);
	runq_remove(&q, &ent[1], now);
	assert_ptr_equal(runq_pick(&q, now, false), &ent[0]);
	runq_block(&q, &ent[0], now - 10, now);
	/* Already due: the very next pick runs it. */
	assert_ptr_equal(runq_pick(&q, now + 1, false), &ent[0]);
	assert_int_equal(ent[0].state, RUNQ_RUNNABLE);
	assert_true(ent[0].wake_at == RUNQ_NEVER);
}

/* A slice that would end past 2^64 - 1 ends never, not at once (which re-exits forever). */
static void test_runq_slice_end_saturates(void **state)
{
	uint64_t now = UINT64_MAX - 10;

	(void)state;
	two(1000, now);
	assert_ptr_equal(runq_pick(&q, now, false), &ent[0]);
	assert_true(q.slice_end == RUNQ_NEVER);
	assert_true(q.deadline > now);
}

/* An unknown TSC rate makes the slice never; a sleeper's catch-up must not wrap. */
static void test_runq_never_slice_wake(void **state)
{
	uint64_t now = 1000;

	(void)state;
	two(RUNQ_NEVER, now);
	assert_ptr_equal(runq_pick(&q, now, false), &ent[0]);
	now += 10;
	runq_block(&q, &ent[0], RUNQ_NEVER, now);
	assert_ptr_equal(runq_pick(&q, now, false), &ent[1]);
	now += 5000;
	runq_wake(&q, &ent[0], now);
	/* It ran 10 ticks and keeps that: it has run least and goes next. */
	assert_int_equal(ent[0].used, 10);
	assert_ptr_equal(runq_pick(&q, now, true), &ent[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mul_div_exact),
		cmocka_unit_test(test_ns_to_ticks_edges),
		cmocka_unit_test(test_ticks_to_ns_edges),
		cmocka_unit_test(test_monotonic_across_boundary),
		cmocka_unit_test(test_deadline_round_trip),
		cmocka_unit_test(test_tsc_after),
		cmocka_unit_test(test_far_deadline_is_not_past),
		cmocka_unit_test(test_runq_block_never_sleeps),
		cmocka_unit_test(test_runq_past_deadline_wakes_once),
		cmocka_unit_test(test_runq_slice_end_saturates),
		cmocka_unit_test(test_runq_never_slice_wake),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
