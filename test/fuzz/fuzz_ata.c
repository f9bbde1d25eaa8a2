/* SPDX-License-Identifier: MIT */
/*
 * The PIIX3 IDE function and its ATA channels (vmm/dev/piix_ide.c, ata.c)
 * alone: the primary master holds a disk as hvm_build.c attaches it, with a
 * partial last sector; the secondary channel has only a device 1, which
 * the model supports though Keel does not wire one yet. The disks are heap
 * buffers of exactly their size, so ASan sees any access past them. Reset
 * is the platform's (piix_ide_reset: disks stay).
 */
#include <stdlib.h>
#include <string.h>

#include <keel/dev/ata.h>
#include <keel/dev/pci.h>
#include <keel/dev/piix_ide.h>
#include <keel/vm.h>

#include "fuzz.h"

#define DISK0_BYTES (64 * ATA_SECTOR_SIZE + 100)
#define DISK1_BYTES (8 * ATA_SECTOR_SIZE)

static struct vm vm;
static struct pci_bus bus;
static struct piix_ide ide;
static uint8_t *disk0, *disk1;

static void fill(uint8_t *d, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)(i / ATA_SECTOR_SIZE + seed);
}

static void build(void)
{
	struct irq_line irq14, irq15;

	memset(&vm, 0, sizeof(vm));
	memset(&fuzz_irqs, 0, sizeof(fuzz_irqs));
	irq14 = fuzz_irq_line(14);
	irq15 = fuzz_irq_line(15);
	pci_bus_init(&bus);
	FUZZ_CHECK(!piix_ide_init(&ide, &bus, &irq14, &irq15) &&
		   !ata_attach_disk(&ide.chan[0], 0, disk0, DISK0_BYTES) &&
		   !ata_attach_disk(&ide.chan[1], 1, disk1, DISK1_BYTES) &&
		   !pci_bus_register(&vm, &bus) && !piix_ide_register(&vm, &ide),
		   "the IDE function and its disks set up");
}

static void reset(struct vm *v)
{
	(void)v;
	piix_ide_reset(&ide);
}

static void after_op(struct vm *v)
{
	(void)v;
	for (unsigned i = 0; i < 2; i++) {
		const struct ata_channel *c = &ide.chan[i];

		FUZZ_CHECK(c->irq_level == fuzz_irqs.level[14 + i],
			   "ATA: INTRQ is what the channel says it drives");
		for (unsigned u = 0; u < 2; u++)
			FUZZ_CHECK(c->drive[u].pos < ATA_SECTOR_SIZE,
				   "ATA: the data phase stays inside the sector buffer");
	}
}

static const struct fuzz_target target = { .after_op = after_op, .reset = reset };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!disk0) {
		disk0 = malloc(DISK0_BYTES);
		disk1 = malloc(DISK1_BYTES);
		fill(disk0, DISK0_BYTES, 0);
		fill(disk1, DISK1_BYTES, 0x80);
	}
	fuzz_now = 0;
	build();
	fuzz_run_ops(&vm, data, size, &target);
	/* The next input starts from the same disks. */
	if (ide.chan[0].drive[0].written)
		fill(disk0, DISK0_BYTES, 0);
	if (ide.chan[1].drive[1].written)
		fill(disk1, DISK1_BYTES, 0x80);
	return 0;
}
