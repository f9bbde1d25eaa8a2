/* SPDX-License-Identifier: MIT */
/* The PV runtime's network driver: Keel's KEEL_HC_NET_* calls (docs/abi.md, "Network"). */
#include <keel_pv.h>

static unsigned net_event; /* the port Keel raises for our frames, 0 before keel_net_open */

long keel_net_open(struct keel_net_info *info)
{
	long r = keel_hcall(KEEL_HC_NET_INFO, (long)info, 0, 0);

	if (!r)
		net_event = info->event_port;
	return r;
}

long keel_net_send(const void *frame, size_t len)
{
	return keel_hcall(KEEL_HC_NET_SEND, (long)frame, (long)len, 0);
}

long keel_net_send_batch(const struct keel_net_buf *bufs, unsigned count)
{
	return keel_hcall(KEEL_HC_NET_SEND_BATCH, (long)bufs, (long)count, 0);
}

long keel_net_recv(void *buf, size_t len)
{
	return keel_hcall(KEEL_HC_NET_RECV, (long)buf, (long)len, 0);
}

int keel_net_wait(uint64_t deadline_ns)
{
	uint64_t net = 1ULL << net_event, timer = 1ULL << KEEL_PORT_TIMER;

	if (deadline_ns)
		keel_hcall(KEEL_HC_SET_TIMER, (long)deadline_ns, 0, 0);
	for (;;) {
		uint64_t got = __atomic_fetch_and(&keel_shared_info->evtchn_pending, ~(net | timer),
						  __ATOMIC_SEQ_CST);

		if (got & net)
			return 1;
		/* A timer event from an older deadline is not ours: wait on. */
		if (deadline_ns && keel_time_ns() >= deadline_ns)
			return 0;
		keel_hcall(KEEL_HC_BLOCK, 0, 0, 0);
	}
}
