/* SPDX-License-Identifier: MIT */
/*
 * Host tests for vmm/vm_mem.c and vmm/hvm_shadow.c: where Keel may write
 * guest memory for the guest (issue 8: it once wrote the firmware ROM and
 * write-protected shadow RAM, which a reset then copied back).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/hvm.h>
#include <keel/vm.h>

#define ROM_GPA (4096ULL * MiB - 256 * 1024)

static struct vm vm;
static uint8_t *ram, *rom;
static struct hvm_platform *hvm;

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	ram = calloc(1, 2 * MiB);
	rom = calloc(1, 256 * 1024);
	hvm = calloc(1, sizeof(*hvm));
	vm.mem[0] = (struct vm_mem_region){ 0, 2 * MiB, (uint64_t)(uintptr_t)ram, true };
	vm.mem[1] = (struct vm_mem_region){ ROM_GPA, 256 * 1024, (uint64_t)(uintptr_t)rom, false };
	vm.nr_mem = 2;
	vm.nr_ram = 1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram), free(rom), free(hvm);
	return 0;
}

static void test_regions(void **state)
{
	(void)state;
	assert_ptr_equal(vm_gpa_to_hva(&vm, 0x1000, 16), ram + 0x1000);
	assert_ptr_equal(vm_gpa_to_hva_write(&vm, 0x1000, 16), ram + 0x1000);
	/* The last byte of RAM, and one past it. */
	assert_ptr_equal(vm_gpa_to_hva_write(&vm, 2 * MiB - 1, 1), ram + 2 * MiB - 1);
	assert_null(vm_gpa_to_hva_write(&vm, 2 * MiB - 1, 2));
	assert_null(vm_gpa_to_hva(&vm, 2 * MiB - 1, 2));
	/* ROM reads, never writes; a length that wraps is in no region. */
	assert_ptr_equal(vm_gpa_to_hva(&vm, ROM_GPA + 16, 4), rom + 16);
	assert_null(vm_gpa_to_hva_write(&vm, ROM_GPA + 16, 4));
	assert_null(vm_gpa_to_hva_write(&vm, ROM_GPA - 4, 8));
	assert_null(vm_gpa_to_hva(&vm, 0x1000, UINT64_MAX));
	assert_null(vm_gpa_to_hva(&vm, UINT64_MAX, 1));
}

/* PAM registers 0x59-0x5f: each nibble's bit 1 (WE) makes its segment writable. */
static void test_shadow(void **state)
{
	(void)state;
	vm.hvm = hvm;
	/* After reset every segment is off: the whole BIOS area is read-only. */
	for (uint64_t gpa = 0xc0000; gpa < 0x100000; gpa += 0x1000)
		assert_null(vm_gpa_to_hva_write(&vm, gpa, 1));
	assert_non_null(vm_gpa_to_hva_write(&vm, 0xbffff, 1));
	assert_null(vm_gpa_to_hva_write(&vm, 0xbffff, 2)); /* crosses into 0xc0000 */
	assert_non_null(vm_gpa_to_hva_write(&vm, 0x100000, 4096));
	assert_non_null(vm_gpa_to_hva(&vm, 0xf0000, 4096)); /* reads are the guest's */

	hvm->northbridge.pam[0] = 0x30; /* 0xf0000-0xfffff read-write */
	assert_non_null(vm_gpa_to_hva_write(&vm, 0xf0000, 0x10000));
	assert_null(vm_gpa_to_hva_write(&vm, 0xeffff, 2));
	hvm->northbridge.pam[0] = 0x10; /* read-only: writes go to ROM and are lost */
	assert_null(vm_gpa_to_hva_write(&vm, 0xfff00, 4));
	hvm->northbridge.pam[0] = 0x20; /* write-only */
	assert_non_null(vm_gpa_to_hva_write(&vm, 0xfff00, 4));

	hvm->northbridge.pam[1] = 0x02; /* 0xc0000-0xc3fff writable, 0xc4000-0xc7fff not */
	assert_non_null(vm_gpa_to_hva_write(&vm, 0xc0000, 0x4000));
	assert_null(vm_gpa_to_hva_write(&vm, 0xc3ffc, 8));
	assert_null(vm_gpa_to_hva_write(&vm, 0xc4000, 1));
	hvm->northbridge.pam[1] = 0x20;
	assert_null(vm_gpa_to_hva_write(&vm, 0xc0000, 1));
	assert_non_null(vm_gpa_to_hva_write(&vm, 0xc4000, 0x4000));

	/* A CPU without INVEPT cannot protect it: Keel then matches what the guest sees. */
	hvm->northbridge.pam[1] = 0;
	hvm->pam_off = true;
	assert_non_null(vm_gpa_to_hva_write(&vm, 0xc0000, 0x40000));
	vm.hvm = NULL;
}

/* A guest that is not a PC has no BIOS area: its RAM there is plain RAM. */
static void test_no_shadow_without_hvm(void **state)
{
	(void)state;
	assert_non_null(vm_gpa_to_hva_write(&vm, 0xc0000, 0x40000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_regions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shadow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_shadow_without_hvm, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
