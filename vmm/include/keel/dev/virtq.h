/* SPDX-License-Identifier: MIT */
/*
 * The split virtqueue as a device sees it (virtio 1.1, 2.6), walked by one
 * piece of code that trusts nothing in the ring: every index, address,
 * length and flag is checked before a device model sees a byte, and the
 * work per chain is bounded. Devices never read the ring themselves.
 *
 * Guest memory is reached through a map callback (vm_gpa_to_hva and
 * vm_gpa_to_hva_write in Keel, a plain buffer in host tests): it returns a
 * host pointer for all of [gpa, gpa+len) or NULL, so nothing outside what
 * the guest owns is ever touched. Descriptors are copied out of guest
 * memory once and checked on the copy, so a guest rewriting its ring
 * during the walk cannot make Keel act on an unchecked value.
 *
 * Errors: a ring that breaks the rules (an avail index more than the queue
 * size ahead, a head or next index out of range, a chain longer than the
 * queue, a buffer outside RAM, an indirect table inside an indirect table,
 * a readable descriptor after a writable one) makes virtq_pop() return
 * -EINVAL and the queue stay broken: the transport then sets
 * DEVICE_NEEDS_RESET (virtio 1.1, 2.1.2). What a device finds wrong in a
 * well-formed chain (a header too short) it fails as a request.
 */
#ifndef KEEL_DEV_VIRTQ_H
#define KEEL_DEV_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY     1

#define VIRTQ_SIZE_MAX 256 /* largest queue Keel offers (must be a power of two) */
#define VIRTQ_SEGS_MAX 130 /* buffers one chain may have, indirect ones included */

/* Where guest memory is: a host pointer to all of [gpa, gpa+len), or NULL. */
struct virtq_mem {
	void *(*map)(void *ctx, uint64_t gpa, uint64_t len, bool write);
	void *ctx;
};

/* One buffer of a chain: host pointer (NULL if len is 0), length, device-writable. */
struct virtq_buf {
	uint8_t *p;
	uint32_t len;
	bool write;
};

struct virtq_chain {
	uint16_t head;   /* what goes back in the used ring */
	unsigned nr;     /* buffers, readable ones first */
	unsigned nr_out; /* readable (driver to device) buffers */
	uint64_t out_len, in_len; /* bytes readable, bytes writable */
	struct virtq_buf buf[VIRTQ_SEGS_MAX];
};

struct virtq {
	/* Set by the driver through the transport (common configuration). */
	uint16_t size;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	/* Set by virtq_enable(). */
	bool ready;
	bool broken;     /* the ring broke a rule: nothing more is taken from it */
	bool indirect;   /* VIRTIO_F_INDIRECT_DESC negotiated */
	bool event_idx;  /* VIRTIO_F_EVENT_IDX negotiated */
	uint16_t last_avail;  /* next avail ring entry the device takes */
	uint16_t used_idx;    /* the device's used index */
	uint16_t signalled;   /* used index at the last interrupt decision */
	bool signalled_valid;
	const uint8_t *desc;  /* host views of the three areas, checked at enable */
	const uint8_t *avail;
	uint8_t *used;
	struct virtq_mem mem;
	uint64_t chains, bad; /* statistics: chains taken, rule breaks seen */
};

/* A queue at reset: not ready, no addresses, size as the device offers it. */
void virtq_reset(struct virtq *q, uint16_t max_size);
/*
 * The driver enabled the queue (queue_enable = 1): check the size (a power
 * of two, 1.1 2.6) and that the three areas lie in guest RAM with their
 * alignment (2.6: 16, 2 and 4 bytes), the used ring writable. -EINVAL if
 * not; the queue is then broken.
 */
int virtq_enable(struct virtq *q, const struct virtq_mem *mem, bool indirect, bool event_idx);
/* Take the next chain: 1 and *c filled, 0 if none waits, -EINVAL if the ring is broken. */
int virtq_pop(struct virtq *q, struct virtq_chain *c);
/* Return a chain: used ring entry {head, len}, then the used index (2.6.8). */
void virtq_push(struct virtq *q, uint16_t head, uint32_t len);
/*
 * After a batch of pushes: whether the driver wants an interrupt (the
 * used_event index with EVENT_IDX, 2.6.7.2, else the avail ring's
 * NO_INTERRUPT flag). With EVENT_IDX it also publishes avail_event, so the
 * driver notifies for the next buffer it adds (2.6.10.2).
 */
bool virtq_need_interrupt(struct virtq *q);
/* Whether the driver has made more chains available since the last pop. */
bool virtq_has_work(const struct virtq *q);

/*
 * Copy from the chain's readable bytes, starting off bytes into them, or into its
 * writable ones; returns how many bytes were copied (fewer if the chain ends).
 */
size_t virtq_chain_read(const struct virtq_chain *c, uint64_t off, void *dst, size_t len);
size_t virtq_chain_write(const struct virtq_chain *c, uint64_t off, const void *src, size_t len);

/* vring_need_event (1.1 2.6.7.2): did [old, new) pass event? */
static inline bool virtq_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

#endif
