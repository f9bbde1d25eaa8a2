/* SPDX-License-Identifier: MIT */
/*
 * Host tests for netsvc's TCP (guests/pv/net/tcp.c, tcp_out.c), which reads
 * segments another guest sent: the parser against malformed headers and
 * options, and the state machine (RFC 9293 3.10.7) against segments outside
 * the window, blind RSTs and SYNs, ACKs of what was never sent, too many
 * connections, a peer that stops acknowledging, and both ways of closing.
 * Every segment goes through inet_parse as netsvc receives it, and every
 * answer is checked as the peer would read it (checksums included).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bytes.h"
#include "inet.h"
#include "tcp.h"

#define SENT_MAX 16
#define CPORT    40000
#define CSEQ     1000u /* the client's initial sequence number */
#define SEC      1000000000ULL

static const struct inet_if svc = { { 0x02, 0, 0, 0, 0, 1 }, 0x0a000001 },
			    cli = { { 0x02, 0, 0, 0, 0, 2 }, 0x0a000002 };
static struct tcp t;
static uint8_t sent[SENT_MAX][FRAME_MAX], f[FRAME_MAX];
static size_t sent_len[SENT_MAX];
static unsigned nsent;
static uint16_t offer = 4096; /* the window the client's segments offer */

static void capture(void *ctx, const uint8_t *frame, size_t n)
{
	(void)ctx;
	assert_true(nsent < SENT_MAX);
	memcpy(sent[nsent], frame, n);
	sent_len[nsent++] = n;
}

static int setup(void **state)
{
	(void)state;
	tcp_init(&t, &svc, capture, NULL, 0x12345678);
	nsent = 0;
	offer = 4096;
	return 0;
}

/* A segment from the client's port sport to the service's dport, with options opt. */
static size_t seg_frame(uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
			uint8_t flags, const uint8_t *opt, size_t optlen, const void *data,
			size_t len)
{
	size_t hl = 20 + optlen;
	uint8_t *s = inet_ip_frame(&cli, svc.mac, svc.ip, IP_TCP, hl + len, f);

	put16(s, sport);
	put16(s + 2, dport);
	put32(s + 4, seq);
	put32(s + 8, ack);
	s[12] = (uint8_t)((hl + 3) / 4 << 4);
	s[13] = flags;
	put16(s + 14, offer);
	put32(s + 16, 0);
	if (optlen)
		memcpy(s + 20, opt, optlen);
	if (len)
		memcpy(s + hl, data, len);
	put16(s + 16, inet_csum(s, hl + len, inet_pseudo_sum(cli.ip, svc.ip, IP_TCP,
								(uint16_t)(hl + len))));
	return ETH_HDR + IP_HDR + hl + len;
}

/* Give netsvc's TCP the frame f[0..n) at time now, as netsvc does; what it sent is new. */
static void deliver(size_t n, uint64_t now)
{
	struct inet_pkt pkt;

	nsent = 0;
	if (inet_parse(&svc, f, n, &pkt) == PKT_TCP)
		tcp_input(&t, &pkt, now);
}

static void send_seg(uint32_t seq, uint32_t ack, uint8_t flags, const char *data, uint64_t now)
{
	deliver(seg_frame(CPORT, TCP_ECHO, seq, ack, flags, NULL, 0, data, data ? strlen(data) : 0),
		now);
}

/* Answer i as the client reads it. */
static struct tcp_seg answer(unsigned i)
{
	struct inet_pkt pkt;
	struct tcp_seg seg;

	assert_true(i < nsent);
	assert_int_equal(inet_parse(&cli, sent[i], sent_len[i], &pkt), PKT_TCP);
	assert_int_equal(tcp_parse(pkt.data, pkt.len, &seg), 0);
	return seg;
}

/* SYN, SYN-ACK, ACK from CPORT: the service's next sequence number. */
static uint32_t open_conn(uint16_t port, uint64_t now)
{
	static const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 };
	struct tcp_seg s;

	deliver(seg_frame(port, TCP_ECHO, CSEQ, 0, TCP_SYN, mss, 4, NULL, 0), now);
	assert_int_equal(nsent, 1);
	s = answer(0);
	assert_int_equal(s.flags, TCP_SYN | TCP_ACK);
	assert_int_equal(s.ack, CSEQ + 1);
	assert_int_equal(s.mss, TCP_MSS);
	assert_int_equal(s.sport, TCP_ECHO);
	assert_int_equal(s.dport, port);
	deliver(seg_frame(port, TCP_ECHO, CSEQ + 1, s.seq + 1, TCP_ACK, NULL, 0, NULL, 0), now);
	assert_int_equal(nsent, 0);
	return s.seq + 1;
}

static void test_echo_and_close(void **state)
{
	uint32_t sseq = open_conn(CPORT, 0);
	struct tcp_seg s;

	(void)state;
	assert_int_equal(t.conns[0].state, TCP_ESTABLISHED);
	assert_int_equal(t.accepted, 1);
	send_seg(CSEQ + 1, sseq, TCP_ACK | TCP_PSH, "hello\n", 1);
	assert_int_equal(nsent, 1);
	s = answer(0);
	assert_int_equal(s.seq, sseq);
	assert_int_equal(s.ack, CSEQ + 7);
	assert_int_equal(s.flags, TCP_ACK | TCP_PSH);
	assert_int_equal(s.len, 6);
	assert_memory_equal(s.data, "hello\n", 6);
	assert_int_equal(s.wnd, TCP_BUF - 6); /* the echo waits for its ACK */
	assert_int_equal(tcp_deadline(&t), 1 + TCP_RTO_NS);
	/* The client's FIN with its ACK of the echo: the service's FIN at once. */
	send_seg(CSEQ + 7, sseq + 6, TCP_ACK | TCP_FIN, NULL, 2);
	assert_int_equal(nsent, 1);
	s = answer(0);
	assert_int_equal(s.flags, TCP_ACK | TCP_FIN);
	assert_int_equal(s.seq, sseq + 6);
	assert_int_equal(s.ack, CSEQ + 8);
	assert_int_equal(t.conns[0].state, TCP_LAST_ACK);
	send_seg(CSEQ + 8, sseq + 7, TCP_ACK, NULL, 3);
	assert_int_equal(nsent, 0);
	assert_int_equal(t.conns[0].state, TCP_FREE);
	assert_int_equal(tcp_deadline(&t), 0);
	/* Data and FIN in one segment: echoed with the FIN after it. */
	sseq = open_conn(CPORT, 4);
	send_seg(CSEQ + 1, sseq, TCP_ACK | TCP_FIN, "bye", 5);
	assert_int_equal(nsent, 1);
	s = answer(0);
	assert_int_equal(s.flags, TCP_ACK | TCP_PSH | TCP_FIN);
	assert_int_equal(s.ack, CSEQ + 5);
	assert_memory_equal(s.data, "bye", 3);
}

static void test_closed_ports_and_stray_segments(void **state)
{
	struct tcp_seg s;

	(void)state;
	/* A SYN to a closed port: RST, ACK of the SYN (RFC 9293 3.10.7.1). */
	deliver(seg_frame(CPORT, 9, 500, 0, TCP_SYN, NULL, 0, NULL, 0), 0);
	assert_int_equal(nsent, 1);
	s = answer(0);
	assert_int_equal(s.flags, TCP_RST | TCP_ACK);
	assert_int_equal(s.seq, 0);
	assert_int_equal(s.ack, 501);
	/* Data to a closed port: its length acknowledged. */
	deliver(seg_frame(CPORT, 9, 500, 0, TCP_PSH, NULL, 0, "abc", 3), 0);
	assert_int_equal(answer(0).ack, 503);
	/* An ACK nobody expects, on the echo port too: RST at its ACK number. */
	deliver(seg_frame(CPORT, TCP_ECHO, 500, 777, TCP_ACK, NULL, 0, "x", 1), 0);
	s = answer(0);
	assert_int_equal(s.flags, TCP_RST);
	assert_int_equal(s.seq, 777);
	/* A RST gets nothing; nor does a bare segment on the listening port. */
	deliver(seg_frame(CPORT, 9, 500, 0, TCP_RST, NULL, 0, NULL, 0), 0);
	assert_int_equal(nsent, 0);
	deliver(seg_frame(CPORT, TCP_ECHO, 500, 0, TCP_PSH, NULL, 0, "x", 1), 0);
	assert_int_equal(nsent, 0);
	assert_int_equal(t.conns[0].state, TCP_FREE);
	/* A SYN whose ACK in the handshake is wrong: RST, and the connection waits on. */
	deliver(seg_frame(CPORT, TCP_ECHO, CSEQ, 0, TCP_SYN, NULL, 0, NULL, 0), 0);
	s = answer(0);
	assert_int_equal(t.conns[0].mss, 536); /* no MSS option: the default */
	send_seg(CSEQ + 1, s.seq + 5, TCP_ACK, NULL, 0);
	assert_int_equal(answer(0).flags, TCP_RST);
	assert_int_equal(answer(0).seq, s.seq + 5);
	assert_int_equal(t.conns[0].state, TCP_SYN_RCVD);
	/* Its SYN again: the SYN-ACK again, the same. */
	deliver(seg_frame(CPORT, TCP_ECHO, CSEQ, 0, TCP_SYN, NULL, 0, NULL, 0), 0);
	assert_int_equal(answer(0).flags, TCP_SYN | TCP_ACK);
	assert_int_equal(answer(0).seq, s.seq);
	/* A SYN from a multicast source opens nothing. */
	seg_frame(CPORT + 1, TCP_ECHO, CSEQ, 0, TCP_SYN, NULL, 0, NULL, 0);
	f[6] |= 1;
	deliver(ETH_HDR + IP_HDR + 20, 0);
	assert_int_equal(nsent, 0);
	assert_int_equal(t.conns[1].state, TCP_FREE);
}

static void test_connection_limit(void **state)
{
	struct tcp_seg s;

	(void)state;
	for (unsigned i = 0; i < TCP_CONNS; i++)
		open_conn((uint16_t)(CPORT + i), 0);
	deliver(seg_frame(CPORT + TCP_CONNS, TCP_ECHO, CSEQ, 0, TCP_SYN, NULL, 0, NULL, 0), 0);
	assert_int_equal(nsent, 1);
	s = answer(0);
	assert_int_equal(s.flags, TCP_RST | TCP_ACK);
	assert_int_equal(s.ack, CSEQ + 1);
	assert_int_equal(t.refused, 1);
	for (unsigned i = 0; i < TCP_CONNS; i++)
		assert_int_equal(t.conns[i].state, TCP_ESTABLISHED);
}

static void test_hostile_sequence_numbers(void **state)
{
	uint32_t sseq = open_conn(CPORT, 0);
	static char big[1401];
	struct tcp_seg s;

	(void)state;
	/* Outside the window, behind or ahead: an ACK of where we are, nothing taken. */
	send_seg(CSEQ + 1 + 100000, sseq, TCP_ACK, "far", 0);
	assert_int_equal(nsent, 1);
	s = answer(0);
	assert_int_equal(s.ack, CSEQ + 1);
	assert_int_equal(s.len, 0);
	send_seg(CSEQ - 50, sseq, TCP_ACK, "old", 0);
	assert_int_equal(answer(0).ack, CSEQ + 1);
	assert_int_equal(t.conns[0].buf_len, 0);
	/* In the window but not next: out of order, not taken, a duplicate ACK. */
	send_seg(CSEQ + 5, sseq, TCP_ACK, "late", 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(answer(0).ack, CSEQ + 1);
	assert_int_equal(answer(0).len, 0);
	/* A RST outside the window: nothing at all. */
	send_seg(CSEQ + 1 + TCP_BUF, 0, TCP_RST, NULL, 0);
	send_seg(CSEQ, 0, TCP_RST, NULL, 0);
	assert_int_equal(nsent, 0);
	/* A RST in the window not at RCV.NXT, or a SYN: a challenge ACK (RFC 5961), still open. */
	send_seg(CSEQ + 3, 0, TCP_RST, NULL, 0);
	assert_int_equal(answer(0).flags, TCP_ACK);
	send_seg(CSEQ + 1, 0, TCP_SYN, NULL, 0);
	assert_int_equal(answer(0).flags, TCP_ACK);
	assert_int_equal(answer(0).ack, CSEQ + 1);
	/* An ACK of bytes never sent: an ACK back, the data in it not taken. */
	send_seg(CSEQ + 1, sseq + 10, TCP_ACK, "abc", 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(answer(0).ack, CSEQ + 1);
	assert_int_equal(t.conns[0].state, TCP_ESTABLISHED);
	/* Partly old data: only the new part echoed. */
	send_seg(CSEQ + 1, sseq, TCP_ACK, "ab", 0);
	send_seg(CSEQ + 2, sseq, TCP_ACK, "bcd", 0);
	s = answer(0);
	assert_int_equal(s.len, 2);
	assert_memory_equal(s.data, "cd", 2);
	assert_int_equal(s.ack, CSEQ + 5);
	/* More than the window: only what fits, the rest acknowledged later. */
	memset(big, 'z', sizeof(big) - 1);
	send_seg(CSEQ + 5, sseq + 4, TCP_ACK, big, 0);
	assert_int_equal(t.conns[0].buf_len, 1400);
	send_seg(CSEQ + 5 + 1400, sseq + 4, TCP_ACK, big, 0);
	assert_int_equal(t.conns[0].buf_len, TCP_BUF);
	s = answer(nsent - 1);
	assert_int_equal(s.ack, CSEQ + 5 + TCP_BUF);
	assert_int_equal(s.wnd, 0);
	/* The client acknowledges the echo: the window opens, and the service says so. */
	send_seg(CSEQ + 5 + TCP_BUF, sseq + 4 + 1400, TCP_ACK, NULL, 0);
	assert_int_equal(nsent, 1);
	s = answer(0);
	assert_int_equal(s.len, 0);
	assert_int_equal(s.wnd, 1400);
	/* A smaller opening is not worth a segment (silly window avoidance). */
	send_seg(CSEQ + 5 + TCP_BUF, sseq + 4 + 1500, TCP_ACK, NULL, 0);
	assert_int_equal(nsent, 0);
	/* A RST exactly at RCV.NXT ends it. */
	send_seg(CSEQ + 5 + TCP_BUF, 0, TCP_RST, NULL, 0);
	assert_int_equal(nsent, 0);
	assert_int_equal(t.conns[0].state, TCP_FREE);
}

static void test_retransmission(void **state)
{
	uint32_t sseq = open_conn(CPORT, 0);
	uint64_t now = 0, rto = TCP_RTO_NS;
	struct tcp_seg s;

	(void)state;
	send_seg(CSEQ + 1, sseq, TCP_ACK, "lost?", 0);
	nsent = 0;
	tcp_poll(&t, TCP_RTO_NS - 1);
	assert_int_equal(nsent, 0);
	for (unsigned i = 0; i < TCP_RETRIES; i++) {
		now = tcp_deadline(&t);
		assert_int_equal(now, (uint64_t)(i ? now : TCP_RTO_NS));
		nsent = 0;
		tcp_poll(&t, now);
		assert_int_equal(nsent, 1);
		s = answer(0);
		assert_int_equal(s.seq, sseq);
		assert_memory_equal(s.data, "lost?", 5);
		rto = rto * 2 < 60 * SEC ? rto * 2 : 60 * SEC;
		/* RFC 6298 5.5: doubled; 2.5: capped */
		assert_int_equal(tcp_deadline(&t), now + rto);
	}
	assert_int_equal(t.retransmits, TCP_RETRIES);
	/* The peer never answers: RST, and the connection is free. */
	nsent = 0;
	tcp_poll(&t, tcp_deadline(&t));
	s = answer(0);
	assert_int_equal(s.flags, TCP_RST | TCP_ACK);
	assert_int_equal(t.conns[0].state, TCP_FREE);
	/* An ACK after a retransmission stops the timer. */
	sseq = open_conn(CPORT, 0);
	send_seg(CSEQ + 1, sseq, TCP_ACK, "x", 0);
	nsent = 0;
	tcp_poll(&t, TCP_RTO_NS);
	assert_int_equal(nsent, 1);
	send_seg(CSEQ + 2, sseq + 1, TCP_ACK, NULL, TCP_RTO_NS + 1);
	assert_int_equal(nsent, 0);
	assert_int_equal(t.conns[0].buf_len, 0);
	assert_int_equal(t.conns[0].rto_at, 0);
	/* A lost SYN-ACK comes again. */
	deliver(seg_frame(CPORT + 1, TCP_ECHO, CSEQ, 0, TCP_SYN, NULL, 0, NULL, 0), 0);
	s = answer(0);
	nsent = 0;
	tcp_poll(&t, TCP_RTO_NS);
	assert_int_equal(answer(0).flags, TCP_SYN | TCP_ACK);
	assert_int_equal(answer(0).seq, s.seq);
}

static void test_zero_window_probe(void **state)
{
	uint32_t sseq = open_conn(CPORT, 0);
	struct tcp_seg s;

	(void)state;
	/* The client's window closes: the echo waits, the timer probes one byte. */
	offer = 0;
	send_seg(CSEQ + 1, sseq, TCP_ACK, "abc", 0);
	assert_int_equal(nsent, 1); /* its ACK, no data */
	assert_int_equal(answer(0).len, 0);
	assert_int_equal(answer(0).ack, CSEQ + 4);
	nsent = 0;
	assert_int_not_equal(tcp_deadline(&t), 0);
	tcp_poll(&t, tcp_deadline(&t));
	assert_int_equal(nsent, 1);
	s = answer(0);
	assert_int_equal(s.len, 1);
	assert_int_equal(s.data[0], 'a');
}

static void test_service_closes_idle(void **state)
{
	uint32_t sseq = open_conn(CPORT, 0);
	uint64_t now = TCP_IDLE_NS;
	struct tcp_seg s;

	(void)state;
	assert_int_equal(tcp_deadline(&t), TCP_IDLE_NS);
	nsent = 0;
	tcp_poll(&t, now);
	s = answer(0);
	assert_int_equal(s.flags, TCP_ACK | TCP_FIN);
	assert_int_equal(s.seq, sseq);
	assert_int_equal(t.conns[0].state, TCP_FIN_WAIT_1);
	/* Data the client sends now is acknowledged, not echoed. */
	send_seg(CSEQ + 1, sseq, TCP_ACK, "late", now);
	assert_int_equal(answer(0).len, 0);
	assert_int_equal(answer(0).ack, CSEQ + 5);
	send_seg(CSEQ + 5, sseq + 1, TCP_ACK, NULL, now);
	assert_int_equal(t.conns[0].state, TCP_FIN_WAIT_2);
	send_seg(CSEQ + 5, sseq + 1, TCP_ACK | TCP_FIN, NULL, now);
	assert_int_equal(answer(0).ack, CSEQ + 6);
	assert_int_equal(t.conns[0].state, TCP_TIME_WAIT);
	/* Its FIN again: acknowledged again. */
	send_seg(CSEQ + 5, sseq + 1, TCP_ACK | TCP_FIN, NULL, now + 1);
	assert_int_equal(answer(0).ack, CSEQ + 6);
	assert_int_equal(tcp_deadline(&t), now + 1 + TCP_TIME_WAIT_NS); /* restarted */
	tcp_poll(&t, now + TCP_TIME_WAIT_NS);
	assert_int_equal(t.conns[0].state, TCP_TIME_WAIT);
	tcp_poll(&t, now + 1 + TCP_TIME_WAIT_NS);
	assert_int_equal(t.conns[0].state, TCP_FREE);
	/* Both FINs crossing: CLOSING, then TIME-WAIT on the ACK. */
	sseq = open_conn(CPORT, now);
	tcp_poll(&t, 2 * now);
	send_seg(CSEQ + 1, sseq, TCP_ACK | TCP_FIN, NULL, 2 * now);
	assert_int_equal(t.conns[0].state, TCP_CLOSING);
	send_seg(CSEQ + 2, sseq + 1, TCP_ACK, NULL, 2 * now);
	assert_int_equal(t.conns[0].state, TCP_TIME_WAIT);
}

static void test_parser_hostile(void **state)
{
	static const uint8_t bad_opts[][8] = {
		{ 2, 4, 5, 0xb4, 3, 0, 0, 0 },    /* option length 0 */
		{ 2, 4, 5, 0xb4, 8, 1, 0, 0 },    /* option length 1 */
		{ 1, 1, 1, 1, 1, 1, 8, 10 },      /* running past the header */
		{ 1, 1, 1, 1, 1, 1, 1, 8 },       /* no length byte in the header */
		{ 2, 3, 5, 0, 0, 0, 0, 0 },       /* MSS of 3 bytes */
	};
	static const uint8_t good_opts[8] = { 1, 1, 8, 3, 0x55, 0, 0, 0 }; /* NOP NOP unknown END */
	struct tcp_seg seg;
	uint8_t s[60];
	size_t n;

	(void)state;
	for (unsigned i = 0; i < sizeof(bad_opts) / sizeof(bad_opts[0]); i++) {
		n = seg_frame(CPORT, TCP_ECHO, CSEQ, 0, TCP_SYN, bad_opts[i], 8, NULL, 0);
		deliver(n, 0);
		assert_int_equal(nsent, 0);
		assert_int_equal(tcp_parse(f + ETH_HDR + IP_HDR, 28, &seg), -1);
	}
	n = seg_frame(CPORT, TCP_ECHO, CSEQ, 0, TCP_SYN, good_opts, 8, NULL, 0);
	assert_int_equal(tcp_parse(f + ETH_HDR + IP_HDR, 28, &seg), 0);
	assert_int_equal(seg.mss, 0);
	/* Data offsets below 5 and past the segment. */
	memset(s, 0, sizeof(s));
	put16(s, 1);
	put16(s + 2, 7);
	for (unsigned off = 0; off < 16; off++) {
		s[12] = (uint8_t)(off << 4);
		assert_int_equal(tcp_parse(s, 40, &seg), off >= 5 && off <= 10 ? 0 : -1);
	}
	s[12] = 5 << 4;
	/* SYN with FIN or RST, and port 0, are no segments. */
	s[13] = TCP_SYN | TCP_FIN;
	assert_int_equal(tcp_parse(s, 20, &seg), -1);
	s[13] = TCP_SYN | TCP_RST;
	assert_int_equal(tcp_parse(s, 20, &seg), -1);
	s[13] = TCP_SYN;
	assert_int_equal(tcp_parse(s, 20, &seg), 0);
	put16(s, 0);
	assert_int_equal(tcp_parse(s, 20, &seg), -1);
	/* A wrong checksum, and every truncation (in a buffer of its size, for ASan): nothing. */
	n = seg_frame(CPORT, TCP_ECHO, CSEQ, 0, TCP_SYN, good_opts, 8, "data", 4);
	f[n - 1] ^= 1;
	deliver(n, 0);
	assert_int_equal(nsent, 0);
	f[n - 1] ^= 1;
	for (size_t k = 0; k < n; k++) {
		uint8_t *cut = malloc(k ? k : 1);
		struct inet_pkt pkt;

		memcpy(cut, f, k);
		assert_int_not_equal(inet_parse(&svc, cut, k, &pkt), PKT_TCP);
		free(cut);
	}
	for (size_t k = 0; k < 28 + 4; k++) {
		uint8_t *cut = malloc(k ? k : 1);

		memcpy(cut, f + ETH_HDR + IP_HDR, k);
		assert_int_equal(tcp_parse(cut, k, &seg), k < 28 ? -1 : 0);
		free(cut);
	}
	/* The whole one opens a connection. */
	deliver(n, 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(t.conns[0].state, TCP_SYN_RCVD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_echo_and_close, setup),
		cmocka_unit_test_setup(test_closed_ports_and_stray_segments, setup),
		cmocka_unit_test_setup(test_connection_limit, setup),
		cmocka_unit_test_setup(test_hostile_sequence_numbers, setup),
		cmocka_unit_test_setup(test_retransmission, setup),
		cmocka_unit_test_setup(test_zero_window_probe, setup),
		cmocka_unit_test_setup(test_service_closes_idle, setup),
		cmocka_unit_test_setup(test_parser_hostile, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
