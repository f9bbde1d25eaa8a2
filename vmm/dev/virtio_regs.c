/* SPDX-License-Identifier: MIT */
/*
 * The registers in a virtio PCI function's BAR 0 (virtio 1.1 4.1.4): the
 * common configuration (feature negotiation, status and reset, queue
 * setup), the ISR, the device configuration, the notify doorbells and the
 * MSI-X table and PBA; and the interrupts. See keel/dev/virtio.h.
 */
#include <keel/dev/virtio.h>
#include <keel/io.h>
#include <keel/string.h>
#include <keel/vm.h>

/* Common configuration offsets (4.1.4.3). */
#define CC_DFSELECT   0x00
#define CC_DF         0x04
#define CC_GFSELECT   0x08
#define CC_GF         0x0c
#define CC_MSIX       0x10
#define CC_NUMQ       0x12
#define CC_STATUS     0x14
#define CC_CFGGEN     0x15
#define CC_QSELECT    0x16
#define CC_QSIZE      0x18
#define CC_QMSIX      0x1a
#define CC_QENABLE    0x1c
#define CC_QNOTIFYOFF 0x1e
#define CC_QDESC      0x20
#define CC_QDRIVER    0x28
#define CC_QDEVICE    0x30
#define CC_END        0x38

#define ISR_QUEUE  1
#define ISR_CONFIG 2

static uint64_t offered(const struct virtio_dev *d)
{
	return d->type->features | VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC | VIRTIO_F_EVENT_IDX;
}

bool virtio_running(const struct virtio_dev *d)
{
	return (d->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET)) ==
	       VIRTIO_STATUS_DRIVER_OK;
}

/* INTA# follows the ISR while MSI-X is off and INTx is not disabled (4.1.5.3, 4.1.5.4). */
static void intx_update(struct virtio_dev *d)
{
	bool level = d->isr && !virtio_msix_enabled(d) &&
		     !(pci_get16(d->pci, PCI_COMMAND) & PCI_CMD_INTX_DISABLE);

	if (level != d->intx_level) {
		d->intx_level = level;
		irq_set(&d->intx, level);
	}
}

/* A message is a memory write: only as bus master (PCI 3.0 6.8.2). */
static void msix_send(struct virtio_dev *d, unsigned v)
{
	const struct virtio_msix_entry *e = &d->msix[v];

	if (!(pci_get16(d->pci, PCI_COMMAND) & PCI_CMD_MASTER))
		return;
	d->interrupts++;
	msi_send(&d->msi, e->addr_lo | (uint64_t)e->addr_hi << 32, e->data);
}

/* Vector v, or the ISR bit and INTx without MSI-X; a masked vector is pending (6.8.2.9). */
static void raise(struct virtio_dev *d, uint16_t v, uint8_t isr)
{
	if (!virtio_msix_enabled(d)) {
		d->isr |= isr;
		d->interrupts++;
		intx_update(d);
		return;
	}
	if (v >= VIRTIO_MSIX_VECTORS)
		return; /* VIRTIO_MSI_NO_VECTOR: the driver wants none */
	if (virtio_msix_masked(d) || (d->msix[v].ctrl & 1))
		d->msix_pending |= 1u << v;
	else
		msix_send(d, v);
}

static void msix_release(struct virtio_dev *d)
{
	if (!virtio_msix_enabled(d) || virtio_msix_masked(d))
		return;
	for (unsigned v = 0; v < VIRTIO_MSIX_VECTORS; v++)
		if ((d->msix_pending & (1u << v)) && !(d->msix[v].ctrl & 1)) {
			d->msix_pending &= ~(1u << v);
			msix_send(d, v);
		}
}

void virtio_msix_changed(struct virtio_dev *d)
{
	msix_release(d);
	intx_update(d);
}

void virtio_queue_done(struct virtio_dev *d, unsigned q)
{
	if (q < d->type->nr_queues && virtq_need_interrupt(&d->vq[q]))
		raise(d, d->vq_vector[q], ISR_QUEUE);
}

void virtio_serve(struct virtio_dev *d, unsigned q, struct virtq_chain *c,
		  uint32_t (*serve)(struct virtio_dev *d, const struct virtq_chain *c))
{
	int rc;

	while ((rc = virtq_pop(&d->vq[q], c)) == 1)
		virtq_push(&d->vq[q], c->head, serve(d, c));
	if (rc < 0)
		virtio_needs_reset(d);
	virtio_queue_done(d, q);
}

void virtio_config_changed(struct virtio_dev *d)
{
	d->config_generation++;
	if (d->status & VIRTIO_STATUS_DRIVER_OK)
		raise(d, d->msix_config, ISR_CONFIG);
}

void virtio_needs_reset(struct virtio_dev *d)
{
	if (d->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	d->status |= VIRTIO_STATUS_NEEDS_RESET;
	if (d->status & VIRTIO_STATUS_DRIVER_OK)
		raise(d, d->msix_config, ISR_CONFIG);
}

/* Status 0 (2.1, 4.1.4.3.1): everything the driver set goes, the device type resets too. */
void virtio_reset(struct virtio_dev *d)
{
	d->dfselect = d->gfselect = 0;
	d->driver_features = 0;
	d->msix_config = VIRTIO_MSI_NO_VECTOR;
	d->queue_select = 0;
	d->status = 0;
	d->isr = 0;
	d->msix_pending = 0;
	for (unsigned i = 0; i < VIRTIO_QUEUES_MAX; i++) {
		virtq_reset(&d->vq[i], i < d->type->nr_queues ? d->type->queue_size : 0);
		d->vq_vector[i] = VIRTIO_MSI_NO_VECTOR;
	}
	intx_update(d);
	if (d->type->reset)
		d->type->reset(d);
}

/*
 * FEATURES_OK only for a subset of what was offered that includes
 * VERSION_1: Keel offers no legacy interface (3.1.1, 6.1). Otherwise the
 * bit stays clear and the driver gives up.
 */
static void status_write(struct virtio_dev *d, uint8_t v)
{
	if (!v) {
		virtio_reset(d);
		return;
	}
	if ((v & VIRTIO_STATUS_FEATURES_OK) && !(d->status & VIRTIO_STATUS_FEATURES_OK) &&
	    ((d->driver_features & ~offered(d)) || !(d->driver_features & VIRTIO_F_VERSION_1)))
		v &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
	d->status = (uint8_t)((v & ~VIRTIO_STATUS_NEEDS_RESET) |
			      (d->status & VIRTIO_STATUS_NEEDS_RESET));
}

static void *guest_map(void *ctx, uint64_t gpa, uint64_t len, bool write)
{
	return write ? vm_gpa_to_hva_write(ctx, gpa, len) : vm_gpa_to_hva(ctx, gpa, len);
}

static void queue_enable(struct virtio_dev *d, struct virtq *q)
{
	const struct virtq_mem mem = { guest_map, d->vm };

	if (q->ready)
		return;
	if (virtq_enable(q, &mem, d->driver_features & VIRTIO_F_INDIRECT_DESC,
			 d->driver_features & VIRTIO_F_EVENT_IDX))
		virtio_needs_reset(d);
}

static struct virtq *selected(struct virtio_dev *d)
{
	return d->queue_select < d->type->nr_queues ? &d->vq[d->queue_select] : NULL;
}

static uint64_t *queue_addr(struct virtq *q, unsigned off)
{
	if (off < CC_QDRIVER)
		return &q->desc_gpa;
	return off < CC_QDEVICE ? &q->avail_gpa : &q->used_gpa;
}

/* One field, accessed at its own offset with its own width (4.1.3.1); 64-bit ones also in halves. */
static uint64_t common_read(struct virtio_dev *d, unsigned off, unsigned size)
{
	struct virtq *q = selected(d);

	if (off >= CC_QDESC && off < CC_END) {
		uint64_t v = q ? *queue_addr(q, off) : 0;

		return size == 8 && !(off & 7) ? v : size == 4 ? (uint32_t)(v >> (off & 4 ? 32 : 0)) : 0;
	}
	switch (off << 4 | size) {
	case CC_DFSELECT << 4 | 4: return d->dfselect;
	case CC_DF << 4 | 4: return d->dfselect < 2 ? (uint32_t)(offered(d) >> 32 * d->dfselect) : 0;
	case CC_GFSELECT << 4 | 4: return d->gfselect;
	case CC_GF << 4 | 4:
		return d->gfselect < 2 ? (uint32_t)(d->driver_features >> 32 * d->gfselect) : 0;
	case CC_MSIX << 4 | 2: return d->msix_config;
	case CC_NUMQ << 4 | 2: return d->type->nr_queues;
	case CC_STATUS << 4 | 1: return d->status;
	case CC_CFGGEN << 4 | 1: return d->config_generation;
	case CC_QSELECT << 4 | 2: return d->queue_select;
	case CC_QSIZE << 4 | 2: return q ? q->size : 0;
	case CC_QMSIX << 4 | 2: return q ? d->vq_vector[d->queue_select] : VIRTIO_MSI_NO_VECTOR;
	case CC_QENABLE << 4 | 2: return q && q->ready;
	case CC_QNOTIFYOFF << 4 | 2: return q ? d->queue_select : 0;
	}
	return 0;
}

static void queue_field_write(struct virtio_dev *d, unsigned off, unsigned size, uint64_t v)
{
	struct virtq *q = selected(d);
	uint64_t *a;

	if (!q)
		return;
	if (off == CC_QMSIX && size == 2) {
		d->vq_vector[d->queue_select] = v < VIRTIO_MSIX_VECTORS ? (uint16_t)v :
									  VIRTIO_MSI_NO_VECTOR;
		return;
	}
	if (off == CC_QENABLE && size == 2) {
		if (v == 1)
			queue_enable(d, q);
		return;
	}
	if (q->ready) /* the queue's layout is fixed once enabled (4.1.4.3.2) */
		return;
	if (off == CC_QSIZE && size == 2) {
		if (v <= d->type->queue_size)
			q->size = (uint16_t)v; /* not a power of two: queue_enable refuses it */
		return;
	}
	if (off < CC_QDESC || off >= CC_END)
		return;
	a = queue_addr(q, off);
	if (size == 8 && !(off & 7))
		*a = v;
	else if (size == 4 && (off & 4))
		*a = (*a & 0xffffffffULL) | v << 32;
	else if (size == 4)
		*a = (*a & ~0xffffffffULL) | (uint32_t)v;
}

static void common_write(struct virtio_dev *d, unsigned off, unsigned size, uint64_t v)
{
	switch (off << 4 | size) {
	case CC_DFSELECT << 4 | 4: d->dfselect = (uint32_t)v; return;
	case CC_GFSELECT << 4 | 4: d->gfselect = (uint32_t)v; return;
	case CC_GF << 4 | 4:
		if (d->gfselect < 2 && !(d->status & VIRTIO_STATUS_FEATURES_OK)) {
			unsigned sh = 32 * d->gfselect;

			d->driver_features = (d->driver_features & ~(0xffffffffULL << sh)) |
					     (uint64_t)(uint32_t)v << sh;
		}
		return;
	case CC_MSIX << 4 | 2:
		d->msix_config = v < VIRTIO_MSIX_VECTORS ? (uint16_t)v : VIRTIO_MSI_NO_VECTOR;
		return;
	case CC_STATUS << 4 | 1: status_write(d, (uint8_t)v); return;
	case CC_QSELECT << 4 | 2: d->queue_select = (uint16_t)v; return;
	}
	queue_field_write(d, off, size, v);
}

/* The MSI-X table: dwords (or qwords) of the entries; the PBA reads the pending bits. */
static uint64_t msix_read(struct virtio_dev *d, unsigned off, unsigned size)
{
	unsigned n = d->type->nr_queues + 1;
	uint64_t v;

	if (off >= VIRTIO_PBA_OFF)
		return off == VIRTIO_PBA_OFF ? d->msix_pending : 0;
	off -= VIRTIO_MSIX_OFF;
	if (off / 16 >= n || (off & 3) || off % 16 + size > 16)
		return 0;
	memcpy(&v, (uint8_t *)&d->msix[off / 16] + off % 16, size);
	return size == 8 ? v : (uint32_t)v;
}

static void msix_write(struct virtio_dev *d, unsigned off, unsigned size, uint64_t v)
{
	unsigned n = d->type->nr_queues + 1;

	if (off >= VIRTIO_PBA_OFF)
		return; /* the PBA is read-only */
	off -= VIRTIO_MSIX_OFF;
	if (off / 16 >= n || (off & 3) || off % 16 + size > 16 || (size != 4 && size != 8))
		return;
	memcpy((uint8_t *)&d->msix[off / 16] + off % 16, &v, size);
	d->msix[off / 16].ctrl &= 1; /* only the mask bit exists */
	msix_release(d);
}

/* ISR (4.1.4.5): reading returns and clears it, which drops INTx. */
static uint64_t isr_read(struct virtio_dev *d)
{
	uint8_t v = d->isr;

	d->isr = 0;
	intx_update(d);
	return v;
}

uint64_t virtio_bar_read(struct virtio_dev *d, uint64_t off, unsigned size)
{
	uint64_t v = 0;

	if (off < CC_END)
		return common_read(d, (unsigned)off, size);
	if (off == VIRTIO_ISR_OFF)
		return isr_read(d);
	if (off >= VIRTIO_DEVCFG_OFF && off - VIRTIO_DEVCFG_OFF + size <= d->config_size) {
		memcpy(&v, d->config + (off - VIRTIO_DEVCFG_OFF), size);
		return v;
	}
	if (off >= VIRTIO_MSIX_OFF && off < VIRTIO_PBA_OFF + 8)
		return msix_read(d, (unsigned)off, size);
	return 0;
}

/*
 * The doorbell: the address names the queue, the value adds nothing
 * (4.1.4.4; Keel offers no VIRTIO_F_NOTIFICATION_DATA). off is from the
 * notify region's start; the EPT-violation exit rings it directly
 * (io_set_doorbell), other writes come through virtio_bar_write().
 */
void virtio_doorbell(struct vm *vm, void *dev, uint64_t off)
{
	struct virtio_dev *d = dev;
	uint64_t q = off / VIRTIO_NOTIFY_MULT;

	(void)vm;
	if (q >= d->type->nr_queues)
		return;
	d->notifies++;
	if (virtio_running(d) && d->vq[q].ready && !d->vq[q].broken)
		d->type->notify(d, (unsigned)q);
}

void virtio_bar_write(struct virtio_dev *d, uint64_t off, unsigned size, uint64_t val)
{
	if (off >= VIRTIO_NOTIFY_OFF && off < VIRTIO_NOTIFY_OFF + VIRTIO_NOTIFY_LEN) {
		virtio_doorbell(d->vm, d, off - VIRTIO_NOTIFY_OFF);
		return;
	}
	if (off < CC_END) {
		common_write(d, (unsigned)off, size, val);
	} else if (off >= VIRTIO_DEVCFG_OFF && off - VIRTIO_DEVCFG_OFF + size <= d->config_size) {
		if (d->type->cfg_write) {
			memcpy(d->config + (off - VIRTIO_DEVCFG_OFF), &val, size);
			d->type->cfg_write(d, (unsigned)(off - VIRTIO_DEVCFG_OFF), size);
		}
	} else if (off >= VIRTIO_MSIX_OFF && off < VIRTIO_PBA_OFF + 8) {
		msix_write(d, (unsigned)off, size, val);
	}
}

int virtio_mmio(struct vm *vm, void *dev, struct io_access *a)
{
	struct virtio_dev *d = dev;
	uint64_t off = a->addr - d->bar_base;

	(void)vm;
	if (a->write)
		virtio_bar_write(d, off, a->size, a->value);
	else
		a->value = virtio_bar_read(d, off, a->size);
	return 0;
}
