/* SPDX-License-Identifier: MIT */
/*
 * The PIIX3 IDE function at 00:01.1 (8086:7010), as on QEMU's `-machine pc`:
 * class 0101h, programming interface 80h (both channels in legacy mode,
 * bus-master capable), so SeaBIOS and Linux find the channels at the fixed
 * ISA ports (0x1f0/0x3f6, IRQ 14; 0x170/0x376, IRQ 15) with nothing to
 * program. The channels are keel/dev/ata.h.
 *
 * No bus-master DMA: BAR4 (BMIBA) is left unimplemented, so it reads 0 and
 * sizes as absent. Linux's ata_pci_bmdma_init() then logs "BMDMA: BAR4 is
 * zero, falling back to PIO", clears the ports' MWDMA/UDMA masks and drives
 * the disk in PIO 4 (with READ/WRITE MULTIPLE). SeaBIOS's init_pciata()
 * takes a bus master only from a BAR4 that reads as I/O, so it uses PIO.
 * Declaring BAR4 without the engine behind it would make ata_piix pick
 * MWDMA and fail every transfer.
 *
 * IDETIM (0x40, 0x42) and SIDETIM (0x44) are plain storage for ata_piix's
 * PIO timings. Both IDETIM decode-enable bits (15) read 1 from reset,
 * unlike the datasheet's 0000h: SeaBIOS's piix_ide_setup() writes 8000h
 * anyway, and Linux's piix_pata_prereset() skips a channel whose bit is 0,
 * so this keeps the disk visible whatever the firmware did. The legacy
 * ports decode regardless of these bits and of PCICMD, as on QEMU.
 */
#ifndef KEEL_DEV_PIIX_IDE_H
#define KEEL_DEV_PIIX_IDE_H

#include <stdint.h>
#include <keel/dev/ata.h>
#include <keel/dev/pci.h>
#include <keel/irq.h>

#define PIIX_IDE_SLOT     1
#define PIIX_IDE_FN       1
#define PIIX3_IDE_DEVICE  0x7010 /* 82371SB function 1 */
#define PIIX_IDE_CLASS    0x010180

/* Configuration registers (PIIX3 datasheet, function 1). */
#define PIIX_IDE_IDETIM_PRI 0x40
#define PIIX_IDE_IDETIM_SEC 0x42
#define PIIX_IDE_SIDETIM    0x44
#define PIIX_IDETIM_IDE     BIT(15) /* IDE decode enable */

#define PIIX_IDE_PRI_CMD 0x1f0
#define PIIX_IDE_PRI_CTL 0x3f6
#define PIIX_IDE_SEC_CMD 0x170
#define PIIX_IDE_SEC_CTL 0x376
#define PIIX_IDE_PRI_IRQ 14
#define PIIX_IDE_SEC_IRQ 15

struct piix_ide {
	struct pci_dev *dev;
	struct ata_channel chan[2]; /* primary, secondary */
};

/* Adds 00:01.1 to the bus; irq lines for IRQ 14 and 15 (either may be NULL).
 * Attach disks afterwards with ata_attach_disk(&ide->chan[0], 0, ...). */
int piix_ide_init(struct piix_ide *ide, struct pci_bus *b, const struct irq_line *pri,
		  const struct irq_line *sec);
/* Platform reset: configuration space and both channels; disks stay. */
void piix_ide_reset(struct piix_ide *ide);
/* Claims the legacy ports of both channels: four I/O registry ranges. */
int piix_ide_register(struct vm *vm, struct piix_ide *ide);

#endif
