/* SPDX-License-Identifier: MIT */
/* The hypercall table (ABI in guests/include/keel/abi.h and docs/abi.md). */
#include <keel/abi.h>
#include <keel/bits.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/pv.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/vm.h>
#include <keel/vtime.h>

static uint64_t hc_version(struct vcpu *v, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			   uint64_t a4)
{
	(void)v, (void)a0, (void)a1, (void)a2, (void)a3, (void)a4;
	return KEEL_ABI_VERSION;
}

/*
 * Each call says which guests may make it (ACRN's per-entry permissions).
 * HC_PV calls use the guest's struct pv_domain (ports, timer, grants), which
 * only a PV guest has: any other guest gets -EPERM before a handler runs.
 * Calls missing from the table are not implemented: -ENOSYS (docs/abi.md).
 */
enum { HC_ANY = 1, HC_PV = 2 };

/*
 * The calls that read or write another domain's event channel table or
 * grants (evtchn.c, grant.c) take one lock for all domains, the domain
 * lock, when guests run on several CPUs: hcall_lock_domains puts these
 * wrappers in the table then. Until then the table holds the calls
 * themselves, so that on one CPU they pay no test (the event round trip's
 * two sends paid 4 instructions each for one). Blocking is not among them:
 * it reads the caller's own pending bits, and vmm/sched.c closes the race
 * with a send from another CPU.
 */
static struct spinlock domain_lock;

#define HC_LOCKED(fn)                                                                     \
	static uint64_t fn##_locked(struct vcpu *v, uint64_t a0, uint64_t a1, uint64_t a2,   \
				    uint64_t a3, uint64_t a4)                                \
	{                                                                                 \
		uint64_t ret;                                                             \
                                                                                          \
		spin_lock(&domain_lock);                                                  \
		ret = fn(v, a0, a1, a2, a3, a4);                                          \
		spin_unlock(&domain_lock);                                                \
		return ret;                                                               \
	}
HC_LOCKED(hcall_evtchn_alloc)
HC_LOCKED(hcall_evtchn_bind)
HC_LOCKED(hcall_evtchn_send)
HC_LOCKED(hcall_evtchn_close)
HC_LOCKED(hcall_grant_offer)
HC_LOCKED(hcall_grant_map)
HC_LOCKED(hcall_grant_unmap)

/* Written once more, by hcall_lock_domains, before any guest runs. */
static struct hcall_entry {
	hcall_fn *fn;
	uint8_t who;
} hcall_table[KEEL_HC_MAX] = {
	[KEEL_HC_VERSION] = { hc_version, HC_ANY },
	[KEEL_HC_CONSOLE_WRITE] = { hcall_console_write, HC_ANY },
	[KEEL_HC_CONSOLE_READ] = { hcall_console_read, HC_PV },
	[KEEL_HC_YIELD] = { hcall_yield, HC_ANY },
	[KEEL_HC_SHUTDOWN] = { hcall_shutdown, HC_ANY },
	[KEEL_HC_MEMORY_QUERY] = { hcall_memory_query, HC_ANY },
	[KEEL_HC_DOMAIN_FIND] = { hcall_domain_find, HC_ANY },
	[KEEL_HC_BLOCK] = { hcall_block, HC_PV },
	[KEEL_HC_SET_TIMER] = { hcall_set_timer, HC_PV },
	[KEEL_HC_EVTCHN_ALLOC] = { hcall_evtchn_alloc, HC_PV },
	[KEEL_HC_EVTCHN_BIND] = { hcall_evtchn_bind, HC_PV },
	[KEEL_HC_EVTCHN_SEND] = { hcall_evtchn_send, HC_PV },
	[KEEL_HC_EVTCHN_CLOSE] = { hcall_evtchn_close, HC_PV },
	[KEEL_HC_GRANT_OFFER] = { hcall_grant_offer, HC_PV },
	[KEEL_HC_GRANT_MAP] = { hcall_grant_map, HC_PV },
	[KEEL_HC_GRANT_UNMAP] = { hcall_grant_unmap, HC_PV },
	[KEEL_HC_SET_CALLBACKS] = { hcall_set_callbacks, HC_PV },
	[KEEL_HC_NET_INFO] = { hcall_net_info, HC_PV },
	[KEEL_HC_NET_SEND] = { hcall_net_send, HC_PV },
	[KEEL_HC_NET_RECV] = { hcall_net_recv, HC_PV },
	[KEEL_HC_NET_SEND_BATCH] = { hcall_net_send_batch, HC_PV },
};

static const struct {
	uint8_t nr;
	hcall_fn *fn;
} locked_calls[] = {
	{ KEEL_HC_EVTCHN_ALLOC, hcall_evtchn_alloc_locked },
	{ KEEL_HC_EVTCHN_BIND, hcall_evtchn_bind_locked },
	{ KEEL_HC_EVTCHN_SEND, hcall_evtchn_send_locked },
	{ KEEL_HC_EVTCHN_CLOSE, hcall_evtchn_close_locked },
	{ KEEL_HC_GRANT_OFFER, hcall_grant_offer_locked },
	{ KEEL_HC_GRANT_MAP, hcall_grant_map_locked },
	{ KEEL_HC_GRANT_UNMAP, hcall_grant_unmap_locked },
};

void hcall_lock_domains(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(locked_calls); i++)
		hcall_table[locked_calls[i].nr].fn = locked_calls[i].fn;
}

_Static_assert(KEEL_HC_MAX <= 32, "struct vm's hcall_allowed holds one bit per call");

uint32_t hcall_allowed_mask(bool pv)
{
	uint32_t mask = 0;

	for (unsigned nr = 0; nr < KEEL_HC_MAX; nr++)
		if (hcall_table[nr].fn && (hcall_table[nr].who == HC_ANY || pv))
			mask |= 1u << nr;
	return mask;
}

/* Off the fast path: why a call was refused. */
static __attribute__((noinline)) uint64_t hcall_refused(uint64_t nr)
{
	return (uint64_t)(nr >= KEEL_HC_MAX || !hcall_table[nr].fn ? -ENOSYS : -EPERM);
}

uint64_t hcall_dispatch(struct vcpu *v)
{
	const uint64_t *r = v->gpr.r;
	uint64_t nr = r[REG_RAX];

	/* One test covers both: a VM's mask has no bit at or past KEEL_HC_MAX. */
	if (__builtin_expect(nr >= 32 || !(v->vm->hcall_allowed >> nr & 1), 0))
		return hcall_refused(nr);
	return hcall_table[nr].fn(v, r[REG_RDI], r[REG_RSI], r[REG_RDX], r[REG_R10], r[REG_R8]);
}

void hcall_deliver_upcall(struct vcpu *v)
{
	pv_timer_check(v->vm, vm_time_ns(v->vm));
	pv_deliver_upcall(v);
}
