/* SPDX-License-Identifier: MIT */
/*
 * A virtio driver's side of the rings for device host tests
 * (test_virtio_net, test_virtio_console): setting the device up through
 * BAR 0 (virtio 1.1 3.1.1, 4.1.4.3), descriptors (2.6.5), offering chains
 * and ringing the doorbell (2.6.13), reading the used ring (2.6.8). The
 * includer defines DEV (its struct virtio_dev *), Q(n) (queue n's
 * descriptor table; avail ring at +0x1000, used ring at +0x2000), QSIZE,
 * and at(gpa) into its fake RAM, before including it.
 */
#ifndef TEST_VIRTIO_DRIVER_H
#define TEST_VIRTIO_DRIVER_H

#include <stdint.h>
#include <string.h>
#include <keel/dev/virtio.h>

static void wr(uint64_t off, unsigned size, uint64_t v)
{
	virtio_bar_write(DEV, off, size, v);
}

/* Reset, features (features_lo and VERSION_1), both queues at Q(0) and Q(1), DRIVER_OK. */
static void driver_ok_with(uint32_t features_lo)
{
	wr(0x14, 1, 3);
	wr(0x08, 4, 0);
	wr(0x0c, 4, features_lo);
	wr(0x08, 4, 1);
	wr(0x0c, 4, 1); /* VERSION_1 */
	wr(0x14, 1, 11);
	for (unsigned q = 0; q < 2; q++) {
		wr(0x16, 2, q);
		wr(0x20, 8, Q(q));
		wr(0x28, 8, Q(q) + 0x1000);
		wr(0x30, 8, Q(q) + 0x2000);
		wr(0x1c, 2, 1);
	}
	wr(0x14, 1, 15);
}

static void desc(unsigned q, unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *p = at(Q(q) + 16 * i);

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

/* Offer head on queue q (no doorbell). */
static void offer(unsigned q, uint16_t head)
{
	uint16_t idx;

	memcpy(&idx, at(Q(q) + 0x1000 + 2), 2);
	memcpy(at(Q(q) + 0x1000 + 4 + 2 * (idx % QSIZE)), &head, 2);
	idx++;
	memcpy(at(Q(q) + 0x1000 + 2), &idx, 2);
}

static void doorbell(unsigned q)
{
	wr(VIRTIO_NOTIFY_OFF + VIRTIO_NOTIFY_MULT * q, 2, q);
}

static uint16_t used_idx(unsigned q)
{
	uint16_t v;

	memcpy(&v, at(Q(q) + 0x2002), 2);
	return v;
}

/* The used ring's entry n: field 0 the chain's head, 1 its used length. */
static uint32_t used_field(unsigned q, unsigned n, unsigned field)
{
	uint32_t v;

	memcpy(&v, at(Q(q) + 0x2000 + 4 + 8 * n + 4 * field), 4);
	return v;
}

static inline uint32_t used_len(unsigned q, unsigned n)
{
	return used_field(q, n, 1);
}

#endif
