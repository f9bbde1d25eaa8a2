/* SPDX-License-Identifier: MIT */
/*
 * A minimal virtio 1.x PCI driver for virtio-blk (hvmbench_io.h): finds
 * the function on bus 0 by its IDs, reads where its regions are from its
 * vendor capabilities (virtio 1.1 4.1.4), negotiates VERSION_1 alone and
 * sets up queue 0 with no interrupts (no MSI-X vector, and
 * VIRTQ_AVAIL_F_NO_INTERRUPT, 2.6.7). A request is three descriptors
 * (header, data, status: 5.2.6); Keel serves the queue on the doorbell
 * exit, so the used index has moved when the doorbell write returns.
 */
#include <stdint.h>
#include "disk.h"
#include "hvmbench_io.h"

#define VIRTIO_VENDOR   0x1af4
#define VIRTIO_BLK_ID   0x1042 /* 0x1040 + device ID 2 (4.1.2.1) */
#define PCI_CAP_VNDR    0x09
#define CAP_COMMON      1
#define CAP_NOTIFY      2
#define CMD_MEM_MASTER  0x6

/* Common configuration (4.1.4.3). */
#define CC_DFSELECT 0x00
#define CC_DF       0x04
#define CC_GFSELECT 0x08
#define CC_GF       0x0c
#define CC_STATUS   0x14
#define CC_QSELECT  0x16
#define CC_QSIZE    0x18
#define CC_QMSIX    0x1a
#define CC_QENABLE  0x1c
#define CC_QNOTIFY  0x1e
#define CC_QDESC    0x20
#define CC_QDRIVER  0x28
#define CC_QDEVICE  0x30

#define ST_ACK 1
#define ST_DRIVER 2
#define ST_DRIVER_OK 4
#define ST_FEATURES_OK 8

#define QSZ 8
#define DESC_NEXT  1
#define DESC_WRITE 2
#define AVAIL_NO_INTERRUPT 1

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static struct {
	struct desc desc[QSZ];
	struct {
		uint16_t flags, idx, ring[QSZ];
	} avail __attribute__((aligned(64)));
	struct {
		uint16_t flags, idx;
		struct {
			uint32_t id, len;
		} ring[QSZ];
	} used __attribute__((aligned(64)));
	struct {
		uint32_t type, reserved;
		uint64_t sector;
	} hdr;
	volatile uint8_t status;
} vq __attribute__((aligned(4096)));

static volatile uint8_t *common;
static volatile uint16_t *notify;
static uint16_t avail_idx;

static uint32_t cfg_read(unsigned dev, unsigned off)
{
	outl(0xcf8, 0x80000000u | dev << 11 | (off & 0xfc));
	return inl(0xcfc) >> 8 * (off & 3);
}

static void cfg_write(unsigned dev, unsigned off, uint32_t v)
{
	outl(0xcf8, 0x80000000u | dev << 11 | (off & 0xfc));
	outl(0xcfc, v);
}

#define REG(T, off) (*(volatile T *)(common + (off)))

static void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/* The BAR a vendor capability names, plus its offset; 0 if not a 32-bit memory BAR. */
static uint64_t cap_addr(unsigned dev, unsigned cap)
{
	uint32_t bar = cfg_read(dev, 0x10 + 4 * (cfg_read(dev, cap + 4) & 0xff));

	return (bar & 7) ? 0 : (bar & ~0xfu) + cfg_read(dev, cap + 8);
}

static int find(unsigned *devp, unsigned *notify_cap)
{
	unsigned dev, cap, found = 0;

	for (dev = 0; dev < 32; dev++)
		if (cfg_read(dev, 0) == (VIRTIO_BLK_ID << 16 | VIRTIO_VENDOR))
			break;
	if (dev == 32)
		return -1;
	for (cap = cfg_read(dev, 0x34) & 0xfc; cap; cap = cfg_read(dev, cap + 1) & 0xfc) {
		unsigned type = cfg_read(dev, cap + 3) & 0xff;

		if ((cfg_read(dev, cap) & 0xff) != PCI_CAP_VNDR)
			continue;
		if (type == CAP_COMMON && !common) {
			common = (volatile uint8_t *)cap_addr(dev, cap);
			found |= 1;
		} else if (type == CAP_NOTIFY && !(found & 2)) {
			*notify_cap = cap;
			found |= 2;
		}
	}
	*devp = dev;
	return found == 3 && common ? 0 : -1;
}

static void write64(unsigned off, uint64_t v)
{
	REG(uint32_t, off) = (uint32_t)v;
	REG(uint32_t, off + 4) = (uint32_t)(v >> 32);
}

int vblk_init(void)
{
	unsigned dev = 0, ncap = 0;
	uint16_t qsize;

	if (find(&dev, &ncap)) {
		print("hvmbench: no virtio-blk function with common and notify regions on bus 0\n");
		return -1;
	}
	cfg_write(dev, 4, cfg_read(dev, 4) | CMD_MEM_MASTER);
	REG(uint8_t, CC_STATUS) = 0; /* reset (4.1.4.3.1); Keel resets at once */
	REG(uint8_t, CC_STATUS) = ST_ACK | ST_DRIVER;
	REG(uint32_t, CC_GFSELECT) = 1;
	REG(uint32_t, CC_GF) = 1; /* VIRTIO_F_VERSION_1 (bit 32) and nothing else */
	REG(uint32_t, CC_GFSELECT) = 0;
	REG(uint32_t, CC_GF) = 0;
	REG(uint8_t, CC_STATUS) = ST_ACK | ST_DRIVER | ST_FEATURES_OK;
	if (!(REG(uint8_t, CC_STATUS) & ST_FEATURES_OK)) {
		print("hvmbench: virtio-blk refused VERSION_1 alone\n");
		return -1;
	}
	REG(uint16_t, CC_QSELECT) = 0;
	qsize = REG(uint16_t, CC_QSIZE);
	if (qsize < QSZ) {
		print("hvmbench: virtio-blk queue 0 has %u entries\n", qsize);
		return -1;
	}
	REG(uint16_t, CC_QSIZE) = QSZ;
	REG(uint16_t, CC_QMSIX) = 0xffff; /* VIRTIO_MSI_NO_VECTOR */
	write64(CC_QDESC, (uint64_t)vq.desc);
	write64(CC_QDRIVER, (uint64_t)&vq.avail);
	write64(CC_QDEVICE, (uint64_t)&vq.used);
	vq.avail.flags = AVAIL_NO_INTERRUPT;
	/* queue n's doorbell: notify region + queue_notify_off * notify_off_multiplier (4.1.4.4) */
	notify = (volatile uint16_t *)(cap_addr(dev, ncap) +
				       (uint64_t)REG(uint16_t, CC_QNOTIFY) * cfg_read(dev, ncap + 16));
	REG(uint16_t, CC_QENABLE) = 1;
	REG(uint8_t, CC_STATUS) = ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK;
	return 0;
}

/* One request: header, bytes into buf, status; ring and wait for the used index. */
static int request(uint64_t sector, void *buf, uint32_t bytes)
{
	vq.hdr.type = 0; /* VIRTIO_BLK_T_IN */
	vq.hdr.sector = sector;
	vq.status = 0xff;
	vq.desc[0] = (struct desc){ (uint64_t)&vq.hdr, sizeof(vq.hdr), DESC_NEXT, 1 };
	vq.desc[1] = (struct desc){ (uint64_t)buf, bytes, DESC_NEXT | DESC_WRITE, 2 };
	vq.desc[2] = (struct desc){ (uint64_t)&vq.status, 1, DESC_WRITE, 0 };
	vq.avail.ring[avail_idx % QSZ] = 0;
	barrier();
	vq.avail.idx = ++avail_idx;
	barrier();
	*notify = 0; /* the queue index (4.1.5.2); the address alone names the queue */
	while (*(volatile uint16_t *)&vq.used.idx != avail_idx)
		;
	return vq.status;
}

int vblk_read1(void *buf)
{
	return request(0, buf, 512);
}

int vblk_read(uint64_t sector, uint32_t count, void *buf, uint32_t max_bytes, struct io_count *n)
{
	uint8_t *p = buf;

	while (count) {
		uint32_t bytes = count * 512 < max_bytes ? count * 512 : max_bytes;

		n->exits++;
		if (request(sector, p, bytes))
			return -1;
		sector += bytes / 512;
		count -= bytes / 512;
		p += bytes;
	}
	return 0;
}
