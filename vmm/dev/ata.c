/* SPDX-License-Identifier: MIT */
/* ATA disk and IDE channel, PIO only; see keel/dev/ata.h. */
#include "ata_priv.h"
#include <keel/errno.h>
#include <keel/io.h>
#include <keel/string.h>

enum { XFER_NONE, XFER_IDENTIFY, XFER_READ, XFER_WRITE };


#define DIAG_PASSED 0x01 /* Error after reset: device 0 passed, device 1 passed or absent */
#define ST_READY    (ATA_SR_DRDY | ATA_SR_DSC)

static bool present(const struct ata_drive *d)
{
	return d->image != NULL;
}

static unsigned min_u(uint64_t a, unsigned b)
{
	return a < b ? (unsigned)a : b;
}

/* INTRQ: the selected device drives it, and only while nIEN is clear. */
static void irq_update(struct ata_channel *c)
{
	const struct ata_drive *d = &c->drive[c->sel];
	bool level = present(d) && d->intrq && !(c->devctl & ATA_CTL_NIEN);

	if (level != c->irq_level) {
		c->irq_level = level;
		irq_set(&c->irq, level);
	}
}

/* ATA/ATAPI-6 reset signature of an ATA device (Device register aside). */
static void set_signature(struct ata_drive *d)
{
	d->cur[ATA_REG_NSECT] = 1;
	d->cur[ATA_REG_LBAL] = 1;
	d->cur[ATA_REG_LBAM] = 0;
	d->cur[ATA_REG_LBAH] = 0;
}

/* End of a software or hardware reset: diagnostics passed, ready. */
static void drive_reset(struct ata_drive *d)
{
	d->xfer = XFER_NONE;
	d->intrq = false;
	d->status = ST_READY;
	d->error = DIAG_PASSED;
	set_signature(d);
}

static void cmd_done(struct ata_drive *d)
{
	d->xfer = XFER_NONE;
	d->status = ST_READY;
	d->error = 0;
	d->intrq = true;
}

static void cmd_abort(struct ata_drive *d, uint8_t err)
{
	d->xfer = XFER_NONE;
	d->status = ATA_SR_DRDY | ATA_SR_ERR;
	d->error = err;
	d->intrq = true;
}

static void identify(const struct ata_channel *c, struct ata_drive *d)
{
	ata_identify_fill(d, present(&c->drive[d->unit ^ 1]));
}

/* ---- The PIO data phase ---- */

static void load_sector(struct ata_drive *d)
{
	memcpy(d->buf, d->image + d->lba * ATA_SECTOR_SIZE, ATA_SECTOR_SIZE);
}

/*
 * PIO data-in announces every DRQ block with an interrupt; PIO data-out
 * asks for the first block without one (ATA/ATAPI-6, PIO data-in and
 * PIO data-out command protocols).
 */
static void start_pio(struct ata_drive *d, unsigned xfer, uint64_t lba, uint32_t count,
		      unsigned block)
{
	d->xfer = (uint8_t)xfer;
	d->lba = lba;
	d->left = count;
	d->block = (uint8_t)block;
	d->block_left = (uint8_t)min_u(count, block);
	d->pos = 0;
	d->status = ST_READY | ATA_SR_DRQ;
	d->error = 0;
	if (xfer == XFER_READ)
		load_sector(d);
	d->intrq = xfer != XFER_WRITE;
}

/* The host has moved the whole sector in buf. */
static void sector_done(struct ata_drive *d)
{
	if (d->xfer == XFER_WRITE) {
		memcpy(d->image + d->lba * ATA_SECTOR_SIZE, d->buf, ATA_SECTOR_SIZE);
		if (!d->written && d->first_write)
			d->first_write(d->ctx);
		d->written = true;
	}
	d->pos = 0;
	if (--d->left == 0) {
		/* Data-out ends with a completion interrupt, data-in without. */
		if (d->xfer == XFER_WRITE)
			d->intrq = true;
		d->xfer = XFER_NONE;
		d->status = ST_READY;
		return;
	}
	d->lba++;
	if (--d->block_left == 0) {
		d->block_left = (uint8_t)min_u(d->left, d->block);
		d->intrq = true;
	}
	if (d->xfer == XFER_READ)
		load_sector(d);
}

static bool data_ready(const struct ata_drive *d, bool write)
{
	return present(d) && (d->status & ATA_SR_DRQ) && write == (d->xfer == XFER_WRITE);
}

/* One 16- or 32-bit access; out of phase it moves nothing and reads 0. */
static uint32_t data_io(struct ata_channel *c, unsigned size, bool write, uint32_t val)
{
	struct ata_drive *d = &c->drive[c->sel];
	uint32_t v = 0;

	if (!data_ready(d, write) || d->pos + size > ATA_SECTOR_SIZE)
		return 0;
	for (unsigned i = 0; i < size; i++) {
		if (write)
			d->buf[d->pos + i] = (uint8_t)(val >> (8 * i));
		else
			v |= (uint32_t)d->buf[d->pos + i] << (8 * i);
	}
	d->pos = (uint16_t)(d->pos + size);
	if (d->pos == ATA_SECTOR_SIZE)
		sector_done(d);
	return v;
}

size_t ata_pio_string(struct ata_channel *c, void *buf, size_t len, bool write)
{
	struct ata_drive *d = &c->drive[c->sel];
	uint8_t *p = buf;
	size_t done = 0;

	while (done < len && data_ready(d, write)) {
		size_t n = ATA_SECTOR_SIZE - d->pos;

		if (n > len - done)
			n = len - done;
		if (write)
			memcpy(d->buf + d->pos, p + done, n);
		else
			memcpy(p + done, d->buf + d->pos, n);
		d->pos = (uint16_t)(d->pos + n);
		done += n;
		if (d->pos == ATA_SECTOR_SIZE)
			sector_done(d);
	}
	irq_update(c);
	return done;
}

/* ---- Commands ---- */

/* Address and count of a read/write/verify; false if not on the disk. */
static bool rw_range(const struct ata_channel *c, const struct ata_drive *d, bool ext,
		     uint64_t *lba, uint32_t *count)
{
	const uint8_t *r = d->cur, *p = d->prev;

	if (ext) {
		/* 48-bit: the previous writes hold the high-order bytes. */
		*count = (uint32_t)p[ATA_REG_NSECT] << 8 | r[ATA_REG_NSECT];
		*lba = (uint64_t)p[ATA_REG_LBAH] << 40 | (uint64_t)p[ATA_REG_LBAM] << 32 |
		       (uint64_t)p[ATA_REG_LBAL] << 24 | (uint64_t)r[ATA_REG_LBAH] << 16 |
		       (uint64_t)r[ATA_REG_LBAM] << 8 | r[ATA_REG_LBAL];
		if (!*count)
			*count = 65536;
	} else {
		*count = r[ATA_REG_NSECT] ? r[ATA_REG_NSECT] : 256;
		if (c->device & ATA_DEV_LBA) {
			*lba = (uint64_t)(c->device & 0x0f) << 24 | (uint64_t)r[ATA_REG_LBAH] << 16 |
			       (uint64_t)r[ATA_REG_LBAM] << 8 | r[ATA_REG_LBAL];
		} else {
			unsigned cyl = (unsigned)r[ATA_REG_LBAH] << 8 | r[ATA_REG_LBAM];
			unsigned head = c->device & 0x0f, sec = r[ATA_REG_LBAL];

			if (!sec || sec > d->spt || head >= d->heads)
				return false;
			*lba = ((uint64_t)cyl * d->heads + head) * d->spt + sec - 1;
		}
	}
	return *lba <= d->sectors && *count <= d->sectors - *lba;
}

/* The sector commands: what each moves, how it addresses, its block size. */
#define RW_READ   BIT(0)
#define RW_WRITE  BIT(1)
#define RW_VERIFY BIT(2)
#define RW_EXT    BIT(3) /* 48-bit address and count */
#define RW_MULT   BIT(4) /* DRQ blocks of SET MULTIPLE MODE's size */

static const uint8_t rw_cmds[256] = {
	[ATA_CMD_READ] = RW_READ,
	[ATA_CMD_READ_NORETRY] = RW_READ,
	[ATA_CMD_READ_EXT] = RW_READ | RW_EXT,
	[ATA_CMD_READ_MULTIPLE] = RW_READ | RW_MULT,
	[ATA_CMD_READ_MULTIPLE_EXT] = RW_READ | RW_MULT | RW_EXT,
	[ATA_CMD_WRITE] = RW_WRITE,
	[ATA_CMD_WRITE_NORETRY] = RW_WRITE,
	[ATA_CMD_WRITE_EXT] = RW_WRITE | RW_EXT,
	[ATA_CMD_WRITE_MULTIPLE] = RW_WRITE | RW_MULT,
	[ATA_CMD_WRITE_MULTIPLE_EXT] = RW_WRITE | RW_MULT | RW_EXT,
	[ATA_CMD_VERIFY] = RW_VERIFY,
	[ATA_CMD_VERIFY_NORETRY] = RW_VERIFY,
	[ATA_CMD_VERIFY_EXT] = RW_VERIFY | RW_EXT,
};

static void cmd_rw(struct ata_channel *c, struct ata_drive *d, unsigned f)
{
	uint64_t lba;
	uint32_t count;

	if ((f & RW_MULT) && !d->mult)
		cmd_abort(d, ATA_ER_ABRT); /* multiple mode disabled */
	else if (!rw_range(c, d, f & RW_EXT, &lba, &count))
		cmd_abort(d, ATA_ER_IDNF);
	else if (f & RW_VERIFY)
		cmd_done(d);
	else
		start_pio(d, (f & RW_WRITE) ? XFER_WRITE : XFER_READ, lba, count,
			  (f & RW_MULT) ? d->mult : 1);
}

/* SET FEATURES: PIO transfer modes (default, or flow control PIO 0-4; no
 * DMA modes, there is no DMA) and the power-on-defaults switches. */
static bool feature_ok(uint8_t feature, unsigned mode)
{
	if (feature == ATA_SETFEATURES_XFER)
		return mode <= 0x01 || (mode >= 0x08 && mode <= 0x0c);
	return feature == 0x66 || feature == 0xcc;
}

/* EXECUTE DEVICE DIAGNOSTIC runs on both devices whatever DEV says. */
static void cmd_diagnose(struct ata_channel *c)
{
	for (unsigned i = 0; i < 2; i++)
		if (present(&c->drive[i]))
			drive_reset(&c->drive[i]);
	c->device &= 0xf0;
	/* Device 0 posts the interrupt (device 1 if it is alone). */
	c->drive[present(&c->drive[0]) ? 0 : 1].intrq = true;
}

/* The non-data commands; false: abort (bad parameters or not supported). */
static bool cmd_other(struct ata_channel *c, struct ata_drive *d, uint8_t cmd)
{
	unsigned n = d->cur[ATA_REG_NSECT];

	switch (cmd) {
	case ATA_CMD_SET_MULTIPLE:
		/* 0 disables; otherwise a power of two up to word 47's maximum. */
		if (n > ATA_MAX_MULT || (n & (n - 1)))
			return false;
		d->mult = (uint8_t)n;
		break;
	case ATA_CMD_INIT_PARAMS:
		if (!n)
			return false;
		d->spt = (uint8_t)n;
		d->heads = (uint8_t)((c->device & 0x0f) + 1);
		break;
	case ATA_CMD_SET_FEATURES:
		if (!feature_ok(d->cur[ATA_REG_FEATURE], n))
			return false;
		break;
	case ATA_CMD_CHECK_POWER:
	case 0x98: /* its ATA-3 code */
		d->cur[ATA_REG_NSECT] = 0xff; /* active or idle */
		break;
	case ATA_CMD_RECALIBRATE: case ATA_CMD_SEEK:
	case ATA_CMD_FLUSH: case ATA_CMD_FLUSH_EXT:
	case 0x94: case 0x95: case 0x96: case 0x97: /* ATA-3 standby/idle codes */
	case 0xe0: case 0xe1: case 0xe2: case 0xe3: /* STANDBY/IDLE (IMMEDIATE) */
		break; /* no cache, no spindle: nothing to wait for */
	case ATA_CMD_PACKET:
	case ATA_CMD_IDENTIFY_PACKET:
		set_signature(d); /* not a PACKET device: abort, ATA signature */
		return false;
	default:
		return false; /* DEVICE RESET (PACKET devices only), NOP, unknown */
	}
	cmd_done(d);
	return true;
}

static void exec_command(struct ata_channel *c, uint8_t cmd)
{
	struct ata_drive *d = &c->drive[c->sel];

	if (present(d) && (d->status & (ATA_SR_BSY | ATA_SR_DRQ))) {
		/* Only DEVICE RESET may interrupt a command; an ATA disk aborts it. */
		if (cmd == ATA_CMD_DEVICE_RESET)
			cmd_abort(d, ATA_ER_ABRT);
		return;
	}
	if (cmd == ATA_CMD_DIAGNOSE) {
		cmd_diagnose(c);
		return;
	}
	if (!present(d))
		return; /* nobody to run it: status stays 00h, no interrupt */
	if (rw_cmds[cmd]) {
		cmd_rw(c, d, rw_cmds[cmd]);
	} else if (cmd == ATA_CMD_IDENTIFY) {
		identify(c, d);
		start_pio(d, XFER_IDENTIFY, 0, 1, 1);
	} else if (!cmd_other(c, d, cmd)) {
		cmd_abort(d, ATA_ER_ABRT);
	}
}

/* ---- Registers ---- */

static uint8_t reg_read(struct ata_channel *c, unsigned reg, bool alt)
{
	struct ata_drive *d = &c->drive[c->sel];
	bool hob = c->devctl & ATA_CTL_HOB;

	if (!present(d)) {
		/* The other device answers for an absent one, except Status. */
		d = &c->drive[c->sel ^ 1];
		if (!present(d) || reg == ATA_REG_STATUS)
			return 0;
	}
	switch (reg) {
	case ATA_REG_ERROR:
		return hob ? d->prev[reg] : d->error;
	case ATA_REG_DEVICE:
		return c->device;
	case ATA_REG_STATUS:
		if (!alt)
			d->intrq = false; /* reading Status acknowledges the interrupt */
		return d->status;
	default:
		return hob ? d->prev[reg] : d->cur[reg];
	}
}

static void reg_write(struct ata_channel *c, unsigned reg, uint8_t v)
{
	struct ata_drive *d = &c->drive[c->sel];

	c->devctl &= (uint8_t)~ATA_CTL_HOB; /* any Command Block write clears HOB */
	if (reg == ATA_REG_CMD) {
		if (present(d))
			d->intrq = false;
		exec_command(c, v);
		return;
	}
	/* The host must not write while BSY or DRQ is set: ignore it. */
	if (present(d) && (d->status & (ATA_SR_BSY | ATA_SR_DRQ)))
		return;
	if (reg == ATA_REG_DEVICE) {
		c->device = v;
		c->sel = (v & ATA_DEV_DEV) ? 1 : 0;
		return;
	}
	for (unsigned i = 0; i < 2; i++) {
		c->drive[i].prev[reg] = c->drive[i].cur[reg];
		c->drive[i].cur[reg] = v;
	}
}

/*
 * Device Control: SRST set makes both devices busy and drops any command;
 * SRST cleared finishes the reset with device 0 selected, the signature in
 * place and DRDY set (ATA/ATAPI-6, software reset protocol).
 */
static void devctl_write(struct ata_channel *c, uint8_t v)
{
	bool was = c->devctl & ATA_CTL_SRST, now = v & ATA_CTL_SRST;

	c->devctl = v & (ATA_CTL_NIEN | ATA_CTL_SRST | ATA_CTL_HOB);
	if (!was && now) {
		for (unsigned i = 0; i < 2; i++) {
			struct ata_drive *d = &c->drive[i];

			d->xfer = XFER_NONE;
			d->intrq = false;
			d->status = ATA_SR_BSY | ATA_SR_DSC;
		}
	} else if (was && !now) {
		drive_reset(&c->drive[0]);
		drive_reset(&c->drive[1]);
		c->device = 0;
		c->sel = 0;
	}
}

static int cmd_block_io(struct vm *vm, void *dev, struct io_access *a)
{
	struct ata_channel *c = dev;
	unsigned off = (unsigned)(a->addr - c->cmd_base);
	uint64_t v = 0;

	(void)vm;
	if (off == ATA_REG_DATA && (a->size == 2 || a->size == 4)) {
		v = data_io(c, a->size, a->write, (uint32_t)a->value);
	} else {
		/* Byte registers; a wider access is that many byte accesses. An
		 * 8-bit data access moves nothing (8-bit PIO is not offered). */
		for (unsigned i = 0; i < a->size; i++) {
			unsigned reg = off + i;

			if (a->write && reg != ATA_REG_DATA)
				reg_write(c, reg, (uint8_t)(a->value >> (8 * i)));
			else if (!a->write)
				v |= (uint64_t)(reg == ATA_REG_DATA ? 0xff : reg_read(c, reg, false))
				     << (8 * i);
		}
	}
	if (!a->write)
		a->value = v;
	irq_update(c);
	return 0;
}

/* Control port: Alternate Status on read, Device Control on write. */
static int ctl_io(struct vm *vm, void *dev, struct io_access *a)
{
	struct ata_channel *c = dev;

	(void)vm;
	if (a->write)
		devctl_write(c, (uint8_t)a->value);
	else
		a->value = reg_read(c, ATA_REG_STATUS, true);
	irq_update(c);
	return 0;
}

/* ---- Set-up ---- */

void ata_channel_reset(struct ata_channel *c)
{
	for (unsigned i = 0; i < 2; i++) {
		struct ata_drive *d = &c->drive[i];

		memset(d->cur, 0, sizeof(d->cur));
		memset(d->prev, 0, sizeof(d->prev));
		d->mult = ATA_MAX_MULT; /* on at power-on, as on QEMU */
		d->heads = GEOM_HEADS;
		d->spt = GEOM_SPT;
		drive_reset(d);
	}
	c->device = 0;
	c->sel = 0;
	c->devctl = 0;
	irq_update(c);
}

void ata_channel_init(struct ata_channel *c, const struct irq_line *irq)
{
	memset(c, 0, sizeof(*c));
	if (irq)
		c->irq = *irq;
	c->drive[1].unit = 1;
	ata_channel_reset(c);
}

int ata_attach_disk(struct ata_channel *c, unsigned unit, uint8_t *image, uint64_t bytes)
{
	struct ata_drive *d;

	if (unit > 1 || !image || bytes < ATA_SECTOR_SIZE)
		return -EINVAL;
	d = &c->drive[unit];
	d->image = image;
	d->sectors = bytes / ATA_SECTOR_SIZE; /* a partial last sector is not addressable */
	d->written = false;
	return 0;
}

/* REP INSW/OUTSW on the data port: whole sectors per exit, no per-word dispatch. */
static size_t data_string(struct vm *vm, void *dev, void *buf, size_t len, bool write)
{
	(void)vm;
	return ata_pio_string(dev, buf, len, write);
}

int ata_register(struct vm *vm, struct ata_channel *c, uint16_t cmd_base, uint16_t ctl_port)
{
	int rc;

	c->cmd_base = cmd_base;
	c->ctl_port = ctl_port;
	rc = io_register_pio(vm, cmd_base, 8, cmd_block_io, c);
	if (!rc)
		rc = io_set_pio_string(vm, cmd_base, data_string);
	if (!rc)
		rc = io_register_pio(vm, ctl_port, 1, ctl_io, c);
	return rc;
}
