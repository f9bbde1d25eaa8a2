/* SPDX-License-Identifier: MIT */
/*
 * Keel's virtual switch: a learning L2 (Ethernet) switch between guests.
 * Each port is a guest's network interface (a PV interface or a virtio
 * NIC). Pure logic, host unit-tested (test/unit/test_vswitch.c) and fuzzed
 * (test/fuzz/fuzz_vswitch.c); the callers copy frames in and out of guest
 * memory.
 *
 * A frame enters through vsw_input() from Keel's own memory (the port's
 * tx_buf, filled by one copy from the sender), so a guest cannot change it
 * while it is switched; it is copied again into each receiving port's
 * queue, which only Keel writes. Queues are bounded: a full one drops the
 * frame and counts it.
 */
#ifndef KEEL_VSWITCH_H
#define KEEL_VSWITCH_H

#include <stddef.h>
#include <stdint.h>
#include <keel/spinlock.h>

#define VSW_NAME_MAX   16
#define VSW_PORTS_MAX  8
#define VSW_MACS_MAX   64    /* learned addresses; the oldest makes room */
#define VSW_FRAME_MIN  14    /* destination, source, EtherType */
#define VSW_FRAME_MAX  1514  /* the header and a 1500-byte payload, no FCS */
#define VSW_QUEUE_LEN  32    /* frames waiting for a port's guest */
/* IEEE 802.1D's default ageing time: a station silent this long is forgotten. */
#define VSW_AGE_NS     (300ULL * 1000000000ULL)

struct vsw_frame {
	uint16_t len;
	uint8_t data[VSW_FRAME_MAX];
};

struct vsw_stats {
	uint64_t tx;        /* frames the port's guest sent into the switch */
	uint64_t rx;        /* frames queued for the port's guest */
	uint64_t drop_full; /* frames for this port dropped: its queue was full */
	uint64_t drop_bad;  /* frames from this port refused: bad length or source */
};

struct vsw_port;
/* A frame was queued on p (its guest may want an event or an interrupt). */
typedef void vsw_notify_fn(struct vsw_port *p);

struct vsw_port {
	struct vswitch *sw;
	uint8_t mac[6];
	uint8_t index;          /* in sw->port[] */
	vsw_notify_fn *notify;  /* may be NULL */
	void *owner;            /* the caller's: the vm, or the device */
	unsigned head, count;   /* the receive queue: q[head], ... */
	struct vsw_stats st;
	uint8_t tx_buf[VSW_FRAME_MAX]; /* a frame from the guest, copied once */
	struct vsw_frame q[VSW_QUEUE_LEN];
};

struct vsw_mac {
	uint8_t mac[6];
	uint8_t port;
	uint8_t used;
	uint64_t seen_ns;
};

struct vswitch {
	char name[VSW_NAME_MAX];
	unsigned nr_ports;
	struct vsw_port *port[VSW_PORTS_MAX];
	struct vsw_mac mac[VSW_MACS_MAX];
	uint64_t flooded;  /* frames sent to every other port (broadcast, unknown) */
	uint64_t filtered; /* frames for a station on their own port: not sent back */
	/*
	 * Ports' guests run on several CPUs: held by vsw_input (learning, the
	 * receivers' queues, their notify calls) and vsw_pop. A notify takes no
	 * other switch's lock (docs/smp.md has the order).
	 */
	struct spinlock lock;
};

void vsw_init(struct vswitch *sw, const char *name);
/*
 * Connect p (zeroed or not) with address mac: 0, -ENOSPC (no free port),
 * -EINVAL (a multicast or all-zero address), -EEXIST (another port has it).
 */
int vsw_attach(struct vswitch *sw, struct vsw_port *p, const uint8_t mac[6],
	       vsw_notify_fn *notify, void *owner);
/*
 * Switch the frame in[0..len) (Keel's memory, normally in->tx_buf) that
 * in's guest sent at now_ns: learn its source, then queue it on the port
 * that has its destination, or on every other port for a broadcast,
 * multicast or unknown destination. Returns how many ports got it, or
 * -EINVAL for a length outside [VSW_FRAME_MIN, VSW_FRAME_MAX] or a source
 * that is not in's own address (no spoofing, no poisoning of the table).
 */
int vsw_input(struct vsw_port *in, const uint8_t *frame, size_t len, uint64_t now_ns);
/* The oldest frame queued on p, or NULL. */
const struct vsw_frame *vsw_peek(const struct vsw_port *p);
/* Drop the oldest frame (after the caller copied it to its guest). */
void vsw_pop(struct vsw_port *p);
/* The port that learned mac within the ageing time, or -1. */
int vsw_lookup(const struct vswitch *sw, const uint8_t mac[6], uint64_t now_ns);

/* A locally administered unicast address made from a guest's name (02:xx:xx:xx:xx:xx). */
void vsw_mac_from_name(const char *name, uint8_t mac[6]);

#endif
