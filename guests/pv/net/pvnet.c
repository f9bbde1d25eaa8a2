/* SPDX-License-Identifier: MIT */
/* See pvnet.h. */
#include <stdio.h>
#include <string.h>
#include "pvnet.h"

long pvnet_open(const char *who, uint32_t ip, struct inet_if *nif, struct keel_net_info *info)
{
	long r = keel_net_open(info);

	if (r) {
		printf("%s: no network interface (%ld): give it net= in keel.cfg\n", who, r);
		return r;
	}
	memcpy(nif->mac, info->mac, 6);
	nif->ip = ip;
	return 0;
}

long pvnet_send_built(unsigned n, pvnet_build_fn *build, void *ctx)
{
	static uint8_t frames[KEEL_NET_BATCH_MAX][FRAME_MAX];
	static struct keel_net_buf bufs[KEEL_NET_BATCH_MAX];

	if (n > KEEL_NET_BATCH_MAX)
		n = KEEL_NET_BATCH_MAX;
	for (unsigned i = 0; i < n; i++) {
		bufs[i].len = (uint32_t)build(i, frames[i], ctx);
		bufs[i].addr = (uintptr_t)frames[i];
	}
	return keel_net_send_batch(bufs, n);
}
