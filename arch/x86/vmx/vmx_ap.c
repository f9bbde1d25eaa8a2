/* SPDX-License-Identifier: MIT */
/*
 * VMX on an AP: the same checks as the boot CPU's (vmx_init.c), then its
 * capability MSRs compared with the boot CPU's. Keel negotiated its VMCS
 * controls once, from the boot CPU, and a vCPU may later run anywhere, so
 * a CPU whose capabilities differ in any way is left out, not adapted to.
 */
#include "vmx_priv.h"
#include "vmx_root.h"
#include <arch/cpu.h>
#include <arch/vmx.h>
#include <keel/errno.h>
#include <keel/printk.h>

static const struct {
	const char *name;
	unsigned    off;
} cap_names[] = {
	{ "IA32_VMX_BASIC", __builtin_offsetof(struct vmx_caps, basic) },
	{ "pin-based controls", __builtin_offsetof(struct vmx_caps, pin) },
	{ "processor-based controls", __builtin_offsetof(struct vmx_caps, proc) },
	{ "secondary controls", __builtin_offsetof(struct vmx_caps, proc2) },
	{ "VM-exit controls", __builtin_offsetof(struct vmx_caps, exit) },
	{ "VM-entry controls", __builtin_offsetof(struct vmx_caps, entry) },
	{ "IA32_VMX_MISC", __builtin_offsetof(struct vmx_caps, misc) },
	{ "IA32_VMX_EPT_VPID_CAP", __builtin_offsetof(struct vmx_caps, ept_vpid) },
	{ "IA32_VMX_CR0_FIXED0", __builtin_offsetof(struct vmx_caps, cr0_fixed0) },
	{ "IA32_VMX_CR0_FIXED1", __builtin_offsetof(struct vmx_caps, cr0_fixed1) },
	{ "IA32_VMX_CR4_FIXED0", __builtin_offsetof(struct vmx_caps, cr4_fixed0) },
	{ "IA32_VMX_CR4_FIXED1", __builtin_offsetof(struct vmx_caps, cr4_fixed1) },
};

int arch_vmx_init_ap(uint64_t vmxon_pa, char *why, size_t len)
{
	struct vmx_caps c;

	if (!vmx.on)
		return -ENODEV; /* the boot CPU said why */
	if (!(cpuid(1, 0).ecx & BIT(5))) {
		snprintf(why, len, "no VT-x (CPUID.1:ECX.VMX = 0), the boot CPU has it");
		return -ENODEV;
	}
	if (vmx_feature_control(true)) {
		snprintf(why, len, "VT-x disabled by the firmware (IA32_FEATURE_CONTROL)");
		return -EPERM;
	}
	vmx_read_caps(&c);
	for (unsigned i = 0; i < ARRAY_SIZE(cap_names); i++) {
		uint64_t mine = *(const uint64_t *)((const char *)&c + cap_names[i].off);
		uint64_t boot = *(const uint64_t *)((const char *)&vmx.caps + cap_names[i].off);

		if (mine != boot) {
			snprintf(why, len, "VMX %s 0x%lx, the boot CPU's 0x%lx", cap_names[i].name,
				 mine, boot);
			return -EINVAL;
		}
	}
	if (vmx_root_on(vmxon_pa)) {
		snprintf(why, len, "VMXON failed");
		return -EIO;
	}
	return 0;
}
