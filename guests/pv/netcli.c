/* SPDX-License-Identifier: MIT */
/*
 * netcli: a client of netsvc through Keel's virtual switch. args="MY-ADDRESS
 * SERVICE-ADDRESS": it finds the service's MAC by ARP, pings it, exchanges
 * a UDP echo and a TCP echo (a connection opened, a line echoed, closed;
 * a closed port's RST), tries what Keel must refuse (a forged source, bad
 * lengths), measures the ping round trip and a burst of UDP echoes, and ends
 * the service with "quit".
 */
#include <bench_stats.h>
#include <keel_pv.h>
#include <stdio.h>
#include <string.h>
#include "net/inet.h"
#include "net/pvnet.h"
#include "net/tcp.h"

#define PINGS      5
#define BENCH_RTT  21
#define BURST      24
#define TIMEOUT_NS 2000000000ULL

static struct inet_if nif;
static uint8_t svc_mac[6];
static uint32_t svc_ip;
static uint8_t in[FRAME_MAX], out[FRAME_MAX];
static unsigned long calls; /* hypercalls made for frames: send, recv, wait */

static void send_frame(size_t n)
{
	long r = keel_net_send(out, n);

	calls++;
	if (r < 0)
		printf("netcli: send failed: %ld\n", r);
}

/* The next frame of kind from the service, or PKT_OTHER after the timeout. */
static enum inet_kind await(enum inet_kind kind, struct inet_pkt *pkt)
{
	uint64_t deadline = keel_time_ns() + TIMEOUT_NS;

	for (;;) {
		long n = keel_net_recv(in, sizeof(in));

		calls++;
		if (n > 0 && inet_parse(&nif, in, (size_t)n, pkt) == kind &&
		    pkt->src_ip == svc_ip)
			return kind;
		if (n > 0)
			continue;
		calls++;
		if (!keel_net_wait(deadline))
			return PKT_OTHER;
	}
}

static int find_service(void)
{
	struct inet_pkt pkt;

	for (unsigned tries = 0; tries < 10; tries++) {
		send_frame(inet_arp_request(&nif, svc_ip, out));
		if (await(PKT_ARP_REPLY, &pkt) == PKT_ARP_REPLY) {
			memcpy(svc_mac, pkt.src_mac, 6);
			printf("netcli: ARP: service at %02x:%02x:%02x:%02x:%02x:%02x\n", svc_mac[0],
			       svc_mac[1], svc_mac[2], svc_mac[3], svc_mac[4], svc_mac[5]);
			return 0;
		}
	}
	return -1;
}

static int ping(uint16_t seq, uint64_t *ticks)
{
	static const char payload[] = "ping through Keel's switch";
	struct inet_pkt pkt;
	uint64_t t0 = bench_rdtsc();

	send_frame(inet_echo_request(&nif, svc_mac, svc_ip, 0x4b4c, seq, payload, sizeof(payload),
				     out));
	if (await(PKT_ECHO_REPLY, &pkt) != PKT_ECHO_REPLY || pkt.seq != seq ||
	    pkt.len != sizeof(payload) || memcmp(pkt.data, payload, sizeof(payload)))
		return -1;
	*ticks = bench_rdtsc() - t0;
	return 0;
}

static int udp_echo(const char *msg)
{
	struct inet_pkt pkt;
	size_t len = strlen(msg);

	send_frame(inet_udp(&nif, svc_mac, svc_ip, 40000, UDP_ECHO, msg, len, out));
	if (await(PKT_UDP, &pkt) != PKT_UDP || pkt.sport != UDP_ECHO || pkt.dport != 40000 ||
	    pkt.len != len || memcmp(pkt.data, msg, len))
		return -1;
	return 0;
}

/* The next segment from the service's port to ours, 0; -1 after the timeout. */
static int tcp_await(const struct tcp_seg *mine, struct tcp_seg *r)
{
	struct inet_pkt pkt;

	while (await(PKT_TCP, &pkt) == PKT_TCP)
		if (!tcp_parse(pkt.data, pkt.len, r) && r->sport == mine->dport &&
		    r->dport == mine->sport)
			return 0;
	return -1;
}

static void tcp_send(const struct tcp_seg *s)
{
	send_frame(tcp_build(&nif, svc_mac, svc_ip, s, out));
}

/*
 * The client side of one TCP echo, no more than the test needs (no
 * retransmission: the switch between two PV guests loses nothing): SYN,
 * the line, our FIN, the service's FIN acknowledged. 0 if all came back.
 */
static int tcp_echo(const char *msg)
{
	struct tcp_seg s = { .sport = 40004, .dport = TCP_ECHO, .seq = 7000, .flags = TCP_SYN,
			     .wnd = 4096, .mss = TCP_MSS }, r;
	size_t len = strlen(msg);

	tcp_send(&s);
	if (tcp_await(&s, &r) || r.flags != (TCP_SYN | TCP_ACK) || r.ack != s.seq + 1)
		return -1;
	s = (struct tcp_seg){ .sport = s.sport, .dport = TCP_ECHO, .seq = s.seq + 1,
			      .ack = r.seq + 1, .flags = TCP_ACK | TCP_PSH, .wnd = 4096,
			      .data = (const uint8_t *)msg, .len = len };
	tcp_send(&s);
	if (tcp_await(&s, &r) || r.seq != s.ack || r.len != len || memcmp(r.data, msg, len) ||
	    r.ack != s.seq + len)
		return -2;
	s.seq += (uint32_t)len;
	s.ack += (uint32_t)len;
	s.flags = TCP_ACK | TCP_FIN;
	s.len = 0;
	tcp_send(&s);
	if (tcp_await(&s, &r) || r.flags != (TCP_ACK | TCP_FIN) || r.ack != s.seq + 1)
		return -3;
	s.seq++;
	s.ack++;
	s.flags = TCP_ACK;
	tcp_send(&s);
	printf("netcli: TCP echo: %s\n", msg);
	/* A closed port: RST, acknowledging the SYN (RFC 9293 3.10.7.1). */
	s = (struct tcp_seg){ .sport = 40005, .dport = 9, .seq = 9000, .flags = TCP_SYN,
			      .wnd = 4096 };
	tcp_send(&s);
	if (tcp_await(&s, &r) || r.flags != (TCP_RST | TCP_ACK) || r.ack != 9001)
		return -4;
	printf("netcli: TCP to port 9: RST\n");
	return 0;
}

/* A DNS A query for keel.test: the answer's address must be the service's. */
static int dns_query(void)
{
	static const uint8_t q[] = { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 4, 'k', 'e', 'e',
				     'l', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1 };
	struct inet_pkt pkt;

	send_frame(inet_udp(&nif, svc_mac, svc_ip, 40002, 53, q, sizeof(q), out));
	if (await(PKT_UDP, &pkt) != PKT_UDP || pkt.sport != 53 || pkt.len != sizeof(q) + 16 ||
	    pkt.data[0] != 0x12 || pkt.data[7] != 1)
		return -1;
	printf("netcli: DNS: keel.test is %u.%u.%u.%u\n", pkt.data[pkt.len - 4],
	       pkt.data[pkt.len - 3], pkt.data[pkt.len - 2], pkt.data[pkt.len - 1]);
	return 0;
}

/* What Keel refuses: a frame with another station's source, too short, too long. */
static void hostile(void)
{
	size_t n = inet_udp(&nif, svc_mac, svc_ip, 40000, 9, "x", 1, out);

	memcpy(out + 6, svc_mac, 6);
	printf("netcli: send with the service's source address = %ld\n", keel_net_send(out, n));
	memcpy(out + 6, nif.mac, 6);
	printf("netcli: send of 13 bytes = %ld\n", keel_net_send(out, 13));
	printf("netcli: send of 1515 bytes = %ld\n", keel_net_send(out, 1515));
	printf("netcli: receive into a 10-byte buffer = %ld\n",
	       (send_frame(inet_echo_request(&nif, svc_mac, svc_ip, 1, 1, "", 0, out)),
		keel_net_wait(keel_time_ns() + TIMEOUT_NS), keel_net_recv(in, 10)));
	printf("netcli: then into a large one = %ld\n", keel_net_recv(in, sizeof(in)));
}

static void burst(void)
{
	struct inet_pkt pkt;
	unsigned got = 0;
	uint64_t t0;

	calls = 0;
	t0 = bench_rdtsc();
	for (unsigned i = 0; i < BURST; i++)
		send_frame(inet_udp(&nif, svc_mac, svc_ip, 40001, UDP_ECHO, "burst", 5, out));
	while (got < BURST && await(PKT_UDP, &pkt) == PKT_UDP)
		got++;
	printf("netcli: burst of %u UDP echoes: %u came back\n", BURST, got);
	printf("BENCH pvnet burst %u frames %llu ticks, %lu client calls, %lu.%02lu frames/call\n",
	       2 * got, (unsigned long long)(bench_rdtsc() - t0), calls, 2 * got / calls,
	       200 * got / calls % 100);
}

static size_t batch_frame(unsigned i, uint8_t *f, void *ctx)
{
	(void)i, (void)ctx;
	return inet_udp(&nif, svc_mac, svc_ip, 40003, UDP_ECHO, "batch", 5, f);
}

/* The same burst sent with one KEEL_HC_NET_SEND_BATCH call. */
static void batched_burst(void)
{
	struct inet_pkt pkt;
	unsigned got = 0;
	uint64_t t0;
	long r;

	calls = 1;
	t0 = bench_rdtsc();
	r = pvnet_send_built(BURST, batch_frame, NULL);
	while (got < BURST && await(PKT_UDP, &pkt) == PKT_UDP)
		got++;
	printf("netcli: batched burst of %u UDP echoes (sent %ld in one call): %u came back\n", BURST,
	       r, got);
	printf("BENCH pvnet batch %u frames %llu ticks, %lu client calls, %lu.%02lu frames/call\n",
	       2 * got, (unsigned long long)(bench_rdtsc() - t0), calls, 2 * got / calls,
	       200 * got / calls % 100);
}

int main(int argc, char **argv)
{
	struct keel_net_info info;
	static uint64_t rtt[BENCH_RTT];
	uint32_t ip;

	if (argc < 3 || inet_parse_addr(argv[1], &ip) || inet_parse_addr(argv[2], &svc_ip)) {
		printf("netcli: args=\"MY-ADDRESS SERVICE-ADDRESS\"\n");
		return 2;
	}
	if (pvnet_open("netcli", ip, &nif, &info))
		return 1;
	printf("netcli: %s on switch %s, service %s\n", argv[1], info.switch_name, argv[2]);
	if (find_service())
		return 3;
	for (uint16_t seq = 1; seq <= PINGS; seq++) {
		if (ping(seq, &rtt[0]))
			return 4;
		printf("netcli: echo reply from %s: seq=%u\n", argv[2], seq);
	}
	if (udp_echo("hello through Keel's switch"))
		return 5;
	printf("netcli: UDP echo: hello through Keel's switch\n");
	if (dns_query())
		return 7;
	if (tcp_echo("a line through netsvc's TCP"))
		return 8;
	hostile();
	for (unsigned i = 0; i < BENCH_RTT; i++)
		if (ping((uint16_t)(100 + i), &rtt[i]))
			return 6;
	bench_median(rtt, BENCH_RTT);
	printf("BENCH pvnet ping min %llu median %llu\n", (unsigned long long)rtt[0],
	       (unsigned long long)rtt[BENCH_RTT / 2]);
	burst();
	batched_burst();
	send_frame(inet_udp(&nif, svc_mac, svc_ip, 40000, UDP_ECHO, "quit", 4, out));
	keel_net_open(&info);
	printf("netcli: frames in %llu, dropped %llu, out %llu, refused %llu\n",
	       (unsigned long long)info.rx, (unsigned long long)info.rx_dropped,
	       (unsigned long long)info.tx, (unsigned long long)info.tx_refused);
	printf("netcli: done\n");
	return 0;
}
