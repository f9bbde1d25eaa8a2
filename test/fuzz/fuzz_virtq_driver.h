/* SPDX-License-Identifier: MIT */
/*
 * A hostile virtio driver for the device fuzz targets (fuzz_virtio_net,
 * fuzz_virtio_console): its set-up through BAR 0, with indirect and
 * event-idx or not and sometimes a queue size that is not a power of two,
 * and the ops that write its rings (a descriptor in a queue's table or in
 * a table elsewhere in RAM, an avail entry, the avail index, the
 * used-event or flags word). The includer defines DEV (its struct
 * virtio_dev *), RAM_BASE, a `ram` of at least 0x10000 bytes, QS and Q(n)
 * (queue n's table; avail at +0x400, used at +0x800) before including it.
 */
#ifndef TEST_FUZZ_VIRTQ_DRIVER_H
#define TEST_FUZZ_VIRTQ_DRIVER_H

#include <string.h>
#include <keel/dev/virtio.h>

#include "fuzz.h"

static void wr(uint64_t off, unsigned size, uint64_t v)
{
	virtio_bar_write(DEV, off, size, v);
}

static void driver_setup_with(uint32_t features_lo, uint8_t how)
{
	wr(0x14, 1, 0);
	wr(0x14, 1, 3);
	wr(0x08, 4, 0);
	wr(0x0c, 4, features_lo | (how & 1 ? (uint32_t)VIRTIO_F_INDIRECT_DESC : 0) |
			    (how & 2 ? (uint32_t)VIRTIO_F_EVENT_IDX : 0));
	wr(0x08, 4, 1);
	wr(0x0c, 4, 1);
	wr(0x14, 1, 11);
	for (unsigned q = 0; q < 2; q++) {
		wr(0x16, 2, q);
		wr(0x18, 2, how & 4 ? 12 : QS); /* sometimes not a power of two */
		wr(0x20, 8, Q(q));
		wr(0x28, 8, Q(q) + 0x400);
		wr(0x30, 8, Q(q) + 0x800);
		wr(0x1c, 2, 1);
	}
	wr(0x14, 1, 15);
}

/*
 * Ring op o & 7 on queue q: 0 a descriptor (bit 7: in a table at 0x4000,
 * else in q's table; its address raw or at 0x8000 + offset), 1 an avail
 * entry, 2 the avail index, 7 the used-event (bit 4: flags) word; the
 * other ops are the target's own and do nothing here.
 */
static void fuzz_ring_op(struct fuzz_in *in, uint8_t o, unsigned q)
{
	switch (o & 7) {
	case 0: {
		uint64_t at = (o & 0x80) ? RAM_BASE + 0x4000 + (uint64_t)fuzz_u16(in) % 0x1000
					 : Q(q) + 16 * (fuzz_u8(in) % QS);
		uint64_t addr = fuzz_u8(in) & 1 ? fuzz_le(in, 8) : RAM_BASE + 0x8000 + fuzz_u16(in);
		uint32_t len = (uint32_t)fuzz_le(in, 2) | (fuzz_u8(in) & 1 ? 0x80000000u : 0);
		uint16_t flags = fuzz_u8(in) & 7, next = fuzz_u8(in);
		uint8_t *p = ram + (at - RAM_BASE);

		memcpy(p, &addr, 8);
		memcpy(p + 8, &len, 4);
		memcpy(p + 12, &flags, 2);
		memcpy(p + 14, &next, 2);
		break;
	}
	case 1: {
		uint16_t head = fuzz_u8(in), slot = fuzz_u8(in) % QS;

		memcpy(ram + (Q(q) + 0x400 + 4 + 2 * slot - RAM_BASE), &head, 2);
		break;
	}
	case 2: {
		uint16_t idx = fuzz_u16(in);

		memcpy(ram + (Q(q) + 0x400 + 2 - RAM_BASE), &idx, 2);
		break;
	}
	case 7: {
		uint16_t v = fuzz_u16(in);

		memcpy(ram + (Q(q) + (o & 0x10 ? 0x400 : 0x400 + 4 + 2 * QS) - RAM_BASE), &v, 2);
		break;
	}
	}
}

#endif
