/* SPDX-License-Identifier: MIT */
/*
 * netsvc's TCP (guests/pv/net/tcp.c, tcp_out.c) fed segments from four
 * hostile clients, each in a valid IPv4 frame with a good checksum so it
 * reaches the parser and the state machine: raw segment bytes of any length,
 * or segments built from input fields (flags, sequence and acknowledgment
 * numbers raw or near what the connection expects, window, an option area
 * of any content and a data offset that may lie, data), with time passing
 * and the timers run between them. After each op:
 *  - every frame sent is a whole, checksummed TCP segment to the client it
 *    answers, from port 7 unless it is a RST from a closed port;
 *  - no RST answers a RST;
 *  - each connection's numbers are ordered (SND.UNA <= SND.NXT <= SND.MAX),
 *    what is in flight is in its buffer (plus SYN or FIN), the buffer holds
 *    at most TCP_BUF, and no two connections share a client address and port.
 * Op byte: o & 3: 0 raw segment, 1 built segment, 2 time passes, 3 time
 * jumps to the next timer; o >> 2 picks the client and what is raw.
 */
#include <stdint.h>
#include <string.h>

#include "bytes.h"
#include "fuzz.h"
#include "inet.h"
#include "tcp.h"

#define CLIENTS 4

static const struct inet_if svc = { { 0x02, 0, 0, 0, 0, 1 }, 0x0a000001 };
static struct tcp t;
static uint8_t f[FRAME_MAX];
static uint64_t now;
static bool in_rst; /* the segment of this op carried RST */

static struct inet_if client(unsigned i)
{
	struct inet_if c = { { 0x02, 0, 0, 0, 0, (uint8_t)(2 + i) }, 0x0a000002u + i };

	return c;
}

static void check_sent(void *ctx, const uint8_t *frame, size_t n)
{
	struct inet_pkt pkt = { 0 };
	struct tcp_seg seg;
	bool known = false;

	(void)ctx;
	FUZZ_CHECK(n >= 60 && n <= FRAME_MAX, "frame length");
	for (unsigned i = 0; i < CLIENTS && !known; i++) {
		struct inet_if c = client(i);

		if (get32(frame + ETH_HDR + 16) != c.ip)
			continue;
		known = true;
		FUZZ_CHECK(!memcmp(frame, c.mac, 6), "sent to the client's MAC");
		FUZZ_CHECK(inet_parse(&c, frame, n, &pkt) == PKT_TCP, "a checksummed TCP segment");
	}
	FUZZ_CHECK(known, "sent only to a client that sent");
	FUZZ_CHECK(!tcp_parse(pkt.data, pkt.len, &seg), "a segment tcp_parse takes");
	FUZZ_CHECK(seg.sport == TCP_ECHO || (seg.flags & TCP_RST), "from port 7, or a RST");
	FUZZ_CHECK(!(in_rst && (seg.flags & TCP_RST)), "no RST for a RST");
	FUZZ_CHECK(seg.len <= TCP_MSS, "at most an MSS of data");
}

/* Deliver the segment s[0..n) from client c as one frame. */
static void deliver(const struct inet_if *c, const uint8_t *s, size_t n)
{
	uint8_t *l4 = inet_ip_frame(c, svc.mac, svc.ip, IP_TCP, n, f);
	struct inet_pkt pkt;

	memmove(l4, s, n);
	if (n >= 18) {
		put16(l4 + 16, 0);
		put16(l4 + 16, inet_csum(l4, n, inet_pseudo_sum(c->ip, svc.ip, IP_TCP,
								  (uint16_t)n)));
	}
	in_rst = n >= 14 && (l4[13] & TCP_RST);
	if (inet_parse(&svc, f, ETH_HDR + IP_HDR + n, &pkt) == PKT_TCP)
		tcp_input(&t, &pkt, now);
	in_rst = false;
}

static const struct tcp_conn *conn_of(uint32_t ip, uint16_t port)
{
	for (unsigned i = 0; i < TCP_CONNS; i++)
		if (t.conns[i].state != TCP_FREE && t.conns[i].ip == ip && t.conns[i].port == port)
			return &t.conns[i];
	return NULL;
}

static void built(struct fuzz_in *in, uint8_t op)
{
	static uint8_t s[FRAME_MAX - ETH_HDR - IP_HDR];
	struct inet_if c = client(op >> 2 & 3);
	uint16_t port = (uint16_t)(40000 + (op >> 2 & 3));
	const struct tcp_conn *k = conn_of(c.ip, port);
	uint8_t flags = fuzz_u8(in), words, doff, fill;
	uint32_t seq = op & 0x40 || !k ? (uint32_t)fuzz_le(in, 4)
			: k->rcv_nxt + (uint32_t)(int16_t)fuzz_u16(in);
	uint32_t ack = op & 0x80 || !k ? (uint32_t)fuzz_le(in, 4)
			: k->snd_max + (uint32_t)(int16_t)fuzz_u16(in);
	uint16_t wnd = fuzz_u16(in);
	size_t hl, len;

	words = fuzz_u8(in);
	doff = words >> 4;
	words = (words & 15) % 11;
	hl = 20 + 4 * (size_t)words;
	put16(s, port);
	put16(s + 2, op & 0x20 ? 9 : TCP_ECHO);
	put32(s + 4, seq);
	put32(s + 8, ack);
	s[12] = (uint8_t)((doff ? doff : 5 + words) << 4);
	s[13] = flags;
	put16(s + 14, wnd);
	put32(s + 16, 0);
	for (size_t i = 20; i < hl; i++)
		s[i] = fuzz_u8(in);
	len = fuzz_u16(in) % (sizeof(s) - hl + 1);
	fill = fuzz_u8(in);
	memset(s + hl, fill, len);
	deliver(&c, s, hl + len);
}

static void raw(struct fuzz_in *in, uint8_t op)
{
	static uint8_t s[FRAME_MAX - ETH_HDR - IP_HDR];
	struct inet_if c = client(op >> 2 & 3);
	size_t n = fuzz_u16(in) % (sizeof(s) + 1);

	for (size_t i = 0; i < n; i++)
		s[i] = fuzz_u8(in);
	deliver(&c, s, n);
}

static void check_conns(void)
{
	for (unsigned i = 0; i < TCP_CONNS; i++) {
		const struct tcp_conn *c = &t.conns[i];

		if (c->state == TCP_FREE)
			continue;
		FUZZ_CHECK(c->state <= TCP_TIME_WAIT, "a state");
		FUZZ_CHECK(c->buf_len <= TCP_BUF, "the buffer bounded");
		FUZZ_CHECK(SEQ_LE(c->snd_una, c->snd_nxt) && SEQ_LE(c->snd_nxt, c->snd_max),
			   "SND.UNA <= SND.NXT <= SND.MAX");
		FUZZ_CHECK(c->snd_max - c->snd_una <= c->buf_len + 1, "in flight is buffered");
		FUZZ_CHECK(c->mss >= TCP_MSS_MIN && c->mss <= TCP_MSS, "MSS clamped");
		for (unsigned j = i + 1; j < TCP_CONNS; j++)
			FUZZ_CHECK(t.conns[j].state == TCP_FREE || t.conns[j].ip != c->ip ||
				   t.conns[j].port != c->port, "one connection per client port");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };

	now = 1;
	tcp_init(&t, &svc, check_sent, NULL, 0x5eed);
	while (fuzz_more(&in)) {
		uint8_t op = fuzz_u8(&in);

		switch (op & 3) {
		case 0:
			raw(&in, op);
			break;
		case 1:
			built(&in, op);
			break;
		case 2:
			now += (uint64_t)fuzz_u16(&in) * 10000000; /* up to 655 s */
			tcp_poll(&t, now);
			break;
		default:
			if (tcp_deadline(&t) > now)
				now = tcp_deadline(&t);
			tcp_poll(&t, now);
			break;
		}
		check_conns();
	}
	return 0;
}
