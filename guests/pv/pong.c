/* SPDX-License-Identifier: MIT */
/*
 * pong: binds to ping's channel, maps the page ping granted it, and answers
 * each message in it. It also tries what it must not be able to do (a
 * grant nobody made, a bad address, a port it does not have) and reports
 * the errors. It ends when ping closes the channel.
 */
#include <keel_pv.h>
#include <stdio.h>
#include <string.h>
#include "pingpong.h"

#define SHARED ((struct pingpong_page *)KEEL_GRANT_BASE)

int main(void)
{
	long ping = keel_hcall(KEEL_HC_DOMAIN_FIND, (long)"ping", 0, 0);
	long port, r;

	if (ping < 0)
		return 1;
	/* ping may not have opened the channel yet: let it run until it has. */
	while ((port = keel_hcall(KEEL_HC_EVTCHN_BIND, ping, PING_PORT, 0)) == -KEEL_EINVAL)
		keel_hcall(KEEL_HC_YIELD, 0, 0, 0);
	if (port < 0)
		return 2;
	printf("pong: bound to domain %ld port %d as port %ld\n", ping, PING_PORT, port);
	printf("pong: map a grant nobody made: %ld\n",
	       keel_hcall5(KEEL_HC_GRANT_MAP, ping, 7, (long)KEEL_GRANT_BASE, 0, 0));
	printf("pong: map outside the grant window: %ld\n",
	       keel_hcall5(KEEL_HC_GRANT_MAP, ping, PING_GRANT_REF, 0x200000, 0, 0));
	printf("pong: send on a port it does not have: %ld\n",
	       keel_hcall(KEEL_HC_EVTCHN_SEND, 40, 0, 0));
	r = keel_hcall5(KEEL_HC_GRANT_MAP, ping, PING_GRANT_REF, (long)KEEL_GRANT_BASE, 0, 0);
	printf("pong: map ping's page: %ld\n", r);
	if (r)
		return 3;
	keel_hcall(KEEL_HC_EVTCHN_SEND, port, 0, 0); /* ready */
	for (;;) {
		keel_wait_event((unsigned)port);
		if (SHARED->seq) {
			unsigned n = SHARED->seq;

			printf("pong: got \"%s\"\n", SHARED->msg);
			snprintf(SHARED->msg, sizeof(SHARED->msg), "pong %u", n);
			SHARED->seq = n + 1000;
		}
		r = keel_hcall(KEEL_HC_EVTCHN_SEND, port, 0, 0);
		if (r < 0)
			break;
	}
	printf("pong: ping closed the channel (send: %ld)\n", r);
	r = keel_hcall(KEEL_HC_GRANT_UNMAP, (long)KEEL_GRANT_BASE, 0, 0);
	printf("pong: unmap: %ld, again: %ld\n", r,
	       keel_hcall(KEEL_HC_GRANT_UNMAP, (long)KEEL_GRANT_BASE, 0, 0));
	return 0;
}
