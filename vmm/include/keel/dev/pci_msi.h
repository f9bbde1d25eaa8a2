/* SPDX-License-Identifier: MIT */
/*
 * Message-signalled interrupts: the messages the local APIC takes (Intel
 * SDM Vol. 3A 11.11) and the MSI capability a PCI function carries in its
 * configuration space (PCI Local Bus Spec 3.0, 6.8.1).
 *
 * A device holds a struct msi_line (keel/msi.h) and sends address/data
 * pairs on it; the integrator connects the line to msi_to_lapic(), which
 * decodes the message and hands it to the vCPU's local APIC, or drops it
 * as a PC drops a message no APIC claims. A PCI function with the
 * capability calls pci_msi_notify() where it would raise INTx.
 */
#ifndef KEEL_DEV_PCI_MSI_H
#define KEEL_DEV_PCI_MSI_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/dev/pci.h>
#include <keel/msi.h>

/* SDM 11.11.1: the interrupt window every message address lies in. */
#define MSI_ADDR_BASE 0xfee00000u
#define MSI_ADDR_MASK 0xfff00000u
#define MSI_ADDR_DEST(id) ((uint32_t)(id) << 12)
#define MSI_ADDR_RH   (1u << 3)
#define MSI_ADDR_DM   (1u << 2) /* logical destination */
/* SDM 11.11.2: data. */
#define MSI_DATA_MODE(m)  ((uint32_t)(m) << 8) /* 0 fixed, 1 lowest priority, 4 NMI, ... */
#define MSI_DATA_ASSERT   (1u << 14)
#define MSI_DATA_LEVEL    (1u << 15)

struct msi_msg {
	uint8_t dest;    /* destination ID, address bits 19:12 */
	bool redirect;   /* RH */
	bool logical;    /* DM */
	uint8_t vector;
	uint8_t mode;    /* delivery mode, data bits 10:8 */
	bool assert;     /* level, data bit 14: what a level-triggered source now drives */
	bool level;      /* trigger mode, data bit 15 */
};

/* False for an address outside the interrupt window: that is a memory write, not an interrupt. */
bool msi_decode(uint64_t addr, uint32_t data, struct msi_msg *m);
/* A struct msi_line's send for the one local APIC of an hvm guest; ctx is its struct vlapic. */
void msi_to_lapic(void *ctx, uint64_t addr, uint32_t data);

/* The capability (PCI 3.0 6.8.1): 64-bit addresses, one vector, per-vector masking. */
#define PCI_CAP_ID_MSI       0x05
#define PCI_CAPABILITY_LIST  0x34
#define PCI_STS_CAP_LIST     BIT(4)
#define PCI_MSI_CAP_SIZE     0x18
#define PCI_MSI_CTL          0x02 /* offsets from the capability */
#define PCI_MSI_ADDR         0x04
#define PCI_MSI_ADDR_HI      0x08
#define PCI_MSI_DATA         0x0c
#define PCI_MSI_MASK         0x10
#define PCI_MSI_PENDING      0x14
#define PCI_MSI_CTL_ENABLE   BIT(0)
#define PCI_MSI_CTL_64BIT    BIT(7)
#define PCI_MSI_CTL_MASKABLE BIT(8)

struct pci_msi {
	struct pci_dev *dev;
	unsigned cap;         /* where the capability sits in config space */
	struct msi_line line; /* where messages go */
	uint64_t sent;        /* messages sent, for statistics */
};

/*
 * Give d the capability at cap (4-aligned, 0x40 up, PCI_MSI_CAP_SIZE bytes)
 * and link it into its capability list. Messages go to line. -EINVAL if it
 * does not fit.
 */
int pci_msi_init(struct pci_msi *m, struct pci_dev *d, unsigned cap, const struct msi_line *line);
/* Config space back to what pci_msi_init() set up (disabled, unmasked, nothing pending). */
void pci_msi_reset(struct pci_msi *m);
bool pci_msi_enabled(const struct pci_msi *m);
/*
 * The function signals its interrupt: with MSI enabled it sends the
 * message, or while the vector is masked marks it pending; returns whether
 * MSI is enabled (if not, the function uses INTx as before).
 */
bool pci_msi_notify(struct pci_msi *m);
/* For the function's cfg_write hook, after every write: unmasking sends what is pending. */
void pci_msi_cfg_write(struct pci_msi *m, unsigned off, unsigned size);

#endif
