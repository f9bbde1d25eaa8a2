/* SPDX-License-Identifier: MIT */
/*
 * An ATA hard disk on a legacy IDE channel, PIO only. The disk image lives
 * in host memory (pointer + size, 512-byte sectors); guest writes change it
 * in place and set `written`, nothing is persisted.
 *
 * Why this controller: the HVM guest runs Debian's SeaBIOS and then Debian's
 * Linux, and both drive a PIIX3 IDE function in legacy mode (ports 0x1f0 /
 * 0x3f6 on IRQ 14, 0x170 / 0x376 on IRQ 15) with no setup of their own
 * (SeaBIOS src/hw/ata.c, Linux ata_piix + libata-sff). The PCI face is in
 * keel/dev/piix_ide.h; this core knows nothing of PCI.
 *
 * A channel has two device slots sharing one set of registers: both devices
 * latch every Command Block write, only the selected one (Device register
 * bit 4) executes a command. With one device present, it also answers for
 * the absent one, as ATA/ATAPI-6 lets device 0 do for a missing device 1:
 * the task file reads back what was written, Status and Alternate Status
 * read 00h, and commands are ignored. IDENTIFY word 93 bit 6 says so, which
 * lets SeaBIOS skip the slave probe, and Linux's ata_sff_dev_classify()
 * turns the 00h status into "no device". A channel with no devices reads 0
 * everywhere, as on QEMU, which both firmware and Linux take as empty at
 * once.
 *
 * Interrupts follow the ATA PIO protocols: a device sets its interrupt
 * pending when a data-in block is ready, after each data-out block, and at
 * the end of a non-data command; reading Status (not Alternate Status),
 * writing Command or a reset clears it. INTRQ, a level, is driven by the
 * selected device only and only while nIEN is clear.
 */
#ifndef KEEL_DEV_ATA_H
#define KEEL_DEV_ATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <keel/bits.h>
#include <keel/irq.h>

struct vm;

#define ATA_SECTOR_SIZE 512u
#define ATA_MAX_MULT    16u /* sectors per READ/WRITE MULTIPLE block (IDENTIFY word 47) */
#define ATA_MODEL       "KEEL HARDDISK"

/* Command Block registers, offsets from the command base (0x1f0). */
#define ATA_REG_DATA    0
#define ATA_REG_ERROR   1 /* read */
#define ATA_REG_FEATURE 1 /* write */
#define ATA_REG_NSECT   2
#define ATA_REG_LBAL    3
#define ATA_REG_LBAM    4
#define ATA_REG_LBAH    5
#define ATA_REG_DEVICE  6
#define ATA_REG_STATUS  7 /* read */
#define ATA_REG_CMD     7 /* write */

#define ATA_SR_ERR  BIT(0)
#define ATA_SR_DRQ  BIT(3)
#define ATA_SR_DSC  BIT(4)
#define ATA_SR_DF   BIT(5)
#define ATA_SR_DRDY BIT(6)
#define ATA_SR_BSY  BIT(7)

#define ATA_ER_ABRT BIT(2)
#define ATA_ER_IDNF BIT(4)

#define ATA_DEV_DEV BIT(4) /* device 1 selected */
#define ATA_DEV_LBA BIT(6)

/* Device Control register (the control port, 0x3f6, on write). */
#define ATA_CTL_NIEN BIT(1)
#define ATA_CTL_SRST BIT(2)
#define ATA_CTL_HOB  BIT(7) /* reads return the previous (high-order) bytes */

/* Command codes (ATA/ATAPI-6, ATA8-ACS). */
#define ATA_CMD_DEVICE_RESET      0x08
#define ATA_CMD_RECALIBRATE       0x10
#define ATA_CMD_READ              0x20
#define ATA_CMD_READ_NORETRY      0x21
#define ATA_CMD_READ_EXT          0x24
#define ATA_CMD_READ_MULTIPLE_EXT 0x29
#define ATA_CMD_WRITE             0x30
#define ATA_CMD_WRITE_NORETRY     0x31
#define ATA_CMD_WRITE_EXT         0x34
#define ATA_CMD_WRITE_MULTIPLE_EXT 0x39
#define ATA_CMD_VERIFY            0x40
#define ATA_CMD_VERIFY_NORETRY    0x41
#define ATA_CMD_VERIFY_EXT        0x42
#define ATA_CMD_SEEK              0x70
#define ATA_CMD_DIAGNOSE          0x90
#define ATA_CMD_INIT_PARAMS       0x91
#define ATA_CMD_PACKET            0xa0
#define ATA_CMD_IDENTIFY_PACKET   0xa1
#define ATA_CMD_READ_MULTIPLE     0xc4
#define ATA_CMD_WRITE_MULTIPLE    0xc5
#define ATA_CMD_SET_MULTIPLE      0xc6
#define ATA_CMD_CHECK_POWER       0xe5
#define ATA_CMD_FLUSH             0xe7
#define ATA_CMD_FLUSH_EXT         0xea
#define ATA_CMD_IDENTIFY          0xec
#define ATA_CMD_SET_FEATURES      0xef

#define ATA_SETFEATURES_XFER 0x03

struct ata_drive {
	uint8_t *image;   /* NULL: no device in this slot */
	uint64_t sectors;
	bool written;     /* the guest has written to the image */
	/* Told once per attach, at the first write (the image lives in memory only). */
	void (*first_write)(void *ctx);
	void *ctx;
	uint8_t unit;     /* 0 master, 1 slave */
	/* Task file registers 1-5 as last written ([1] = Features), and the
	 * values they held before (the 48-bit "previous content", read with
	 * HOB). The Device register is shared: see ata_channel. */
	uint8_t cur[6], prev[6];
	uint8_t status, error;
	bool intrq;       /* interrupt pending */
	uint8_t mult;     /* READ/WRITE MULTIPLE block size, 0 = disabled */
	uint8_t heads, spt; /* CHS translation (INITIALIZE DEVICE PARAMETERS) */
	/* The PIO data phase: buf holds the sector at lba. */
	uint8_t xfer;
	uint8_t block, block_left; /* sectors per DRQ block, left in this one */
	uint16_t pos;
	uint32_t left;    /* sectors left in the command, buf's included */
	uint64_t lba;
	uint8_t buf[ATA_SECTOR_SIZE];
};

struct ata_channel {
	struct ata_drive drive[2];
	struct irq_line irq;
	uint8_t device;   /* Device register, latched by both devices */
	uint8_t sel;      /* its DEV bit */
	uint8_t devctl;   /* nIEN, SRST, HOB */
	bool irq_level;   /* what INTRQ was last driven to */
	uint16_t cmd_base, ctl_port;
};

/* Empty channel in its power-on state; irq may be NULL (no line). */
void ata_channel_init(struct ata_channel *c, const struct irq_line *irq);
/* Hardware reset (power-on, RESET-): disks stay attached. */
void ata_channel_reset(struct ata_channel *c);
/* A disk of bytes / 512 sectors in unit 0 or 1; after ata_channel_init. */
int ata_attach_disk(struct ata_channel *c, unsigned unit, uint8_t *image, uint64_t bytes);
/* Claims cmd_base..cmd_base+7 and ctl_port (the floppy's 0x3f7 stays free). */
int ata_register(struct vm *vm, struct ata_channel *c, uint16_t cmd_base, uint16_t ctl_port);

/*
 * A string instruction (rep insw/insl, outsw/outsl) on the data port in one
 * call: moves up to len bytes between buf and the selected device's data
 * phase, exactly as that many single accesses would, and returns the bytes
 * moved (fewer when DRQ clears). For an exit handler that wants one call
 * per string instead of one per element.
 */
size_t ata_pio_string(struct ata_channel *c, void *buf, size_t len, bool write);

#endif
