/* SPDX-License-Identifier: MIT */
/*
 * The write-combining window's page-table work (arch/x86/page_wc.c) on a
 * host-built identity map: whole 2 MiB pages become leaves of the new type,
 * partly covered ones are split with their neighbours' entries unchanged,
 * a window past the map gets tables of its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arch/page_wc.h>
#include <arch/paging.h>

#define M2    0x200000ULL
#define K4    0x1000ULL
#define GIB   0x40000000ULL
#define WC    (PTE_PWT | PTE_NX)
#define PAGES 64

static void *pages[PAGES];
static unsigned nr_pages;

static void *alloc_page(void)
{
	assert_true(nr_pages < PAGES);
	pages[nr_pages] = aligned_alloc(4096, 4096);
	memset(pages[nr_pages], 0, 4096);
	return pages[nr_pages++];
}

static void free_pages(void)
{
	while (nr_pages)
		free(pages[--nr_pages]);
}

/* Keel's map as paging.c builds it: the first GiB identity-mapped with 2 MiB pages, NX. */
static uint64_t *identity_map(void)
{
	uint64_t *pml4 = alloc_page(), *pdpt = alloc_page(), *pd = alloc_page();

	pml4[0] = (uint64_t)pdpt | PTE_P | PTE_W;
	pdpt[0] = (uint64_t)pd | PTE_P | PTE_W;
	for (uint64_t i = 0; i < 512; i++)
		pd[i] = i * M2 | PTE_P | PTE_W | PTE_PS | PTE_NX;
	return pml4;
}

static uint64_t *table(uint64_t e)
{
	assert_true(e & PTE_P);
	assert_false(e & PTE_PS);
	return (uint64_t *)(e & PTE_ADDR);
}

/* The leaf entry mapping va (2 MiB or 4 KiB), 0 if none. */
static uint64_t leaf(uint64_t *pml4, uint64_t va)
{
	uint64_t e = pml4[(va >> 39) & 511], *pt;

	if (!(e & PTE_P))
		return 0;
	e = table(e)[(va >> 30) & 511];
	if (!(e & PTE_P))
		return 0;
	e = table(e)[(va >> 21) & 511];
	if (!(e & PTE_P) || (e & PTE_PS))
		return e;
	pt = table(e);
	return pt[(va >> 12) & 511];
}

/* A window from the middle of one 2 MiB page to the middle of the third. */
static void test_partial_ends_split(void **state)
{
	uint64_t *pml4 = identity_map();
	uint64_t start = 0x10100000, end = 0x10500000; /* 0x10000000.. is 2 MiB page 128 */

	(void)state;
	page_wc_map(pml4, start, end, WC, alloc_page);
	/* The whole 2 MiB page inside: one leaf with the type. */
	assert_int_equal(leaf(pml4, 0x10200000), 0x10200000 | PTE_P | PTE_W | PTE_PS | WC);
	/* The first, split: below the window as before, in it with the type. */
	assert_int_equal(leaf(pml4, 0x10000000), 0x10000000 | PTE_P | PTE_W | PTE_NX);
	assert_int_equal(leaf(pml4, 0x100ff000), 0x100ff000 | PTE_P | PTE_W | PTE_NX);
	assert_int_equal(leaf(pml4, 0x10100000), 0x10100000 | PTE_P | PTE_W | WC);
	assert_int_equal(leaf(pml4, 0x101ff000), 0x101ff000 | PTE_P | PTE_W | WC);
	/* The last, split the other way. */
	assert_int_equal(leaf(pml4, 0x10400000), 0x10400000 | PTE_P | PTE_W | WC);
	assert_int_equal(leaf(pml4, 0x104ff000), 0x104ff000 | PTE_P | PTE_W | WC);
	assert_int_equal(leaf(pml4, 0x10500000), 0x10500000 | PTE_P | PTE_W | PTE_NX);
	assert_int_equal(leaf(pml4, 0x105ff000), 0x105ff000 | PTE_P | PTE_W | PTE_NX);
	/* Neighbours untouched, and only two page tables were needed. */
	assert_int_equal(leaf(pml4, 0x0fe00000), 0x0fe00000 | PTE_P | PTE_W | PTE_PS | PTE_NX);
	assert_int_equal(leaf(pml4, 0x10600000), 0x10600000 | PTE_P | PTE_W | PTE_PS | PTE_NX);
	assert_int_equal(nr_pages, 3 + 2);
	free_pages();
}

/* 2 MiB-aligned both ends (QEMU's framebuffer at 0x80000000 is): no split at all. */
static void test_aligned_window(void **state)
{
	uint64_t *pml4 = identity_map();

	(void)state;
	page_wc_map(pml4, 0x20000000, 0x20400000, WC, alloc_page);
	assert_int_equal(leaf(pml4, 0x20000000), 0x20000000 | PTE_P | PTE_W | PTE_PS | WC);
	assert_int_equal(leaf(pml4, 0x20200000), 0x20200000 | PTE_P | PTE_W | PTE_PS | WC);
	assert_int_equal(leaf(pml4, 0x20400000), 0x20400000 | PTE_P | PTE_W | PTE_PS | PTE_NX);
	assert_int_equal(nr_pages, 3);
	free_pages();
}

/* A window inside an already split page (Keel's image, page 0) keeps the other entries. */
static void test_inside_a_split_page(void **state)
{
	uint64_t *pml4 = identity_map(), *pd = table(table(pml4[0])[0]), *pt = alloc_page();

	(void)state;
	for (uint64_t i = 0; i < 512; i++)
		pt[i] = (0x400000 + i * K4) | PTE_P | (i < 16 ? 0 : PTE_W | PTE_NX); /* text, data */
	pd[2] = (uint64_t)pt | PTE_P | PTE_W;
	page_wc_map(pml4, 0x480000, 0x482000, WC, alloc_page);
	assert_int_equal(leaf(pml4, 0x400000), 0x400000 | PTE_P);
	assert_int_equal(leaf(pml4, 0x47f000), 0x47f000 | PTE_P | PTE_W | PTE_NX);
	assert_int_equal(leaf(pml4, 0x480000), 0x480000 | PTE_P | PTE_W | WC);
	assert_int_equal(leaf(pml4, 0x481000), 0x481000 | PTE_P | PTE_W | WC);
	assert_int_equal(leaf(pml4, 0x482000), 0x482000 | PTE_P | PTE_W | PTE_NX);
	assert_int_equal(nr_pages, 4);
	free_pages();
}

/* A 64-bit BAR past what Keel mapped: its own tables, nothing else appears. */
static void test_past_the_map(void **state)
{
	uint64_t *pml4 = identity_map(), fb = 0x8000000000ULL + 0x1000; /* 512 GiB: a new PML4 slot */

	(void)state;
	page_wc_map(pml4, fb, fb + 3 * K4, PTE_PWT | PTE_PCD, alloc_page);
	assert_int_equal(leaf(pml4, fb), fb | PTE_P | PTE_W | PTE_PWT | PTE_PCD);
	assert_int_equal(leaf(pml4, fb + 2 * K4), (fb + 2 * K4) | PTE_P | PTE_W | PTE_PWT | PTE_PCD);
	assert_int_equal(leaf(pml4, fb - K4), 0);
	assert_int_equal(leaf(pml4, fb + 3 * K4), 0);
	assert_int_equal(leaf(pml4, fb + GIB), 0);
	assert_int_equal(nr_pages, 3 + 3); /* a PDPT, a PD and a page table */
	free_pages();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partial_ends_split),
		cmocka_unit_test(test_aligned_window),
		cmocka_unit_test(test_inside_a_split_page),
		cmocka_unit_test(test_past_the_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
