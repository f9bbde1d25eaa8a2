/* SPDX-License-Identifier: MIT */
/*
 * Event channels between PV guests: pure logic over per-domain port
 * tables, host unit-tested (test/unit/test_evtchn.c). A port is free,
 * unbound (allocated for one named remote domain to bind to), or connected
 * to a port of another domain. Port 0 is the guest's own timer. Delivery
 * (the pending bit in shared info, waking a blocked vCPU) is the caller's.
 */
#ifndef KEEL_EVTCHN_H
#define KEEL_EVTCHN_H

#include <stdint.h>
#include <keel/abi.h>

/* EVT_KEEL: raised by Keel itself (the network interface), like the timer: not sent or closed. */
enum evtchn_state { EVT_FREE, EVT_UNBOUND, EVT_CONNECTED, EVT_TIMER, EVT_KEEL };

struct evtchn_port {
	uint8_t state;       /* enum evtchn_state */
	uint8_t remote_port; /* EVT_CONNECTED */
	uint16_t remote_dom; /* EVT_UNBOUND: who may bind; EVT_CONNECTED: the peer */
};

struct evtchn_table {
	struct evtchn_port port[KEEL_EVTCHN_PORTS];
};

/* Another domain's table, or NULL if there is no such domain (or it has stopped). */
typedef struct evtchn_table *evtchn_lookup_fn(void *ctx, uint64_t domid);

void evtchn_init(struct evtchn_table *t);
/* A port for remote_dom to bind to: the port, -EINVAL (no such domain, or self), -ENOSPC. */
int evtchn_alloc(struct evtchn_table *t, unsigned self, uint64_t remote_dom,
		 evtchn_lookup_fn *lookup, void *ctx);
/*
 * Connect a new local port to remote_dom's unbound remote_port: the local
 * port, -EINVAL (no such domain or port), -EPERM (allocated for another
 * domain), -EBUSY (already connected), -ENOSPC.
 */
int evtchn_bind(struct evtchn_table *t, unsigned self, uint64_t remote_dom, uint64_t remote_port,
		evtchn_lookup_fn *lookup, void *ctx);
/* A free port for events Keel raises (EVT_KEEL): the port, or -ENOSPC. */
int evtchn_alloc_keel(struct evtchn_table *t);
/* Where an event on port goes: 0 with *dom and *port, or -EINVAL (not connected). */
int evtchn_send(const struct evtchn_table *t, uint64_t port, unsigned *dom, unsigned *rport);
/* Free port; a connected peer's end goes back to unbound (it may be bound again). */
int evtchn_close(struct evtchn_table *t, unsigned self, uint64_t port, evtchn_lookup_fn *lookup,
		 void *ctx);

#endif
