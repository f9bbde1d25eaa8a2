/* SPDX-License-Identifier: MIT */
/* Host tests for vmm/hcall_args.c: what a bad hypercall argument gets back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <keel/abi.h>
#include <keel/errno.h>
#include <keel/hcall_args.h>

static void test_buffer(void **state)
{
	(void)state;
	assert_int_equal(hc_check_buffer(0x100000, 4096, 4096), 0);
	assert_int_equal(hc_check_buffer(0x100000, 0, 4096), 0);
	assert_int_equal(hc_check_buffer(0x100000, 4097, 4096), -EINVAL);
	/* The top of the lower canonical half, and past it. */
	assert_int_equal(hc_check_buffer(0x7ffffffff000, 0x1000, 4096), 0);
	assert_int_equal(hc_check_buffer(0x7ffffffff001, 0x1000, 4096), -EFAULT);
	assert_int_equal(hc_check_buffer(0x800000000000, 1, 4096), -EFAULT);
	assert_int_equal(hc_check_buffer(0xffff800000000000, 4, 4096), -EFAULT);
	/* A length that wraps the address space is too long before it is a fault. */
	assert_int_equal(hc_check_buffer(0x1000, UINT64_MAX, 4096), -EINVAL);
	assert_int_equal(hc_check_buffer(UINT64_MAX, 2, UINT64_MAX), -EFAULT);
}

static void test_name(void **state)
{
	(void)state;
	assert_int_equal(hc_check_name("hello\0xx", 8), 0);
	assert_int_equal(hc_check_name("", 8), -EINVAL);
	assert_int_equal(hc_check_name("abcdefgh", 8), -EINVAL); /* no NUL within the limit */
	assert_int_equal(hc_check_name("abcdefg", 8), 0);
	assert_int_equal(hc_check_name("x", 0), -EINVAL);
}

static void test_shutdown_reason(void **state)
{
	(void)state;
	assert_int_equal(hc_check_shutdown_reason(KEEL_SHUTDOWN_POWEROFF), 0);
	assert_int_equal(hc_check_shutdown_reason(KEEL_SHUTDOWN_CRASH), 0);
	assert_int_equal(hc_check_shutdown_reason(2), -EINVAL);
	assert_int_equal(hc_check_shutdown_reason(UINT64_MAX), -EINVAL);
}

/* The ABI's error numbers are Keel's own. */
static void test_abi_errnos(void **state)
{
	(void)state;
	assert_int_equal(KEEL_EPERM, EPERM);
	assert_int_equal(KEEL_ENOENT, ENOENT);
	assert_int_equal(KEEL_EFAULT, EFAULT);
	assert_int_equal(KEEL_EINVAL, EINVAL);
	assert_int_equal(KEEL_ENOSYS, ENOSYS);
	assert_int_equal(KEEL_EBUSY, EBUSY);
	assert_int_equal(KEEL_ENOSPC, ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buffer),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_shutdown_reason),
		cmocka_unit_test(test_abi_errnos),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
