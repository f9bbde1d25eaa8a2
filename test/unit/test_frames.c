/* SPDX-License-Identifier: MIT */
/*
 * Host tests for vmm/mm/frames.c. A page bitmap is the reference model: the
 * pool must always hold exactly its runs of free pages, and free_bytes must
 * always count them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/frames.h>
#include "known_bug.h"

#define PG    0x1000ULL
#define MB    0x100000ULL
#define NPAGE 16384 /* the model covers [0, 64 MiB) */

static struct frame_pool pool;
static bool ref[NPAGE]; /* page i is free */

static int setup(void **state)
{
	(void)state;
	memset(&pool, 0xa5, sizeof(pool));
	pool.nr = 0;
	pool.free_bytes = 0;
	memset(ref, 0, sizeof(ref));
	return 0;
}

static void ref_set(uint64_t base, uint64_t end, bool free)
{
	for (uint64_t a = base; a < end; a += PG)
		ref[a / PG] = free;
}

/* Ranges are sorted, disjoint, not touching, page-aligned and add up to free_bytes. */
static void check_invariants(void)
{
	uint64_t sum = 0;

	assert_in_range(pool.nr, 0, FRAME_RANGES_MAX);
	for (unsigned i = 0; i < pool.nr; i++) {
		const struct frame_range *r = &pool.r[i];

		if (r->base % PG || r->end % PG || r->base >= r->end || r->base == 0)
			fail_msg("range %u [0x%llx, 0x%llx) malformed", i,
				 (unsigned long long)r->base, (unsigned long long)r->end);
		if (i && pool.r[i - 1].end >= r->base)
			fail_msg("ranges %u and %u not sorted and apart", i - 1, i);
		sum += r->end - r->base;
	}
	if (sum != pool.free_bytes)
		fail_msg("free_bytes 0x%llx, ranges hold 0x%llx",
			 (unsigned long long)pool.free_bytes, (unsigned long long)sum);
}

/* The pool's ranges are exactly the runs of free pages in ref[]. */
static void check_against_ref(void)
{
	unsigned i = 0, nfree = 0;

	check_invariants();
	for (unsigned pg = 0; pg < NPAGE;) {
		unsigned end = pg;

		if (!ref[pg]) {
			pg++;
			continue;
		}
		while (end < NPAGE && ref[end])
			end++;
		if (i >= pool.nr || pool.r[i].base != pg * PG || pool.r[i].end != end * PG)
			fail_msg("free run [0x%llx, 0x%llx) is not range %u", pg * PG, end * PG, i);
		nfree += end - pg;
		i++;
		pg = end;
	}
	assert_int_equal(i, pool.nr);
	assert_int_equal(pool.free_bytes, nfree * PG);
}

/* One range [base, end) expected at index i. */
static void expect_range(unsigned i, uint64_t base, uint64_t end)
{
	assert_true(i < pool.nr);
	assert_int_equal(pool.r[i].base, base);
	assert_int_equal(pool.r[i].end, end);
}

static void test_add_unaligned(void **state)
{
	(void)state;
	assert_int_equal(frames_add(&pool, 0x1234, 0x3000), 0x2000);
	expect_range(0, 0x2000, 0x4000);
	assert_int_equal(frames_add(&pool, 0x10000, 0xfff), 0);
	assert_int_equal(frames_add(&pool, 0x10001, 0x1fff), 0x1000);
	expect_range(1, 0x11000, 0x12000);
	assert_int_equal(frames_add(&pool, 0x20fff, 0x1000), 0);
	assert_int_equal(pool.nr, 2);
	assert_int_equal(pool.free_bytes, 0x3000);
	check_invariants();
}

static void test_page0_never(void **state)
{
	(void)state;
	assert_int_equal(frames_add(&pool, 0, PG), 0);
	assert_int_equal(frames_add(&pool, 0, 4 * PG), 3 * PG);
	expect_range(0, PG, 4 * PG);
	assert_int_equal(frames_take(&pool, PG, 0), PG);
	assert_int_equal(frames_take(&pool, PG, 0), 2 * PG);
	assert_int_equal(frames_take(&pool, PG, 0), 3 * PG);
	/* Exhausted: 0 means "none", never page 0. */
	assert_int_equal(frames_take(&pool, PG, 0), 0);
	assert_int_equal(pool.nr, 0);
	assert_int_equal(pool.free_bytes, 0);
	frames_give(&pool, 0, 2 * PG);
	expect_range(0, PG, 2 * PG);
	assert_int_equal(pool.free_bytes, PG);
}

static void test_merge(void **state)
{
	(void)state;
	assert_int_equal(frames_add(&pool, 1 * MB, MB), MB);
	assert_int_equal(frames_add(&pool, 2 * MB, MB), MB); /* touches: one range */
	assert_int_equal(pool.nr, 1);
	expect_range(0, 1 * MB, 3 * MB);
	assert_int_equal(frames_add(&pool, MB / 2, MB), MB / 2); /* overlaps the front */
	expect_range(0, MB / 2, 3 * MB);
	assert_int_equal(frames_add(&pool, 2 * MB, MB / 2), 0); /* inside */
	assert_int_equal(frames_add(&pool, 5 * MB, MB), MB);
	assert_int_equal(frames_add(&pool, 7 * MB, MB), MB);
	assert_int_equal(frames_add(&pool, 9 * MB, MB), MB);
	assert_int_equal(pool.nr, 4);
	/* One add bridging three ranges absorbs them all. */
	assert_int_equal(frames_add(&pool, 4 * MB, 5 * MB + PG), 3 * MB);
	assert_int_equal(pool.nr, 2);
	expect_range(0, MB / 2, 3 * MB);
	expect_range(1, 4 * MB, 10 * MB);
	assert_int_equal(pool.free_bytes, (3 * MB - MB / 2) + 6 * MB);
	/* A range below all others goes first. */
	assert_int_equal(frames_add(&pool, 0x10000, 0x1000), PG);
	expect_range(0, 0x10000, 0x11000);
	check_invariants();
}

static void test_take_aligned(void **state)
{
	(void)state;
	frames_add(&pool, 0, 8 * MB);
	/* From [4K, 8M): the first 2M-aligned page splits the range. */
	assert_int_equal(frames_take(&pool, PG, 2 * MB), 2 * MB);
	assert_int_equal(pool.nr, 2);
	expect_range(0, PG, 2 * MB);
	expect_range(1, 2 * MB + PG, 8 * MB);
	assert_int_equal(pool.free_bytes, 8 * MB - 2 * PG);
	/* Range 0 has no 2M-aligned start; range 1's first is 4M. */
	assert_int_equal(frames_take(&pool, 2 * MB, 2 * MB), 4 * MB);
	expect_range(1, 2 * MB + PG, 4 * MB);
	expect_range(2, 6 * MB, 8 * MB);
	/* Exactly the tail of a range. */
	assert_int_equal(frames_take(&pool, 2 * MB, 2 * MB), 6 * MB);
	assert_int_equal(pool.nr, 2);
	assert_int_equal(frames_take(&pool, 2 * MB, 2 * MB), 0);
	assert_int_equal(pool.free_bytes, 4 * MB - 2 * PG);
	/* Unaligned sizes round up to pages; align below a page means a page. */
	assert_int_equal(frames_take(&pool, 1, 0), PG);
	assert_int_equal(frames_take(&pool, PG + 1, 16), 2 * PG);
	assert_int_equal(pool.free_bytes, 4 * MB - 5 * PG);
	assert_int_equal(frames_take(&pool, 3 * PG, 0x10000), 0x10000); /* middle split */
	expect_range(0, 4 * PG, 0x10000);
	expect_range(1, 0x13000, 2 * MB);
	assert_int_equal(pool.free_bytes, 4 * MB - 8 * PG);
	check_invariants();
}

static void test_take_refused(void **state)
{
	(void)state;
	frames_add(&pool, MB, MB);
	assert_int_equal(frames_take(&pool, 0, 0), 0);
	assert_int_equal(frames_take(&pool, PG, 3 * PG), 0);  /* not a power of two */
	assert_int_equal(frames_take(&pool, MB + PG, 0), 0);  /* too big */
	assert_int_equal(frames_take(&pool, ~0ULL, 0), 0);    /* rounds up past 2^64 */
	assert_int_equal(frames_take(&pool, PG, 1ULL << 63), 0);
	/* Above 2^63 that alignment wraps the start to 0: still nothing. */
	frames_add(&pool, (1ULL << 63) + MB, MB);
	assert_int_equal(frames_take(&pool, PG, 1ULL << 63), 0);
	expect_range(0, MB, 2 * MB);
	expect_range(1, (1ULL << 63) + MB, (1ULL << 63) + 2 * MB);
	assert_int_equal(pool.free_bytes, 2 * MB);
}

static void test_give_merges(void **state)
{
	/* Back in a shuffled order: islands first, then the gaps between them. */
	static const int order[8] = { 1, 5, 3, 7, 0, 2, 6, 4 };
	static const unsigned nr_after[8] = { 1, 2, 3, 4, 4, 3, 2, 1 };
	uint64_t a[8];

	(void)state;
	frames_add(&pool, MB, 8 * PG);
	for (int i = 0; i < 8; i++)
		a[i] = frames_take(&pool, PG, 0);
	for (int i = 0; i < 8; i++)
		assert_int_equal(a[i], MB + i * PG);
	assert_int_equal(pool.nr, 0);
	for (int i = 0; i < 8; i++) {
		frames_give(&pool, a[order[i]], PG);
		assert_int_equal(pool.nr, nr_after[i]);
		assert_int_equal(pool.free_bytes, (i + 1) * PG);
		check_invariants();
	}
	expect_range(0, MB, MB + 8 * PG);
}

/* A range list one entry too long drops the newcomer and stays consistent. */
static void test_ranges_max(void **state)
{
	(void)state;
	for (unsigned i = 0; i < FRAME_RANGES_MAX; i++)
		assert_int_equal(frames_add(&pool, (4 + 2 * i) * PG, PG), PG);
	assert_int_equal(pool.nr, FRAME_RANGES_MAX);
	assert_int_equal(frames_add(&pool, (4 + 2 * FRAME_RANGES_MAX) * PG, PG), 0);
	assert_int_equal(frames_add(&pool, PG, PG), 0); /* before all */
	assert_int_equal(pool.nr, FRAME_RANGES_MAX);
	assert_int_equal(pool.free_bytes, FRAME_RANGES_MAX * PG);
	check_invariants();
	expect_range(0, 4 * PG, 5 * PG);
	expect_range(FRAME_RANGES_MAX - 1, (2 + 2 * FRAME_RANGES_MAX) * PG,
		     (3 + 2 * FRAME_RANGES_MAX) * PG);
	/* Growing an existing range still works, and merging frees slots. */
	assert_int_equal(frames_add(&pool, 5 * PG, PG), PG);
	assert_int_equal(pool.nr, FRAME_RANGES_MAX - 1);
	expect_range(0, 4 * PG, 7 * PG);
	assert_int_equal(frames_add(&pool, PG, PG), PG);
	assert_int_equal(pool.nr, FRAME_RANGES_MAX);
	check_invariants();
}

/*
 * A take that must split a range when the list is full fails rather than
 * lose the tail; one that needs no split still succeeds.
 */
static void test_ranges_max_split(void **state)
{
	uint64_t before;

	(void)state;
	frames_add(&pool, 2 * MB - PG, 3 * PG); /* [2M-4K, 2M+8K) */
	for (unsigned i = 1; i < FRAME_RANGES_MAX; i++)
		frames_add(&pool, 4 * MB + 2 * i * PG, PG);
	assert_int_equal(pool.nr, FRAME_RANGES_MAX);
	before = pool.free_bytes;
	assert_int_equal(frames_take(&pool, PG, 2 * MB), 0);
	assert_int_equal(pool.free_bytes, before);
	check_invariants();
	assert_int_equal(frames_take(&pool, PG, PG), 2 * MB - PG);
	assert_int_equal(pool.free_bytes, before - PG);
	check_invariants();
}

/* A range ending near 2^64 must not wrap into a huge one. */
static void test_add_top_of_space(void **state)
{
	(void)state;
	assert_int_equal(frames_add(&pool, ~0ULL - PG, PG), 0);
	assert_int_equal(frames_add(&pool, 0xfffffffffffe0000ULL, 0x20000), 0x1f000);
	assert_int_equal(frames_add(&pool, 0xfffffffffffff001ULL, 0x10), 0);
	assert_int_equal(pool.free_bytes, 0x1f000);
}

/* Lowest page-aligned start at which npages free pages, aligned to align, fit in ref[]. */
static uint64_t ref_first_fit(unsigned npages, uint64_t align)
{
	static unsigned run[NPAGE + 1]; /* free pages from pg on */
	unsigned step = align / PG;

	run[NPAGE] = 0;
	for (unsigned pg = NPAGE; pg-- > 0;)
		run[pg] = ref[pg] ? run[pg + 1] + 1 : 0;
	for (unsigned pg = 0; pg < NPAGE; pg += step)
		if (run[pg] >= npages)
			return pg * PG;
	return 0;
}

struct live {
	uint64_t base, size;
};

static void test_random(void **state)
{
	static const uint64_t aligns[] = { 0, PG, 2 * PG, 0x10000, 2 * MB };
	static struct live live[48];
	unsigned nlive = 0, taken = 0, refused = 0;

	(void)state;
	srand(0x6b65656c);
	/* Three regions with holes, page 0 included (and never free). */
	frames_add(&pool, 0, 20 * MB + 0x123);
	frames_add(&pool, 24 * MB + 0x800, 16 * MB);
	frames_add(&pool, 44 * MB, 20 * MB);
	ref_set(PG, 20 * MB, true);
	ref_set(24 * MB + PG, 40 * MB, true);
	ref_set(44 * MB, 64 * MB, true);
	check_against_ref();
	for (int iter = 0; iter < 4000; iter++) {
		bool take = nlive == 0 || (nlive < 48 && rand() % 3 != 0);

		if (take) {
			unsigned npages = rand() % 8 ? 1 + rand() % 64 : 1 + rand() % 4096;
			uint64_t align = aligns[rand() % 5], a = align < PG ? PG : align;
			uint64_t size = npages * PG - (rand() % 2 ? rand() % PG : 0);
			uint64_t want = ref_first_fit(npages, a);
			uint64_t got = frames_take(&pool, size, align);

			if (got != want)
				fail_msg("iter %d: take(0x%llx, 0x%llx) = 0x%llx, first fit 0x%llx",
					 iter, (unsigned long long)size, (unsigned long long)align,
					 (unsigned long long)got, (unsigned long long)want);
			if (got) {
				ref_set(got, got + npages * PG, false);
				live[nlive++] = (struct live){ got, npages * PG };
				taken++;
			} else {
				refused++;
			}
		} else {
			unsigned i = rand() % nlive;

			frames_give(&pool, live[i].base, live[i].size);
			ref_set(live[i].base, live[i].base + live[i].size, true);
			live[i] = live[--nlive];
		}
		check_against_ref();
	}
	/* Give everything back: the three regions again. */
	while (nlive) {
		nlive--;
		frames_give(&pool, live[nlive].base, live[nlive].size);
		ref_set(live[nlive].base, live[nlive].base + live[nlive].size, true);
	}
	check_against_ref();
	assert_int_equal(pool.nr, 3);
	/* The mix exercised both outcomes. */
	assert_true(taken > 1000);
	assert_true(refused > 10);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_add_unaligned), T(test_page0_never),	  T(test_merge),
		T(test_take_aligned),  T(test_take_refused),	  T(test_give_merges),
		T(test_ranges_max),    T(test_ranges_max_split), T(test_add_top_of_space),
		T(test_random),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
