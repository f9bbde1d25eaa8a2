/* SPDX-License-Identifier: MIT */
/* Host tests for vmm/grant.c: offering, mapping and unmapping pages between guests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <keel/errno.h>
#include <keel/grant.h>

#define RAM (4ULL << 20)
#define AT(slot) (KEEL_GRANT_BASE + (slot) * 4096ULL)

static struct grant_table t0;
static struct grant_maps m1, m2;

static int setup(void **state)
{
	(void)state;
	memset(&t0, 0, sizeof(t0));
	memset(&m1, 0, sizeof(m1));
	memset(&m2, 0, sizeof(m2));
	return 0;
}

static void test_offer_map_unmap(void **state)
{
	uint64_t gpa;
	unsigned dom, ref;
	bool ro;
	int r;

	(void)state;
	r = grant_offer(&t0, 0, 0x200000, RAM, 1, true, 0);
	assert_int_equal(r, 0);
	assert_int_equal(grant_map(&t0, 0, (uint64_t)r, 1, &m1, AT(3), &gpa, &ro), 0);
	assert_int_equal(gpa, 0x200000);
	assert_false(ro);
	assert_int_equal(t0.e[r].maps, 1);
	assert_int_equal(grant_unmap(&m1, AT(3), &dom, &ref), 0);
	assert_int_equal(dom, 0);
	assert_int_equal(ref, (unsigned)r);
	assert_int_equal(grant_unmap(&m1, AT(3), &dom, &ref), -EINVAL); /* already unmapped */
	r = grant_offer(&t0, 0, 0x3ff000, RAM, 1, true, KEEL_GRANT_READONLY);
	assert_int_equal(grant_map(&t0, 0, (uint64_t)r, 1, &m1, AT(KEEL_GRANT_SLOTS - 1), &gpa, &ro), 0);
	assert_true(ro);
}

static void test_offer_refused(void **state)
{
	(void)state;
	assert_int_equal(grant_offer(&t0, 0, 0x200010, RAM, 1, true, 0), -EINVAL); /* unaligned */
	assert_int_equal(grant_offer(&t0, 0, RAM, RAM, 1, true, 0), -EINVAL);      /* past RAM */
	assert_int_equal(grant_offer(&t0, 0, UINT64_MAX & ~4095ULL, RAM, 1, true, 0), -EINVAL);
	assert_int_equal(grant_offer(&t0, 0, 0x1000, RAM, 1, true, 2), -EINVAL);  /* flags */
	assert_int_equal(grant_offer(&t0, 0, 0x1000, RAM, 0, true, 0), -EINVAL);  /* self */
	assert_int_equal(grant_offer(&t0, 0, 0x1000, RAM, 5, false, 0), -EINVAL); /* nobody */
	for (unsigned i = 0; i < KEEL_GRANTS_MAX; i++)
		assert_int_equal(grant_offer(&t0, 0, 0x1000, RAM, 1, true, 0), (int)i);
	assert_int_equal(grant_offer(&t0, 0, 0x1000, RAM, 1, true, 0), -ENOSPC);
}

/* Mapping what nobody granted to you is refused, and so is a bad slot. */
static void test_map_refused(void **state)
{
	uint64_t gpa;
	bool ro;
	int r;

	(void)state;
	r = grant_offer(&t0, 0, 0x200000, RAM, 1, true, 0);
	assert_int_equal(grant_map(&t0, 0, (uint64_t)r, 2, &m2, AT(0), &gpa, &ro), -EPERM);
	assert_int_equal(grant_map(&t0, 0, 5, 1, &m1, AT(0), &gpa, &ro), -EPERM);  /* free ref */
	assert_int_equal(grant_map(&t0, 0, 999, 1, &m1, AT(0), &gpa, &ro), -EPERM);
	assert_int_equal(grant_map(NULL, 7, 0, 1, &m1, AT(0), &gpa, &ro), -EINVAL); /* no owner */
	assert_int_equal(grant_map(&t0, 0, (uint64_t)r, 1, &m1, 0x200000, &gpa, &ro), -EINVAL);
	assert_int_equal(grant_map(&t0, 0, (uint64_t)r, 1, &m1, AT(0) + 8, &gpa, &ro), -EINVAL);
	assert_int_equal(grant_map(&t0, 0, (uint64_t)r, 1, &m1, AT(KEEL_GRANT_SLOTS), &gpa, &ro),
			 -EINVAL);
	assert_int_equal(grant_map(&t0, 0, (uint64_t)r, 1, &m1, AT(1), &gpa, &ro), 0);
	assert_int_equal(grant_map(&t0, 0, (uint64_t)r, 1, &m1, AT(1), &gpa, &ro), -EBUSY);
	assert_int_equal(grant_slot_of(AT(2)), 2);
	assert_int_equal(grant_slot_of(KEEL_GRANT_BASE - 4096), -EINVAL);
}

/* The count a map took is given back once; a bad or unused ref changes nothing. */
static void test_release(void **state)
{
	uint64_t gpa;
	bool ro;
	int r;

	(void)state;
	r = grant_offer(&t0, 0, 0x1000, RAM, 1, true, 0);
	assert_int_equal(grant_map(&t0, 0, (uint64_t)r, 1, &m1, AT(0), &gpa, &ro), 0);
	assert_int_equal(t0.e[r].maps, 1);
	grant_release(&t0, KEEL_GRANTS_MAX);
	grant_release(&t0, 0xffff);
	grant_release(&t0, (unsigned)r + 1);
	assert_int_equal(t0.e[r].maps, 1);
	grant_release(&t0, (unsigned)r);
	assert_int_equal(t0.e[r].maps, 0);
	grant_release(&t0, (unsigned)r); /* never below zero */
	assert_int_equal(t0.e[r].maps, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_offer_map_unmap, setup),
		cmocka_unit_test_setup(test_offer_refused, setup),
		cmocka_unit_test_setup(test_map_refused, setup),
		cmocka_unit_test_setup(test_release, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
