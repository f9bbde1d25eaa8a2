/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the ATA disk and the PIIX3 IDE function (vmm/dev/ata.c,
 * vmm/dev/piix_ide.c). The guest side goes through the real I/O registry
 * (vmm/io.c) as port accesses, the way a driver would: the probes replay
 * what SeaBIOS (src/hw/ata.c ata_detect) and Linux (libata-sff softreset
 * and classify) do, and a test irq_line records every INTRQ edge.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/dev/ata.h>
#include <keel/dev/pci.h>
#include <keel/dev/piix_ide.h>
#include <keel/errno.h>
#include <keel/vm.h>

#define PRI 0x1f0
#define CTL 0x3f6
#define SEC 0x170
#define SEC_CTL 0x376
#define SECTORS 2048u /* 1 MiB */

static struct vm vm;
static struct pci_bus bus;
static struct piix_ide ide;
static uint8_t disk[SECTORS * ATA_SECTOR_SIZE];
static uint8_t disk2[64 * ATA_SECTOR_SIZE];

/* INTRQ as the PIC would see it, per ISA IRQ. */
static struct {
	int level;
	unsigned rises, falls;
} line[16];

static void irq_record(void *ctx, unsigned gsi, bool level)
{
	assert_ptr_equal(ctx, &ide);
	assert_true(gsi == 14 || gsi == 15);
	assert_int_not_equal(line[gsi].level, level); /* only changes are driven */
	line[gsi].level = level;
	if (level)
		line[gsi].rises++;
	else
		line[gsi].falls++;
}

static const struct irq_line irq14 = { irq_record, &ide, 14 };
static const struct irq_line irq15 = { irq_record, &ide, 15 };

static uint8_t pat(uint64_t lba, unsigned off)
{
	return (uint8_t)(lba * 131 + off * 7 + (off >> 8) + (lba >> 8));
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(&ide, 0xa5, sizeof(ide));
	memset(line, 0, sizeof(line));
	for (unsigned s = 0; s < SECTORS; s++)
		for (unsigned i = 0; i < ATA_SECTOR_SIZE; i++)
			disk[s * ATA_SECTOR_SIZE + i] = pat(s, i);
	pci_bus_init(&bus);
	assert_int_equal(piix_ide_init(&ide, &bus, &irq14, &irq15), 0);
	assert_int_equal(ata_attach_disk(&ide.chan[0], 0, disk, sizeof(disk)), 0);
	assert_int_equal(pci_bus_register(&vm, &bus), 0);
	assert_int_equal(piix_ide_register(&vm, &ide), 0);
	assert_int_equal(line[14].rises + line[15].rises, 0);
	return 0;
}

/* ---- Port I/O as the guest does it ---- */

static uint32_t in(uint16_t port, unsigned size)
{
	struct io_access a = { .addr = port, .size = size, .write = false, .value = 0xdeadbeef };

	assert_int_equal(io_pio(&vm, &a), 0);
	return (uint32_t)a.value;
}

static void out(uint16_t port, unsigned size, uint32_t v)
{
	struct io_access a = { .addr = port, .size = size, .write = true, .value = v };

	assert_int_equal(io_pio(&vm, &a), 0);
}

static uint8_t in8(uint16_t port)
{
	return (uint8_t)in(port, 1);
}

static void out8(uint16_t port, uint8_t v)
{
	out(port, 1, v);
}

#define ST_READY (ATA_SR_DRDY | ATA_SR_DSC)
#define ST_DRQ   (ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ)
#define ST_ERR   (ATA_SR_DRDY | ATA_SR_ERR)

/* LBA28 command on the master. */
static void issue(uint8_t feature, uint8_t nsect, uint32_t lba, uint8_t cmd)
{
	out8(PRI + ATA_REG_DEVICE, (uint8_t)(0xe0 | (lba >> 24 & 0x0f)));
	out8(PRI + ATA_REG_FEATURE, feature);
	out8(PRI + ATA_REG_NSECT, nsect);
	out8(PRI + ATA_REG_LBAL, (uint8_t)lba);
	out8(PRI + ATA_REG_LBAM, (uint8_t)(lba >> 8));
	out8(PRI + ATA_REG_LBAH, (uint8_t)(lba >> 16));
	out8(PRI + ATA_REG_CMD, cmd);
}

/* 48-bit command: high-order bytes first, as Linux's ata_sff_tf_load. */
static void issue48(uint64_t lba, uint16_t count, uint8_t cmd)
{
	out8(PRI + ATA_REG_DEVICE, 0x40);
	out8(PRI + ATA_REG_NSECT, (uint8_t)(count >> 8));
	out8(PRI + ATA_REG_LBAL, (uint8_t)(lba >> 24));
	out8(PRI + ATA_REG_LBAM, (uint8_t)(lba >> 32));
	out8(PRI + ATA_REG_LBAH, (uint8_t)(lba >> 40));
	out8(PRI + ATA_REG_NSECT, (uint8_t)count);
	out8(PRI + ATA_REG_LBAL, (uint8_t)lba);
	out8(PRI + ATA_REG_LBAM, (uint8_t)(lba >> 8));
	out8(PRI + ATA_REG_LBAH, (uint8_t)(lba >> 16));
	out8(PRI + ATA_REG_CMD, cmd);
}

/* A non-data command's end: one interrupt, acknowledged by Status. */
static void expect_done(uint8_t status, uint8_t error)
{
	unsigned rises = line[14].rises;

	assert_int_equal(line[14].level, 1);
	assert_int_equal(in8(CTL), status); /* Alternate Status leaves INTRQ alone */
	assert_int_equal(line[14].level, 1);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), status);
	assert_int_equal(line[14].level, 0);
	assert_int_equal(in8(PRI + ATA_REG_ERROR), error);
	assert_int_equal(line[14].rises, rises);
}

/* Read one sector of data-in with 16- or 32-bit accesses. */
static void read_sector(uint8_t *buf, unsigned size)
{
	for (unsigned i = 0; i < ATA_SECTOR_SIZE; i += size) {
		uint32_t v = in(PRI + ATA_REG_DATA, size);

		for (unsigned b = 0; b < size; b++)
			buf[i + b] = (uint8_t)(v >> (8 * b));
	}
}

static void write_sector(const uint8_t *buf, unsigned size)
{
	for (unsigned i = 0; i < ATA_SECTOR_SIZE; i += size) {
		uint32_t v = 0;

		for (unsigned b = 0; b < size; b++)
			v |= (uint32_t)buf[i + b] << (8 * b);
		out(PRI + ATA_REG_DATA, size, v);
	}
}

static void expect_sector(const uint8_t *buf, uint64_t lba)
{
	for (unsigned i = 0; i < ATA_SECTOR_SIZE; i++)
		if (buf[i] != pat(lba, i))
			fail_msg("sector %llu byte %u: %#x, want %#x", (unsigned long long)lba, i,
				 buf[i], pat(lba, i));
}

static void identify_words(uint16_t *w)
{
	uint8_t buf[ATA_SECTOR_SIZE];

	issue(0, 0, 0, ATA_CMD_IDENTIFY);
	assert_int_equal(line[14].level, 1);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
	read_sector(buf, 2);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_READY);
	for (unsigned i = 0; i < 256; i++)
		w[i] = (uint16_t)(buf[2 * i] | buf[2 * i + 1] << 8);
}

/* An ATA string back in reading order: high byte first in each word. */
static void ata_string(const uint16_t *w, unsigned words, char *s)
{
	for (unsigned i = 0; i < words; i++) {
		s[2 * i] = (char)(w[i] >> 8);
		s[2 * i + 1] = (char)w[i];
	}
	s[2 * words] = 0;
}

/* ---- The probes of SeaBIOS and Linux, replayed ---- */

enum { DEV_NONE, DEV_ATA, DEV_ATAPI };

/* libata-sff ata_devchk(): does the pattern stick? */
static bool linux_devchk(uint16_t base, uint16_t ctl, unsigned dev)
{
	out8(base + ATA_REG_DEVICE, (uint8_t)(0xa0 | dev << 4));
	in8(ctl);
	out8(base + ATA_REG_NSECT, 0x55);
	out8(base + ATA_REG_LBAL, 0xaa);
	out8(base + ATA_REG_NSECT, 0xaa);
	out8(base + ATA_REG_LBAL, 0x55);
	out8(base + ATA_REG_NSECT, 0x55);
	out8(base + ATA_REG_LBAL, 0xaa);
	return in8(base + ATA_REG_NSECT) == 0x55 && in8(base + ATA_REG_LBAL) == 0xaa;
}

/* libata-sff ata_sff_dev_classify(). */
static int linux_classify(uint16_t base, unsigned dev, bool present, uint8_t *err)
{
	bool diag_failed = false;
	uint8_t lbam, lbah;

	out8(base + ATA_REG_DEVICE, (uint8_t)(0xa0 | dev << 4));
	in8(base + ATA_REG_STATUS);
	*err = in8(base + ATA_REG_ERROR);
	lbam = in8(base + ATA_REG_LBAM);
	lbah = in8(base + ATA_REG_LBAH);
	if (*err == 0)
		diag_failed = true;
	else if (*err != 1 && !(dev == 0 && *err == 0x81))
		return DEV_NONE;
	if (lbam == 0 && lbah == 0)
		return in8(base + ATA_REG_STATUS) ? DEV_ATA : DEV_NONE;
	if (lbam == 0x14 && lbah == 0xeb)
		return DEV_ATAPI;
	return present && diag_failed ? DEV_ATA : DEV_NONE;
}

/* libata-sff ata_sff_softreset() on a slave-capable PATA port. */
static void linux_softreset(uint16_t base, uint16_t ctl, int *classes)
{
	bool p0 = linux_devchk(base, ctl, 0), p1 = linux_devchk(base, ctl, 1);
	uint8_t err;

	out8(base + ATA_REG_DEVICE, 0xa0);
	out8(ctl, 0x08);
	out8(ctl, 0x08 | ATA_CTL_SRST);
	out8(ctl, 0x08);
	/* ata_sff_wait_ready(): BSY clear (0xff would mean no device) */
	assert_int_equal(in8(base + ATA_REG_STATUS) & ATA_SR_BSY, 0);
	if (p1) {
		out8(base + ATA_REG_DEVICE, 0xb0);
		assert_int_equal(in8(base + ATA_REG_STATUS) & ATA_SR_BSY, 0);
	}
	classes[0] = linux_classify(base, 0, p0, &err);
	classes[1] = err == 0x81 ? DEV_NONE : linux_classify(base, 1, p1, &err);
}

/* SeaBIOS's send_cmd() + ata_wait_data() for a PIO data-in command. */
static bool seabios_pio_in(uint16_t base, uint16_t ctl, unsigned slave, uint8_t cmd,
			   uint16_t *w)
{
	uint8_t st, buf[ATA_SECTOR_SIZE];
	bool ok;

	out8(ctl, 0x08 | ATA_CTL_NIEN);
	assert_int_equal(in8(base + ATA_REG_STATUS) & ATA_SR_BSY, 0);
	out8(base + ATA_REG_DEVICE, slave ? 0xb0 : 0xa0);
	for (unsigned r = ATA_REG_FEATURE; r <= ATA_REG_LBAH; r++)
		out8((uint16_t)(base + r), 0);
	out8(base + ATA_REG_CMD, cmd);
	st = in8(base + ATA_REG_STATUS);
	ok = !(st & ATA_SR_BSY) && !(st & ATA_SR_ERR) && (st & ATA_SR_DRQ);
	if (ok) {
		read_sector(buf, 2);
		for (unsigned i = 0; i < 256; i++)
			w[i] = (uint16_t)(buf[2 * i] | buf[2 * i + 1] << 8);
		in8(ctl);
		ok = !(in8(base + ATA_REG_STATUS) & (ATA_SR_BSY | ATA_SR_DRQ | ATA_SR_ERR));
	}
	out8(ctl, 0x08);
	return ok;
}

/* SeaBIOS ata_detect(): returns a mask of the ATA disks found; *probed
 * counts the device slots it got as far as the 0x55/0xaa test on. */
static unsigned seabios_detect(uint16_t base, uint16_t ctl, unsigned *probed)
{
	unsigned found = 0;
	bool didreset = false;
	uint16_t w[256];

	*probed = 0;
	for (unsigned slave = 0; slave <= 1; slave++) {
		uint8_t newdh = slave ? 0xb0 : 0xa0, dh, sc, sn;

		assert_int_equal(in8(base + ATA_REG_STATUS) & ATA_SR_BSY, 0);
		out8(base + ATA_REG_DEVICE, newdh);
		assert_int_equal(in8(base + ATA_REG_STATUS) & ATA_SR_BSY, 0);
		out8(base + ATA_REG_DEVICE, newdh);
		dh = in8(base + ATA_REG_DEVICE);
		out8(base + ATA_REG_NSECT, 0x55);
		out8(base + ATA_REG_LBAL, 0xaa);
		sc = in8(base + ATA_REG_NSECT);
		sn = in8(base + ATA_REG_LBAL);
		(*probed)++;
		if (sc != 0x55 || sn != 0xaa || dh != newdh)
			continue;
		if (!didreset) { /* ata_reset() */
			out8(ctl, 0x08 | ATA_CTL_NIEN | ATA_CTL_SRST);
			out8(ctl, 0x08 | ATA_CTL_NIEN);
			assert_int_equal(in8(base + ATA_REG_STATUS) & ATA_SR_BSY, 0);
			out8(base + ATA_REG_DEVICE, newdh);
			out8(ctl, 0x08);
			didreset = true;
		}
		if (seabios_pio_in(base, ctl, slave, ATA_CMD_IDENTIFY_PACKET, w))
			fail_msg("an ATAPI device answered");
		if (!in8(base + ATA_REG_STATUS))
			continue; /* "Status not set - can't be a valid drive" */
		assert_true(in8(base + ATA_REG_STATUS) & ATA_SR_DRDY);
		if (!seabios_pio_in(base, ctl, slave, ATA_CMD_IDENTIFY, w))
			continue;
		found |= 1u << slave;
		if (!slave && (w[93] & 0xdf61) == 0x4041)
			break; /* device 0 answers for device 1: no slave */
	}
	return found;
}

/* ---- Tests ---- */

static void test_power_on_signature(void **state)
{
	(void)state;
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_READY);
	assert_int_equal(in8(CTL), ST_READY);
	assert_int_equal(in8(PRI + ATA_REG_ERROR), 0x01);
	assert_int_equal(in8(PRI + ATA_REG_NSECT), 1);
	assert_int_equal(in8(PRI + ATA_REG_LBAL), 1);
	assert_int_equal(in8(PRI + ATA_REG_LBAM), 0);
	assert_int_equal(in8(PRI + ATA_REG_LBAH), 0);
	assert_int_equal(in8(PRI + ATA_REG_DEVICE), 0);
	assert_int_equal(line[14].level, 0);
}

static void test_soft_reset(void **state)
{
	uint8_t buf[ATA_SECTOR_SIZE];

	(void)state;
	issue(0, 4, 10, ATA_CMD_READ);
	assert_int_equal(line[14].level, 1);
	in(PRI, 2);
	out8(PRI + ATA_REG_DEVICE, 0xb0); /* ignored: DRQ is set */
	out8(PRI + ATA_REG_LBAM, 0x77);   /* ignored too */
	assert_int_equal(in8(PRI + ATA_REG_DEVICE), 0xe0);
	assert_int_equal(in8(PRI + ATA_REG_LBAM), 0);
	/* SRST: busy, the command and its interrupt are gone. */
	out8(CTL, ATA_CTL_SRST);
	assert_int_equal(line[14].level, 0);
	assert_int_equal(in8(CTL), ATA_SR_BSY | ATA_SR_DSC);
	out8(CTL, 0);
	assert_int_equal(in8(CTL), ST_READY);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_READY);
	assert_int_equal(in8(PRI + ATA_REG_ERROR), 0x01);
	assert_int_equal(in8(PRI + ATA_REG_NSECT), 1);
	assert_int_equal(in8(PRI + ATA_REG_LBAL), 1);
	assert_int_equal(in8(PRI + ATA_REG_LBAM), 0);
	assert_int_equal(in8(PRI + ATA_REG_LBAH), 0);
	assert_int_equal(in8(PRI + ATA_REG_DEVICE), 0);
	assert_int_equal(in(PRI, 2), 0); /* no data phase left */
	assert_int_equal(line[14].level, 0);
	/* The disk works after the reset. */
	issue(0, 1, 11, ATA_CMD_READ);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
	read_sector(buf, 4);
	expect_sector(buf, 11);
}

static void test_probe_seabios(void **state)
{
	unsigned probed;

	(void)state;
	/* One disk, and word 93 makes ata_detect() skip the slave. */
	assert_int_equal(seabios_detect(PRI, CTL, &probed), 1);
	assert_int_equal(probed, 1);
	/* The empty secondary channel: nothing, found at once. */
	assert_int_equal(seabios_detect(SEC, SEC_CTL, &probed), 0);
	assert_int_equal(probed, 2);
	assert_int_equal(line[14].rises + line[15].rises, 0); /* nIEN throughout */
}

static void test_probe_linux(void **state)
{
	int classes[2];

	(void)state;
	linux_softreset(PRI, CTL, classes);
	assert_int_equal(classes[0], DEV_ATA);
	assert_int_equal(classes[1], DEV_NONE);
	linux_softreset(SEC, SEC_CTL, classes);
	assert_int_equal(classes[0], DEV_NONE);
	assert_int_equal(classes[1], DEV_NONE);
}

/* The absent slave: registers echo, Status is 00h, commands go nowhere. */
static void test_absent_slave(void **state)
{
	(void)state;
	out8(PRI + ATA_REG_DEVICE, 0xb0);
	assert_int_equal(in8(PRI + ATA_REG_DEVICE), 0xb0);
	out8(PRI + ATA_REG_NSECT, 0x55);
	out8(PRI + ATA_REG_LBAL, 0xaa);
	assert_int_equal(in8(PRI + ATA_REG_NSECT), 0x55);
	assert_int_equal(in8(PRI + ATA_REG_LBAL), 0xaa);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), 0);
	assert_int_equal(in8(CTL), 0);
	out8(PRI + ATA_REG_CMD, ATA_CMD_IDENTIFY);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), 0);
	assert_int_equal(in(PRI, 2), 0);
	assert_int_equal(line[14].rises, 0);
	/* The master did not run it either. */
	out8(PRI + ATA_REG_DEVICE, 0xa0);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_READY);
	assert_int_equal(line[14].rises, 0);
}

static void test_empty_channel(void **state)
{
	(void)state;
	for (unsigned dev = 0; dev < 2; dev++) {
		out8(SEC + ATA_REG_DEVICE, (uint8_t)(0xa0 | dev << 4));
		out8(SEC + ATA_REG_NSECT, 0x55);
		for (unsigned r = 1; r < 8; r++)
			assert_int_equal(in8((uint16_t)(SEC + r)), 0);
		assert_int_equal(in8(SEC_CTL), 0);
		assert_int_equal(in(SEC, 2), 0);
		out8(SEC + ATA_REG_CMD, ATA_CMD_IDENTIFY);
		assert_int_equal(in8(SEC + ATA_REG_STATUS), 0);
	}
	assert_int_equal(line[15].rises, 0);
}

static void test_identify(void **state)
{
	uint16_t w[256];
	char s[41];
	uint8_t sum = 0;

	(void)state;
	identify_words(w);
	ata_string(&w[27], 20, s);
	assert_string_equal(s, "KEEL HARDDISK                           ");
	ata_string(&w[10], 10, s);
	assert_string_equal(s, "KEEL0000000000000000");
	ata_string(&w[23], 4, s);
	assert_string_equal(s, "1.0     ");
	assert_int_equal(w[0] & 0x8000, 0); /* ATA, not PACKET */
	assert_int_equal(w[1], SECTORS / (16 * 63));
	assert_int_equal(w[3], 16);
	assert_int_equal(w[6], 63);
	assert_int_equal(w[47], 0x8000 | ATA_MAX_MULT);
	assert_true(w[49] & (1 << 9)); /* LBA */
	assert_false(w[49] & (1 << 8)); /* no DMA */
	assert_int_equal(w[53] & 7, 3); /* words 64-70, 54-58 valid; 88 not: no UDMA */
	assert_int_equal(w[59], 0x0100 | ATA_MAX_MULT);
	assert_int_equal(w[60] | (uint32_t)w[61] << 16, SECTORS);
	assert_int_equal(w[63], 0);
	assert_int_equal(w[64], 3);
	assert_true(w[80] & (1 << 6)); /* ATA/ATAPI-6 */
	assert_int_equal(w[83] & 0xc000, 0x4000);
	assert_true(w[83] & (1 << 10)); /* 48-bit supported */
	assert_true(w[86] & (1 << 10)); /* and enabled */
	assert_int_equal(w[88], 0);
	assert_int_equal(w[63], 0); /* no multiword DMA either */
	assert_int_equal(w[93], 0x404b);
	assert_int_equal(w[100] | (uint64_t)w[101] << 16 | (uint64_t)w[102] << 32 |
				 (uint64_t)w[103] << 48,
			 SECTORS);
	for (unsigned i = 0; i < 256; i++)
		sum = (uint8_t)(sum + (w[i] & 0xff) + (w[i] >> 8));
	assert_int_equal(w[255] & 0xff, 0xa5);
	assert_int_equal(sum, 0);
	/* No interrupt after the data-in block was taken. */
	assert_int_equal(line[14].rises, 1);
	assert_int_equal(line[14].level, 0);
}

/* The highest bit set in v, 0 if none. */
static unsigned top_bit(unsigned v)
{
	unsigned n = 0;

	while (v >>= 1)
		n++;
	return n;
}

/*
 * OVMF's probe in IDE mode (EDK2 AtaAtapiPassThruDxe IdeMode.c
 * DetectAndConfigIdeDevice, SataControllerDxe IdeInitCalculateMode):
 * EXECUTE DEVICE DIAGNOSTIC, the ATA signature, IDENTIFY; SET FEATURES for
 * the best PIO mode (word 64, limited by word 68's cycle time) and, when
 * word 53 bit 2 says word 88 is valid, for the UDMA mode of word 88's
 * highest bit, which is UDMA 0 even when word 88 is 0. A SET FEATURES that
 * fails drops the device: OVMF mapped no disk while Keel's word 53 said
 * so. Then INITIALIZE DEVICE PARAMETERS and SET MULTIPLE, as EDK2 sends them.
 */
static void test_probe_edk2(void **state)
{
	uint16_t w[256];
	unsigned pio;

	(void)state;
	out8(PRI + ATA_REG_DEVICE, 0xe0);
	out8(PRI + ATA_REG_CMD, ATA_CMD_DIAGNOSE);
	assert_int_equal(in8(PRI + ATA_REG_STATUS) & ATA_SR_BSY, 0);
	out8(PRI + ATA_REG_DEVICE, 0xe0);
	assert_int_equal(in8(PRI + ATA_REG_NSECT), 1);
	assert_int_equal(in8(PRI + ATA_REG_LBAL), 1);
	assert_int_equal(in8(PRI + ATA_REG_LBAM), 0);
	assert_int_equal(in8(PRI + ATA_REG_LBAH), 0);
	identify_words(w);
	assert_true(w[53] & 2);
	pio = w[64] & 0xff ? top_bit(w[64] & 0xff) + 3 : w[51] >> 8;
	pio = pio > 4 ? 4 : pio;
	if (w[68] > 120)
		pio = w[68] <= 180 ? 3 : 2;
	assert_int_equal(pio, 4);
	issue(ATA_SETFEATURES_XFER, (uint8_t)(0x08 | pio), 0, ATA_CMD_SET_FEATURES);
	expect_done(ST_READY, 0);
	if (w[53] & 4) {
		issue(ATA_SETFEATURES_XFER, (uint8_t)(0x40 | top_bit(w[88] & 0x7f)), 0,
		      ATA_CMD_SET_FEATURES);
		expect_done(ST_READY, 0);
	}
	out8(PRI + ATA_REG_NSECT, (uint8_t)w[6]);
	out8(PRI + ATA_REG_DEVICE, (uint8_t)(w[3] - 1));
	out8(PRI + ATA_REG_CMD, ATA_CMD_INIT_PARAMS);
	expect_done(ST_READY, 0);
	out8(PRI + ATA_REG_NSECT, (uint8_t)w[47]);
	out8(PRI + ATA_REG_DEVICE, 0);
	out8(PRI + ATA_REG_CMD, ATA_CMD_SET_MULTIPLE);
	expect_done(ST_READY, 0);
}

/* Data-in: INTRQ and DRQ for every sector, nothing after the last. */
static void read_sectors(unsigned size)
{
	uint8_t buf[ATA_SECTOR_SIZE];

	issue(0, 3, 5, ATA_CMD_READ);
	for (unsigned s = 0; s < 3; s++) {
		assert_int_equal(line[14].level, 1);
		assert_int_equal(line[14].rises, s + 1);
		assert_int_equal(in8(CTL), ST_DRQ);
		assert_int_equal(line[14].level, 1);
		assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
		assert_int_equal(line[14].level, 0);
		read_sector(buf, size);
		expect_sector(buf, 5 + s);
	}
	assert_int_equal(line[14].level, 0);
	assert_int_equal(line[14].rises, 3);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_READY);
	assert_int_equal(in(PRI, size), 0);
}

static void test_read_sectors_16(void **state)
{
	(void)state;
	read_sectors(2);
}

static void test_read_sectors_32(void **state)
{
	(void)state;
	read_sectors(4);
}

static void test_nien(void **state)
{
	uint8_t buf[ATA_SECTOR_SIZE];

	(void)state;
	out8(CTL, ATA_CTL_NIEN);
	issue(0, 2, 7, ATA_CMD_READ);
	for (unsigned s = 0; s < 2; s++) {
		assert_int_equal(in8(CTL), ST_DRQ); /* polling Alternate Status */
		read_sector(buf, 2);
		expect_sector(buf, 7 + s);
	}
	assert_int_equal(in8(CTL), ST_READY);
	assert_int_equal(line[14].rises, 0);
	/* A pending interrupt shows once nIEN clears, unless Status took it. */
	issue(0, 0, 0, ATA_CMD_FLUSH);
	assert_int_equal(line[14].rises, 0);
	out8(CTL, 0);
	assert_int_equal(line[14].level, 1);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_READY);
	assert_int_equal(line[14].level, 0);
	out8(CTL, ATA_CTL_NIEN);
	issue(0, 0, 0, ATA_CMD_FLUSH);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_READY);
	out8(CTL, 0);
	assert_int_equal(line[14].rises, 1);
	assert_int_equal(line[14].level, 0);
}

static void test_hob_readback(void **state)
{
	(void)state;
	out8(PRI + ATA_REG_NSECT, 0x12);
	out8(PRI + ATA_REG_NSECT, 0x34);
	out8(PRI + ATA_REG_LBAL, 0x56);
	out8(PRI + ATA_REG_LBAL, 0x78);
	out8(PRI + ATA_REG_LBAH, 0x9a);
	out8(PRI + ATA_REG_LBAH, 0xbc);
	out8(CTL, ATA_CTL_HOB);
	assert_int_equal(in8(PRI + ATA_REG_NSECT), 0x12);
	assert_int_equal(in8(PRI + ATA_REG_LBAL), 0x56);
	assert_int_equal(in8(PRI + ATA_REG_LBAH), 0x9a);
	assert_int_equal(in8(CTL), ST_READY); /* Alternate Status has no HOB byte */
	out8(CTL, 0);
	assert_int_equal(in8(PRI + ATA_REG_NSECT), 0x34);
	assert_int_equal(in8(PRI + ATA_REG_LBAL), 0x78);
	assert_int_equal(in8(PRI + ATA_REG_LBAH), 0xbc);
	/* A Command Block write clears HOB. */
	out8(CTL, ATA_CTL_HOB);
	out8(PRI + ATA_REG_LBAM, 0);
	assert_int_equal(in8(PRI + ATA_REG_NSECT), 0x34);
}

static void test_read_ext(void **state)
{
	uint8_t buf[ATA_SECTOR_SIZE];

	(void)state;
	issue48(0x123, 2, ATA_CMD_READ_EXT);
	for (unsigned s = 0; s < 2; s++) {
		assert_int_equal(line[14].rises, s + 1);
		assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
		read_sector(buf, 4);
		expect_sector(buf, 0x123 + s);
	}
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_READY);
	/* The high-order bytes are part of the address and the count. */
	issue48((1ULL << 24) | 0x123, 1, ATA_CMD_READ_EXT);
	expect_done(ST_ERR, ATA_ER_IDNF);
	issue48(1ULL << 40, 1, ATA_CMD_READ_EXT);
	expect_done(ST_ERR, ATA_ER_IDNF);
	issue48(0, 0x0100, ATA_CMD_VERIFY_EXT);
	expect_done(ST_READY, 0);
	issue48(0, 0, ATA_CMD_VERIFY_EXT); /* 0 = 65536 sectors */
	expect_done(ST_ERR, ATA_ER_IDNF);
	/* The last sector, through READ MULTIPLE EXT. */
	issue48(SECTORS - 1, 1, ATA_CMD_READ_MULTIPLE_EXT);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
	read_sector(buf, 2);
	expect_sector(buf, SECTORS - 1);
}

static void test_write_sectors(void **state)
{
	uint8_t buf[ATA_SECTOR_SIZE];

	(void)state;
	assert_false(ide.chan[0].drive[0].written);
	issue(0, 2, 100, ATA_CMD_WRITE);
	/* Data-out: DRQ for the first sector without an interrupt. */
	assert_int_equal(line[14].rises, 0);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
	assert_int_equal(in(PRI, 2), 0); /* reading a write's data port moves nothing */
	for (unsigned i = 0; i < ATA_SECTOR_SIZE; i++)
		buf[i] = pat(1000, i);
	write_sector(buf, 2);
	assert_int_equal(line[14].rises, 1);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
	assert_memory_equal(&disk[100 * ATA_SECTOR_SIZE], buf, ATA_SECTOR_SIZE);
	assert_true(ide.chan[0].drive[0].written);
	for (unsigned i = 0; i < ATA_SECTOR_SIZE; i++)
		buf[i] = pat(1001, i);
	write_sector(buf, 4);
	assert_int_equal(line[14].rises, 2); /* the completion interrupt */
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_READY);
	assert_memory_equal(&disk[101 * ATA_SECTOR_SIZE], buf, ATA_SECTOR_SIZE);
	expect_sector(&disk[99 * ATA_SECTOR_SIZE], 99);
	expect_sector(&disk[102 * ATA_SECTOR_SIZE], 102);
	/* Read it back. */
	issue(0, 2, 100, ATA_CMD_READ_NORETRY);
	for (unsigned s = 0; s < 2; s++) {
		assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
		read_sector(buf, 2);
		expect_sector(buf, 1000 + s);
	}
}

static void test_multiple(void **state)
{
	uint8_t buf[ATA_SECTOR_SIZE];
	uint16_t w[256];
	unsigned rises;

	(void)state;
	issue(0, 3, 0, ATA_CMD_SET_MULTIPLE); /* not a power of two */
	expect_done(ST_ERR, ATA_ER_ABRT);
	issue(0, 32, 0, ATA_CMD_SET_MULTIPLE); /* above word 47 */
	expect_done(ST_ERR, ATA_ER_ABRT);
	issue(0, 4, 0, ATA_CMD_SET_MULTIPLE);
	expect_done(ST_READY, 0);
	identify_words(w);
	assert_int_equal(w[59], 0x0104);
	/* 10 sectors in blocks of 4, 4, 2: one interrupt per block. */
	rises = line[14].rises;
	issue(0, 10, 50, ATA_CMD_READ_MULTIPLE);
	for (unsigned s = 0; s < 10; s++) {
		assert_int_equal(line[14].rises, rises + s / 4 + 1);
		if (s % 4 == 0)
			assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
		assert_int_equal(in8(CTL), ST_DRQ);
		read_sector(buf, 4);
		expect_sector(buf, 50 + s);
	}
	assert_int_equal(line[14].rises, rises + 3);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_READY);
	/* WRITE MULTIPLE of 6: interrupts after the first block and at the end. */
	rises = line[14].rises;
	issue(0, 6, 200, ATA_CMD_WRITE_MULTIPLE);
	for (unsigned s = 0; s < 6; s++) {
		assert_int_equal(line[14].rises, rises + (s >= 4));
		assert_int_equal(in8(s == 4 ? PRI + ATA_REG_STATUS : CTL), ST_DRQ);
		for (unsigned i = 0; i < ATA_SECTOR_SIZE; i++)
			buf[i] = pat(3000 + s, i);
		write_sector(buf, 2);
	}
	assert_int_equal(line[14].rises, rises + 2);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_READY);
	for (unsigned s = 0; s < 6; s++)
		expect_sector(&disk[(200 + s) * ATA_SECTOR_SIZE], 3000 + s);
	/* Multiple mode off: READ MULTIPLE aborts. */
	issue(0, 0, 0, ATA_CMD_SET_MULTIPLE);
	expect_done(ST_READY, 0);
	issue(0, 1, 0, ATA_CMD_READ_MULTIPLE);
	expect_done(ST_ERR, ATA_ER_ABRT);
}

static void test_out_of_range(void **state)
{
	uint8_t buf[ATA_SECTOR_SIZE];

	(void)state;
	issue(0, 2, SECTORS - 1, ATA_CMD_READ);
	expect_done(ST_ERR, ATA_ER_IDNF);
	assert_int_equal(in(PRI, 2), 0);
	issue(0, 1, SECTORS, ATA_CMD_WRITE);
	expect_done(ST_ERR, ATA_ER_IDNF);
	issue(0, 0, SECTORS - 255, ATA_CMD_VERIFY); /* 0 = 256 sectors */
	expect_done(ST_ERR, ATA_ER_IDNF);
	issue(0, 0, SECTORS - 256, ATA_CMD_VERIFY);
	expect_done(ST_READY, 0);
	assert_false(ide.chan[0].drive[0].written);
	/* The last sector is fine. */
	issue(0, 1, SECTORS - 1, ATA_CMD_READ);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
	read_sector(buf, 2);
	expect_sector(buf, SECTORS - 1);
}

static void test_chs(void **state)
{
	uint8_t buf[ATA_SECTOR_SIZE];
	uint16_t w[256];

	(void)state;
	/* INITIALIZE DEVICE PARAMETERS: 4 heads (Device 3:0 = 3), 17 sectors. */
	out8(PRI + ATA_REG_DEVICE, 0xa3);
	out8(PRI + ATA_REG_NSECT, 17);
	out8(PRI + ATA_REG_CMD, ATA_CMD_INIT_PARAMS);
	expect_done(ST_READY, 0);
	identify_words(w);
	assert_int_equal(w[54], SECTORS / (4 * 17));
	assert_int_equal(w[55], 4);
	assert_int_equal(w[56], 17);
	assert_int_equal(w[57] | (uint32_t)w[58] << 16, SECTORS / (4 * 17) * 4 * 17);
	/* Cylinder 1, head 2, sector 3: LBA (1 * 4 + 2) * 17 + 2 = 104. */
	out8(PRI + ATA_REG_DEVICE, 0xa2);
	out8(PRI + ATA_REG_NSECT, 1);
	out8(PRI + ATA_REG_LBAL, 3);
	out8(PRI + ATA_REG_LBAM, 1);
	out8(PRI + ATA_REG_LBAH, 0);
	out8(PRI + ATA_REG_CMD, ATA_CMD_READ);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
	read_sector(buf, 2);
	expect_sector(buf, 104);
	/* Sector 0 and sector 18 do not exist. */
	out8(PRI + ATA_REG_LBAL, 0);
	out8(PRI + ATA_REG_CMD, ATA_CMD_READ);
	expect_done(ST_ERR, ATA_ER_IDNF);
	out8(PRI + ATA_REG_LBAL, 18);
	out8(PRI + ATA_REG_CMD, ATA_CMD_READ);
	expect_done(ST_ERR, ATA_ER_IDNF);
}

static void test_abort(void **state)
{
	static const uint8_t cmds[] = { 0x00, 0xff, ATA_CMD_DEVICE_RESET, 0xf8, 0xc8, 0x25 };

	(void)state;
	for (unsigned i = 0; i < sizeof(cmds); i++) {
		issue(0, 5, 0x10203, cmds[i]);
		expect_done(ST_ERR, ATA_ER_ABRT);
	}
	/* PACKET and IDENTIFY PACKET DEVICE: aborted with the ATA signature. */
	issue(0, 5, 0x10203, ATA_CMD_IDENTIFY_PACKET);
	expect_done(ST_ERR, ATA_ER_ABRT);
	assert_int_equal(in8(PRI + ATA_REG_NSECT), 1);
	assert_int_equal(in8(PRI + ATA_REG_LBAL), 1);
	assert_int_equal(in8(PRI + ATA_REG_LBAM), 0);
	assert_int_equal(in8(PRI + ATA_REG_LBAH), 0);
	issue(0, 0, 0x140000, ATA_CMD_PACKET);
	expect_done(ST_ERR, ATA_ER_ABRT);
	assert_int_equal(in8(PRI + ATA_REG_LBAH), 0);
	/* SET FEATURES: PIO modes yes, DMA modes and write cache no. */
	issue(ATA_SETFEATURES_XFER, 0x0c, 0, ATA_CMD_SET_FEATURES);
	expect_done(ST_READY, 0);
	issue(ATA_SETFEATURES_XFER, 0x01, 0, ATA_CMD_SET_FEATURES);
	expect_done(ST_READY, 0);
	issue(ATA_SETFEATURES_XFER, 0x45, 0, ATA_CMD_SET_FEATURES);
	expect_done(ST_ERR, ATA_ER_ABRT);
	issue(ATA_SETFEATURES_XFER, 0x22, 0, ATA_CMD_SET_FEATURES);
	expect_done(ST_ERR, ATA_ER_ABRT);
	issue(0x02, 0, 0, ATA_CMD_SET_FEATURES);
	expect_done(ST_ERR, ATA_ER_ABRT);
}

static void test_nondata(void **state)
{
	static const uint8_t cmds[] = {
		ATA_CMD_FLUSH, ATA_CMD_FLUSH_EXT, ATA_CMD_SEEK, ATA_CMD_RECALIBRATE,
		0xe0, 0xe1, 0xe2, 0xe3, 0x94, 0x95, 0x96, 0x97,
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(cmds); i++) {
		issue(0, 0, 0, cmds[i]);
		expect_done(ST_READY, 0);
	}
	issue(0, 0, 0, ATA_CMD_CHECK_POWER);
	expect_done(ST_READY, 0);
	assert_int_equal(in8(PRI + ATA_REG_NSECT), 0xff);
	/* EXECUTE DEVICE DIAGNOSTIC: signature and code 01h, even sent to device 1. */
	out8(PRI + ATA_REG_DEVICE, 0xb5);
	out8(PRI + ATA_REG_LBAM, 9);
	out8(PRI + ATA_REG_CMD, ATA_CMD_DIAGNOSE);
	out8(PRI + ATA_REG_DEVICE, 0xa0);
	expect_done(ST_READY, 0x01);
	assert_int_equal(in8(PRI + ATA_REG_LBAM), 0);
	assert_int_equal(in8(PRI + ATA_REG_NSECT), 1);
	/* A new command while data-in is pending is ignored. */
	issue(0, 1, 1, ATA_CMD_READ);
	out8(PRI + ATA_REG_CMD, ATA_CMD_FLUSH);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
}

/* A string access moves the same bytes with the same interrupts. */
static void test_pio_string(void **state)
{
	static uint8_t buf[5 * ATA_SECTOR_SIZE];
	struct ata_channel *c = &ide.chan[0];

	(void)state;
	issue(0, 3, 40, ATA_CMD_READ);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
	assert_int_equal(ata_pio_string(c, buf, 100, false), 100);
	assert_int_equal(line[14].rises, 1);
	assert_int_equal(ata_pio_string(c, buf + 100, ATA_SECTOR_SIZE - 100, false),
			 ATA_SECTOR_SIZE - 100);
	assert_int_equal(line[14].rises, 2); /* sector 2's DRQ block */
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
	/* More than is left: the data phase ends after two more sectors. */
	assert_int_equal(ata_pio_string(c, buf + ATA_SECTOR_SIZE, 3 * ATA_SECTOR_SIZE, false),
			 2 * ATA_SECTOR_SIZE);
	for (unsigned s = 0; s < 3; s++)
		expect_sector(buf + s * ATA_SECTOR_SIZE, 40 + s);
	assert_int_equal(line[14].rises, 3);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_READY);
	assert_int_equal(ata_pio_string(c, buf, 2, false), 0);
	/* Writes: the wrong direction moves nothing. */
	for (unsigned s = 0; s < 2; s++)
		for (unsigned i = 0; i < ATA_SECTOR_SIZE; i++)
			buf[s * ATA_SECTOR_SIZE + i] = pat(700 + s, i);
	issue(0, 2, 300, ATA_CMD_WRITE);
	assert_int_equal(ata_pio_string(c, buf, 2, false), 0);
	assert_int_equal(ata_pio_string(c, buf, ATA_SECTOR_SIZE, true), ATA_SECTOR_SIZE);
	assert_int_equal(line[14].rises, 4);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
	assert_int_equal(ata_pio_string(c, buf + ATA_SECTOR_SIZE, 2 * ATA_SECTOR_SIZE, true),
			 ATA_SECTOR_SIZE);
	assert_int_equal(line[14].rises, 5);
	expect_sector(&disk[300 * ATA_SECTOR_SIZE], 700);
	expect_sector(&disk[301 * ATA_SECTOR_SIZE], 701);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_READY);
}

static void test_two_disks(void **state)
{
	uint16_t w[256];
	int classes[2];
	unsigned probed;
	char s[21];

	(void)state;
	memset(disk2, 0x5a, sizeof(disk2));
	assert_int_equal(ata_attach_disk(&ide.chan[0], 2, disk2, sizeof(disk2)), -EINVAL);
	assert_int_equal(ata_attach_disk(&ide.chan[0], 1, disk2, 100), -EINVAL);
	assert_int_equal(ata_attach_disk(&ide.chan[0], 1, disk2, sizeof(disk2)), 0);
	linux_softreset(PRI, CTL, classes);
	assert_int_equal(classes[0], DEV_ATA);
	assert_int_equal(classes[1], DEV_ATA);
	assert_int_equal(seabios_detect(PRI, CTL, &probed), 3);
	assert_int_equal(probed, 2);
	identify_words(w);
	assert_int_equal(w[93], 0x403b);
	out8(PRI + ATA_REG_DEVICE, 0xb0);
	out8(PRI + ATA_REG_CMD, ATA_CMD_IDENTIFY);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
	for (unsigned i = 0; i < 256; i++)
		w[i] = (uint16_t)in(PRI, 2);
	assert_int_equal(w[93], 0x4300);
	assert_int_equal(w[60], 64);
	ata_string(&w[10], 10, s);
	assert_string_equal(s, "KEEL0000000000000001");
	/* Each device interrupts only while selected. */
	out8(PRI + ATA_REG_CMD, ATA_CMD_FLUSH);
	assert_int_equal(line[14].level, 1);
	out8(PRI + ATA_REG_DEVICE, 0xa0);
	assert_int_equal(line[14].level, 0);
	out8(PRI + ATA_REG_DEVICE, 0xb0);
	assert_int_equal(line[14].level, 1);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_READY);
	assert_int_equal(line[14].level, 0);
}

#define DEVFN_IDE PCI_DEVFN(PIIX_IDE_SLOT, PIIX_IDE_FN)

static void test_pci_function(void **state)
{
	uint16_t w[256];

	(void)state;
	assert_int_equal(pci_cfg_read(&bus, DEVFN_IDE, PCI_VENDOR_ID, 4), 0x70108086);
	assert_int_equal(pci_cfg_read(&bus, DEVFN_IDE, PCI_REVISION_ID, 4), 0x01018000);
	assert_int_equal(pci_cfg_read(&bus, DEVFN_IDE, PCI_HEADER_TYPE, 1), 0);
	assert_int_equal(pci_cfg_read(&bus, DEVFN_IDE, PCI_COMMAND, 2), 0);
	assert_int_equal(pci_cfg_read(&bus, DEVFN_IDE, PCI_STATUS, 2), 0x0280);
	assert_int_equal(pci_cfg_read(&bus, DEVFN_IDE, PCI_INTERRUPT_PIN, 1), 0);
	pci_cfg_write(&bus, DEVFN_IDE, PCI_COMMAND, 2, 0xffff);
	assert_int_equal(pci_cfg_read(&bus, DEVFN_IDE, PCI_COMMAND, 2),
			 PCI_CMD_IO | PCI_CMD_MASTER);
	/* No BARs at all: legacy ports, and BAR4 unimplemented (no BMDMA). */
	for (unsigned bar = 0; bar < PCI_BARS; bar++) {
		pci_cfg_write(&bus, DEVFN_IDE, PCI_BAR0 + 4 * bar, 4, 0xffffffff);
		assert_int_equal(pci_cfg_read(&bus, DEVFN_IDE, PCI_BAR0 + 4 * bar, 4), 0);
	}
	/* IDETIM: decode enabled from reset, timings writable; past SIDETIM reserved. */
	assert_int_equal(pci_cfg_read(&bus, DEVFN_IDE, PIIX_IDE_IDETIM_PRI, 4), 0x80008000);
	pci_cfg_write(&bus, DEVFN_IDE, PIIX_IDE_IDETIM_PRI, 4, 0xa307e3b3);
	pci_cfg_write(&bus, DEVFN_IDE, PIIX_IDE_SIDETIM, 1, 0x55);
	pci_cfg_write(&bus, DEVFN_IDE, 0x48, 4, 0xffffffff);
	assert_int_equal(pci_cfg_read(&bus, DEVFN_IDE, PIIX_IDE_IDETIM_PRI, 4), 0xa307e3b3);
	assert_int_equal(pci_cfg_read(&bus, DEVFN_IDE, PIIX_IDE_SIDETIM, 1), 0x55);
	assert_int_equal(pci_cfg_read(&bus, DEVFN_IDE, 0x48, 4), 0);
	/* Through the configuration ports too. */
	out(PCI_PORT_ADDR, 4, PCI_ADDR_EN | DEVFN_IDE << 8 | 0x08);
	assert_int_equal(in(PCI_PORT_DATA, 4), 0x01018000);
	/* Platform reset: registers back, the disk still there. */
	issue(0, 1, 0, ATA_CMD_SET_MULTIPLE);
	expect_done(ST_READY, 0);
	issue(0, 1, 0, ATA_CMD_READ);
	assert_int_equal(line[14].level, 1);
	piix_ide_reset(&ide);
	assert_int_equal(line[14].level, 0);
	assert_int_equal(pci_cfg_read(&bus, DEVFN_IDE, PIIX_IDE_IDETIM_PRI, 4), 0x80008000);
	assert_int_equal(pci_cfg_read(&bus, DEVFN_IDE, PCI_COMMAND, 2), 0);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_READY);
	identify_words(w);
	assert_int_equal(w[59], 0x0100 | ATA_MAX_MULT);
	assert_int_equal(line[15].rises, 0);
	/* The function slot is taken once. */
	assert_int_equal(piix_ide_init(&ide, &bus, NULL, NULL), -EEXIST);
}

/* Odd-sized and odd-placed accesses. */
static void test_access_sizes(void **state)
{
	uint8_t buf[ATA_SECTOR_SIZE];

	(void)state;
	/* A word at 0x1f2 is two byte registers. */
	out(PRI + ATA_REG_NSECT, 2, 0x2211);
	assert_int_equal(in8(PRI + ATA_REG_NSECT), 0x11);
	assert_int_equal(in8(PRI + ATA_REG_LBAL), 0x22);
	assert_int_equal(in(PRI + ATA_REG_NSECT, 2), 0x2211);
	/* A dword at 0x1f4 ends with the command byte. */
	out(PRI + ATA_REG_DEVICE, 1, 0xe0);
	out8(PRI + ATA_REG_NSECT, 1);
	out8(PRI + ATA_REG_LBAL, 9);
	out(PRI + ATA_REG_LBAM, 4, (uint32_t)ATA_CMD_READ << 24 | 0xe0 << 16);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_DRQ);
	/* Byte accesses to the data port move nothing. */
	assert_int_equal(in8(PRI), 0xff);
	out8(PRI, 0x12);
	read_sector(buf, 2);
	expect_sector(buf, 9);
	assert_int_equal(in8(PRI + ATA_REG_STATUS), ST_READY);
	/* A dword read that would cross the sector's end is refused. */
	issue(0, 1, 3, ATA_CMD_READ);
	for (unsigned i = 0; i < ATA_SECTOR_SIZE - 2; i += 2)
		in(PRI, 2);
	assert_int_equal(in(PRI, 4), 0);
	assert_int_equal(in8(CTL), ST_DRQ);
	assert_int_equal(in(PRI, 2), pat(3, 510) | pat(3, 511) << 8);
	assert_int_equal(in8(CTL), ST_READY);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_power_on_signature), T(test_soft_reset),    T(test_probe_seabios),
		T(test_probe_linux),        T(test_absent_slave),  T(test_empty_channel),
		T(test_identify),           T(test_read_sectors_16), T(test_read_sectors_32),
		T(test_nien),               T(test_hob_readback),  T(test_read_ext),
		T(test_write_sectors),      T(test_multiple),      T(test_out_of_range),
		T(test_chs),                T(test_abort),         T(test_nondata),
		T(test_pio_string),         T(test_two_disks),     T(test_pci_function),
		T(test_access_sizes),       T(test_probe_edk2),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
