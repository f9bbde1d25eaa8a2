/* SPDX-License-Identifier: MIT */
/*
 * Whether two CPUs' VMX capability MSRs are the same, and if not, which
 * one differs first: pure, so the host tests can feed it the capability
 * sets recorded from several Bochs models (test/unit/test_vmx_caps_diff.c).
 * Keel negotiates its VMCS controls once, from the boot CPU, and a vCPU may
 * later run on any CPU: an AP that differs in any of them is left out.
 */
#include "vmx_root.h"
#include <keel/bits.h>
#include <keel/printk.h>

static const struct {
	const char *name;
	size_t      off;
} cap_names[] = {
	{ "IA32_VMX_BASIC", offsetof(struct vmx_caps, basic) },
	{ "pin-based controls", offsetof(struct vmx_caps, pin) },
	{ "processor-based controls", offsetof(struct vmx_caps, proc) },
	{ "secondary controls", offsetof(struct vmx_caps, proc2) },
	{ "VM-exit controls", offsetof(struct vmx_caps, exit) },
	{ "VM-entry controls", offsetof(struct vmx_caps, entry) },
	{ "IA32_VMX_MISC", offsetof(struct vmx_caps, misc) },
	{ "IA32_VMX_EPT_VPID_CAP", offsetof(struct vmx_caps, ept_vpid) },
	{ "IA32_VMX_CR0_FIXED0", offsetof(struct vmx_caps, cr0_fixed0) },
	{ "IA32_VMX_CR0_FIXED1", offsetof(struct vmx_caps, cr0_fixed1) },
	{ "IA32_VMX_CR4_FIXED0", offsetof(struct vmx_caps, cr4_fixed0) },
	{ "IA32_VMX_CR4_FIXED1", offsetof(struct vmx_caps, cr4_fixed1) },
};

_Static_assert(sizeof(struct vmx_caps) == ARRAY_SIZE(cap_names) * sizeof(uint64_t),
	       "every capability MSR Keel reads is compared");

int vmx_caps_diff(const struct vmx_caps *ap, const struct vmx_caps *boot, char *why, size_t len)
{
	for (unsigned i = 0; i < ARRAY_SIZE(cap_names); i++) {
		uint64_t mine = *(const uint64_t *)((const char *)ap + cap_names[i].off);
		uint64_t theirs = *(const uint64_t *)((const char *)boot + cap_names[i].off);

		if (mine != theirs) {
			snprintf(why, len, "VMX %s 0x%lx, the boot CPU's 0x%lx", cap_names[i].name,
				 mine, theirs);
			return -1;
		}
	}
	return 0;
}
