/* SPDX-License-Identifier: MIT */
/*
 * netsvc: a network service on Keel's virtual switch. It answers ARP for
 * its address, ICMP echo (ping), UDP and TCP echo on port 7 and DNS A
 * queries on port 53 with its own address (guests/pv/net/), and blocks in
 * between (until TCP's next timer, if one runs).
 * args="ADDRESS [quit]": with quit, a UDP datagram "quit" to port 7 ends
 * it (after its echo), which the tests use. A DNS query for "bench.*"
 * makes it ping the asker (BENCH_PINGS, timed in TSC ticks), one for
 * "burst.*" send it BURST echo requests in one call and count the replies.
 */
#include <bench_stats.h>
#include <keel_pv.h>
#include <stdio.h>
#include <string.h>
#include "net/dns.h"
#include "net/inet.h"
#include "net/pvnet.h"
#include "net/tcp.h"

#define BENCH_PINGS 21
#define BURST       32
#define TIMEOUT_NS  3000000000ULL

static struct inet_if nif;
static uint8_t in[FRAME_MAX], out[FRAME_MAX];
static struct tcp tcp;
static unsigned long answered[PKT_KINDS], dns;
static int quit_on;

static const char *mac_str(const uint8_t *m)
{
	static char s[18];

	snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
	return s;
}

static void tcp_send(void *ctx, const uint8_t *frame, size_t n)
{
	long r = keel_net_send(frame, n);

	(void)ctx;
	if (r < 0)
		printf("netsvc: sending failed: %ld\n", r);
}

static void send_frame(size_t n)
{
	tcp_send(NULL, out, n);
}

/* A DNS query: the answer, and what its name asks for ("bench", "burst"). */
static void serve_dns(const struct inet_pkt *pkt, char label[16])
{
	static uint8_t msg[512];
	size_t m = dns_answer(pkt->data, pkt->len, nif.ip, msg, sizeof(msg), label);

	if (!m)
		return;
	dns++;
	send_frame(inet_udp(&nif, pkt->src_mac, pkt->src_ip, DNS_PORT, pkt->sport, msg, m, out));
}

/* Answer frame in[0..n); 1 if it was the "quit" datagram. *pkt is what it was. */
static int serve(size_t n, struct inet_pkt *pkt, char label[16])
{
	size_t m;

	label[0] = '\0';
	switch (inet_parse(&nif, in, n, pkt)) {
	case PKT_TCP:
		tcp_input(&tcp, pkt, keel_time_ns());
		return 0;
	case PKT_UDP:
		if (pkt->dport != DNS_PORT)
			break;
		serve_dns(pkt, label);
		return 0;
	default:
		break;
	}
	m = inet_answer(&nif, in, n, out);
	if (!m)
		return 0;
	answered[pkt->kind]++;
	send_frame(m);
	return quit_on && pkt->kind == PKT_UDP && pkt->len == 4 && !memcmp(pkt->data, "quit", 4);
}

/* The next echo reply from ip (answering whatever else comes), 0 after the timeout. */
static int await_reply(uint32_t ip, struct inet_pkt *pkt)
{
	uint64_t deadline = keel_time_ns() + TIMEOUT_NS;
	char label[16];

	for (;;) {
		long n = keel_net_recv(in, sizeof(in));

		if (n > 0) {
			serve((size_t)n, pkt, label);
			if (pkt->kind == PKT_ECHO_REPLY && pkt->src_ip == ip)
				return 1;
			continue;
		}
		if (!keel_net_wait(deadline))
			return 0;
	}
}

static void bench_ping(const uint8_t *mac, uint32_t ip)
{
	static uint64_t rtt[BENCH_PINGS];
	struct inet_pkt pkt;
	unsigned got = 0;

	for (unsigned i = 0; i < BENCH_PINGS; i++) {
		uint64_t t0 = bench_rdtsc();

		send_frame(inet_echo_request(&nif, mac, ip, 0x4b45, (uint16_t)i, "keel", 4, out));
		if (!await_reply(ip, &pkt))
			break;
		rtt[got++] = bench_rdtsc() - t0;
	}
	if (got < BENCH_PINGS) {
		printf("netsvc: ping bench: %u of %u replies\n", got, BENCH_PINGS);
		return;
	}
	bench_median(rtt, BENCH_PINGS);
	printf("BENCH net ping to %s min %llu median %llu\n", mac_str(mac),
	       (unsigned long long)rtt[0], (unsigned long long)rtt[BENCH_PINGS / 2]);
}

struct peer {
	const uint8_t *mac;
	uint32_t ip;
};

static size_t burst_frame(unsigned i, uint8_t *f, void *ctx)
{
	const struct peer *to = ctx;

	return inet_echo_request(&nif, to->mac, to->ip, 0x4b46, (uint16_t)i, "burst", 5, f);
}

/* BURST echo requests in one KEEL_HC_NET_SEND_BATCH call, then their replies. */
static void burst(const uint8_t *mac, uint32_t ip)
{
	struct peer to = { mac, ip };
	struct inet_pkt pkt;
	unsigned got = 0;
	uint64_t t0 = bench_rdtsc();
	long r = pvnet_send_built(BURST, burst_frame, &to);

	while (got < BURST && await_reply(ip, &pkt))
		got++;
	printf("BENCH net burst %u echo requests (%ld in one call), %u replies, %llu ticks\n", BURST,
	       r, got, (unsigned long long)(bench_rdtsc() - t0));
}

int main(int argc, char **argv)
{
	struct keel_net_info info;
	uint32_t ip;
	long n;

	quit_on = argc > 2 && !strcmp(argv[2], "quit");
	if (argc < 2 || inet_parse_addr(argv[1], &ip)) {
		printf("netsvc: args=\"ADDRESS [quit]\" names its IPv4 address\n");
		return 2;
	}
	if (pvnet_open("netsvc", ip, &nif, &info))
		return 1;
	tcp_init(&tcp, &nif, tcp_send, NULL, (uint32_t)bench_rdtsc());
	printf("netsvc: %s at %s on switch %s: ARP, ping, UDP echo on port %d, DNS, TCP echo on "
	       "port %d\n", argv[1], mac_str(info.mac), info.switch_name, UDP_ECHO, TCP_ECHO);
	for (;;) {
		while ((n = keel_net_recv(in, sizeof(in))) > 0) {
			struct inet_pkt pkt;
			char label[16];

			if (serve((size_t)n, &pkt, label))
				goto done;
			if (!strcmp(label, "bench"))
				bench_ping(pkt.src_mac, pkt.src_ip);
			else if (!strcmp(label, "burst"))
				burst(pkt.src_mac, pkt.src_ip);
		}
		if (n < 0)
			printf("netsvc: receiving failed: %ld\n", n);
		tcp_poll(&tcp, keel_time_ns());
		keel_net_wait(tcp_deadline(&tcp));
	}
done:
	keel_net_open(&info);
	printf("netsvc: TCP: %lu connections, %lu refused, %lu resets sent, %lu retransmissions, "
	       "%lu segments dropped\n", tcp.accepted, tcp.refused, tcp.resets_sent,
	       tcp.retransmits, tcp.dropped);
	printf("netsvc: answered %lu ARP, %lu echo, %lu UDP, %lu DNS; frames in %llu, dropped %llu, "
	       "out %llu\n", answered[PKT_ARP_REQUEST], answered[PKT_ECHO_REQUEST],
	       answered[PKT_UDP], dns, (unsigned long long)info.rx,
	       (unsigned long long)info.rx_dropped, (unsigned long long)info.tx);
	return 0;
}
