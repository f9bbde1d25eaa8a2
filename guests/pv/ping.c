/* SPDX-License-Identifier: MIT */
/*
 * ping: offers a page to the guest named "pong", opens an event channel for
 * it, and passes messages through the page, one event each way per round.
 * Then it times the event round trip and closes the channel.
 */
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

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return (uint64_t)hi << 32 | lo;
}

static uint64_t median(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
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
		uint64_t t0 = rdtsc_ordered();

		page.seq = 0;
		keel_hcall(KEEL_HC_EVTCHN_SEND, port, 0, 0);
		keel_wait_event((unsigned)port);
		rtt[i] = rdtsc_ordered() - t0;
	}
	(void)median(rtt, BENCH_ROUNDS); /* sorts */
	printf("BENCH evtchn   min %6llu median %6llu\n", (unsigned long long)rtt[0],
	       (unsigned long long)rtt[BENCH_ROUNDS / 2]);
	must("closing the channel", keel_hcall(KEEL_HC_EVTCHN_CLOSE, port, 0, 0));
	printf("ping: sending on the closed port: %ld\n",
	       keel_hcall(KEEL_HC_EVTCHN_SEND, port, 0, 0));
	printf("ping: done\n");
	return 0;
}
