/* SPDX-License-Identifier: MIT */
/* Host tests for arch/x86/smp_list.c: which host CPUs Keel starts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arch/smp.h>
#include <boot/boot_info.h>

static uint32_t out[CFG_CPUS_MAX];
static unsigned found;
static enum smp_source src;

static void test_madt_boot_cpu_first(void **state)
{
	const uint32_t madt[] = { 0, 1, 2, 3 };

	(void)state;
	assert_int_equal(smp_cpu_list(2, madt, 4, NULL, 0, 0, out, CFG_CPUS_MAX, &found, &src), 4);
	assert_int_equal(src, SMP_SRC_MADT);
	assert_int_equal(found, 4);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 0);
	assert_int_equal(out[2], 1);
	assert_int_equal(out[3], 3);
}

/* The MADT wins over MP Services; the firmware list is not merged in. */
static void test_madt_preferred(void **state)
{
	const uint32_t madt[] = { 0, 1 };
	const struct boot_cpu fw[] = { { 0, BOOT_CPU_BSP | BOOT_CPU_ENABLED },
				       { 1, BOOT_CPU_ENABLED },
				       { 7, BOOT_CPU_ENABLED } };

	(void)state;
	assert_int_equal(smp_cpu_list(0, madt, 2, fw, 3, 0, out, CFG_CPUS_MAX, &found, &src), 2);
	assert_int_equal(src, SMP_SRC_MADT);
	assert_int_equal(out[1], 1);
}

/* MP Services: only enabled CPUs; the boot CPU counted once even when listed. */
static void test_mp_services(void **state)
{
	const struct boot_cpu fw[] = { { 0, BOOT_CPU_BSP | BOOT_CPU_ENABLED },
				       { 1, 0 },
				       { 2, BOOT_CPU_ENABLED },
				       { 2, BOOT_CPU_ENABLED },
				       { 0x10, BOOT_CPU_ENABLED } };

	(void)state;
	assert_int_equal(smp_cpu_list(0, NULL, 0, fw, 5, 0, out, CFG_CPUS_MAX, &found, &src), 3);
	assert_int_equal(src, SMP_SRC_MP_SERVICES);
	assert_int_equal(found, 3);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 2);
	assert_int_equal(out[2], 0x10);
}

/* host cpus=N keeps the first N, the boot CPU among them; found still counts all. */
static void test_limit(void **state)
{
	const uint32_t madt[] = { 3, 2, 1, 0 };

	(void)state;
	assert_int_equal(smp_cpu_list(1, madt, 4, NULL, 0, 1, out, CFG_CPUS_MAX, &found, &src), 1);
	assert_int_equal(out[0], 1);
	assert_int_equal(found, 4);
	assert_int_equal(smp_cpu_list(1, madt, 4, NULL, 0, 2, out, CFG_CPUS_MAX, &found, &src), 2);
	assert_int_equal(out[1], 3);
	/* More than there are: all of them. */
	assert_int_equal(smp_cpu_list(1, madt, 4, NULL, 0, 9, out, CFG_CPUS_MAX, &found, &src), 4);
	/* The array's size bounds it too. */
	assert_int_equal(smp_cpu_list(1, madt, 4, NULL, 0, 0, out, 3, &found, &src), 3);
}

/* No list at all, or a list without the boot CPU: the boot CPU is still first. */
static void test_no_list(void **state)
{
	const uint32_t madt[] = { 4, 5 };

	(void)state;
	assert_int_equal(smp_cpu_list(9, NULL, 0, NULL, 0, 0, out, CFG_CPUS_MAX, &found, &src), 1);
	assert_int_equal(src, SMP_SRC_NONE);
	assert_int_equal(out[0], 9);
	assert_int_equal(found, 1);
	assert_int_equal(smp_cpu_list(9, madt, 2, NULL, 0, 0, out, CFG_CPUS_MAX, &found, &src), 3);
	assert_int_equal(out[0], 9);
	assert_int_equal(out[2], 5);
}

/* 255 duplicate entries and more CPUs than Keel tracks: bounded, no overrun. */
static void test_many(void **state)
{
	uint32_t madt[255];

	(void)state;
	for (unsigned i = 0; i < 255; i++)
		madt[i] = i % 100;
	assert_int_equal(smp_cpu_list(0, madt, 255, NULL, 0, 0, out, CFG_CPUS_MAX, &found, &src),
			 CFG_CPUS_MAX);
	for (unsigned i = 0; i < CFG_CPUS_MAX; i++)
		assert_int_equal(out[i], i);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_madt_boot_cpu_first),
		cmocka_unit_test(test_madt_preferred),
		cmocka_unit_test(test_mp_services),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_no_list),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
