/* SPDX-License-Identifier: MIT */
/*
 * Host tests for virtio-blk (vmm/dev/virtio_blk.c) on the real transport
 * and walker: a driver's requests (virtio 1.1 5.2.6) written into a fake
 * guest RAM, the doorbell rung through BAR 0, and the disk, the data
 * buffers, the status byte and the used ring checked afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/dev/pci.h>
#include <keel/dev/virtio_blk.h>
#include <keel/errno.h>
#include <keel/io.h>

#define RAM_SIZE 0x40000ULL /* room for 64 sectors of data */
#include "test_virtio_ram.h"

#define DESC     (RAM_BASE + 0x0000)
#define AVAIL    (RAM_BASE + 0x1000)
#define USED     (RAM_BASE + 0x2000)
#define HDR      (RAM_BASE + 0x3000)
#define STATUS   (RAM_BASE + 0x3100)
#define TABLE    (RAM_BASE + 0x3200)
#define DATA     (RAM_BASE + 0x10000)
#define SECTORS  64
#define QSIZE    VIRTIO_BLK_QUEUE_SIZE

static struct pci_bus bus;
static struct virtio_blk blk;
static uint8_t disk[SECTORS * 512 + 100];
static unsigned first_writes, irqs;

int io_move_mmio(struct vm *vm, uint64_t base, uint64_t len, io_handler_fn *fn, void *d)
{
	(void)vm, (void)base, (void)len, (void)fn, (void)d;
	return 0;
}

int io_set_doorbell(struct vm *vm, uint64_t base, uint64_t len, io_doorbell_fn *fn, void *d)
{
	(void)vm, (void)base, (void)len, (void)fn, (void)d;
	return 0;
}

static void on_first_write(void *ctx)
{
	assert_ptr_equal(ctx, &blk);
	first_writes++;
}

static void set_intx(void *ctx, unsigned gsi, bool level)
{
	(void)ctx, (void)gsi;
	irqs += level;
}

static void wr(uint64_t off, unsigned size, uint64_t v)
{
	virtio_bar_write(&blk.dev, off, size, v);
}

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	for (unsigned i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t)(i * 7 + i / 512);
	first_writes = irqs = 0;
	pci_bus_init(&bus);
	assert_int_equal(virtio_blk_init(&blk, NULL, &bus, 4, disk, sizeof(disk), "keel-vda",
					 &(struct irq_line){ set_intx, NULL, 0 },
					 &(struct msi_line){ NULL, NULL }), 0);
	blk.first_write = on_first_write;
	blk.ctx = &blk;
	/* The driver's side (3.1.1): features, one queue, DRIVER_OK. */
	wr(0x14, 1, 3);
	wr(0x08, 4, 0);
	wr(0x0c, 4, (1u << 2) | (1u << 9) | (1u << 28));
	wr(0x08, 4, 1);
	wr(0x0c, 4, 1);
	wr(0x14, 1, 11);
	wr(0x16, 2, 0);
	wr(0x20, 8, DESC);
	wr(0x28, 8, AVAIL);
	wr(0x30, 8, USED);
	wr(0x1c, 2, 1);
	wr(0x14, 1, 15);
	return 0;
}

static void header(uint32_t type, uint64_t sector)
{
	memset(at(HDR), 0, 16);
	memcpy(at(HDR), &type, 4);
	memcpy(at(HDR + 8), &sector, 8);
	*at(STATUS) = 0xee;
}

/* Head 0: header, nseg data buffers of seglen at DATA (device-writable for a read), status. */
static void request(uint32_t type, uint64_t sector, unsigned nseg, uint32_t seglen)
{
	uint16_t w = type == VIRTIO_BLK_T_OUT ? 0 : VIRTQ_DESC_F_WRITE;

	header(type, sector);
	set_desc(DESC, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	for (unsigned i = 0; i < nseg; i++)
		set_desc(DESC, 1 + i, DATA + i * seglen, seglen, VIRTQ_DESC_F_NEXT | w,
		     (uint16_t)(2 + i));
	set_desc(DESC, 1 + nseg, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
}

/* Offer head 0 and ring the doorbell; returns the used length. */
static uint32_t kick(void)
{
	uint16_t idx, used;
	uint32_t len;

	memcpy(&idx, at(AVAIL + 2), 2);
	memset(at(AVAIL + 4 + 2 * (idx % QSIZE)), 0, 2);
	idx++;
	memcpy(at(AVAIL + 2), &idx, 2);
	wr(VIRTIO_NOTIFY_OFF, 2, 0);
	memcpy(&used, at(USED + 2), 2);
	assert_int_equal(used, idx);
	memcpy(&len, at(USED + 4 + 8 * ((used - 1) % QSIZE) + 4), 4);
	return len;
}

static void test_config(void **state)
{
	(void)state;
	assert_int_equal(virtio_bar_read(&blk.dev, VIRTIO_DEVCFG_OFF, 8), SECTORS);
	assert_int_equal(virtio_bar_read(&blk.dev, VIRTIO_DEVCFG_OFF + 12, 4), VIRTIO_BLK_SEG_MAX);
	assert_int_equal(virtio_bar_read(&blk.dev, VIRTIO_DEVCFG_OFF + 20, 4), 512);
	wr(VIRTIO_DEVCFG_OFF, 8, 0); /* read-only */
	assert_int_equal(virtio_bar_read(&blk.dev, VIRTIO_DEVCFG_OFF, 8), SECTORS);
}

static void test_read_multi_segment(void **state)
{
	(void)state;
	request(VIRTIO_BLK_T_IN, 3, 4, 512);
	assert_int_equal(kick(), 4 * 512 + 1);
	assert_int_equal(*at(STATUS), VIRTIO_BLK_S_OK);
	assert_memory_equal(at(DATA), disk + 3 * 512, 4 * 512);
	assert_int_equal(blk.reads, 1);
	assert_int_equal(irqs, 1);
}

static void test_write_and_flush(void **state)
{
	uint8_t before[SECTORS * 512];

	(void)state;
	memcpy(before, disk, sizeof(before));
	for (unsigned i = 0; i < 3 * 1024; i++)
		*at(DATA + i) = (uint8_t)(0xa5 ^ i);
	request(VIRTIO_BLK_T_OUT, 60, 2, 1024);
	assert_int_equal(kick(), 1);
	assert_int_equal(*at(STATUS), VIRTIO_BLK_S_OK);
	assert_memory_equal(disk + 60 * 512, at(DATA), 2048);
	assert_memory_equal(disk, before, 60 * 512); /* nothing else changed */
	assert_int_equal(first_writes, 1);
	request(VIRTIO_BLK_T_OUT, 0, 1, 512);
	assert_int_equal(kick(), 1);
	assert_int_equal(first_writes, 1); /* said once */
	request(VIRTIO_BLK_T_FLUSH, 0, 0, 0);
	assert_int_equal(kick(), 1);
	assert_int_equal(*at(STATUS), VIRTIO_BLK_S_OK);
	assert_int_equal(blk.flushes, 1);
}

static void test_get_id_and_unsupported(void **state)
{
	(void)state;
	request(VIRTIO_BLK_T_GET_ID, 0, 1, 20);
	assert_int_equal(kick(), 21);
	assert_memory_equal(at(DATA), "keel-vda\0\0\0\0", 12);
	request(99, 0, 0, 0);
	kick();
	assert_int_equal(*at(STATUS), VIRTIO_BLK_S_UNSUPP);
}

static void test_out_of_range(void **state)
{
	(void)state;
	request(VIRTIO_BLK_T_IN, SECTORS - 1, 2, 512); /* runs past the end */
	assert_int_equal(kick(), 1);
	assert_int_equal(*at(STATUS), VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_IN, ~0ULL - 1, 1, 512); /* sector * 512 wraps */
	kick();
	assert_int_equal(*at(STATUS), VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_OUT, ~0ULL / 512 + 1, 1, 512);
	kick();
	assert_int_equal(*at(STATUS), VIRTIO_BLK_S_IOERR);
	request(VIRTIO_BLK_T_IN, 0, 1, 100); /* not whole sectors */
	kick();
	assert_int_equal(*at(STATUS), VIRTIO_BLK_S_IOERR);
	/* The 100 bytes past the last whole sector are not on the disk. */
	request(VIRTIO_BLK_T_IN, SECTORS, 1, 512);
	kick();
	assert_int_equal(*at(STATUS), VIRTIO_BLK_S_IOERR);
	assert_int_equal(blk.failed, 5);
	assert_true(virtio_running(&blk.dev));
}

static void test_header_too_small(void **state)
{
	(void)state;
	header(VIRTIO_BLK_T_IN, 0);
	set_desc(DESC, 0, HDR, 8, VIRTQ_DESC_F_NEXT, 1);
	set_desc(DESC, 1, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(kick(), 1);
	assert_int_equal(*at(STATUS), VIRTIO_BLK_S_IOERR);
	/* No status byte at all: used length 0, and the device goes on. */
	set_desc(DESC, 0, HDR, 16, 0, 0);
	assert_int_equal(kick(), 0);
	assert_true(virtio_running(&blk.dev));
}

static void test_indirect_request(void **state)
{
	(void)state;
	header(VIRTIO_BLK_T_IN, 1);
	set_desc(TABLE, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(TABLE, 1, DATA, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	set_desc(TABLE, 2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	set_desc(DESC, 0, TABLE, 48, VIRTQ_DESC_F_INDIRECT, 0);
	assert_int_equal(kick(), 513);
	assert_memory_equal(at(DATA), disk + 512, 512);
}

/* A ring that breaks the rules stops the device: DEVICE_NEEDS_RESET, nothing more served. */
static void test_bad_ring_needs_reset(void **state)
{
	uint16_t idx = 1;

	(void)state;
	set_desc(DESC, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 0); /* loops onto itself */
	memcpy(at(AVAIL + 2), &idx, 2);
	wr(VIRTIO_NOTIFY_OFF, 2, 0);
	assert_true(virtio_bar_read(&blk.dev, 0x14, 1) & VIRTIO_STATUS_NEEDS_RESET);
	assert_false(virtio_running(&blk.dev));
	/* The driver resets and sets the device up again; it works. */
	setup(NULL);
	request(VIRTIO_BLK_T_IN, 0, 1, 512);
	assert_int_equal(kick(), 513);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_config, setup),
		cmocka_unit_test_setup(test_read_multi_segment, setup),
		cmocka_unit_test_setup(test_write_and_flush, setup),
		cmocka_unit_test_setup(test_get_id_and_unsupported, setup),
		cmocka_unit_test_setup(test_out_of_range, setup),
		cmocka_unit_test_setup(test_header_too_small, setup),
		cmocka_unit_test_setup(test_indirect_request, setup),
		cmocka_unit_test_setup(test_bad_ring_needs_reset, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
