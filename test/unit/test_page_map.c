/* SPDX-License-Identifier: MIT */
/* Host tests for arch/x86/page_map.c: what each page of Keel's identity map allows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arch/page_map.h>
#include <arch/paging.h>

#define K4 0x1000ULL
#define M2 0x200000ULL

/* An image that straddles a 2 MiB boundary, as a loader may place it. */
static const struct page_layout img = {
	.image_start = 0x3fe000, .text_end = 0x401000, .rodata_end = 0x403000,
	.image_end = 0x405000, .nx = PTE_NX,
};

static void test_page_zero(void **state)
{
	(void)state;
	assert_true(page_needs_split(&img, 0));
	assert_int_equal(page_pte(&img, 0, false), 0);
	assert_int_equal(page_pte(&img, 0, true), 0); /* never a large page over page 0 */
	assert_int_equal(page_pte(&img, K4, false), K4 | PTE_P | PTE_W | PTE_NX);
}

static void test_image(void **state)
{
	(void)state;
	assert_true(page_needs_split(&img, M2));     /* 0x200000-0x3fffff holds its start */
	assert_true(page_needs_split(&img, 2 * M2)); /* 0x400000-0x5fffff holds the rest */
	assert_false(page_needs_split(&img, 3 * M2));
	/* Just before the image, text, read-only data, data, just after. */
	assert_int_equal(page_pte(&img, 0x3fd000, false), 0x3fd000 | PTE_P | PTE_W | PTE_NX);
	assert_int_equal(page_pte(&img, 0x3fe000, false), 0x3fe000 | PTE_P);
	assert_int_equal(page_pte(&img, 0x400000, false), 0x400000 | PTE_P);
	assert_int_equal(page_pte(&img, 0x401000, false), 0x401000 | PTE_P | PTE_NX);
	assert_int_equal(page_pte(&img, 0x402000, false), 0x402000 | PTE_P | PTE_NX);
	assert_int_equal(page_pte(&img, 0x403000, false), 0x403000 | PTE_P | PTE_W | PTE_NX);
	assert_int_equal(page_pte(&img, 0x404000, false), 0x404000 | PTE_P | PTE_W | PTE_NX);
	assert_int_equal(page_pte(&img, 0x405000, false), 0x405000 | PTE_P | PTE_W | PTE_NX);
}

/* Every other 2 MiB page: writable, not executable, a large leaf. */
static void test_rest(void **state)
{
	(void)state;
	assert_int_equal(page_pte(&img, 3 * M2, true), 3 * M2 | PTE_P | PTE_W | PTE_PS | PTE_NX);
	assert_int_equal(page_pte(&img, 0xfee00000, true),
			 0xfee00000 | PTE_P | PTE_W | PTE_PS | PTE_NX);
}

/* Without NX (a CPU that lacks it) nothing carries bit 63, which would be reserved. */
static void test_no_nx(void **state)
{
	struct page_layout l = img;

	(void)state;
	l.nx = 0;
	for (uint64_t a = K4; a < 0x406000; a += K4)
		assert_int_equal(page_pte(&l, a, false) & PTE_NX, 0);
	assert_int_equal(page_pte(&l, 3 * M2, true) & PTE_NX, 0);
	assert_int_equal(page_pte(&l, 0x3fe000, false), 0x3fe000 | PTE_P);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_zero),
		cmocka_unit_test(test_image),
		cmocka_unit_test(test_rest),
		cmocka_unit_test(test_no_nx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
