/* SPDX-License-Identifier: MIT */
/*
 * The IDE primary master by PIO, as an ATA driver without DMA reads it
 * (ATA/ATAPI-6 9.7 "PIO data-in"): READ SECTORS with an LBA28 address and
 * up to 256 sectors per command, then per sector the status register
 * until DRQ, and the sector's 256 words with REP INSW (one exit: Keel's
 * string fast path moves up to a page per exit). Polled: nIEN set.
 */
#include <stdint.h>
#include "disk.h"
#include "hvmbench_io.h"

#define ATA_DATA   0x1f0
#define ATA_COUNT  0x1f2
#define ATA_LBA0   0x1f3
#define ATA_LBA1   0x1f4
#define ATA_LBA2   0x1f5
#define ATA_DEVICE 0x1f6
#define ATA_CMD    0x1f7 /* status on read */
#define ATA_CTL    0x3f6
#define ST_ERR 0x01
#define ST_DRQ 0x08
#define ST_BSY 0x80
#define CMD_READ_SECTORS 0x20

static int sector_in(uint16_t *p, struct io_count *n)
{
	uint64_t words = 256;
	uint8_t st;

	do {
		st = inb(ATA_CMD);
		n->exits++;
	} while ((st & ST_BSY) || !(st & (ST_DRQ | ST_ERR)));
	if (st & ST_ERR)
		return -1;
	__asm__ volatile("rep insw" : "+D"(p), "+c"(words) : "d"(ATA_DATA) : "memory");
	n->exits++;
	return 0;
}

int ide_read(uint32_t lba, uint32_t count, void *buf, struct io_count *n)
{
	uint16_t *p = buf;

	outb(ATA_CTL, 0x02); /* nIEN: no INTRQ */
	n->exits++;
	while (count) {
		uint32_t k = count < 256 ? count : 256;

		outb(ATA_DEVICE, (uint8_t)(0xe0 | (lba >> 24 & 0x0f))); /* LBA, master */
		outb(ATA_COUNT, (uint8_t)k);                            /* 0 is 256 */
		outb(ATA_LBA0, (uint8_t)lba);
		outb(ATA_LBA1, (uint8_t)(lba >> 8));
		outb(ATA_LBA2, (uint8_t)(lba >> 16));
		outb(ATA_CMD, CMD_READ_SECTORS);
		n->exits += 6;
		for (uint32_t i = 0; i < k; i++, p += 256)
			if (sector_in(p, n))
				return -1;
		lba += k;
		count -= k;
	}
	return 0;
}
