/* SPDX-License-Identifier: MIT */
#ifndef KEEL_HYPERCALL_H
#define KEEL_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* Returns the value for RAX: a result, or -errno. */
/* The call in v's RAX with arguments RDI, RSI, RDX, R10, R8 (read here: fewer moves). */
uint64_t hcall_dispatch(struct vcpu *v);
/*
 * The calls a guest may make, one bit per call number (struct vm's
 * hcall_allowed, set when the guest is built): pv says it is a PV guest.
 */
uint32_t hcall_allowed_mask(bool pv);
/*
 * Guests run on several host CPUs (vmm/sched.c calls it before any runs):
 * from now on the calls that reach another domain's event channels or
 * grants take the domain lock (docs/smp.md). Until then there is nobody to
 * race with, and they pay nothing for it.
 */
void hcall_lock_domains(void);
/*
 * After the result is stored: an event a call raised (or one that was
 * waiting) is delivered as the call returns, to PV guests with an upcall.
 * Kept out of hcall_dispatch so the null call stays a tail call.
 */
void hcall_deliver_upcall(struct vcpu *v);
#define hcall_after(v)                                                              \
	do {                                                                        \
		if (__builtin_expect((v)->vm->pv_upcall != 0, 0))                   \
			hcall_deliver_upcall(v);                                    \
	} while (0)

/* One call: arguments from RDI, RSI, RDX, R10, R8. */
typedef uint64_t hcall_fn(struct vcpu *v, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			  uint64_t a4);
hcall_fn hcall_console_write, hcall_console_read, hcall_yield, hcall_shutdown,
	hcall_memory_query, hcall_domain_find, hcall_evtchn_alloc, hcall_evtchn_bind,
	hcall_evtchn_send, hcall_evtchn_close, hcall_set_timer, hcall_block, hcall_grant_offer,
	hcall_grant_map, hcall_grant_unmap, hcall_set_callbacks, hcall_net_info, hcall_net_send,
	hcall_net_recv, hcall_net_send_batch;

#endif
