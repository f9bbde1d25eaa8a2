/* SPDX-License-Identifier: MIT */
/* The IDENTIFY DEVICE block of Keel's ATA disk (split from ata.c by purpose). */
#include "ata_priv.h"
#include <keel/bits.h>
#include <keel/string.h>

/* ---- IDENTIFY DEVICE (ATA/ATAPI-6, IDENTIFY DEVICE data) ---- */

static void put16(uint8_t *b, unsigned word, uint64_t v)
{
	b[2 * word] = (uint8_t)v;
	b[2 * word + 1] = (uint8_t)(v >> 8);
}

/* ATA strings: space-padded, first character in the high byte of a word. */
static void put_string(uint8_t *b, unsigned word, const char *s, unsigned len)
{
	for (unsigned i = 0; i < len; i++) {
		char ch = *s ? *s++ : ' ';

		b[2 * word + (i ^ 1)] = (uint8_t)ch;
	}
}

static unsigned cylinders(uint64_t sectors, unsigned heads, unsigned spt)
{
	uint64_t cyl = sectors / (heads * spt);

	return cyl > GEOM_MAX_CYL ? GEOM_MAX_CYL : (unsigned)cyl;
}

void ata_identify_fill(struct ata_drive *d, bool other)
{
	uint8_t *b = d->buf;
	uint64_t lba28 = d->sectors > LBA28_MAX ? LBA28_MAX : d->sectors;
	unsigned ccyl = cylinders(d->sectors, d->heads, d->spt);
	uint32_t ccap = (uint32_t)ccyl * d->heads * d->spt;
	char serial[] = "KEEL0000000000000000";
	uint8_t sum = 0;

	memset(b, 0, ATA_SECTOR_SIZE);
	serial[sizeof(serial) - 2] = (char)('0' + d->unit);
	put16(b, 0, 0x0040); /* ATA device, fixed */
	put16(b, 1, cylinders(d->sectors, GEOM_HEADS, GEOM_SPT));
	put16(b, 3, GEOM_HEADS);
	put16(b, 6, GEOM_SPT);
	put_string(b, 10, serial, 20);
	put_string(b, 23, "1.0", 8);
	put_string(b, 27, ATA_MODEL, 40);
	put16(b, 47, 0x8000 | ATA_MAX_MULT);
	put16(b, 48, 1); /* ATA-1 "doubleword I/O": 32-bit data accesses work */
	put16(b, 49, BIT(11) | BIT(9)); /* IORDY, LBA; no DMA (no bus master) */
	put16(b, 50, BIT(14));
	put16(b, 51, 0x0200); /* obsolete PIO timing mode 2 */
	/*
	 * Words 64-70 and 54-58 valid; not word 88 (bit 2): with no UDMA
	 * mode to report, EDK2 (SataControllerDxe CalculateBestUdmaMode)
	 * would still take a valid word 88 of 0 for UDMA 0, and drop the
	 * disk when SET FEATURES refuses that mode.
	 */
	put16(b, 53, BIT(1) | BIT(0));
	put16(b, 54, ccyl);
	put16(b, 55, d->heads);
	put16(b, 56, d->spt);
	put16(b, 57, ccap);
	put16(b, 58, ccap >> 16);
	if (d->mult)
		put16(b, 59, 0x0100 | d->mult); /* Linux uses multiple mode only if set */
	put16(b, 60, lba28);
	put16(b, 61, lba28 >> 16);
	put16(b, 64, 0x0003); /* PIO modes 3 and 4 */
	put16(b, 67, 120);    /* PIO cycle times, ns (PIO 4) */
	put16(b, 68, 120);
	put16(b, 80, 0x0070); /* ATA/ATAPI-4, -5, -6 */
	put16(b, 82, BIT(14)); /* NOP (which aborts, as it must) */
	put16(b, 83, BIT(14) | BIT(13) | BIT(12) | BIT(10)); /* FLUSH EXT, FLUSH, 48-bit */
	put16(b, 84, BIT(14));
	put16(b, 85, BIT(14));
	put16(b, 86, BIT(13) | BIT(12) | BIT(10));
	put16(b, 87, BIT(14));
	/*
	 * Word 93, hardware reset result: device 0 numbered by jumper (bits
	 * 2:1 = 01) and passed diagnostics (bit 3); alone, it answers for
	 * device 1 (bit 6), which SeaBIOS's ata_detect() takes as "no slave";
	 * with a device 1 it saw PDIAG- and DASP- (bits 4, 5).
	 */
	if (d->unit)
		put16(b, 93, BIT(14) | BIT(9) | BIT(8));
	else
		put16(b, 93, BIT(14) | (other ? BIT(5) | BIT(4) : BIT(6)) | BIT(3) | BIT(1) | BIT(0));
	for (unsigned i = 0; i < 4; i++)
		put16(b, 100 + i, d->sectors >> (16 * i));
	/* Word 255: integrity signature A5h and a checksum making the sum 0. */
	b[510] = 0xa5;
	for (unsigned i = 0; i < 511; i++)
		sum = (uint8_t)(sum + b[i]);
	b[511] = (uint8_t)-sum;
}
