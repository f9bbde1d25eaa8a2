/* SPDX-License-Identifier: MIT */
/* Host tests for placing vCPUs on host CPUs (vmm/sched_place.c): keel.cfg cpus= and spreading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <keel/sched_place.h>

static void test_affinity(void **state)
{
	char why[96] = "";

	(void)state;
	/* No cpus=: every usable CPU. */
	assert_int_equal(sched_affinity(0, 0x3, why, sizeof(why)), 0x3);
	assert_int_equal(sched_affinity(0x2, 0x3, why, sizeof(why)), 0x2);
	assert_int_equal(sched_affinity(0x3, 0xf, why, sizeof(why)), 0x3);
	assert_string_equal(why, "");
	/* A CPU that was not started is refused by number, even beside one that was. */
	assert_int_equal(sched_affinity(0x4, 0x3, why, sizeof(why)), 0);
	assert_string_equal(why, "CPU 2 does not exist or was not started (2 in use)");
	assert_int_equal(sched_affinity(0x9, 0x3, why, sizeof(why)), 0);
	assert_string_equal(why, "CPU 3 does not exist or was not started (2 in use)");
	assert_int_equal(sched_affinity(1ULL << 63, 0x1, why, sizeof(why)), 0);
	assert_string_equal(why, "CPU 63 does not exist or was not started (1 in use)");
}

static void test_spread(void **state)
{
	unsigned load[64] = { 0 };

	(void)state;
	/* Any CPU of two: round about, lowest first on a tie. */
	assert_int_equal(sched_place(0x3, load), 0);
	assert_int_equal(sched_place(0x3, load), 1);
	assert_int_equal(sched_place(0x3, load), 0);
	/* Pinned ones go where they must, whatever the load. */
	assert_int_equal(sched_place(0x1, load), 0);
	assert_int_equal(sched_place(0x1, load), 0);
	assert_int_equal(load[0], 4);
	assert_int_equal(load[1], 1);
	/* Then the free one fills up first. */
	assert_int_equal(sched_place(0x7, load), 2);
	assert_int_equal(sched_place(0x7, load), 1);
	assert_int_equal(sched_place(0x6, load), 2);
	assert_int_equal(sched_place(1ULL << 63, load), 63);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_affinity),
		cmocka_unit_test(test_spread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
