/* SPDX-License-Identifier: MIT */
/* Message-signalled interrupts and the PCI MSI capability; see keel/dev/pci_msi.h. */
#include <keel/dev/pci_msi.h>
#include <keel/dev/vlapic.h>
#include <keel/errno.h>
#include <keel/string.h>

bool msi_decode(uint64_t addr, uint32_t data, struct msi_msg *m)
{
	if ((addr & ~(uint64_t)0xfffff) != MSI_ADDR_BASE)
		return false;
	*m = (struct msi_msg){
		.dest = (uint8_t)(addr >> 12),
		.redirect = addr & MSI_ADDR_RH,
		.logical = addr & MSI_ADDR_DM,
		.vector = (uint8_t)data,
		.mode = (data >> 8) & 7,
		.assert = data & MSI_DATA_ASSERT,
		.level = data & MSI_DATA_LEVEL,
	};
	return true;
}

/*
 * SDM 11.11.1 describes DM for RH = 1 and says it is ignored otherwise;
 * Keel reads the destination as DM says whatever RH is, as KVM and QEMU
 * do (Linux always sets RH = DM, so both readings agree for it). With one
 * vCPU, lowest priority is fixed delivery to the APIC the destination
 * names. A level-triggered deassert message has nothing to clear: the
 * local APIC keeps no line state.
 */
void msi_to_lapic(void *ctx, uint64_t addr, uint32_t data)
{
	struct msi_msg m;

	if (!msi_decode(addr, data, &m))
		return; /* a DMA write to memory: Keel's devices do not write guest RAM this way */
	if (m.level && !m.assert)
		return;
	vlapic_deliver(ctx, m.dest, m.logical, m.mode, m.vector, m.level);
}

static unsigned ctl(const struct pci_msi *m)
{
	return pci_get16(m->dev, m->cap + PCI_MSI_CTL);
}

bool pci_msi_enabled(const struct pci_msi *m)
{
	return ctl(m) & PCI_MSI_CTL_ENABLE;
}

/* PCI 3.0 6.8.1: a message is a memory write, which a function makes only as bus master. */
static void send(struct pci_msi *m)
{
	uint64_t addr = pci_get32(m->dev, m->cap + PCI_MSI_ADDR) |
			(uint64_t)pci_get32(m->dev, m->cap + PCI_MSI_ADDR_HI) << 32;

	if (!(pci_get16(m->dev, PCI_COMMAND) & PCI_CMD_MASTER))
		return;
	m->sent++;
	msi_send(&m->line, addr, pci_get16(m->dev, m->cap + PCI_MSI_DATA));
}

bool pci_msi_notify(struct pci_msi *m)
{
	if (!pci_msi_enabled(m))
		return false;
	if (m->dev->cfg[m->cap + PCI_MSI_MASK] & 1)
		m->dev->cfg[m->cap + PCI_MSI_PENDING] |= 1; /* sent when unmasked (6.8.1.8) */
	else
		send(m);
	return true;
}

void pci_msi_cfg_write(struct pci_msi *m, unsigned off, unsigned size)
{
	uint8_t *c = m->dev->cfg + m->cap;

	if (!pci_overlaps(off, size, m->cap, PCI_MSI_CAP_SIZE))
		return;
	if (pci_msi_enabled(m) && !(c[PCI_MSI_MASK] & 1) && (c[PCI_MSI_PENDING] & 1)) {
		c[PCI_MSI_PENDING] &= (uint8_t)~1;
		send(m);
	}
}

void pci_msi_reset(struct pci_msi *m)
{
	memset(m->dev->cfg + m->cap + PCI_MSI_CTL, 0, PCI_MSI_CAP_SIZE - PCI_MSI_CTL);
	/* One vector (Multiple Message Capable 0), 64-bit addresses, per-vector masking. */
	pci_set16(m->dev->cfg, m->cap + PCI_MSI_CTL, PCI_MSI_CTL_64BIT | PCI_MSI_CTL_MASKABLE);
}

/* The new capability goes last in the list; the list bit in the status says there is one. */
static void link_cap(struct pci_dev *d, unsigned cap)
{
	unsigned p = PCI_CAPABILITY_LIST, hops = 0;

	while (d->cfg[p] >= 0x40 && d->cfg[p] < 0xfc && hops++ < 48)
		p = d->cfg[p] + 1u;
	d->cfg[p] = (uint8_t)cap;
	d->cfg[cap + 1] = 0;
	pci_set16(d->cfg, PCI_STATUS, pci_get16(d, PCI_STATUS) | PCI_STS_CAP_LIST);
}

int pci_msi_init(struct pci_msi *m, struct pci_dev *d, unsigned cap, const struct msi_line *line)
{
	if (cap < 0x40 || cap % 4 || cap + PCI_MSI_CAP_SIZE > PCI_CFG_SIZE)
		return -EINVAL;
	*m = (struct pci_msi){ .dev = d, .cap = cap, .line = *line };
	d->cfg[cap] = PCI_CAP_ID_MSI;
	link_cap(d, cap);
	/* Writable: enable, multiple message enable, address (dword-aligned), data, the mask bit. */
	memset(d->wmask + cap, 0, PCI_MSI_CAP_SIZE);
	memset(d->w1c + cap, 0, PCI_MSI_CAP_SIZE);
	pci_set16(d->wmask, cap + PCI_MSI_CTL, PCI_MSI_CTL_ENABLE | GENMASK(6, 4));
	pci_set32(d->wmask, cap + PCI_MSI_ADDR, 0xfffffffc);
	pci_set32(d->wmask, cap + PCI_MSI_ADDR_HI, 0xffffffff);
	pci_set16(d->wmask, cap + PCI_MSI_DATA, 0xffff);
	d->wmask[cap + PCI_MSI_MASK] = 1;
	pci_msi_reset(m);
	return 0;
}
