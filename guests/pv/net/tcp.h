/* SPDX-License-Identifier: MIT */
/*
 * A small, strict TCP (RFC 9293) for the PV network service: the server side
 * only (passive open), an echo service on port 7 (RFC 862). TCP_CONNS
 * connections at most (a SYN past them is refused with RST); data taken in
 * order only, up to what the connection's echo buffer holds (the window it
 * advertises), and echoed back at once; FIN from either side (the service
 * closes a connection idle for TCP_IDLE_NS); RST for segments to closed
 * ports and for ACKs of what was never sent; RFC 5961's challenge ACK for a
 * SYN or an in-window RST that is not exactly at RCV.NXT; unacknowledged
 * data and FIN retransmitted on a timer (RFC 6298's initial 1 s, doubling,
 * TCP_RETRIES times, then RST). Every received segment is hostile: its
 * header length, options, sequence and acknowledgment numbers and lengths
 * are checked before anything is taken from it.
 */
#ifndef PV_NET_TCP_H
#define PV_NET_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "inet.h"

#define TCP_ECHO      7
#define TCP_CONNS     4
#define TCP_BUF       2048 /* per connection: echoed bytes not yet acknowledged */
#define TCP_MSS       1460 /* what fits in FRAME_MAX */
#define TCP_MSS_MIN   64   /* a peer's smaller MSS option is raised to this */
#define TCP_RTO_NS    1000000000ULL /* RFC 6298 2.1 */
#define TCP_RETRIES   6
#define TCP_IDLE_NS   60000000000ULL
#define TCP_TIME_WAIT_NS 2000000000ULL /* 2 MSL, with a short MSL: see docs */

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20

/* A segment's header fields, as tcp_parse found them valid. */
struct tcp_seg {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t wnd;
	uint16_t mss; /* the MSS option, 0 if none */
	const uint8_t *data;
	size_t len;
};

/* Parse segment s[0..n) (the IP payload; checksum already checked): 0, or -1 to drop it. */
int tcp_parse(const uint8_t *s, size_t n, struct tcp_seg *seg);

/*
 * seg (its ports, numbers, flags, window, data; an MSS option if seg->mss) as
 * a frame from nif to mac/ip in out[FRAME_MAX]: its length, 0 if it does not fit.
 */
size_t tcp_build(const struct inet_if *nif, const uint8_t *mac, uint32_t ip,
		 const struct tcp_seg *seg, uint8_t *out);

enum tcp_state { TCP_FREE, TCP_SYN_RCVD, TCP_ESTABLISHED, TCP_LAST_ACK, TCP_FIN_WAIT_1,
		 TCP_FIN_WAIT_2, TCP_CLOSING, TCP_TIME_WAIT };

struct tcp_conn {
	enum tcp_state state;
	uint8_t mac[6];
	uint32_t ip;
	uint16_t port; /* the peer's */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
	uint32_t rcv_nxt;
	uint32_t rcv_adv; /* the right edge of the window last advertised */
	uint16_t mss;
	bool fin_queued;    /* our FIN follows buf */
	bool fin_acked;
	uint64_t rto_at;    /* when to retransmit (or end TIME-WAIT); 0: no timer */
	uint64_t rto;       /* the current timeout (doubles per retransmission) */
	unsigned retries;
	uint64_t last_heard;
	size_t buf_len;     /* buf holds the bytes from snd_una on */
	uint8_t buf[TCP_BUF];
};

/* Where tcp sends a frame it built: out[0..n). */
typedef void tcp_send_fn(void *ctx, const uint8_t *frame, size_t n);

struct tcp {
	const struct inet_if *nif;
	tcp_send_fn *send;
	void *ctx;
	uint32_t secret; /* for initial sequence numbers (RFC 6528) */
	struct tcp_conn conns[TCP_CONNS];
	unsigned long accepted, refused, resets_sent, retransmits, dropped;
	uint64_t now;
	uint8_t out[FRAME_MAX];
};

void tcp_init(struct tcp *t, const struct inet_if *nif, tcp_send_fn *send, void *ctx,
	      uint32_t secret);
/* A PKT_TCP packet inet_parse found for nif, received at now (ns). */
void tcp_input(struct tcp *t, const struct inet_pkt *pkt, uint64_t now);
/* Run the timers due at now: retransmissions, idle closes, TIME-WAIT ends. */
void tcp_poll(struct tcp *t, uint64_t now);
/* The earliest timer, 0 if none runs. */
uint64_t tcp_deadline(const struct tcp *t);

/* Inside the stack (tcp.c, tcp_out.c). */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_LE(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) <= 0)
/* Send what c may send now (data, FIN, SYN-ACK); a bare ACK if nothing else and ack. */
void tcp_output(struct tcp *t, struct tcp_conn *c, bool ack, bool probe);
/* The RST answering seg, which no connection takes (RFC 9293 3.10.7.1). */
void tcp_reset_reply(struct tcp *t, const struct inet_pkt *pkt, const struct tcp_seg *seg);
/* The window c advertises: room left in its echo buffer. */
uint16_t tcp_rcv_wnd(const struct tcp_conn *c);
/* Has the window opened enough since last advertised to say so (RFC 9293 3.8.6.2.2)? */
bool tcp_window_update_due(const struct tcp_conn *c);

#endif
