/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the PV guests' small IPv4 stack and DNS responder
 * (guests/pv/net/inet.c, dns.c), which read frames another guest sent:
 * answers to well-formed requests, and nothing (and no read past the
 * frame, under ASan) for truncated or corrupted ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dns.h"
#include "inet.h"

static const struct inet_if svc = { { 0x02, 0, 0, 0, 0, 1 }, 0x0a000001 },
			    cli = { { 0x02, 0, 0, 0, 0, 2 }, 0x0a000002 };
static uint8_t f[FRAME_MAX], out[FRAME_MAX];

static void test_checksum(void **state)
{
	/* An IPv4 header with its checksum in place sums to 0 (RFC 1071). */
	static const uint8_t ip[20] = { 0x45, 0, 0, 0x73, 0, 0, 0x40, 0, 0x40, 0x11, 0xb8, 0x61,
					0xc0, 0xa8, 0, 1, 0xc0, 0xa8, 0, 0xc7 };
	uint32_t a;

	(void)state;
	assert_int_equal(inet_csum(ip, sizeof(ip), 0), 0);
	assert_int_equal(inet_parse_addr("10.0.0.1", &a), 0);
	assert_int_equal(a, 0x0a000001);
	assert_int_equal(inet_parse_addr("10.0.0.256", &a), -1);
	assert_int_equal(inet_parse_addr("10.0.0", &a), -1);
	assert_int_equal(inet_parse_addr("10.0.0.1.2", &a), -1);
	assert_int_equal(inet_parse_addr("", &a), -1);
}

static void test_arp(void **state)
{
	struct inet_pkt pkt;
	size_t n = inet_arp_request(&cli, svc.ip, f), m;

	(void)state;
	m = inet_answer(&svc, f, n, out);
	assert_int_equal(m, 60);
	assert_memory_equal(out, cli.mac, 6);
	assert_int_equal(inet_parse(&cli, out, m, &pkt), PKT_ARP_REPLY);
	assert_memory_equal(pkt.src_mac, svc.mac, 6);
	assert_int_equal(pkt.src_ip, svc.ip);
	/* For another address: no answer. */
	n = inet_arp_request(&cli, 0x0a000009, f);
	assert_int_equal(inet_answer(&svc, f, n, out), 0);
}

static void test_echo_and_udp(void **state)
{
	struct inet_pkt pkt;
	size_t n, m;

	(void)state;
	n = inet_echo_request(&cli, svc.mac, svc.ip, 7, 9, "hello", 5, f);
	m = inet_answer(&svc, f, n, out);
	assert_int_equal(m, n);
	assert_int_equal(inet_parse(&cli, out, m, &pkt), PKT_ECHO_REPLY);
	assert_int_equal(pkt.id, 7);
	assert_int_equal(pkt.seq, 9);
	assert_int_equal(pkt.len, 5);
	assert_memory_equal(pkt.data, "hello", 5);
	n = inet_udp(&cli, svc.mac, svc.ip, 4000, UDP_ECHO, "abc", 3, f);
	assert_int_equal(n, 60); /* padded */
	m = inet_answer(&svc, f, n, out);
	assert_int_equal(inet_parse(&cli, out, m, &pkt), PKT_UDP);
	assert_int_equal(pkt.sport, UDP_ECHO);
	assert_int_equal(pkt.dport, 4000);
	assert_memory_equal(pkt.data, "abc", 3);
	/* Another UDP port, another host's address: nothing. */
	n = inet_udp(&cli, svc.mac, svc.ip, 4000, 9, "abc", 3, f);
	assert_int_equal(inet_answer(&svc, f, n, out), 0);
	n = inet_udp(&cli, svc.mac, 0x0a000009, 4000, UDP_ECHO, "abc", 3, f);
	assert_int_equal(inet_answer(&svc, f, n, out), 0);
}

static void test_truncated_and_corrupted(void **state)
{
	size_t n;

	(void)state;
	n = inet_echo_request(&cli, svc.mac, svc.ip, 1, 1, "0123456789", 10, f);
	/* Every shorter frame, in a buffer of exactly its size so ASan sees any overread. */
	for (size_t k = 0; k < n; k++) {
		uint8_t *cut = malloc(k ? k : 1);

		memcpy(cut, f, k);
		assert_int_equal(inet_answer(&svc, cut, k, out), 0);
		free(cut);
	}
	f[ETH_HDR + 8] ^= 1; /* TTL: the header checksum no longer holds */
	assert_int_equal(inet_answer(&svc, f, n, out), 0);
	f[ETH_HDR + 8] ^= 1;
	f[n - 1] ^= 1; /* the ICMP checksum */
	assert_int_equal(inet_answer(&svc, f, n, out), 0);
	f[n - 1] ^= 1;
	f[ETH_HDR + 6] = 0x20; /* more fragments */
	assert_int_equal(inet_answer(&svc, f, n, out), 0);
	n = inet_udp(&cli, svc.mac, svc.ip, 4000, UDP_ECHO, "abc", 3, f);
	f[ETH_HDR + IP_HDR + 5] = 200; /* a UDP length past the packet */
	assert_int_equal(inet_answer(&svc, f, n, out), 0);
}

static void test_dns(void **state)
{
	static const uint8_t a_query[] = { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 'b', 'e',
					   'n', 'c', 'h', 4, 'k', 'e', 'e', 'l', 0, 0, 1, 0, 1 };
	uint8_t q[sizeof(a_query)], r[600];
	char label[16];
	size_t n;

	(void)state;
	n = dns_answer(a_query, sizeof(a_query), 0x0a000001, r, sizeof(r), label);
	assert_int_equal(n, sizeof(a_query) + 16);
	assert_string_equal(label, "bench");
	assert_int_equal(r[0], 0x12);
	assert_int_equal(r[2] & 0x80, 0x80); /* a response */
	assert_int_equal(r[7], 1);           /* one answer */
	assert_int_equal(r[n - 4], 10);
	assert_int_equal(r[n - 1], 1);
	memcpy(q, a_query, sizeof(q));
	q[sizeof(q) - 3] = 28; /* AAAA: no answer, and no label */
	n = dns_answer(q, sizeof(q), 1, r, sizeof(r), label);
	assert_int_equal(n, sizeof(q));
	assert_int_equal(r[7], 0);
	assert_string_equal(label, "");
	memcpy(q, a_query, sizeof(q));
	q[12] = 40; /* a label running past the message */
	assert_int_equal(dns_answer(q, sizeof(q), 1, r, sizeof(r), label), 0);
	q[12] = 0xc0; /* a compression pointer in the question */
	assert_int_equal(dns_answer(q, sizeof(q), 1, r, sizeof(r), label), 0);
	memcpy(q, a_query, sizeof(q));
	q[2] = 0x81; /* a response, not a query */
	assert_int_equal(dns_answer(q, sizeof(q), 1, r, sizeof(r), label), 0);
	for (size_t k = 0; k < sizeof(a_query); k++) {
		uint8_t *cut = malloc(k ? k : 1);

		memcpy(cut, a_query, k);
		assert_int_equal(dns_answer(cut, k, 1, r, sizeof(r), label), 0);
		free(cut);
	}
	assert_int_equal(dns_answer(a_query, sizeof(a_query), 1, r, sizeof(a_query) + 15, label), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_echo_and_udp),
		cmocka_unit_test(test_truncated_and_corrupted),
		cmocka_unit_test(test_dns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
