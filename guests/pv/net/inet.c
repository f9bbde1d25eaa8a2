/* SPDX-License-Identifier: MIT */
/* The small IPv4 stack; see inet.h. RFC 826 (ARP), 791 (IPv4), 792 (ICMP), 768 (UDP). */
#include <string.h>
#include "bytes.h"
#include "inet.h"

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

uint32_t inet_addr4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
}

int inet_parse_addr(const char *s, uint32_t *ip)
{
	uint32_t v = 0;

	for (unsigned part = 0; part < 4; part++) {
		unsigned n = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			n = n * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (!digits || n > 255 || *s != (part < 3 ? '.' : '\0'))
			return -1;
		s += part < 3;
		v = v << 8 | n;
	}
	*ip = v;
	return 0;
}

uint16_t inet_csum(const void *data, size_t n, uint32_t sum)
{
	const uint8_t *p = data;

	for (; n > 1; n -= 2, p += 2)
		sum += get16(p);
	if (n)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t inet_pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}

static uint32_t pseudo_sum(uint32_t src, uint32_t dst, uint16_t udp_len)
{
	return inet_pseudo_sum(src, dst, IP_UDP, udp_len);
}

static void eth_header(uint8_t *out, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(out, dst, 6);
	memcpy(out + 6, src, 6);
	put16(out + 12, type);
}

/* An IPv4 header for payload bytes of proto; the checksum filled in. */
static void ip_header(uint8_t *ip, uint32_t src, uint32_t dst, uint8_t proto, size_t payload)
{
	memset(ip, 0, IP_HDR);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(IP_HDR + payload));
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, inet_csum(ip, IP_HDR, 0));
}

uint8_t *inet_ip_frame(const struct inet_if *nif, const uint8_t *dst_mac, uint32_t dst_ip,
		       uint8_t proto, size_t l4_len, uint8_t *out)
{
	eth_header(out, dst_mac, nif->mac, ETH_P_IP);
	ip_header(out + ETH_HDR, nif->ip, dst_ip, proto, l4_len);
	return out + ETH_HDR + IP_HDR;
}

static enum inet_kind parse_arp(const uint8_t *a, size_t n, struct inet_pkt *pkt)
{
	uint16_t op;

	/* Ethernet hardware (1), IPv4 protocol, 6- and 4-byte addresses. */
	if (n < 28 || get16(a) != 1 || get16(a + 2) != ETH_P_IP || a[4] != 6 || a[5] != 4)
		return PKT_OTHER;
	op = get16(a + 6);
	memcpy(pkt->src_mac, a + 8, 6);
	pkt->src_ip = get32(a + 14);
	pkt->dst_ip = get32(a + 24);
	return op == 1 ? PKT_ARP_REQUEST : op == 2 ? PKT_ARP_REPLY : PKT_OTHER;
}

static enum inet_kind parse_l4(const uint8_t *ip, const uint8_t *l4, size_t n,
			       struct inet_pkt *pkt)
{
	if (ip[9] == IP_ICMP) {
		if (n < 8 || inet_csum(l4, n, 0) != 0 || l4[1] != 0)
			return PKT_OTHER;
		pkt->id = get16(l4 + 4);
		pkt->seq = get16(l4 + 6);
		pkt->data = l4 + 8;
		pkt->len = n - 8;
		return l4[0] == 8 ? PKT_ECHO_REQUEST : l4[0] == 0 ? PKT_ECHO_REPLY : PKT_OTHER;
	}
	if (ip[9] == IP_UDP) {
		uint16_t ulen;

		if (n < 8 || (ulen = get16(l4 + 4)) < 8 || ulen > n)
			return PKT_OTHER;
		/* A zero checksum means none was computed (RFC 768). */
		if (get16(l4 + 6) && inet_csum(l4, ulen, pseudo_sum(pkt->src_ip, pkt->dst_ip, ulen)))
			return PKT_OTHER;
		pkt->sport = get16(l4);
		pkt->dport = get16(l4 + 2);
		pkt->data = l4 + 8;
		pkt->len = ulen - 8u;
		return PKT_UDP;
	}
	if (ip[9] == IP_TCP) {
		/* The checksum covers the pseudo-header and the whole segment (RFC 9293 3.1). */
		if (n < 20 || n > 0xffff ||
		    inet_csum(l4, n, inet_pseudo_sum(pkt->src_ip, pkt->dst_ip, IP_TCP, (uint16_t)n)))
			return PKT_OTHER;
		pkt->data = l4;
		pkt->len = n;
		return PKT_TCP;
	}
	return PKT_OTHER;
}

enum inet_kind inet_parse(const struct inet_if *nif, const uint8_t *f, size_t n,
			  struct inet_pkt *pkt)
{
	const uint8_t *ip = f + ETH_HDR;
	size_t ihl, total;

	memset(pkt, 0, sizeof(*pkt));
	if (n < ETH_HDR)
		return PKT_OTHER;
	memcpy(pkt->src_mac, f + 6, 6);
	if (get16(f + 12) == ETH_P_ARP)
		return pkt->kind = parse_arp(ip, n - ETH_HDR, pkt);
	if (get16(f + 12) != ETH_P_IP || n < ETH_HDR + IP_HDR || ip[0] >> 4 != 4)
		return PKT_OTHER;
	ihl = (size_t)(ip[0] & 15) * 4;
	total = get16(ip + 2);
	/* Whole, unfragmented (no MF, offset 0), for us, with a good header checksum. */
	if (ihl < IP_HDR || total < ihl || total > n - ETH_HDR || (get16(ip + 6) & 0x3fff) ||
	    inet_csum(ip, ihl, 0) != 0 || get32(ip + 16) != nif->ip)
		return PKT_OTHER;
	pkt->src_ip = get32(ip + 12);
	pkt->dst_ip = get32(ip + 16);
	return pkt->kind = parse_l4(ip, ip + ihl, total - ihl, pkt);
}

static size_t arp(const struct inet_if *nif, uint16_t op, const uint8_t *dst_mac,
		  const uint8_t *target_mac, uint32_t target_ip, uint8_t *out)
{
	uint8_t *a = out + ETH_HDR;

	eth_header(out, dst_mac, nif->mac, ETH_P_ARP);
	put16(a, 1);
	put16(a + 2, ETH_P_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, nif->mac, 6);
	put32(a + 14, nif->ip);
	memcpy(a + 18, target_mac, 6);
	put32(a + 24, target_ip);
	memset(a + 28, 0, 60 - ETH_HDR - 28); /* padded to Ethernet's 60-byte minimum */
	return 60;
}

size_t inet_arp_request(const struct inet_if *nif, uint32_t target_ip, uint8_t *out)
{
	static const uint8_t unknown[6];

	return arp(nif, 1, bcast, unknown, target_ip, out);
}

static size_t icmp_echo(const struct inet_if *nif, uint8_t type, const uint8_t *dst_mac,
			uint32_t dst_ip, uint16_t id, uint16_t seq, const void *data, size_t len,
			uint8_t *out)
{
	uint8_t *l4 = out + ETH_HDR + IP_HDR;

	if (len > FRAME_MAX - ETH_HDR - IP_HDR - 8)
		return 0;
	eth_header(out, dst_mac, nif->mac, ETH_P_IP);
	ip_header(out + ETH_HDR, nif->ip, dst_ip, IP_ICMP, 8 + len);
	l4[0] = type;
	l4[1] = 0;
	put16(l4 + 2, 0);
	put16(l4 + 4, id);
	put16(l4 + 6, seq);
	memmove(l4 + 8, data, len);
	put16(l4 + 2, inet_csum(l4, 8 + len, 0));
	return ETH_HDR + IP_HDR + 8 + len;
}

size_t inet_echo_request(const struct inet_if *nif, const uint8_t *dst_mac, uint32_t dst_ip,
			 uint16_t id, uint16_t seq, const void *data, size_t len, uint8_t *out)
{
	return icmp_echo(nif, 8, dst_mac, dst_ip, id, seq, data, len, out);
}

size_t inet_udp(const struct inet_if *nif, const uint8_t *dst_mac, uint32_t dst_ip,
		uint16_t sport, uint16_t dport, const void *data, size_t len, uint8_t *out)
{
	uint8_t *l4 = out + ETH_HDR + IP_HDR;
	uint16_t ulen = (uint16_t)(8 + len), sum;

	if (len > FRAME_MAX - ETH_HDR - IP_HDR - 8)
		return 0;
	eth_header(out, dst_mac, nif->mac, ETH_P_IP);
	ip_header(out + ETH_HDR, nif->ip, dst_ip, IP_UDP, ulen);
	put16(l4, sport);
	put16(l4 + 2, dport);
	put16(l4 + 4, ulen);
	put16(l4 + 6, 0);
	memmove(l4 + 8, data, len);
	sum = inet_csum(l4, ulen, pseudo_sum(nif->ip, dst_ip, ulen));
	put16(l4 + 6, sum ? sum : 0xffff); /* 0 would mean "no checksum" */
	size_t n = ETH_HDR + IP_HDR + ulen;

	if (n < 60) { /* Ethernet's minimum: pad after the datagram */
		memset(out + n, 0, 60 - n);
		n = 60;
	}
	return n;
}

size_t inet_answer(const struct inet_if *nif, const uint8_t *f, size_t n, uint8_t *out)
{
	struct inet_pkt pkt;

	switch (inet_parse(nif, f, n, &pkt)) {
	case PKT_ARP_REQUEST:
		if (pkt.dst_ip != nif->ip)
			return 0;
		return arp(nif, 2, pkt.src_mac, pkt.src_mac, pkt.src_ip, out);
	case PKT_ECHO_REQUEST:
		return icmp_echo(nif, 0, pkt.src_mac, pkt.src_ip, pkt.id, pkt.seq, pkt.data, pkt.len,
				 out);
	case PKT_UDP:
		if (pkt.dport != UDP_ECHO)
			return 0;
		return inet_udp(nif, pkt.src_mac, pkt.src_ip, UDP_ECHO, pkt.sport, pkt.data, pkt.len,
				out);
	default:
		return 0;
	}
}
