/* SPDX-License-Identifier: MIT */
/*
 * A very small IPv4 stack for PV guests on Keel's virtual switch: what the
 * network service answers (ARP requests for its address, ICMP echo, UDP
 * echo) and what a client builds and recognises. Frames are Ethernet II;
 * addresses are held in host order. No fragments, no IP options in what
 * it sends, no routing: everything is on one link.
 */
#ifndef PV_NET_INET_H
#define PV_NET_INET_H

#include <stddef.h>
#include <stdint.h>

#define ETH_HDR      14
#define IP_HDR       20
#define ETH_P_IP     0x0800
#define ETH_P_ARP    0x0806
#define IP_ICMP      1
#define IP_UDP       17
#define IP_TCP       6
#define UDP_ECHO     7 /* RFC 862 */
#define FRAME_MAX    1514

struct inet_if {
	uint8_t mac[6];
	uint32_t ip;
};

/* What inet_parse found in a frame. */
enum inet_kind { PKT_OTHER, PKT_ARP_REQUEST, PKT_ARP_REPLY, PKT_ECHO_REQUEST, PKT_ECHO_REPLY,
		 PKT_UDP, PKT_TCP, PKT_KINDS };

struct inet_pkt {
	enum inet_kind kind;
	uint8_t src_mac[6];
	uint32_t src_ip, dst_ip; /* ARP: sender and target protocol addresses */
	uint16_t id, seq;        /* ICMP echo */
	uint16_t sport, dport;   /* UDP */
	const uint8_t *data;     /* ICMP echo or UDP payload; TCP: the whole segment (tcp.h) */
	size_t len;
};

uint32_t inet_addr4(unsigned a, unsigned b, unsigned c, unsigned d);
/* Parse "a.b.c.d": 0 and *ip, or -1. */
int inet_parse_addr(const char *s, uint32_t *ip);
/* The Internet checksum (RFC 1071) of p[0..n), continuing from sum. */
uint16_t inet_csum(const void *p, size_t n, uint32_t sum);

/* The pseudo-header's sum (RFC 768, RFC 9293 3.1): addresses, protocol, length. */
uint32_t inet_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);
/*
 * Ethernet and IPv4 headers from nif to dst for l4_len bytes of proto in
 * out[FRAME_MAX] (the caller checked that they fit): where the L4 part goes.
 */
uint8_t *inet_ip_frame(const struct inet_if *nif, const uint8_t *dst_mac, uint32_t dst_ip,
		       uint8_t proto, size_t l4_len, uint8_t *out);

/*
 * Classify the frame f[0..n) received by nif: checks lengths and checksums
 * and that an IP packet is for nif->ip (ARP: any). PKT_OTHER for the rest.
 * PKT_TCP: the checksum (with its pseudo-header) holds; tcp_parse reads the rest.
 */
enum inet_kind inet_parse(const struct inet_if *nif, const uint8_t *f, size_t n,
			  struct inet_pkt *pkt);
/*
 * The service: the answer to f (an ARP reply, an echo reply, a UDP echo
 * from port 7) built in out[FRAME_MAX], its length, 0 if f needs none.
 */
size_t inet_answer(const struct inet_if *nif, const uint8_t *f, size_t n, uint8_t *out);

/* Builders: a frame in out[FRAME_MAX], its length (0 if the payload does not fit). */
size_t inet_arp_request(const struct inet_if *nif, uint32_t target_ip, uint8_t *out);
size_t inet_echo_request(const struct inet_if *nif, const uint8_t *dst_mac, uint32_t dst_ip,
			 uint16_t id, uint16_t seq, const void *data, size_t len, uint8_t *out);
size_t inet_udp(const struct inet_if *nif, const uint8_t *dst_mac, uint32_t dst_ip,
		uint16_t sport, uint16_t dport, const void *data, size_t len, uint8_t *out);

#endif
