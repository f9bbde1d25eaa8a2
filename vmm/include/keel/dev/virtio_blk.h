/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk (virtio 1.1 5.2) on the virtio PCI transport: one request
 * queue over a disk image held in host memory, as the IDE disk is. Reads,
 * writes, flushes (a no-op: the image is memory) and get-id; requests of
 * up to VIRTIO_BLK_SEG_MAX data buffers, processed on the doorbell exit,
 * completed with an interrupt the driver asked for.
 */
#ifndef KEEL_DEV_VIRTIO_BLK_H
#define KEEL_DEV_VIRTIO_BLK_H

#include <stdint.h>
#include <keel/dev/virtio.h>

#define VIRTIO_BLK_QUEUE_SIZE 128
#define VIRTIO_BLK_SEG_MAX    (VIRTIO_BLK_QUEUE_SIZE - 2) /* header and status around them */
#define VIRTIO_BLK_ID_BYTES   20
#define VIRTIO_BLK_CFG_SIZE   24 /* capacity, size_max, seg_max, geometry, blk_size */

/* Request types and status (5.2.6). */
#define VIRTIO_BLK_T_IN     0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

struct virtio_blk {
	struct virtio_dev dev;
	uint8_t *disk;
	uint64_t size; /* bytes, a multiple of 512 */
	uint8_t config[VIRTIO_BLK_CFG_SIZE];
	char id[VIRTIO_BLK_ID_BYTES];
	void (*first_write)(void *ctx); /* the first write to the disk, once */
	void *ctx;
	bool written;
	uint64_t reads, writes, flushes, failed; /* requests */
	struct virtq_chain chain; /* the request being served */
};

/*
 * Put a virtio-blk function at slot on bus b over disk[0..size) (a whole
 * number of sectors is used); id is what GET_ID returns (up to 20 bytes).
 */
int virtio_blk_init(struct virtio_blk *b, struct vm *vm, struct pci_bus *bus, unsigned slot,
		    uint8_t *disk, uint64_t size, const char *id, const struct irq_line *intx,
		    const struct msi_line *msi);

#endif
