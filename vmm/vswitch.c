/* SPDX-License-Identifier: MIT */
/* The learning L2 switch; see keel/vswitch.h. */
#include <stdbool.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/vswitch.h>

static const uint8_t mac_zero[6];

static bool mac_is_group(const uint8_t *mac)
{
	return mac[0] & 1; /* the I/G bit: broadcast or multicast (IEEE 802-2014 8.2) */
}

static bool mac_eq(const uint8_t *a, const uint8_t *b)
{
	return !memcmp(a, b, 6);
}

void vsw_init(struct vswitch *sw, const char *name)
{
	size_t n = strlen(name);

	memset(sw, 0, sizeof(*sw));
	if (n >= VSW_NAME_MAX)
		n = VSW_NAME_MAX - 1;
	memcpy(sw->name, name, n);
}

int vsw_attach(struct vswitch *sw, struct vsw_port *p, const uint8_t mac[6],
	       vsw_notify_fn *notify, void *owner)
{
	if (mac_is_group(mac) || mac_eq(mac, mac_zero))
		return -EINVAL;
	for (unsigned i = 0; i < sw->nr_ports; i++)
		if (mac_eq(sw->port[i]->mac, mac))
			return -EEXIST;
	if (sw->nr_ports >= VSW_PORTS_MAX)
		return -ENOSPC;
	memset(p, 0, sizeof(*p));
	p->sw = sw;
	memcpy(p->mac, mac, 6);
	p->index = (uint8_t)sw->nr_ports;
	p->notify = notify;
	p->owner = owner;
	sw->port[sw->nr_ports++] = p;
	return 0;
}

static bool fresh(const struct vsw_mac *m, uint64_t now_ns)
{
	return m->used && now_ns - m->seen_ns <= VSW_AGE_NS;
}

int vsw_lookup(const struct vswitch *sw, const uint8_t mac[6], uint64_t now_ns)
{
	for (unsigned i = 0; i < VSW_MACS_MAX; i++)
		if (fresh(&sw->mac[i], now_ns) && mac_eq(sw->mac[i].mac, mac))
			return sw->mac[i].port;
	return -1;
}

/* Remember that mac is behind port: its own entry, else a free or stale one, else the oldest. */
static void learn(struct vswitch *sw, const uint8_t *mac, unsigned port, uint64_t now_ns)
{
	struct vsw_mac *slot = NULL;

	for (unsigned i = 0; i < VSW_MACS_MAX; i++) {
		struct vsw_mac *m = &sw->mac[i];

		if (m->used && mac_eq(m->mac, mac)) {
			slot = m;
			break;
		}
		if (!slot || (slot->used && (!fresh(m, now_ns) || m->seen_ns < slot->seen_ns)))
			slot = m;
	}
	memcpy(slot->mac, mac, 6);
	slot->port = (uint8_t)port;
	slot->used = 1;
	slot->seen_ns = now_ns;
}

static int deliver(struct vsw_port *p, const uint8_t *frame, size_t len)
{
	struct vsw_frame *f;

	if (p->count >= VSW_QUEUE_LEN) {
		p->st.drop_full++;
		return 0;
	}
	f = &p->q[(p->head + p->count) % VSW_QUEUE_LEN];
	memcpy(f->data, frame, len);
	f->len = (uint16_t)len;
	p->count++;
	p->st.rx++;
	return 1;
}

/* Switch the frame; *to_notify gets a bit per port it was queued on. */
static int input(struct vswitch *sw, struct vsw_port *in, const uint8_t *frame, size_t len,
		 uint64_t now_ns, unsigned *to_notify)
{
	int to, n = 0;

	in->st.tx++;
	learn(sw, frame + 6, in->index, now_ns);
	to = mac_is_group(frame) ? -1 : vsw_lookup(sw, frame, now_ns);
	if (to == in->index) {
		sw->filtered++; /* the destination is on the sender's own port */
		return 0;
	}
	if (to >= 0) {
		n = deliver(sw->port[to], frame, len);
		*to_notify = (unsigned)n << to;
		return n;
	}
	sw->flooded++;
	for (unsigned i = 0; i < sw->nr_ports; i++)
		if (i != in->index && deliver(sw->port[i], frame, len)) {
			*to_notify |= 1u << i;
			n++;
		}
	return n;
}

int vsw_input(struct vsw_port *in, const uint8_t *frame, size_t len, uint64_t now_ns)
{
	struct vswitch *sw = in->sw;
	unsigned to_notify = 0;
	int n;

	if (len < VSW_FRAME_MIN || len > VSW_FRAME_MAX || !mac_eq(frame + 6, in->mac)) {
		in->st.drop_bad++;
		return -EINVAL;
	}
	spin_lock(&sw->lock);
	n = input(sw, in, frame, len, now_ns, &to_notify);
	spin_unlock(&sw->lock);
	/* After the lock: a receiver's notify may take its frame at once (vsw_pop). */
	for (unsigned i = 0; to_notify >> i; i++)
		if (to_notify >> i & 1 && sw->port[i]->notify)
			sw->port[i]->notify(sw->port[i]);
	return n;
}

const struct vsw_frame *vsw_peek(const struct vsw_port *p)
{
	return p->count ? &p->q[p->head] : NULL;
}

void vsw_pop(struct vsw_port *p)
{
	spin_lock(&p->sw->lock);
	if (p->count) {
		p->head = (p->head + 1) % VSW_QUEUE_LEN;
		p->count--;
	}
	spin_unlock(&p->sw->lock);
}

/* FNV-1a of the name, so a guest keeps its address from boot to boot. */
void vsw_mac_from_name(const char *name, uint8_t mac[6])
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 0x100000001b3ULL;
	mac[0] = 0x02; /* locally administered (U/L bit), unicast */
	for (unsigned i = 1; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * i));
}
