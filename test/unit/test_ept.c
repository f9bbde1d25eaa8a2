/* SPDX-License-Identifier: MIT */
/*
 * Host tests for arch/x86/vmx/ept.c. Tables come from aligned_alloc() and
 * are addressed by their host pointer, which ept.c dereferences just as
 * Keel does with identity-mapped physical addresses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/bits.h>
#include <keel/errno.h>
#include "ept.h"
#include "known_bug.h"

#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL
#define TOP   (1ULL << 48)
#define LEAF  (EPT_RWX | EPT_MT_WB)

/* The allocator: counts tables, fails once the budget runs out. */
struct pool {
	void *tables[64];
	unsigned nr, budget;
};

static uint64_t alloc_table(void *ctx)
{
	struct pool *p = ctx;
	void *t;

	if (p->nr == p->budget || p->nr == ARRAY_SIZE(p->tables))
		return 0;
	t = aligned_alloc(4096, 4096);
	assert_non_null(t);
	memset(t, 0, 4096);
	p->tables[p->nr++] = t;
	return (uint64_t)(uintptr_t)t;
}

static struct pool pool;
static struct ept ept;

static int setup(void **state)
{
	(void)state;
	memset(&pool, 0, sizeof(pool));
	pool.budget = 64;
	ept = (struct ept){ .large_ok = true, .alloc_table = alloc_table, .ctx = &pool };
	return ept_init(&ept);
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < pool.nr; i++)
		free(pool.tables[i]);
	pool.nr = 0;
	return 0;
}

/* gpa translates to hpa with exactly these leaf flags. */
static void expect_map(uint64_t gpa, uint64_t hpa, uint64_t flags)
{
	uint64_t got = 0xdead, fl = 0xdead;
	int rc = ept_lookup(&ept, gpa, &got, &fl);

	if (rc || got != hpa || fl != flags)
		fail_msg("gpa 0x%llx: rc %d hpa 0x%llx flags 0x%llx, expected 0x%llx 0x%llx",
			 (unsigned long long)gpa, rc, (unsigned long long)got,
			 (unsigned long long)fl, (unsigned long long)hpa,
			 (unsigned long long)flags);
}

static void expect_unmapped(uint64_t gpa)
{
	uint64_t hpa, fl;

	if (ept_lookup(&ept, gpa, &hpa, &fl) != -ENOENT)
		fail_msg("gpa 0x%llx mapped to 0x%llx", (unsigned long long)gpa,
			 (unsigned long long)hpa);
}

/* Every 4 KiB page of [gpa, gpa+size) -> hpa + offset; large where the 2M slot fits. */
static void expect_range(uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t flags,
			 bool large_ok)
{
	for (uint64_t off = 0; off < size; off += SZ_4K) {
		uint64_t g = gpa + off, slot = g & ~(SZ_2M - 1);
		bool large = large_ok && slot >= gpa && slot + SZ_2M <= gpa + size &&
			     !((hpa + (slot - gpa)) & (SZ_2M - 1));

		expect_map(g + 0x123, hpa + off + 0x123, flags | (large ? EPT_LARGE : 0));
	}
}

static void test_map_4m_large(void **state)
{
	(void)state;
	assert_int_equal(ept_map(&ept, 0, 0x200000, 4 * 1024 * 1024, LEAF), 0);
	expect_map(0, 0x200000, LEAF | EPT_LARGE);
	expect_map(0x1234, 0x201234, LEAF | EPT_LARGE);
	expect_map(0x1fffff, 0x3fffff, LEAF | EPT_LARGE);
	expect_map(0x200000, 0x400000, LEAF | EPT_LARGE);
	expect_map(0x3ffff8, 0x5ffff8, LEAF | EPT_LARGE);
	expect_unmapped(0x400000);
	/* PML4, PDPT, PD: no page table is needed for 2 MiB leaves. */
	assert_int_equal(pool.nr, 3);
}

static void test_map_4m_small(void **state)
{
	(void)state;
	ept.large_ok = false;
	assert_int_equal(ept_map(&ept, 0, 0x200000, 4 * 1024 * 1024, LEAF), 0);
	expect_range(0, 0x200000, 4 * 1024 * 1024, LEAF, false);
	expect_unmapped(0x400000);
	assert_int_equal(pool.nr, 5); /* PML4, PDPT, PD, two PTs */
}

/* hpa not 2M-aligned: 4K leaves even though gpa and size would allow 2M. */
static void test_hpa_unaligned_for_2m(void **state)
{
	(void)state;
	assert_int_equal(ept_map(&ept, 0x400000, 0x201000, SZ_2M, LEAF), 0);
	expect_range(0x400000, 0x201000, SZ_2M, LEAF, false);
}

static void test_mixed_leaves(void **state)
{
	const uint64_t gpa = 0x1ff000, hpa = 0x801ff000, size = 0x402000;

	(void)state;
	assert_int_equal(ept_map(&ept, gpa, hpa, size, LEAF), 0);
	/* 0x1ff000: 4K; 0x200000-0x5fffff: two 2M leaves; 0x600000: 4K. */
	expect_map(0x1ff000, 0x801ff000, LEAF);
	expect_map(0x200000, 0x80200000, LEAF | EPT_LARGE);
	expect_map(0x400000, 0x80400000, LEAF | EPT_LARGE);
	expect_map(0x600000, 0x80600000, LEAF);
	expect_range(gpa, hpa, size, LEAF, true);
	expect_unmapped(0x1fe000);
	expect_unmapped(0x601000);
}

static void test_flags_preserved(void **state)
{
	static const uint64_t fl[] = {
		EPT_R,
		EPT_R | EPT_X,
		EPT_R | EPT_W | EPT_MT_UC,
		EPT_X,
		EPT_RWX | EPT_MT_WB | EPT_IGN_PAT,
		EPT_R | (4ULL << 3),                /* WT */
		EPT_R | (1ULL << 10) | (1ULL << 63), /* user-execute, suppress #VE */
	};
	const uint64_t hpa_hi = 0x000fffffffe00000ULL; /* top 2M of a 52-bit hpa */

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(fl); i++) {
		uint64_t g4k = 0x10000000 + i * SZ_4K, g2m = 0x40000000 + i * SZ_2M;

		assert_int_equal(ept_map(&ept, g4k, hpa_hi - i * SZ_4K, SZ_4K, fl[i]), 0);
		assert_int_equal(ept_map(&ept, g2m, hpa_hi - (i + 1) * SZ_2M, SZ_2M, fl[i]), 0);
		expect_map(g4k + 0xabc, hpa_hi - i * SZ_4K + 0xabc, fl[i]);
		expect_map(g2m + 0x12345, hpa_hi - (i + 1) * SZ_2M + 0x12345, fl[i] | EPT_LARGE);
	}
}

static void test_invalid(void **state)
{
	(void)state;
	assert_int_equal(ept_map(&ept, 0x800, 0, SZ_4K, LEAF), -EINVAL);
	assert_int_equal(ept_map(&ept, 0, 0x10, SZ_4K, LEAF), -EINVAL);
	assert_int_equal(ept_map(&ept, 0, 0, 0x1800, LEAF), -EINVAL);
	/* Past the 48-bit space the 4-level walk covers, or wrapping. */
	assert_int_equal(ept_map(&ept, TOP - SZ_4K, 0, 2 * SZ_4K, LEAF), -EINVAL);
	assert_int_equal(ept_map(&ept, TOP, 0, SZ_4K, LEAF), -EINVAL);
	assert_int_equal(ept_map(&ept, ~0ULL - 0xfff, 0, SZ_4K, LEAF), -EINVAL);
	assert_int_equal(ept_map(&ept, 0x1000, 0, ~0ULL - 0xfff, LEAF), -EINVAL);
	/* Nothing was mapped on the way. */
	expect_unmapped(0);
	expect_unmapped(0x1000);
	expect_unmapped(TOP - SZ_4K);
	assert_int_equal(pool.nr, 1);
}

static void test_top_of_space(void **state)
{
	(void)state;
	assert_int_equal(ept_map(&ept, TOP - SZ_4K, 0x5000, SZ_4K, LEAF), 0);
	expect_map(TOP - SZ_4K, 0x5000, LEAF);
	expect_map(TOP - 1, 0x5fff, LEAF);
	expect_unmapped(TOP - 2 * SZ_4K);
	expect_unmapped(0);
	assert_int_equal(ept_map(&ept, TOP - SZ_2M, 0x400000, SZ_2M - SZ_4K, LEAF), 0);
	expect_range(TOP - SZ_2M, 0x400000, SZ_2M - SZ_4K, LEAF, true);
}

static void test_overlap(void **state)
{
	(void)state;
	assert_int_equal(ept_map(&ept, 0x10000, 0x10000, 0x4000, LEAF), 0);
	assert_int_equal(ept_map(&ept, 0x13000, 0x90000, 0x2000, LEAF), -EEXIST);
	assert_int_equal(ept_map(&ept, 0x0f000, 0x90000, 0x2000, LEAF), -EEXIST);
	/* A 2M leaf over a table holding 4K leaves. */
	assert_int_equal(ept_map(&ept, 0, 0x200000, SZ_2M, LEAF), -EEXIST);
	/* The original mapping is untouched. */
	expect_range(0x10000, 0x10000, 0x4000, LEAF, false);
	/* Adjacent ranges are fine. */
	assert_int_equal(ept_map(&ept, 0x14000, 0x90000, 0x1000, LEAF), 0);
	expect_map(0x14000, 0x90000, LEAF);
	/* 2M over 2M. */
	assert_int_equal(ept_map(&ept, 0x400000, 0x400000, SZ_2M, LEAF), 0);
	assert_int_equal(ept_map(&ept, 0x400000, 0x800000, SZ_2M, LEAF), -EEXIST);
	expect_map(0x400000, 0x400000, LEAF | EPT_LARGE);
}

/* A 4K page inside an existing 2M leaf is an overlap, not a shortage of memory. */
static void test_overlap_inside_large(void **state)
{
	(void)state;
	assert_int_equal(ept_map(&ept, 0x400000, 0x400000, SZ_2M, LEAF), 0);
	assert_int_equal(ept_map(&ept, 0x401000, 0x900000, SZ_4K, LEAF), -EEXIST);
	expect_map(0x401000, 0x401000, LEAF | EPT_LARGE);
}

static void test_unmapped(void **state)
{
	(void)state;
	expect_unmapped(0);
	assert_int_equal(ept_map(&ept, 0x200000, 0x200000, SZ_4K, LEAF), 0);
	expect_unmapped(0x201000);         /* same PT */
	expect_unmapped(0x400000);         /* same PD, no PT */
	expect_unmapped(0x40000000);       /* same PDPT, no PD */
	expect_unmapped(0x8000000000ULL);  /* no PDPT */
	expect_unmapped(TOP - SZ_4K);
}

/* Out of tables at each level: -ENOMEM, no crash, and a retry completes it. */
static void test_enomem(void **state)
{
	(void)state;
	for (unsigned budget = 1; budget < 4; budget++) {
		pool.budget = budget;
		assert_int_equal(ept_map(&ept, 0x7000, 0x7000, SZ_4K, LEAF), -ENOMEM);
		assert_int_equal(pool.nr, budget);
		expect_unmapped(0x7000);
	}
	pool.budget = 4;
	assert_int_equal(ept_map(&ept, 0x7000, 0x7000, SZ_4K, LEAF), 0);
	expect_map(0x7000, 0x7000, LEAF);
	/* A range whose second half needs a new PT fails part way. */
	assert_int_equal(ept_map(&ept, 0x1ff000, 0x1ff000, 2 * SZ_4K, LEAF), -ENOMEM);
	expect_map(0x1ff000, 0x1ff000, LEAF);
	expect_unmapped(0x200000);
}

static void test_init_enomem(void **state)
{
	struct pool none = { .budget = 0 };
	struct ept e = { .alloc_table = alloc_table, .ctx = &none };

	(void)state;
	assert_int_equal(ept_init(&e), -ENOMEM);
	assert_int_equal(e.root, 0);
}

/* Write-protecting 16 KiB inside a 2 MiB leaf splits it; the rest keeps its rights. */
static void test_protect_splits_large(void **state)
{
	(void)state;
	assert_int_equal(ept_map(&ept, 0, 0x400000, 4 * 1024 * 1024, LEAF), 0);
	assert_int_equal(pool.nr, 3);
	assert_int_equal(ept_protect(&ept, 0xf0000, 0x4000, EPT_R | EPT_X), 0);
	assert_int_equal(pool.nr, 4); /* one page table for the split 2 MiB */
	expect_map(0xef000, 0x4ef000, LEAF);
	expect_map(0xf0000, 0x4f0000, EPT_R | EPT_X | EPT_MT_WB);
	expect_map(0xf3fff, 0x4f3fff, EPT_R | EPT_X | EPT_MT_WB);
	expect_map(0xf4000, 0x4f4000, LEAF);
	expect_map(0x1ff000, 0x5ff000, LEAF);
	expect_map(0x200000, 0x600000, LEAF | EPT_LARGE); /* the next 2 MiB is untouched */
	/* Writable again: the split stays, the rights come back. */
	assert_int_equal(ept_protect(&ept, 0xf0000, 0x4000, EPT_RWX), 0);
	expect_map(0xf2000, 0x4f2000, LEAF);
	assert_int_equal(pool.nr, 4);
}

/* A whole 2 MiB leaf changes in place; a range over unmapped space fails. */
static void test_protect_whole_large_and_unmapped(void **state)
{
	(void)state;
	assert_int_equal(ept_map(&ept, 0x200000, 0x200000, SZ_2M, LEAF), 0);
	assert_int_equal(ept_protect(&ept, 0x200000, SZ_2M, EPT_R), 0);
	expect_map(0x300000, 0x300000, EPT_R | EPT_MT_WB | EPT_LARGE);
	assert_int_equal(pool.nr, 3);
	assert_int_equal(ept_protect(&ept, 0x400000, SZ_4K, EPT_R), -ENOENT);
	assert_int_equal(ept_protect(&ept, 0x201000, 0x800, EPT_R), -EINVAL);
	assert_int_equal(ept_protect(&ept, 0x200000, SZ_4K, EPT_R | EPT_LARGE), -EINVAL);
}

/* No rights unmaps: the page is gone and can be mapped again elsewhere. */
static void test_protect_zero_unmaps(void **state)
{
	(void)state;
	assert_int_equal(ept_map(&ept, 0x40000000, 0x5000, SZ_4K, LEAF), 0);
	assert_int_equal(ept_protect(&ept, 0x40000000, SZ_4K, 0), 0);
	expect_unmapped(0x40000000);
	assert_int_equal(ept_protect(&ept, 0x40000000, SZ_4K, 0), -ENOENT);
	assert_int_equal(ept_map(&ept, 0x40000000, 0x9000, SZ_4K, EPT_R | EPT_MT_WB), 0);
	expect_map(0x40000000, 0x9000, EPT_R | EPT_MT_WB);
}

/* No memory for the split table: -ENOMEM, and the 2 MiB leaf is intact. */
static void test_protect_enomem(void **state)
{
	(void)state;
	assert_int_equal(ept_map(&ept, 0, 0, SZ_2M, LEAF), 0);
	pool.budget = pool.nr;
	assert_int_equal(ept_protect(&ept, 0x1000, SZ_4K, EPT_R), -ENOMEM);
	expect_map(0x1000, 0x1000, LEAF | EPT_LARGE);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_map_4m_large),   T(test_map_4m_small),        T(test_hpa_unaligned_for_2m),
		T(test_mixed_leaves),   T(test_flags_preserved),     T(test_invalid),
		T(test_top_of_space),   T(test_overlap),             T(test_overlap_inside_large),
		T(test_unmapped),       T(test_enomem),              T(test_init_enomem),
		T(test_protect_splits_large), T(test_protect_whole_large_and_unmapped),
		T(test_protect_enomem), T(test_protect_zero_unmaps),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
