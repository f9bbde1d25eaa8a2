/* SPDX-License-Identifier: MIT */
/* Host tests for the exit trace ring (keel/exit_trace.h, vmm/exit_trace.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <keel/exit_trace.h>

/* Exit k (from 1) of a made-up run: every field says which exit it was. */
static void record(struct exit_trace *t, uint64_t k)
{
	uint64_t tsc = 0x1234500000000ULL + 1000 * k; /* high half set: both halves kept */

	exit_trace_record(t, (unsigned)(k % 80), 0xa000 + k, 0x100000 + 3 * k, (uint32_t)tsc,
			  (uint32_t)(tsc >> 32));
}

static void assert_exit(const struct exit_trace_entry *e, uint64_t k)
{
	assert_int_equal(e->seq, k);
	assert_int_equal(e->reason, k % 80);
	assert_int_equal(e->qual, 0xa000 + k);
	assert_int_equal(e->rip, 0x100000 + 3 * k);
	assert_int_equal(e->tsc, 0x1234500000000ULL + 1000 * k);
}

/* Record exits 1..n, read the ring back; the entries must be exits first..n in order. */
static void run(uint64_t n, uint64_t first)
{
	struct exit_trace t = { 0 };
	struct exit_trace_entry e[EXIT_TRACE_N + 1];

	for (uint64_t k = 1; k <= n; k++)
		record(&t, k);
	e[EXIT_TRACE_N].seq = 0xdead; /* read must not write past N entries */
	assert_int_equal(exit_trace_read(&t, e), n - first + 1);
	for (uint64_t k = first; k <= n; k++)
		assert_exit(&e[k - first], k);
	assert_int_equal(e[EXIT_TRACE_N].seq, 0xdead);
}

static void test_empty_ring_reads_nothing(void **state)
{
	struct exit_trace t = { 0 };
	struct exit_trace_entry e[EXIT_TRACE_N];

	(void)state;
	assert_int_equal(exit_trace_read(&t, e), 0);
}

static void test_fewer_exits_than_slots(void **state)
{
	(void)state;
	run(1, 1);
	run(3, 1);
	run(EXIT_TRACE_N - 1, 1);
}

static void test_exactly_full(void **state)
{
	(void)state;
	run(EXIT_TRACE_N, 1);
}

static void test_wraps_keeping_the_newest_oldest_first(void **state)
{
	(void)state;
	run(EXIT_TRACE_N + 1, 2);
	run(EXIT_TRACE_N + 5, 6);
	run(2 * EXIT_TRACE_N, EXIT_TRACE_N + 1);
	run(10 * EXIT_TRACE_N + 7, 9 * EXIT_TRACE_N + 8);
}

static void test_ring_three_codes_fit(void **state)
{
	struct exit_trace t = { 0 };
	struct exit_trace_entry e[EXIT_TRACE_N];

	(void)state;
	/* Ring-3 PV codes sit above the basic exit reasons (0x100 and up). */
	exit_trace_record(&t, 0x120 + 14, 0x8000000, 0x401000, 7, 0);
	assert_int_equal(exit_trace_read(&t, e), 1);
	assert_int_equal(e[0].reason, 0x12e);
	assert_int_equal(e[0].qual, 0x8000000);
	assert_int_equal(e[0].tsc, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_ring_reads_nothing),
		cmocka_unit_test(test_fewer_exits_than_slots),
		cmocka_unit_test(test_exactly_full),
		cmocka_unit_test(test_wraps_keeping_the_newest_oldest_first),
		cmocka_unit_test(test_ring_three_codes_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
