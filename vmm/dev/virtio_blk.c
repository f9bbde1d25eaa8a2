/* SPDX-License-Identifier: MIT */
/* virtio-blk; see keel/dev/virtio_blk.h. Section numbers: virtio 1.1. */
#include <keel/dev/virtio_blk.h>
#include <keel/string.h>

#define SECTOR 512u
#define HDR    16u /* struct virtio_blk_req: type, reserved, sector (5.2.6) */

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SEG_MAX  BIT(2)
#define VIRTIO_BLK_F_BLK_SIZE BIT(6)
#define VIRTIO_BLK_F_FLUSH    BIT(9)

/* Does [sector, sector + len bytes) lie on the disk? Overflow-safe. */
static bool in_range(const struct virtio_blk *b, uint64_t sector, uint64_t len)
{
	uint64_t sectors = b->size / SECTOR;

	return len % SECTOR == 0 && sector <= sectors && len / SECTOR <= sectors - sector;
}

/* One request; returns the status and sets *written to the bytes put in the chain before it. */
static uint8_t serve(struct virtio_blk *b, const struct virtq_chain *c, uint32_t *written)
{
	uint8_t hdr[HDR];
	uint32_t type;
	uint64_t sector, len;

	virtq_chain_read(c, 0, hdr, HDR);
	memcpy(&type, hdr, 4);
	memcpy(&sector, hdr + 8, 8);
	switch (type) {
	case VIRTIO_BLK_T_IN:
		len = c->in_len - 1;
		if (!in_range(b, sector, len))
			return VIRTIO_BLK_S_IOERR;
		*written = (uint32_t)virtq_chain_write(c, 0, b->disk + sector * SECTOR, len);
		b->reads++;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_OUT:
		len = c->out_len - HDR;
		if (!in_range(b, sector, len))
			return VIRTIO_BLK_S_IOERR;
		if (!b->written && len) {
			b->written = true;
			if (b->first_write)
				b->first_write(b->ctx);
		}
		virtq_chain_read(c, HDR, b->disk + sector * SECTOR, len);
		b->writes++;
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		b->flushes++; /* the image is memory: written is stored */
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		if (c->in_len - 1 < VIRTIO_BLK_ID_BYTES)
			return VIRTIO_BLK_S_IOERR;
		*written = (uint32_t)virtq_chain_write(c, 0, b->id, VIRTIO_BLK_ID_BYTES);
		return VIRTIO_BLK_S_OK;
	}
	return VIRTIO_BLK_S_UNSUPP;
}

/*
 * A request needs its 16-byte header readable and a status byte writable
 * (5.2.6.1); one that has not both is failed: with no status byte at all
 * only the used length (0) says so.
 */
static uint32_t request(struct virtio_dev *d, const struct virtq_chain *c)
{
	struct virtio_blk *b = d->priv;
	uint32_t written = 0;
	uint8_t status;

	if (c->out_len < HDR || c->in_len < 1) {
		b->failed++;
		if (c->in_len)
			virtq_chain_write(c, c->in_len - 1, &(uint8_t){ VIRTIO_BLK_S_IOERR }, 1);
		return c->in_len ? 1 : 0;
	}
	status = serve(b, c, &written);
	if (status != VIRTIO_BLK_S_OK) {
		b->failed++;
		written = 0;
	}
	virtq_chain_write(c, c->in_len - 1, &status, 1);
	return written + 1;
}

static void blk_notify(struct virtio_dev *d, unsigned qi)
{
	virtio_serve(d, qi, &((struct virtio_blk *)d->priv)->chain, request);
}

static const struct virtio_type blk_type = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.pci_class = 0x018000, /* mass storage, other (as QEMU) */
	.features = VIRTIO_BLK_F_SEG_MAX | VIRTIO_BLK_F_BLK_SIZE | VIRTIO_BLK_F_FLUSH,
	.nr_queues = 1,
	.queue_size = VIRTIO_BLK_QUEUE_SIZE,
	.notify = blk_notify,
};

int virtio_blk_init(struct virtio_blk *b, struct vm *vm, struct pci_bus *bus, unsigned slot,
		    uint8_t *disk, uint64_t size, const char *id, const struct irq_line *intx,
		    const struct msi_line *msi)
{
	uint64_t sectors = size / SECTOR;
	size_t n = strlen(id);

	b->disk = disk;
	b->size = sectors * SECTOR;
	b->written = false;
	b->reads = b->writes = b->flushes = b->failed = 0;
	memset(b->id, 0, sizeof(b->id));
	memcpy(b->id, id, n < sizeof(b->id) ? n : sizeof(b->id));
	/* struct virtio_blk_config (5.2.4), little-endian. */
	memset(b->config, 0, sizeof(b->config));
	memcpy(b->config, &sectors, 8);
	memcpy(b->config + 12, &(uint32_t){ VIRTIO_BLK_SEG_MAX }, 4);
	memcpy(b->config + 20, &(uint32_t){ SECTOR }, 4);
	return virtio_pci_init(&b->dev, vm, bus, slot, &blk_type, b, b->config, sizeof(b->config),
			       intx, msi);
}
