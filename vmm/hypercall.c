/* SPDX-License-Identifier: MIT */
/* The hypercall table (ABI in guests/include/keel/abi.h and docs/abi.md). */
#include <keel/abi.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/sched.h>
#include <keel/vm.h>

typedef uint64_t hcall_fn(struct vcpu *v, uint64_t a0, uint64_t a1, uint64_t a2);

static uint64_t hc_version(struct vcpu *v, uint64_t a0, uint64_t a1, uint64_t a2)
{
	(void)v, (void)a0, (void)a1, (void)a2;
	return KEEL_ABI_VERSION;
}

/* The result goes in first: when another vCPU runs, this call does not return. */
static uint64_t hc_yield(struct vcpu *v, uint64_t a0, uint64_t a1, uint64_t a2)
{
	(void)a0, (void)a1, (void)a2;
	v->gpr.r[REG_RAX] = 0;
	sched_yield(v);
	return 0;
}

uint64_t hcall_console_write(struct vcpu *v, uint64_t gva, uint64_t len, uint64_t unused);

static hcall_fn *const hcall_table[] = {
	[KEEL_HC_VERSION] = hc_version,
	[KEEL_HC_CONSOLE_WRITE] = hcall_console_write,
	[KEEL_HC_YIELD] = hc_yield,
};

uint64_t hcall_dispatch(struct vcpu *v, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	if (nr >= sizeof(hcall_table) / sizeof(hcall_table[0]) || !hcall_table[nr])
		return (uint64_t)-ENOSYS;
	return hcall_table[nr](v, a0, a1, a2);
}
