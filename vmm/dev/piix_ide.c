/* SPDX-License-Identifier: MIT */
/* The PIIX3 IDE function; see keel/dev/piix_ide.h. */
#include <keel/dev/piix_ide.h>
#include <keel/errno.h>
#include <keel/string.h>

#define IDE_TIMING_REGS 5 /* IDETIM primary and secondary, SIDETIM */

static void cfg_reset(struct pci_dev *d)
{
	memset(d->cfg, 0, sizeof(d->cfg));
	pci_dev_set_ids(d, 0x8086, PIIX3_IDE_DEVICE, PIIX_IDE_CLASS, 0, PCI_SUBVENDOR_QEMU,
			PCI_SUBDEVICE_QEMU);
	/* PCICMD resets to 0 (datasheet, QEMU); PCISTS: medium DEVSEL, fast back-to-back. */
	pci_set16(d->cfg, PCI_STATUS, PCI_STS_FAST_B2B | PCI_STS_DEVSEL_MEDIUM);
	pci_set16(d->cfg, PIIX_IDE_IDETIM_PRI, PIIX_IDETIM_IDE);
	pci_set16(d->cfg, PIIX_IDE_IDETIM_SEC, PIIX_IDETIM_IDE);
}

void piix_ide_reset(struct piix_ide *ide)
{
	cfg_reset(ide->dev);
	ata_channel_reset(&ide->chan[0]);
	ata_channel_reset(&ide->chan[1]);
}

int piix_ide_init(struct piix_ide *ide, struct pci_bus *b, const struct irq_line *pri,
		  const struct irq_line *sec)
{
	struct pci_dev *d = pci_bus_add(b, PIIX_IDE_SLOT, PIIX_IDE_FN);

	if (!d)
		return -EEXIST;
	ide->dev = d;
	/* Only I/O space and bus master enable exist in PCICMD; the rest of
	 * the device-specific space past the timing registers is reserved. */
	pci_set16(d->wmask, PCI_COMMAND, PCI_CMD_IO | PCI_CMD_MASTER);
	memset(&d->wmask[0x40], 0, PCI_CFG_SIZE - 0x40);
	memset(&d->wmask[PIIX_IDE_IDETIM_PRI], 0xff, IDE_TIMING_REGS);
	ata_channel_init(&ide->chan[0], pri);
	ata_channel_init(&ide->chan[1], sec);
	cfg_reset(d);
	return 0;
}

int piix_ide_register(struct vm *vm, struct piix_ide *ide)
{
	int rc = ata_register(vm, &ide->chan[0], PIIX_IDE_PRI_CMD, PIIX_IDE_PRI_CTL);

	if (!rc)
		rc = ata_register(vm, &ide->chan[1], PIIX_IDE_SEC_CMD, PIIX_IDE_SEC_CTL);
	return rc;
}
