/* SPDX-License-Identifier: MIT */
/*
 * Host tests for arch/x86/vmx/vmx_caps_diff.c: an AP whose VMX capability
 * MSRs differ from the boot CPU's in any word is named and left out. The
 * capability sets are the ones recorded from Bochs models.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vmx_caps_models.h"
#include "vmx_root.h"

static char why[96];

static void test_same_model_matches(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vmx_models) / sizeof(vmx_models[0]); i++) {
		struct vmx_caps ap = vmx_models[i].caps;

		why[0] = 0;
		assert_int_equal(vmx_caps_diff(&ap, &vmx_models[i].caps, why, sizeof(why)), 0);
		assert_string_equal(why, "");
	}
}

/* Skylake-X against Haswell: the first word that differs is the secondary controls. */
static void test_other_model_named(void **state)
{
	(void)state;
	assert_int_equal(vmx_caps_diff(&vmx_models[1].caps, &vmx_models[0].caps, why, sizeof(why)),
			 -1);
	assert_string_equal(why, "VMX secondary controls 0x47fff00000000, the boot CPU's "
				 "0x2177fff00000000");
}

/* One bit in any of the twelve words is enough, the last one included. */
static void test_each_word(void **state)
{
	static const char *const names[] = {
		"IA32_VMX_BASIC", "pin-based controls", "processor-based controls",
		"secondary controls", "VM-exit controls", "VM-entry controls", "IA32_VMX_MISC",
		"IA32_VMX_EPT_VPID_CAP", "IA32_VMX_CR0_FIXED0", "IA32_VMX_CR0_FIXED1",
		"IA32_VMX_CR4_FIXED0", "IA32_VMX_CR4_FIXED1",
	};

	(void)state;
	for (unsigned w = 0; w < 12; w++) {
		struct vmx_caps ap = vmx_models[0].caps;
		char want[32];

		((uint64_t *)&ap)[w] ^= 1ULL << 40;
		assert_int_equal(vmx_caps_diff(&ap, &vmx_models[0].caps, why, sizeof(why)), -1);
		snprintf(want, sizeof(want), "VMX %s ", names[w]);
		assert_memory_equal(why, want, strlen(want));
	}
}

/* A short buffer is cut, not overrun. */
static void test_short_buffer(void **state)
{
	char small[12];

	(void)state;
	memset(small, 'x', sizeof(small));
	assert_int_equal(vmx_caps_diff(&vmx_models[1].caps, &vmx_models[0].caps, small, 8), -1);
	assert_string_equal(small, "VMX sec");
	assert_int_equal(small[8], 'x');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_model_matches),
		cmocka_unit_test(test_other_model_named),
		cmocka_unit_test(test_each_word),
		cmocka_unit_test(test_short_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
