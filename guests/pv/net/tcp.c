/* SPDX-License-Identifier: MIT */
/*
 * TCP's receiving side: the segment parser and the state machine of
 * RFC 9293 3.10.7 ("SEGMENT ARRIVES") for a passive echo server, with
 * RFC 5961's answers to blind RSTs, SYNs and ACKs. See tcp.h.
 */
#include <string.h>
#include "bytes.h"
#include "tcp.h"

#define DEFAULT_MSS 536    /* without an MSS option (RFC 9293 3.7.1) */
#define MAX_SND_WND 0xffff /* no window scaling: the largest window a peer can offer */

int tcp_parse(const uint8_t *s, size_t n, struct tcp_seg *seg)
{
	size_t hl, i;

	memset(seg, 0, sizeof(*seg));
	if (n < 20)
		return -1;
	hl = (size_t)(s[12] >> 4) * 4;
	if (hl < 20 || hl > n)
		return -1;
	seg->sport = get16(s);
	seg->dport = get16(s + 2);
	seg->seq = get32(s + 4);
	seg->ack = get32(s + 8);
	seg->flags = s[13] & 0x3f; /* CWR and ECE ignored: no ECN */
	seg->wnd = get16(s + 14);
	/* Port 0 is no port; SYN with FIN or RST is no segment a TCP sends. */
	if (!seg->sport || !seg->dport ||
	    ((seg->flags & TCP_SYN) && (seg->flags & (TCP_FIN | TCP_RST))))
		return -1;
	for (i = 20; i < hl;) {
		uint8_t kind = s[i], len;

		if (kind == 0) /* end of the option list */
			break;
		if (kind == 1) { /* no-operation */
			i++;
			continue;
		}
		/* Every other option has a length, at least 2, inside the header (RFC 9293 3.1). */
		if (i + 1 >= hl || (len = s[i + 1]) < 2 || len > hl - i)
			return -1;
		if (kind == 2) { /* MSS: 4 bytes; only a SYN's counts */
			if (len != 4)
				return -1;
			if (seg->flags & TCP_SYN)
				seg->mss = get16(s + i + 2);
		}
		i += len;
	}
	seg->data = s + hl;
	seg->len = n - hl;
	return 0;
}

static struct tcp_conn *find(struct tcp *t, uint32_t ip, const struct tcp_seg *seg)
{
	if (seg->dport != TCP_ECHO)
		return NULL;
	for (unsigned i = 0; i < TCP_CONNS; i++) {
		struct tcp_conn *c = &t->conns[i];

		if (c->state != TCP_FREE && c->ip == ip && c->port == seg->sport)
			return c;
	}
	return NULL;
}

/* RFC 6528: a 4 µs clock plus a keyed mix of the connection's addresses and ports. */
static uint32_t initial_seq(const struct tcp *t, uint32_t ip, uint16_t port)
{
	uint32_t h = t->secret ^ ip;

	h = (h ^ (h >> 16)) * 0x45d9f3bu;
	h ^= (uint32_t)port << 16 | TCP_ECHO;
	h = (h ^ (h >> 16)) * 0x45d9f3bu;
	h ^= t->nif->ip;
	h = (h ^ (h >> 16)) * 0x45d9f3bu;
	return (uint32_t)(t->now / 4000) + (h ^ (h >> 16));
}

/* A SYN's source must be one host: not broadcast, multicast, 0 or us (RFC 9293 3.10.7.2). */
static bool unicast_source(const struct tcp *t, const struct inet_pkt *pkt)
{
	return !(pkt->src_mac[0] & 1) && pkt->src_ip && pkt->src_ip != 0xffffffffu &&
	       (pkt->src_ip >> 28) != 0xe && pkt->src_ip != t->nif->ip;
}

/* No connection takes seg: LISTEN on port 7, CLOSED elsewhere (RFC 9293 3.10.7.1-2). */
static void no_conn(struct tcp *t, const struct inet_pkt *pkt, const struct tcp_seg *seg)
{
	struct tcp_conn *c = NULL;

	if (seg->flags & TCP_RST)
		return;
	if (seg->dport != TCP_ECHO || (seg->flags & TCP_ACK)) {
		tcp_reset_reply(t, pkt, seg);
		return;
	}
	if (!(seg->flags & TCP_SYN) || !unicast_source(t, pkt))
		return;
	for (unsigned i = 0; i < TCP_CONNS && !c; i++)
		if (t->conns[i].state == TCP_FREE)
			c = &t->conns[i];
	if (!c) { /* every connection taken: refused */
		t->refused++;
		tcp_reset_reply(t, pkt, seg);
		return;
	}
	memset(c, 0, offsetof(struct tcp_conn, buf));
	c->state = TCP_SYN_RCVD;
	memcpy(c->mac, pkt->src_mac, 6);
	c->ip = pkt->src_ip;
	c->port = seg->sport;
	c->rcv_nxt = seg->seq + 1; /* any data in the SYN is not taken: it comes again */
	c->iss = initial_seq(t, c->ip, c->port);
	c->snd_una = c->snd_nxt = c->snd_max = c->iss;
	c->snd_wnd = seg->wnd;
	c->snd_wl1 = seg->seq;
	c->mss = !seg->mss ? DEFAULT_MSS : seg->mss < TCP_MSS_MIN ? TCP_MSS_MIN
		 : seg->mss > TCP_MSS ? TCP_MSS : seg->mss;
	c->rto = TCP_RTO_NS;
	c->last_heard = t->now;
	tcp_output(t, c, false, false);
}

/* RFC 9293 3.10.7.4, first: does seg fall in the receive window? */
static bool acceptable(const struct tcp_conn *c, const struct tcp_seg *seg)
{
	uint32_t wnd = tcp_rcv_wnd(c);
	uint32_t len = (uint32_t)seg->len + !!(seg->flags & TCP_SYN) + !!(seg->flags & TCP_FIN);

	if (!len)
		return wnd ? seg->seq - c->rcv_nxt < wnd : seg->seq == c->rcv_nxt;
	return wnd && (seg->seq - c->rcv_nxt < wnd || seg->seq + len - 1 - c->rcv_nxt < wnd);
}

/* RFC 9293 3.10.7.4, fifth: the ACK field. false: drop the segment. */
static bool take_ack(struct tcp *t, struct tcp_conn *c, const struct inet_pkt *pkt,
		     const struct tcp_seg *seg)
{
	uint32_t acked;

	if (c->state == TCP_SYN_RCVD) {
		if (!SEQ_LT(c->snd_una, seg->ack) || !SEQ_LE(seg->ack, c->snd_max)) {
			tcp_reset_reply(t, pkt, seg);
			return false;
		}
		c->state = TCP_ESTABLISHED;
		c->snd_una = seg->ack; /* our SYN */
		c->snd_wnd = seg->wnd;
		c->snd_wl1 = seg->seq;
		c->snd_wl2 = seg->ack;
		c->rto_at = 0;
		c->retries = 0;
		t->accepted++;
		return true;
	}
	/* Beyond what we sent, or older than any window the peer could hold (RFC 5961 5.2). */
	if (SEQ_LT(c->snd_max, seg->ack) || SEQ_LT(seg->ack, c->snd_una - MAX_SND_WND)) {
		tcp_output(t, c, true, false);
		return false;
	}
	if (SEQ_LT(c->snd_una, seg->ack)) {
		acked = seg->ack - c->snd_una;
		if (acked > c->buf_len) { /* all the data, and the FIN after it */
			c->fin_acked = true;
			acked = (uint32_t)c->buf_len;
			c->snd_una++;
		}
		memmove(c->buf, c->buf + acked, c->buf_len - acked);
		c->buf_len -= acked;
		c->snd_una += acked;
		/* After a go-back, an ACK of what the first sending carried. */
		if (SEQ_LT(c->snd_nxt, c->snd_una))
			c->snd_nxt = c->snd_una;
		/* New data acknowledged: the timer restarts (RFC 6298 5.3) or stops (5.2). */
		c->retries = 0;
		c->rto = TCP_RTO_NS;
		c->rto_at = c->snd_una != c->snd_max ? t->now + c->rto : 0;
	}
	if (SEQ_LT(c->snd_wl1, seg->seq) ||
	    (c->snd_wl1 == seg->seq && SEQ_LE(c->snd_wl2, seg->ack))) {
		c->snd_wnd = seg->wnd;
		c->snd_wl1 = seg->seq;
		c->snd_wl2 = seg->ack;
	}
	if (!c->fin_acked)
		return true;
	if (c->state == TCP_LAST_ACK) {
		c->state = TCP_FREE;
		c->rto_at = 0;
		return false;
	}
	if (c->state == TCP_FIN_WAIT_1)
		c->state = TCP_FIN_WAIT_2;
	if (c->state == TCP_CLOSING) {
		c->state = TCP_TIME_WAIT;
		c->rto_at = t->now + TCP_TIME_WAIT_NS;
	}
	return true;
}

/* Seventh and eighth: the text (echoed back) and FIN, both only in order. 1: an ACK is owed. */
static bool take_text(struct tcp *t, struct tcp_conn *c, const struct tcp_seg *seg)
{
	uint32_t skip = SEQ_LT(seg->seq, c->rcv_nxt) ? c->rcv_nxt - seg->seq : 0;
	size_t len, room = tcp_rcv_wnd(c);
	bool open = c->state == TCP_ESTABLISHED || c->state == TCP_FIN_WAIT_1 ||
		    c->state == TCP_FIN_WAIT_2;

	if (!open || seg->seq + skip != c->rcv_nxt) /* closed for text, or out of order */
		return seg->len || (seg->flags & TCP_FIN);
	if (skip > seg->len) /* all of it old, FIN included */
		return true;
	len = seg->len - skip;
	if (len > room)
		len = room;
	if (c->state == TCP_ESTABLISHED) {
		memcpy(c->buf + c->buf_len, seg->data + skip, len);
		c->buf_len += len;
	} /* else we sent our FIN: nothing more can be echoed, the text is only acknowledged */
	c->rcv_nxt += (uint32_t)len;
	if (!(seg->flags & TCP_FIN) || skip + len != seg->len)
		return seg->len; /* text: acknowledged, with its echo if one goes */
	c->rcv_nxt++;
	if (c->state == TCP_ESTABLISHED) { /* CLOSE-WAIT, and the service closes at once */
		c->fin_queued = true;
		c->state = TCP_LAST_ACK;
	} else if (c->state == TCP_FIN_WAIT_1) {
		c->state = c->fin_acked ? TCP_TIME_WAIT : TCP_CLOSING;
	} else {
		c->state = TCP_TIME_WAIT;
	}
	if (c->state == TCP_TIME_WAIT)
		c->rto_at = t->now + TCP_TIME_WAIT_NS;
	return true;
}

void tcp_input(struct tcp *t, const struct inet_pkt *pkt, uint64_t now)
{
	struct tcp_seg seg;
	struct tcp_conn *c;
	bool owed;

	t->now = now;
	if (pkt->kind != PKT_TCP || tcp_parse(pkt->data, pkt->len, &seg)) {
		t->dropped++;
		return;
	}
	c = find(t, pkt->src_ip, &seg);
	if (!c) {
		no_conn(t, pkt, &seg);
		return;
	}
	/* Our SYN-ACK was lost: the peer's SYN again gets it again. */
	if (c->state == TCP_SYN_RCVD && (seg.flags & (TCP_SYN | TCP_ACK)) == TCP_SYN &&
	    seg.seq + 1 == c->rcv_nxt) {
		tcp_output(t, c, false, false);
		return;
	}
	if (!acceptable(c, &seg)) {
		if (!(seg.flags & TCP_RST))
			tcp_output(t, c, true, false);
		/* In TIME-WAIT the peer's FIN again restarts the 2 MSL timeout. */
		if (c->state == TCP_TIME_WAIT && (seg.flags & TCP_FIN))
			c->rto_at = now + TCP_TIME_WAIT_NS;
		return;
	}
	/* RST only exactly at RCV.NXT; else a challenge ACK (RFC 5961 3.2). */
	if (seg.flags & TCP_RST) {
		if (seg.seq == c->rcv_nxt)
			c->state = TCP_FREE, c->rto_at = 0;
		else
			tcp_output(t, c, true, false);
		return;
	}
	/* SYN: in SYN-RECEIVED back to LISTEN; else a challenge ACK (RFC 5961 4.2). */
	if (seg.flags & TCP_SYN) {
		if (c->state == TCP_SYN_RCVD)
			c->state = TCP_FREE, c->rto_at = 0;
		else
			tcp_output(t, c, true, false);
		return;
	}
	if (!(seg.flags & TCP_ACK) || !take_ack(t, c, pkt, &seg))
		return;
	c->last_heard = now;
	/* An ACK is owed for text, a FIN, or a window the peer's ACK opened (our echo left). */
	owed = take_text(t, c, &seg);
	tcp_output(t, c, owed || tcp_window_update_due(c), false);
}

void tcp_init(struct tcp *t, const struct inet_if *nif, tcp_send_fn *send, void *ctx,
	      uint32_t secret)
{
	memset(t, 0, sizeof(*t));
	t->nif = nif;
	t->send = send;
	t->ctx = ctx;
	t->secret = secret;
}
