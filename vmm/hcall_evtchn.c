/* SPDX-License-Identifier: MIT */
/*
 * Event hypercalls: channels between PV guests, the one-shot timer, and
 * blocking until an event arrives. Pending bits live in the guest's
 * shared-info page, which the guest reads and clears itself.
 */
#include <keel/abi.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/pv.h>
#include <keel/sched.h>
#include <keel/vm.h>
#include <keel/vtime.h>

struct vm *pv_domain_vm(uint64_t domid)
{
	if (domid >= keel_nr_vms)
		return NULL;
	struct vm *vm = &keel_vms[domid];

	return vm->pv && vm->state != VM_STOPPED ? vm : NULL;
}

static struct evtchn_table *lookup(void *ctx, uint64_t domid)
{
	struct vm *vm = pv_domain_vm(domid);

	(void)ctx;
	return vm ? &vm->pv->evtchn : NULL;
}

static bool unmasked_pending(const struct vm *vm)
{
	return vm->pv_shared->evtchn_pending & ~vm->pv_shared->evtchn_mask;
}

void pv_event_raise(struct vm *vm, unsigned port)
{
	if (port >= KEEL_EVTCHN_PORTS)
		return;
	__atomic_fetch_or(&vm->pv_shared->evtchn_pending, 1ULL << port, __ATOMIC_SEQ_CST);
	if (vm->pv->blocked && unmasked_pending(vm)) {
		vm->pv->blocked = false;
		sched_wake(&vm->vcpus[0]); /* a PV guest has one vCPU */
	}
}

void pv_timer_check(struct vm *vm, uint64_t now_ns)
{
	if (vm->pv->timer_ns && now_ns >= vm->pv->timer_ns) {
		vm->pv->timer_ns = 0;
		pv_event_raise(vm, KEEL_PORT_TIMER);
	}
}

uint64_t pv_timer_tsc(struct vm *vm)
{
	return vm->pv->timer_ns ? vm_ns_to_tsc(vm, vm->pv->timer_ns) : UINT64_MAX;
}

uint64_t pv_blocked_until(struct vm *vm)
{
	if (!vm->pv->blocked)
		return 0;
	pv_timer_check(vm, vm_time_ns(vm));
	if (unmasked_pending(vm)) {
		vm->pv->blocked = false;
		return 0;
	}
	return pv_timer_tsc(vm);
}

#define UNUSED3(a, b, c) ((void)(a), (void)(b), (void)(c))

uint64_t hcall_evtchn_alloc(struct vcpu *v, uint64_t remote, uint64_t a1, uint64_t a2,
			    uint64_t a3, uint64_t a4)
{
	UNUSED3(a1, a2, a3), (void)a4;
	return (uint64_t)(int64_t)evtchn_alloc(&v->vm->pv->evtchn, v->vm->id, remote, lookup, NULL);
}

uint64_t hcall_evtchn_bind(struct vcpu *v, uint64_t remote, uint64_t rport, uint64_t a2,
			   uint64_t a3, uint64_t a4)
{
	UNUSED3(a2, a3, a4);
	return (uint64_t)(int64_t)evtchn_bind(&v->vm->pv->evtchn, v->vm->id, remote, rport, lookup,
					      NULL);
}

uint64_t hcall_evtchn_send(struct vcpu *v, uint64_t port, uint64_t a1, uint64_t a2, uint64_t a3,
			   uint64_t a4)
{
	unsigned dom, rport;
	int err = evtchn_send(&v->vm->pv->evtchn, port, &dom, &rport);
	struct vm *peer;

	UNUSED3(a1, a2, a3), (void)a4;
	if (err)
		return (uint64_t)(int64_t)err;
	peer = pv_domain_vm(dom);
	if (!peer)
		return (uint64_t)-EINVAL; /* the peer has stopped */
	pv_event_raise(peer, rport);
	return 0;
}

/* A connected peer gets one last event, so a peer waiting on the channel notices it closed. */
uint64_t hcall_evtchn_close(struct vcpu *v, uint64_t port, uint64_t a1, uint64_t a2, uint64_t a3,
			    uint64_t a4)
{
	unsigned dom, rport;
	bool connected = !evtchn_send(&v->vm->pv->evtchn, port, &dom, &rport);
	int err = evtchn_close(&v->vm->pv->evtchn, v->vm->id, port, lookup, NULL);
	struct vm *peer;

	UNUSED3(a1, a2, a3), (void)a4;
	if (!err && connected && (peer = pv_domain_vm(dom)))
		pv_event_raise(peer, rport);
	return (uint64_t)(int64_t)err;
}

uint64_t hcall_set_timer(struct vcpu *v, uint64_t deadline_ns, uint64_t a1, uint64_t a2,
			 uint64_t a3, uint64_t a4)
{
	UNUSED3(a1, a2, a3), (void)a4;
	v->vm->pv->timer_ns = deadline_ns;
	if (deadline_ns)
		pv_timer_check(v->vm, vm_time_ns(v->vm));
	sched_timer_changed(v);
	return 0;
}

/*
 * Wait until an unmasked event is pending: at once if one is, else the
 * vCPU sleeps (costing nothing) until an event or its timer wakes it. The
 * result is set before sleeping, since sched_block does not return here.
 */
uint64_t hcall_block(struct vcpu *v, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		     uint64_t a4)
{
	struct vm *vm = v->vm;

	UNUSED3(a0, a1, a2), (void)a3, (void)a4;
	pv_timer_check(vm, vm_time_ns(vm));
	if (unmasked_pending(vm))
		return 0;
	vm->pv->blocked = true;
	v->gpr.r[REG_RAX] = 0; /* the call is complete (RIP already past it) when it sleeps */
	sched_block(v, pv_timer_tsc(vm));
}
