/* SPDX-License-Identifier: MIT */
/*
 * PCI bus 0 behind configuration mechanism #1 and the PIIX reset control
 * register; see keel/dev/pci.h.
 */
#include <keel/dev/pci.h>
#include <keel/errno.h>
#include <keel/io.h>
#include <keel/string.h>

/*
 * CONFIG_ADDRESS: enable (31), bus (23:16), device (15:11), function (10:8),
 * dword (7:2). Bits 30:24 and 1:0 are reserved and read 0 (spec 3.2.2.3.2).
 */
#define ADDR_WRITABLE (PCI_ADDR_EN | GENMASK(23, 2))

void pci_bus_init(struct pci_bus *b)
{
	memset(b, 0, sizeof(*b));
}

struct pci_dev *pci_bus_find(struct pci_bus *b, unsigned devfn)
{
	if (devfn > 0xff || !b->slot[devfn])
		return NULL;
	return &b->fns[b->slot[devfn] - 1];
}

struct pci_dev *pci_bus_add(struct pci_bus *b, unsigned dev, unsigned fn)
{
	unsigned devfn = PCI_DEVFN(dev, fn);
	struct pci_dev *d;

	if (dev > 31 || fn > 7 || b->slot[devfn] || b->nr_fns == PCI_BUS_MAX_FNS)
		return NULL;
	d = &b->fns[b->nr_fns++];
	memset(d, 0, sizeof(*d));
	d->devfn = (uint8_t)devfn;
	b->slot[devfn] = (uint8_t)b->nr_fns;

	/*
	 * The header bits every function implements; the device-specific
	 * space (0x40 up) starts as plain storage, as on QEMU, and models
	 * narrow what their hardware does not implement.
	 */
	pci_set16(d->wmask, PCI_COMMAND, PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER |
		  PCI_CMD_PARITY | PCI_CMD_SERR | PCI_CMD_INTX_DISABLE);
	pci_set16(d->w1c, PCI_STATUS, PCI_STS_W1C);
	d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	d->wmask[PCI_LATENCY_TIMER] = 0xff;
	d->wmask[PCI_INTERRUPT_LINE] = 0xff;
	memset(d->wmask + 0x40, 0xff, PCI_CFG_SIZE - 0x40);
	return d;
}

void pci_dev_set_ids(struct pci_dev *d, uint16_t vendor, uint16_t device, uint32_t class,
		     uint8_t revision, uint16_t subsys_vendor, uint16_t subsys)
{
	pci_set16(d->cfg, PCI_VENDOR_ID, vendor);
	pci_set16(d->cfg, PCI_DEVICE_ID, device);
	d->cfg[PCI_REVISION_ID] = revision;
	d->cfg[PCI_CLASS_PROG] = (uint8_t)class;
	pci_set16(d->cfg, PCI_CLASS_PROG + 1, (uint16_t)(class >> 8));
	pci_set16(d->cfg, PCI_SUBSYSTEM_VENDOR_ID, subsys_vendor);
	pci_set16(d->cfg, PCI_SUBSYSTEM_ID, subsys);
}

/*
 * Sizing (spec 6.2.5.1) falls out of the write mask: the address bits below
 * the size and the type bits are read-only, so writing all-ones reads back
 * ~(size - 1) with the type bits.
 */
int pci_dev_add_bar(struct pci_dev *d, unsigned idx, uint32_t size, bool io)
{
	uint32_t min = io ? 4 : 16;
	unsigned off = PCI_BAR0 + 4 * idx;

	if (idx >= PCI_BARS || size < min || (size & (size - 1)))
		return -EINVAL;
	d->bar_size[idx] = size;
	pci_set32(d->cfg, off, io ? PCI_BAR_IO : 0);
	pci_set32(d->wmask, off, ~(size - 1));
	return 0;
}

static struct pci_dev *target(struct pci_bus *b, unsigned *off)
{
	if (!(b->addr & PCI_ADDR_EN) || (b->addr >> 16 & 0xff))
		return NULL; /* disabled, or a bus with nothing behind it */
	*off = b->addr & 0xfc;
	return pci_bus_find(b, b->addr >> 8 & 0xff);
}

static uint32_t cfg_bytes(const struct pci_dev *d, unsigned off, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)d->cfg[off + i] << (8 * i);
	return v;
}

uint32_t pci_cfg_read(struct pci_bus *b, unsigned devfn, unsigned off, unsigned size)
{
	struct pci_dev *d = pci_bus_find(b, devfn);

	if (!d || off + size > PCI_CFG_SIZE)
		return size == 4 ? ~0U : (1U << (8 * size)) - 1;
	if (d->cfg_read)
		d->cfg_read(d, off, size);
	return cfg_bytes(d, off, size);
}

void pci_cfg_write(struct pci_bus *b, unsigned devfn, unsigned off, unsigned size, uint32_t val)
{
	struct pci_dev *d = pci_bus_find(b, devfn);
	uint32_t old;

	if (!d || off + size > PCI_CFG_SIZE)
		return;
	old = cfg_bytes(d, off, size); /* not a read: no cfg_read side effects */
	for (unsigned i = 0; i < size; i++) {
		uint8_t *c = &d->cfg[off + i];
		uint8_t v = (uint8_t)(val >> (8 * i));

		*c = (uint8_t)((*c & ~d->wmask[off + i]) | (v & d->wmask[off + i]));
		*c &= (uint8_t)~(v & d->w1c[off + i]);
	}
	if (d->cfg_write)
		d->cfg_write(d, off, size, old);
}

/*
 * PIIX3 reset control register (datasheet: RC, I/O 0CF9h): RST_CPU written
 * as 1 resets, as a hard reset
 * if SYS_RST is set in the same write; SYS_RST alone is remembered. Linux's
 * reboot=pci and SeaBIOS write 0x02 then 0x06.
 */
static void rcr_write(struct pci_bus *b, uint8_t v)
{
	if (v & PCI_RCR_RST_CPU) {
		if (b->reset)
			b->reset(b->reset_ctx, v & PCI_RCR_SYS_RST);
		return;
	}
	b->rcr = v & PCI_RCR_SYS_RST;
}

static int pci_bus_io(struct vm *vm, void *dev, struct io_access *a)
{
	struct pci_bus *b = dev;
	unsigned port = (unsigned)a->addr, off;
	uint64_t ones = a->size == 8 ? ~0ULL : (1ULL << (8 * a->size)) - 1;
	struct pci_dev *d;

	(void)vm;
	if (port == PCI_PORT_ADDR && a->size == 4) {
		if (a->write)
			b->addr = (uint32_t)a->value & ADDR_WRITABLE;
		else
			a->value = b->addr;
		return 0;
	}
	if (port == PCI_PORT_RCR && a->size == 1) {
		if (a->write)
			rcr_write(b, (uint8_t)a->value);
		else
			a->value = b->rcr;
		return 0;
	}
	/*
	 * Anything else below 0xcfc is an ordinary I/O cycle nobody claims.
	 * Data accesses may be 1, 2 or 4 bytes at any offset that stays inside
	 * the dword; a disabled address or an absent function reads all-ones.
	 */
	d = port >= PCI_PORT_DATA ? target(b, &off) : NULL;
	if (!d || (port & 3) + a->size > 4) {
		if (!a->write)
			a->value = ones;
		return 0;
	}
	off += port & 3;
	if (a->write)
		pci_cfg_write(b, d->devfn, off, a->size, (uint32_t)a->value);
	else
		a->value = pci_cfg_read(b, d->devfn, off, a->size);
	return 0;
}

int pci_bus_register(struct vm *vm, struct pci_bus *b)
{
	return io_register_pio(vm, PCI_PORT_ADDR, 8, pci_bus_io, b);
}
