/* SPDX-License-Identifier: MIT */
/* TCP's sending side and timers: segments built, data and FIN sent and sent again. See tcp.h. */
#include <string.h>
#include "bytes.h"
#include "tcp.h"

#define RTO_MAX_NS 60000000000ULL /* RFC 6298 2.5 */

uint16_t tcp_rcv_wnd(const struct tcp_conn *c)
{
	return (uint16_t)(TCP_BUF - c->buf_len);
}

size_t tcp_build(const struct inet_if *nif, const uint8_t *mac, uint32_t ip,
		 const struct tcp_seg *seg, uint8_t *out)
{
	size_t hl = seg->mss ? 24 : 20, n;
	uint8_t *s;

	if (seg->len > FRAME_MAX - ETH_HDR - IP_HDR - hl)
		return 0;
	s = inet_ip_frame(nif, mac, ip, IP_TCP, hl + seg->len, out);
	put16(s, seg->sport);
	put16(s + 2, seg->dport);
	put32(s + 4, seg->seq);
	put32(s + 8, seg->ack);
	s[12] = (uint8_t)(hl / 4 << 4);
	s[13] = seg->flags;
	put16(s + 14, seg->wnd);
	put32(s + 16, 0); /* checksum, urgent pointer */
	if (seg->mss) {
		s[20] = 2; /* MSS (RFC 9293 3.7.1) */
		s[21] = 4;
		put16(s + 22, seg->mss);
	}
	if (seg->len)
		memcpy(s + hl, seg->data, seg->len);
	put16(s + 16, inet_csum(s, hl + seg->len,
				inet_pseudo_sum(nif->ip, ip, IP_TCP, (uint16_t)(hl + seg->len))));
	n = ETH_HDR + IP_HDR + hl + seg->len;
	if (n < 60) { /* Ethernet's minimum: pad after the packet */
		memset(out + n, 0, 60 - n);
		n = 60;
	}
	return n;
}

/* Send one segment from port lport to mac/ip:rport; a SYN carries our MSS. */
static void emit(struct tcp *t, const uint8_t *mac, uint32_t ip, uint16_t lport, uint16_t rport,
		 uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd, const uint8_t *data,
		 size_t len)
{
	struct tcp_seg seg = { .sport = lport, .dport = rport, .seq = seq, .ack = ack,
			       .flags = flags, .wnd = wnd, .mss = flags & TCP_SYN ? TCP_MSS : 0,
			       .data = data, .len = len };

	t->send(t->ctx, t->out, tcp_build(t->nif, mac, ip, &seg, t->out));
}

void tcp_reset_reply(struct tcp *t, const struct inet_pkt *pkt, const struct tcp_seg *seg)
{
	uint32_t seg_len = (uint32_t)seg->len + !!(seg->flags & TCP_SYN) + !!(seg->flags & TCP_FIN);

	if (seg->flags & TCP_RST) /* never a RST for a RST */
		return;
	t->resets_sent++;
	if (seg->flags & TCP_ACK)
		emit(t, pkt->src_mac, pkt->src_ip, seg->dport, seg->sport, seg->ack, 0, TCP_RST, 0,
		     NULL, 0);
	else
		emit(t, pkt->src_mac, pkt->src_ip, seg->dport, seg->sport, 0, seg->seq + seg_len,
		     TCP_RST | TCP_ACK, 0, NULL, 0);
}

bool tcp_window_update_due(const struct tcp_conn *c)
{
	uint32_t step = c->mss < TCP_BUF / 2 ? c->mss : TCP_BUF / 2;

	return c->rcv_nxt + tcp_rcv_wnd(c) - c->rcv_adv >= step;
}

static void send_seg(struct tcp *t, struct tcp_conn *c, uint32_t seq, uint8_t flags,
		     const uint8_t *data, size_t len)
{
	c->rcv_adv = c->rcv_nxt + tcp_rcv_wnd(c);
	emit(t, c->mac, c->ip, TCP_ECHO, c->port, seq, c->rcv_nxt, flags, tcp_rcv_wnd(c), data,
	     len);
}

static void arm(struct tcp *t, struct tcp_conn *c)
{
	if (!c->rto_at)
		c->rto_at = t->now + c->rto;
}

void tcp_output(struct tcp *t, struct tcp_conn *c, bool ack, bool probe)
{
	if (c->state == TCP_FREE || c->state == TCP_TIME_WAIT) {
		if (ack && c->state == TCP_TIME_WAIT)
			send_seg(t, c, c->snd_nxt, TCP_ACK, NULL, 0);
		return;
	}
	if (c->state == TCP_SYN_RCVD) {
		send_seg(t, c, c->iss, TCP_SYN | TCP_ACK, NULL, 0);
		c->snd_nxt = c->snd_max = c->iss + 1;
		arm(t, c);
		return;
	}
	for (;;) {
		size_t off = c->snd_nxt - c->snd_una; /* sent and unacknowledged, FIN included */
		size_t unsent = off < c->buf_len ? c->buf_len - off : 0;
		size_t room = c->snd_wnd > off ? c->snd_wnd - off : 0;
		size_t n = unsent < room ? unsent : room;
		uint8_t flags;
		bool fin;

		if (n > c->mss)
			n = c->mss;
		if (!n && unsent && probe) /* a zero-window probe: one byte (RFC 9293 3.8.6.1) */
			n = 1;
		probe = false;
		fin = c->fin_queued && off <= c->buf_len && off + n == c->buf_len;
		if (!n && !fin) {
			if (ack)
				send_seg(t, c, c->snd_nxt, TCP_ACK, NULL, 0);
			if (unsent) /* the peer's window is closed: probe it when the timer runs */
				arm(t, c);
			return;
		}
		flags = (uint8_t)(TCP_ACK | (n ? TCP_PSH : 0) | (fin ? TCP_FIN : 0));
		send_seg(t, c, c->snd_nxt, flags, c->buf + off, n);
		c->snd_nxt += (uint32_t)(n + fin);
		if (SEQ_LT(c->snd_max, c->snd_nxt))
			c->snd_max = c->snd_nxt;
		ack = false;
		arm(t, c);
		if (fin)
			return;
	}
}

static void conn_free(struct tcp_conn *c)
{
	c->state = TCP_FREE;
	c->rto_at = 0;
}

static void retransmit(struct tcp *t, struct tcp_conn *c)
{
	if (c->retries >= TCP_RETRIES) {
		/* The peer is gone: tell it, in case it is not (RFC 9293 3.8.3, R2). */
		t->resets_sent++;
		send_seg(t, c, c->snd_nxt, TCP_RST | TCP_ACK, NULL, 0);
		conn_free(c);
		return;
	}
	c->retries++;
	t->retransmits++;
	c->rto = c->rto * 2 < RTO_MAX_NS ? c->rto * 2 : RTO_MAX_NS; /* RFC 6298 5.5 */
	c->rto_at = 0;
	/* Go back to the oldest unacknowledged byte; into a closed window, one byte. */
	c->snd_nxt = c->snd_una;
	tcp_output(t, c, false, true);
}

void tcp_poll(struct tcp *t, uint64_t now)
{
	t->now = now;
	for (unsigned i = 0; i < TCP_CONNS; i++) {
		struct tcp_conn *c = &t->conns[i];

		if (c->state == TCP_FREE)
			continue;
		if (c->rto_at && now >= c->rto_at) {
			if (c->state == TCP_TIME_WAIT)
				conn_free(c);
			else
				retransmit(t, c);
		} else if (c->state == TCP_ESTABLISHED && !c->rto_at &&
			   now >= c->last_heard + TCP_IDLE_NS) {
			/* Idle: the service closes (our FIN first, RFC 9293 3.6 case 1). */
			c->fin_queued = true;
			c->state = TCP_FIN_WAIT_1;
			tcp_output(t, c, false, false);
		}
	}
}

uint64_t tcp_deadline(const struct tcp *t)
{
	uint64_t first = 0;

	for (unsigned i = 0; i < TCP_CONNS; i++) {
		const struct tcp_conn *c = &t->conns[i];
		uint64_t at = c->rto_at;

		if (c->state == TCP_FREE)
			continue;
		if (!at && c->state == TCP_ESTABLISHED)
			at = c->last_heard + TCP_IDLE_NS;
		if (at && (!first || at < first))
			first = at;
	}
	return first;
}
