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
	/* RIP first: a hypercall that switches to another vCPU does not come back here. */
	vmx_skip_instruction();
	r[REG_RAX] = hcall_dispatch(v, r[REG_RAX], r[REG_RDI], r[REG_RSI], r[REG_RDX]);
	return v;
}
