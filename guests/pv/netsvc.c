/* SPDX-License-Identifier: MIT */
/*
 * netsvc: a network service on Keel's virtual switch. It answers ARP for
 * its address, ICMP echo (ping) and UDP echo on port 7 (guests/pv/net/),
 * and blocks in between. args="ADDRESS [quit]": with quit, a UDP datagram
 * "quit" to port 7 ends it (after its echo), which the tests use.
 */
#include <keel_pv.h>
#include <stdio.h>
#include <string.h>
#include "net/inet.h"

static uint8_t in[FRAME_MAX], out[FRAME_MAX];

static const char *mac_str(const uint8_t *m)
{
	static char s[18];

	snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return s;
}

int main(int argc, char **argv)
{
	struct keel_net_info info;
	struct inet_if nif;
	unsigned long answered[PKT_UDP + 1] = { 0 };
	int quit_on = argc > 2 && !strcmp(argv[2], "quit");
	long r;

	if (argc < 2 || inet_parse_addr(argv[1], &nif.ip)) {
		printf("netsvc: args=\"ADDRESS [quit]\" names its IPv4 address\n");
		return 2;
	}
	r = keel_net_open(&info);
	if (r) {
		printf("netsvc: no network interface (%ld): give it net= in keel.cfg\n", r);
		return 1;
	}
	memcpy(nif.mac, info.mac, 6);
	printf("netsvc: %s at %s on switch %s: ARP, ping, UDP echo on port %d\n", argv[1],
	       mac_str(info.mac), info.switch_name, UDP_ECHO);
	for (;;) {
		long n;

		while ((n = keel_net_recv(in, sizeof(in))) > 0) {
			struct inet_pkt pkt;
			size_t m = inet_answer(&nif, in, (size_t)n, out);

			if (!m)
				continue;
			inet_parse(&nif, in, (size_t)n, &pkt);
			answered[pkt.kind]++;
			r = keel_net_send(out, m);
			if (r < 0)
				printf("netsvc: sending an answer failed: %ld\n", r);
			if (quit_on && pkt.kind == PKT_UDP && pkt.len == 4 && !memcmp(pkt.data, "quit", 4))
				goto done;
		}
		if (n < 0)
			printf("netsvc: receiving failed: %ld\n", n);
		keel_net_wait(0);
	}
done:
	keel_net_open(&info);
	printf("netsvc: answered %lu ARP, %lu echo, %lu UDP; frames in %llu, dropped %llu, out %llu\n",
	       answered[PKT_ARP_REQUEST], answered[PKT_ECHO_REQUEST], answered[PKT_UDP],
	       (unsigned long long)info.rx, (unsigned long long)info.rx_dropped,
	       (unsigned long long)info.tx);
	return 0;
}
