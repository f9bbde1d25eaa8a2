/* SPDX-License-Identifier: MIT */
/*
 * The virtio PCI function's configuration space: IDs, BAR 0, the MSI-X
 * capability and the virtio vendor capabilities (virtio 1.1 4.1.4), and
 * the registry range that follows BAR 0. The registers inside BAR 0 are
 * virtio_regs.c. See keel/dev/virtio.h.
 */
#include <keel/dev/pci_msi.h>
#include <keel/dev/virtio.h>
#include <keel/errno.h>
#include <keel/io.h>
#include <keel/string.h>

#define VIRTIO_PCI_VENDOR   0x1af4
#define VIRTIO_PCI_DEVICE0  0x1040 /* + device ID: non-transitional (4.1.2.1) */
#define VIRTIO_PCI_REVISION 1

/* struct virtio_pci_cap (4.1.4): vendor capability 0x09. */
#define PCI_CAP_ID_VNDR 0x09
#define PCI_CAP_ID_MSIX 0x11
#define VCAP_LEN     2
#define VCAP_TYPE    3
#define VCAP_BAR     4
#define VCAP_OFFSET  8
#define VCAP_LENGTH  12
#define VCAP_NOTIFY_MULT 16
#define VIRTIO_PCI_CAP_COMMON_CFG 1
#define VIRTIO_PCI_CAP_NOTIFY_CFG 2
#define VIRTIO_PCI_CAP_ISR_CFG    3
#define VIRTIO_PCI_CAP_DEVICE_CFG 4
#define VIRTIO_PCI_CAP_PCI_CFG    5

/* struct virtio_pci_cfg_cap: a virtio_pci_cap, then pci_cfg_data[4] (4.1.4.8). */
#define PCI_CFG_CAP  0x94
#define PCI_CFG_DATA 16

/* MSI-X capability (PCI 3.0 6.8.2): control, table and PBA offset/BIR. */
#define MSIX_CAP      0x40
#define MSIX_CTL      2
#define MSIX_TABLE    4
#define MSIX_PBA      8
#define MSIX_CTL_ENABLE BIT(15)
#define MSIX_CTL_MASKALL BIT(14)

/* Where the capabilities sit: MSI-X, then common, ISR, device, notify, the BAR window. */
static const struct {
	uint8_t at, type, len;
	uint32_t off, size;
} vcaps[] = {
	{ 0x50, VIRTIO_PCI_CAP_COMMON_CFG, 16, VIRTIO_COMMON_OFF, 0x38 },
	{ 0x60, VIRTIO_PCI_CAP_ISR_CFG, 16, VIRTIO_ISR_OFF, 1 },
	{ 0x70, VIRTIO_PCI_CAP_DEVICE_CFG, 16, VIRTIO_DEVCFG_OFF, VIRTIO_DEVCFG_MAX },
	{ 0x80, VIRTIO_PCI_CAP_NOTIFY_CFG, 20, VIRTIO_NOTIFY_OFF, VIRTIO_NOTIFY_LEN },
	{ PCI_CFG_CAP, VIRTIO_PCI_CAP_PCI_CFG, 20, 0, 0 },
};

bool virtio_msix_enabled(const struct virtio_dev *d)
{
	return pci_get16(d->pci, d->msix_cap + MSIX_CTL) & MSIX_CTL_ENABLE;
}

bool virtio_msix_masked(const struct virtio_dev *d)
{
	return pci_get16(d->pci, d->msix_cap + MSIX_CTL) & MSIX_CTL_MASKALL;
}

static void caps_build(struct virtio_dev *d)
{
	uint8_t *c = d->pci->cfg;
	unsigned nvec = d->type->nr_queues + 1;

	c[PCI_CAPABILITY_LIST] = MSIX_CAP;
	pci_set16(c, PCI_STATUS, PCI_STS_CAP_LIST);
	c[MSIX_CAP] = PCI_CAP_ID_MSIX;
	c[MSIX_CAP + 1] = vcaps[0].at;
	pci_set16(c, MSIX_CAP + MSIX_CTL, (uint16_t)(nvec - 1));
	pci_set32(c, MSIX_CAP + MSIX_TABLE, VIRTIO_MSIX_OFF); /* BIR 0 */
	pci_set32(c, MSIX_CAP + MSIX_PBA, VIRTIO_PBA_OFF);
	for (unsigned i = 0; i < ARRAY_SIZE(vcaps); i++) {
		uint8_t *p = c + vcaps[i].at;

		p[0] = PCI_CAP_ID_VNDR;
		p[1] = i + 1 < ARRAY_SIZE(vcaps) ? vcaps[i + 1].at : 0;
		p[VCAP_LEN] = vcaps[i].len;
		p[VCAP_TYPE] = vcaps[i].type;
		p[VCAP_BAR] = 0;
		pci_set32(p, VCAP_OFFSET, vcaps[i].off);
		pci_set32(p, VCAP_LENGTH, vcaps[i].size);
		if (vcaps[i].type == VIRTIO_PCI_CAP_NOTIFY_CFG)
			pci_set32(p, VCAP_NOTIFY_MULT, VIRTIO_NOTIFY_MULT);
	}
}

/*
 * Decode BAR 0 where the guest put it while memory space is enabled
 * (PCI 3.0 6.2.2); a BAR that overlaps RAM, ROM or another device is not
 * decoded (the registry refuses it), as a conflicting BAR on a PC is
 * undefined anyway. The queues' doorbells follow it: each has its own
 * address (notify_off_multiplier 4), so the exit's address is enough.
 */
static void bar_update(struct virtio_dev *d)
{
	uint64_t base = pci_get32(d->pci, PCI_BAR0) & ~0xfULL;
	bool on = (pci_get16(d->pci, PCI_COMMAND) & PCI_CMD_MEM) && base &&
		  base + VIRTIO_BAR_SIZE <= 0x100000000ULL;

	if (!on)
		base = 0;
	if (base == d->bar_base)
		return;
	d->bar_base = base;
	if (io_move_mmio(d->vm, base, base ? VIRTIO_BAR_SIZE : 0, virtio_mmio, d))
		d->bar_base = 0;
	/* Refused (no room): the old one is gone and the BAR's handler takes the doorbells. */
	(void)io_set_doorbell(d->vm, d->bar_base + VIRTIO_NOTIFY_OFF,
			      d->bar_base ? VIRTIO_NOTIFY_MULT * d->type->nr_queues : 0,
			      virtio_doorbell, d);
}

/*
 * VIRTIO_PCI_CAP_PCI_CFG (virtio 1.1 4.1.4.8, 1.2 4.1.4.9): a window in
 * configuration space onto BAR 0, for firmware that cannot map the BAR.
 * The driver sets cap.bar, cap.offset and cap.length; a write to
 * pci_cfg_data then writes its first cap.length bytes there, a read reads
 * cap.length bytes from there into it. The driver must name cap.length
 * (1, 2 or 4) aligned bytes inside a region another virtio capability
 * names (4.1.4.8.2); anything else a guest writes there is refused: no
 * access is made and pci_cfg_data keeps its bytes.
 */
static bool window(const struct virtio_dev *d, uint32_t *at, uint32_t *len)
{
	*at = pci_get32(d->pci, PCI_CFG_CAP + VCAP_OFFSET);
	*len = pci_get32(d->pci, PCI_CFG_CAP + VCAP_LENGTH);
	if (d->pci->cfg[PCI_CFG_CAP + VCAP_BAR] != 0 || (*len != 1 && *len != 2 && *len != 4) || *at % *len)
		return false;
	for (unsigned i = 0; i < ARRAY_SIZE(vcaps); i++)
		if (*at >= vcaps[i].off && *at - vcaps[i].off < vcaps[i].size &&
		    *len <= vcaps[i].size - (*at - vcaps[i].off))
			return true;
	return false;
}

static void cfg_read(struct pci_dev *p, unsigned off, unsigned size)
{
	struct virtio_dev *d = p->ctx;
	uint32_t at, len;
	uint64_t v;

	if (!pci_overlaps(off, size, PCI_CFG_CAP + PCI_CFG_DATA, 4) || !window(d, &at, &len))
		return;
	v = virtio_bar_read(d, at, len);
	for (unsigned i = 0; i < len; i++)
		p->cfg[PCI_CFG_CAP + PCI_CFG_DATA + i] = (uint8_t)(v >> (8 * i));
}

static void cfg_write(struct pci_dev *p, unsigned off, unsigned size, uint32_t old)
{
	struct virtio_dev *d = p->ctx;
	uint32_t at, len;

	(void)old;
	if (pci_overlaps(off, size, PCI_CFG_CAP + PCI_CFG_DATA, 4) && window(d, &at, &len)) {
		virtio_bar_write(d, at, len, pci_get32(p, PCI_CFG_CAP + PCI_CFG_DATA) &
						     (len == 4 ? ~0U : (1U << (8 * len)) - 1));
		return;
	}
	if (pci_overlaps(off, size, PCI_COMMAND, 2) || pci_overlaps(off, size, PCI_BAR0, 4))
		bar_update(d);
	if (pci_overlaps(off, size, PCI_COMMAND, 2) ||
	    pci_overlaps(off, size, d->msix_cap + MSIX_CTL, 2))
		virtio_msix_changed(d);
}

int virtio_pci_init(struct virtio_dev *d, struct vm *vm, struct pci_bus *b, unsigned dev,
		    const struct virtio_type *t, void *priv, uint8_t *config,
		    unsigned config_size, const struct irq_line *intx, const struct msi_line *msi)
{
	struct pci_dev *p;

	if (t->nr_queues > VIRTIO_QUEUES_MAX || config_size > VIRTIO_DEVCFG_MAX ||
	    t->queue_size > VIRTQ_SIZE_MAX)
		return -EINVAL;
	p = pci_bus_add(b, dev, 0);
	if (!p)
		return -EEXIST;
	memset(d, 0, sizeof(*d));
	*d = (struct virtio_dev){ .type = t, .priv = priv, .vm = vm, .pci = p, .intx = *intx,
				  .msi = *msi, .config = config, .config_size = config_size,
				  .msix_cap = MSIX_CAP };
	p->ctx = d;
	p->cfg_write = cfg_write;
	p->cfg_read = cfg_read;
	pci_dev_set_ids(p, VIRTIO_PCI_VENDOR, (uint16_t)(VIRTIO_PCI_DEVICE0 + t->device_id),
			t->pci_class, VIRTIO_PCI_REVISION, VIRTIO_PCI_VENDOR, PCI_SUBDEVICE_QEMU);
	pci_dev_add_bar(p, 0, VIRTIO_BAR_SIZE, false);
	p->cfg[PCI_INTERRUPT_PIN] = 1; /* INTA# */
	pci_set16(p->wmask, PCI_COMMAND, PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_INTX_DISABLE);
	memset(p->wmask + 0x40, 0, PCI_CFG_SIZE - 0x40);
	p->wmask[MSIX_CAP + MSIX_CTL + 1] = (MSIX_CTL_ENABLE | MSIX_CTL_MASKALL) >> 8;
	/* The window's cap.bar, cap.offset, cap.length and pci_cfg_data. */
	p->wmask[PCI_CFG_CAP + VCAP_BAR] = 0xff;
	memset(p->wmask + PCI_CFG_CAP + VCAP_OFFSET, 0xff, 12);
	caps_build(d);
	for (unsigned i = 0; i < VIRTIO_MSIX_VECTORS; i++)
		d->msix[i].ctrl = 1; /* masked from reset (6.8.2.9) */
	virtio_reset(d);
	return 0;
}
