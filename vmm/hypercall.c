/* SPDX-License-Identifier: MIT */
/* The hypercall table (ABI in guests/include/keel/abi.h and docs/abi.md). */
#include <keel/abi.h>
#include <keel/bits.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/pv.h>
#include <keel/sched.h>
#include <keel/vm.h>
#include <keel/vtime.h>

static uint64_t hc_version(struct vcpu *v, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			   uint64_t a4)
{
	(void)v, (void)a0, (void)a1, (void)a2, (void)a3, (void)a4;
	return KEEL_ABI_VERSION;
}

/* Calls missing from the table are not implemented yet: -ENOSYS (docs/abi.md). */
static hcall_fn *const hcall_table[KEEL_HC_MAX] = {
	[KEEL_HC_VERSION] = hc_version,
	[KEEL_HC_CONSOLE_WRITE] = hcall_console_write,
	[KEEL_HC_CONSOLE_READ] = hcall_console_read,
	[KEEL_HC_YIELD] = hcall_yield,
	[KEEL_HC_SHUTDOWN] = hcall_shutdown,
	[KEEL_HC_MEMORY_QUERY] = hcall_memory_query,
	[KEEL_HC_DOMAIN_FIND] = hcall_domain_find,
	[KEEL_HC_BLOCK] = hcall_block,
	[KEEL_HC_SET_TIMER] = hcall_set_timer,
	[KEEL_HC_EVTCHN_ALLOC] = hcall_evtchn_alloc,
	[KEEL_HC_EVTCHN_BIND] = hcall_evtchn_bind,
	[KEEL_HC_EVTCHN_SEND] = hcall_evtchn_send,
	[KEEL_HC_EVTCHN_CLOSE] = hcall_evtchn_close,
	[KEEL_HC_GRANT_OFFER] = hcall_grant_offer,
	[KEEL_HC_GRANT_MAP] = hcall_grant_map,
	[KEEL_HC_GRANT_UNMAP] = hcall_grant_unmap,
	[KEEL_HC_SET_CALLBACKS] = hcall_set_callbacks,
};

uint64_t hcall_dispatch(struct vcpu *v)
{
	const uint64_t *r = v->gpr.r;
	uint64_t nr = r[REG_RAX];

	if (nr >= KEEL_HC_MAX || !hcall_table[nr])
		return (uint64_t)-ENOSYS;
	return hcall_table[nr](v, r[REG_RDI], r[REG_RSI], r[REG_RDX], r[REG_R10], r[REG_R8]);
}

void hcall_deliver_upcall(struct vcpu *v)
{
	pv_timer_check(v->vm, vm_time_ns(v->vm));
	pv_deliver_upcall(v);
}
