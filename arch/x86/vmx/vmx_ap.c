/* SPDX-License-Identifier: MIT */
/*
 * VMX on an AP: the same checks as the boot CPU's (vmx_init.c), then its
 * capability MSRs compared with the boot CPU's (vmx_caps_diff.c): a CPU
 * whose capabilities differ in any way is left out, not adapted to.
 */
#include "vmx_priv.h"
#include "vmx_root.h"
#include <arch/cpu.h>
#include <arch/vmx.h>
#include <keel/errno.h>
#include <keel/printk.h>

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
	if (vmx_caps_diff(&c, &vmx.caps, why, len))
		return -EINVAL;
	if (vmx_root_on(vmxon_pa)) {
		snprintf(why, len, "VMXON failed");
		return -EIO;
	}
	return 0;
}
