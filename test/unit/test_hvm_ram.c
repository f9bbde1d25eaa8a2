/* SPDX-License-Identifier: MIT */
/* Host tests for vmm/hvm_ram.c: an hvm guest's RAM below and above the PCI hole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <boot/config.h>
#include <keel/hvm_ram.h>

#define M (1ULL << 20)
#define G (1ULL << 30)
#define HPA 0x40000000ULL

static struct vm_mem_region ram[HVM_RAM_REGIONS];

static void region_is(const struct vm_mem_region *r, uint64_t gpa, uint64_t size, uint64_t hpa)
{
	assert_int_equal(r->gpa, gpa);
	assert_int_equal(r->size, size);
	assert_int_equal(r->hpa, hpa);
	assert_true(r->writable);
}

static void test_fits_below_the_limit(void **state)
{
	(void)state;
	assert_int_equal(hvm_ram_layout(32 * M, CFG_RAM_BELOW_4G_MAX, HPA, ram), 1);
	region_is(&ram[0], 0, 32 * M, HPA);
	/* Exactly the limit: still one region, nothing at 4 GiB. */
	assert_int_equal(hvm_ram_layout(3 * G, CFG_RAM_BELOW_4G_MAX, HPA, ram), 1);
	region_is(&ram[0], 0, 3 * G, HPA);
	assert_int_equal(hvm_ram_layout(32 * M, 32 * M, HPA, ram), 1);
	region_is(&ram[0], 0, 32 * M, HPA);
	/* A limit above the RAM is only a limit. */
	assert_int_equal(hvm_ram_layout(16 * M, 2 * G, HPA, ram), 1);
	region_is(&ram[0], 0, 16 * M, HPA);
}

static void test_split_at_the_limit(void **state)
{
	(void)state;
	/* What the system test runs: memory=64M ram-below-4g=32M. */
	assert_int_equal(hvm_ram_layout(64 * M, 32 * M, HPA, ram), 2);
	region_is(&ram[0], 0, 32 * M, HPA);
	region_is(&ram[1], 0x100000000ULL, 32 * M, HPA + 32 * M);
	/* QEMU's pc machine with -m 4G: 3 GiB low, 1 GiB high. */
	assert_int_equal(hvm_ram_layout(4 * G, CFG_RAM_BELOW_4G_MAX, HPA, ram), 2);
	region_is(&ram[0], 0, 3 * G, HPA);
	region_is(&ram[1], 4 * G, 1 * G, HPA + 3 * G);
	/* One page over the limit. */
	assert_int_equal(hvm_ram_layout(3 * G + 4096, CFG_RAM_BELOW_4G_MAX, HPA, ram), 2);
	region_is(&ram[1], 4 * G, 4096, HPA + 3 * G);
	/* The largest guest keel.cfg allows: its RAM ends at 65 GiB. */
	assert_int_equal(hvm_ram_layout(64 * G, CFG_RAM_BELOW_4G_MAX, HPA, ram), 2);
	region_is(&ram[1], 4 * G, 61 * G, HPA + 3 * G);
	assert_int_equal(ram[1].gpa + ram[1].size, 65 * G);
}

static void test_e820_is_the_regions(void **state)
{
	struct fw_cfg_e820_entry e820[HVM_RAM_REGIONS] = { 0 };

	(void)state;
	assert_int_equal(hvm_ram_e820(ram, hvm_ram_layout(64 * M, 32 * M, HPA, ram), e820), 2);
	assert_int_equal(e820[0].address, 0);
	assert_int_equal(e820[0].length, 32 * M);
	assert_int_equal(e820[0].type, FW_CFG_E820_RAM);
	assert_int_equal(e820[1].address, 0x100000000ULL);
	assert_int_equal(e820[1].length, 32 * M);
	assert_int_equal(e820[1].type, FW_CFG_E820_RAM);
	assert_int_equal(hvm_ram_e820(ram, hvm_ram_layout(32 * M, 3 * G, HPA, ram), e820), 1);
	assert_int_equal(e820[0].address, 0);
	assert_int_equal(e820[0].length, 32 * M);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits_below_the_limit),
		cmocka_unit_test(test_split_at_the_limit),
		cmocka_unit_test(test_e820_is_the_regions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
