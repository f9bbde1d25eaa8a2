/* SPDX-License-Identifier: MIT */
/*
 * ping: offers a page to the guest named "pong", opens an event channel for
 * it, and passes messages through the page, one event each way per round.
 * Then it times the event round trip and closes the channel.
 */
#include <bench_stats.h>
#include <keel_pv.h>
#include <stdio.h>
#include <string.h>
#include "pingpong.h"

static struct pingpong_page page __attribute__((aligned(4096)));
static uint64_t rtt[BENCH_ROUNDS];

static long must(const char *what, long r)
{
	if (r < 0) {
		printf("ping: %s failed: %ld\n", what, r);
		keel_shutdown(KEEL_SHUTDOWN_POWEROFF, 1);
	}
	return r;
}

int main(void)
{
	long pong = must("finding pong", keel_hcall(KEEL_HC_DOMAIN_FIND, (long)"pong", 0, 0));
	long ref = must("granting the page",
			keel_hcall(KEEL_HC_GRANT_OFFER, (long)&page, pong, 0));
	long port = must("opening a channel", keel_hcall(KEEL_HC_EVTCHN_ALLOC, pong, 0, 0));

	printf("ping: page granted to domain %ld as reference %ld, channel on port %ld\n", pong,
	       ref, port);
	if (ref != PING_GRANT_REF || port != PING_PORT)
		return 2;
	keel_wait_event((unsigned)port); /* pong is ready */
	for (uint32_t n = 1; n <= ROUNDS; n++) {
		snprintf(page.msg, sizeof(page.msg), "ping %u", (unsigned)n);
		page.seq = n;
		must("sending", keel_hcall(KEEL_HC_EVTCHN_SEND, port, 0, 0));
		keel_wait_event((unsigned)port);
		printf("ping: round %u: %s\n", (unsigned)n, page.msg);
		if (page.seq != n + 1000)
			return 3;
	}
	/* The event round trip: send, pong wakes and sends back, ping wakes. */
	for (unsigned i = 0; i < BENCH_ROUNDS; i++) {
		uint64_t t0 = bench_rdtsc();

		page.seq = 0;
		keel_hcall(KEEL_HC_EVTCHN_SEND, port, 0, 0);
		keel_wait_event((unsigned)port);
		rtt[i] = bench_rdtsc() - t0;
	}
	(void)bench_median(rtt, BENCH_ROUNDS); /* sorts rtt */
	printf("BENCH evtchn   min %6llu median %6llu\n", (unsigned long long)rtt[0],
	       (unsigned long long)rtt[BENCH_ROUNDS / 2]);
	must("closing the channel", keel_hcall(KEEL_HC_EVTCHN_CLOSE, port, 0, 0));
	printf("ping: sending on the closed port: %ld\n",
	       keel_hcall(KEEL_HC_EVTCHN_SEND, port, 0, 0));
	printf("ping: done\n");
	return 0;
}
