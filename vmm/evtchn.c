/* SPDX-License-Identifier: MIT */
/* Event channel port tables; see keel/evtchn.h. */
#include <keel/errno.h>
#include <keel/evtchn.h>

void evtchn_init(struct evtchn_table *t)
{
	for (unsigned p = 0; p < KEEL_EVTCHN_PORTS; p++)
		t->port[p] = (struct evtchn_port){ .state = EVT_FREE };
	t->port[KEEL_PORT_TIMER].state = EVT_TIMER;
}

static int free_port(const struct evtchn_table *t)
{
	for (unsigned p = 1; p < KEEL_EVTCHN_PORTS; p++)
		if (t->port[p].state == EVT_FREE)
			return (int)p;
	return -ENOSPC;
}

int evtchn_alloc(struct evtchn_table *t, unsigned self, uint64_t remote_dom,
		 evtchn_lookup_fn *lookup, void *ctx)
{
	int p;

	if (remote_dom == self || !lookup(ctx, remote_dom))
		return -EINVAL;
	p = free_port(t);
	if (p >= 0)
		t->port[p] = (struct evtchn_port){ .state = EVT_UNBOUND,
						   .remote_dom = (uint16_t)remote_dom };
	return p;
}

int evtchn_alloc_keel(struct evtchn_table *t)
{
	int p = free_port(t);

	if (p >= 0)
		t->port[p] = (struct evtchn_port){ .state = EVT_KEEL };
	return p;
}

int evtchn_bind(struct evtchn_table *t, unsigned self, uint64_t remote_dom, uint64_t remote_port,
		evtchn_lookup_fn *lookup, void *ctx)
{
	struct evtchn_table *rt;
	struct evtchn_port *rp;
	int p;

	if (remote_dom == self || remote_port >= KEEL_EVTCHN_PORTS ||
	    !(rt = lookup(ctx, remote_dom)))
		return -EINVAL;
	rp = &rt->port[remote_port];
	if (rp->state == EVT_CONNECTED)
		return -EBUSY;
	if (rp->state != EVT_UNBOUND)
		return -EINVAL;
	if (rp->remote_dom != self)
		return -EPERM;
	p = free_port(t);
	if (p < 0)
		return p;
	t->port[p] = (struct evtchn_port){ .state = EVT_CONNECTED, .remote_port = (uint8_t)remote_port,
					   .remote_dom = (uint16_t)remote_dom };
	*rp = (struct evtchn_port){ .state = EVT_CONNECTED, .remote_port = (uint8_t)p,
				    .remote_dom = (uint16_t)self };
	return p;
}

int evtchn_send(const struct evtchn_table *t, uint64_t port, unsigned *dom, unsigned *rport)
{
	if (port >= KEEL_EVTCHN_PORTS || t->port[port].state != EVT_CONNECTED ||
	    t->port[port].remote_port >= KEEL_EVTCHN_PORTS)
		return -EINVAL;
	*dom = t->port[port].remote_dom;
	*rport = t->port[port].remote_port;
	return 0;
}

int evtchn_close(struct evtchn_table *t, unsigned self, uint64_t port, evtchn_lookup_fn *lookup,
		 void *ctx)
{
	struct evtchn_port *p;

	if (port >= KEEL_EVTCHN_PORTS || port == KEEL_PORT_TIMER)
		return -EINVAL;
	p = &t->port[port];
	if (p->state == EVT_FREE || p->state == EVT_KEEL)
		return -EINVAL;
	if (p->state == EVT_CONNECTED) {
		struct evtchn_table *rt = lookup(ctx, p->remote_dom);

		/* The peer's end waits to be bound again, by this domain. */
		if (rt && p->remote_port < KEEL_EVTCHN_PORTS &&
		    rt->port[p->remote_port].state == EVT_CONNECTED &&
		    rt->port[p->remote_port].remote_dom == self)
			rt->port[p->remote_port] = (struct evtchn_port){ .state = EVT_UNBOUND,
									 .remote_dom = (uint16_t)self };
	}
	*p = (struct evtchn_port){ .state = EVT_FREE };
	return 0;
}
