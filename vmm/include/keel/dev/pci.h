/* SPDX-License-Identifier: MIT */
/*
 * A virtual PCI bus 0 reached through configuration mechanism #1
 * (ports 0xcf8/0xcfc, PCI Local Bus Spec 3.0, 3.2.2.3.2), plus the PIIX
 * reset control register at 0xcf9 that shares the decode.
 *
 * Each function is a 256-byte header with two masks: wmask says which bits
 * software may write, w1c which bits a written 1 clears (status). Models set
 * them up and get a cfg_write callback after every write, so most of a
 * model is its reset values.
 */
#ifndef KEEL_DEV_PCI_H
#define KEEL_DEV_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/bits.h>

struct vm;

#define PCI_CFG_SIZE    256
#define PCI_BUS_MAX_FNS 16 /* function slots one bus can hold */
#define PCI_BARS        6
#define PCI_DEVFN(dev, fn) ((((dev) & 0x1f) << 3) | ((fn) & 7))

/* Type 0 header (PCI Local Bus Spec 3.0, 6.1). */
#define PCI_VENDOR_ID           0x00
#define PCI_DEVICE_ID           0x02
#define PCI_COMMAND             0x04
#define PCI_STATUS              0x06
#define PCI_REVISION_ID         0x08
#define PCI_CLASS_PROG          0x09
#define PCI_CACHE_LINE_SIZE     0x0c
#define PCI_LATENCY_TIMER       0x0d
#define PCI_HEADER_TYPE         0x0e
#define PCI_BAR0                0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID        0x2e
#define PCI_INTERRUPT_LINE      0x3c
#define PCI_INTERRUPT_PIN       0x3d

#define PCI_HEADER_MULTIFUNCTION 0x80

#define PCI_CMD_IO           BIT(0)
#define PCI_CMD_MEM          BIT(1)
#define PCI_CMD_MASTER       BIT(2)
#define PCI_CMD_PARITY       BIT(6)
#define PCI_CMD_SERR         BIT(8)
#define PCI_CMD_INTX_DISABLE BIT(10)

#define PCI_STS_FAST_B2B      BIT(7)
#define PCI_STS_DEVSEL_MEDIUM BIT(9)
/* The error bits software clears by writing 1 (spec 6.2.3). */
#define PCI_STS_W1C (BIT(8) | BIT(11) | BIT(12) | BIT(13) | BIT(14) | BIT(15))

#define PCI_BAR_IO       BIT(0)
#define PCI_BAR_PREFETCH BIT(3)

/* QEMU's subsystem ID on every device it models; SeaBIOS keys on it. */
#define PCI_SUBVENDOR_QEMU 0x1af4
#define PCI_SUBDEVICE_QEMU 0x1100

struct pci_dev {
	uint8_t cfg[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE]; /* bits software may write */
	uint8_t w1c[PCI_CFG_SIZE];   /* bits a written 1 clears */
	uint32_t bar_size[PCI_BARS]; /* 0: BAR not implemented */
	uint8_t devfn;
	/* After a write lands: off/size as accessed, old = prior value there. */
	void (*cfg_write)(struct pci_dev *d, unsigned off, unsigned size, uint32_t old);
	/* Before a read (not a write's) of off/size: the model may refresh cfg[] there. */
	void (*cfg_read)(struct pci_dev *d, unsigned off, unsigned size);
	void *ctx;
};

struct pci_bus {
	uint32_t addr; /* CONFIG_ADDRESS */
	uint8_t rcr;   /* reset control: SYS_RST kept for the next RST_CPU */
	uint8_t slot[256]; /* devfn -> 1 + index into fns, 0 = absent */
	unsigned nr_fns;
	struct pci_dev fns[PCI_BUS_MAX_FNS];
	/* 0xcf9 bit 2 written as 1: reset, hard if bit 1 (SYS_RST) is set. */
	void (*reset)(void *ctx, bool hard);
	void *reset_ctx;
};

#define PCI_PORT_ADDR  0xcf8
#define PCI_PORT_RCR   0xcf9
#define PCI_PORT_DATA  0xcfc
#define PCI_ADDR_EN    BIT(31)
#define PCI_RCR_SYS_RST BIT(1)
#define PCI_RCR_RST_CPU BIT(2)

void pci_bus_init(struct pci_bus *b);
/* A zeroed function with the default masks; NULL if taken, bad or full. */
struct pci_dev *pci_bus_add(struct pci_bus *b, unsigned dev, unsigned fn);
struct pci_dev *pci_bus_find(struct pci_bus *b, unsigned devfn);
/* class: base << 16 | sub << 8 | prog-if. */
void pci_dev_set_ids(struct pci_dev *d, uint16_t vendor, uint16_t device, uint32_t class,
		     uint8_t revision, uint16_t subsys_vendor, uint16_t subsys);
/* 32-bit BAR; size a power of two (>= 4 for I/O, >= 16 for memory). */
int pci_dev_add_bar(struct pci_dev *d, unsigned idx, uint32_t size, bool io);
/* Claims 0xcf8-0xcff. */
int pci_bus_register(struct vm *vm, struct pci_bus *b);

/* Config space as the guest sees it; absent functions read all-ones. */
uint32_t pci_cfg_read(struct pci_bus *b, unsigned devfn, unsigned off, unsigned size);
void pci_cfg_write(struct pci_bus *b, unsigned devfn, unsigned off, unsigned size, uint32_t val);

/* Little-endian accessors for models filling in their own headers. */
static inline uint16_t pci_get16(const struct pci_dev *d, unsigned off)
{
	return (uint16_t)(d->cfg[off] | d->cfg[off + 1] << 8);
}

static inline uint32_t pci_get32(const struct pci_dev *d, unsigned off)
{
	return pci_get16(d, off) | (uint32_t)pci_get16(d, off + 2) << 16;
}

static inline void pci_set16(uint8_t *p, unsigned off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static inline void pci_set32(uint8_t *p, unsigned off, uint32_t v)
{
	pci_set16(p, off, (uint16_t)v);
	pci_set16(p, off + 2, (uint16_t)(v >> 16));
}

/* Does a write to [off, off+size) touch [reg, reg+len)? */
static inline bool pci_overlaps(unsigned off, unsigned size, unsigned reg, unsigned len)
{
	return off < reg + len && reg < off + size;
}

#endif
