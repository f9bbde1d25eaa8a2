/* SPDX-License-Identifier: MIT */
/* VMCALL: Keel's hypercalls (guests/include/keel/abi.h, docs/abi.md). */
#include "vmx_priv.h"
#include <keel/hypercall.h>
#include <keel/vm.h>

struct vcpu *exit_vmcall(struct vcpu *v)
{
	uint64_t *r = v->gpr.r;

	/* Only the guest kernel (CPL 0, the DPL of SS) may call Keel. */
	if (unlikely(vmcs_read32(VMCS_GUEST_SS_AR) & (3 << 5))) {
		vmx_inject_exception(v, X86_UD, false, 0);
		return v;
	}
	/*
	 * RIP first (VMCALL is always 3 bytes, 0f 01 c1, so the exit's length
	 * need not be read): a hypercall that switches vCPUs does not come back.
	 */
	vmcs_write(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) + 3);
	r[REG_RAX] = hcall_dispatch(v);
	hcall_after(v);
	return v;
}
