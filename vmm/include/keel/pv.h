/* SPDX-License-Identifier: MIT */
/* What Keel keeps for each PV guest: event ports, its timer, grants. */
#ifndef KEEL_PV_H
#define KEEL_PV_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/evtchn.h>
#include <keel/grant.h>

struct vm;
struct vsw_port;

struct pv_domain {
	struct evtchn_table evtchn;
	struct grant_table grants;  /* what this guest offers */
	struct grant_maps maps;     /* what it has mapped from others */
	uint64_t timer_ns;          /* KEEL_HC_SET_TIMER deadline, 0 if none */
	bool blocked;               /* in KEEL_HC_BLOCK */
	uint64_t fault;             /* KEEL_HC_SET_CALLBACKS fault entry, 0 if none */
	struct vsw_port *net;       /* its port on a virtual switch (net=), else NULL */
	unsigned net_event;         /* the port Keel raises for net's frames, 0 until NET_INFO */
};

struct vcpu;
/* Enter the guest's upcall if it has one and an unmasked event is pending (before resuming it). */
void pv_deliver_upcall(struct vcpu *v);
/* Send an exception to the guest's fault entry: false if it has none (the caller stops it). */
bool pv_bounce_fault(struct vcpu *v, unsigned vector, uint64_t error, uint64_t address);

/* A running PV guest by domain id, or NULL. */
struct vm *pv_domain_vm(uint64_t domid);
/* Mark port pending in vm's shared info and wake it if it waits for events. */
void pv_event_raise(struct vm *vm, unsigned port);
/* The timer's event if its deadline has passed (called on entry paths and when idle). */
void pv_timer_check(struct vm *vm, uint64_t now_ns);
/* Its KEEL_HC_SET_TIMER deadline as a host TSC value, UINT64_MAX if none. */
uint64_t pv_timer_tsc(struct vm *vm);
/*
 * Before the scheduler enters a PV guest: 0 if it may run, else the host
 * TSC until which it still sleeps in KEEL_HC_BLOCK (UINT64_MAX: until an
 * event). Its timer fires here when due, which is what woke it.
 */
uint64_t pv_blocked_until(struct vm *vm);

#endif
