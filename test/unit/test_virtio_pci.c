/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the virtio PCI transport (vmm/dev/virtio_pci.c,
 * virtio_regs.c) with a fake two-queue device, driven through
 * configuration space and BAR 0 as a driver would (virtio 1.1 4.1):
 * the capability layout, BAR decoding, feature negotiation, status and
 * reset, queue setup, doorbells, MSI-X and INTx.
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
#include <keel/dev/virtio.h>
#include <keel/errno.h>
#include <keel/io.h>

#include "test_virtio_ram.h"

#define SLOT     4
#define DEVFN    PCI_DEVFN(SLOT, 0)

static struct pci_bus bus;
static struct virtio_dev dev;
static uint8_t config[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static uint64_t mmio_base, mmio_len, bell_base, bell_len;
static io_doorbell_fn *bell_fn;
static unsigned notified[2], resets, cfg_writes, nr_msi;
static uint64_t msi_addr;
static uint32_t msi_data;
static bool intx;

int io_move_mmio(struct vm *vm, uint64_t base, uint64_t len, io_handler_fn *fn, void *d)
{
	(void)vm;
	assert_ptr_equal(fn, virtio_mmio);
	assert_ptr_equal(d, &dev);
	mmio_base = base;
	mmio_len = len;
	return 0;
}

int io_set_doorbell(struct vm *vm, uint64_t base, uint64_t len, io_doorbell_fn *fn, void *d)
{
	(void)vm;
	assert_ptr_equal(d, &dev);
	bell_base = base;
	bell_len = len;
	bell_fn = fn;
	return 0;
}

static uint32_t fake_serve(struct virtio_dev *d, const struct virtq_chain *c)
{
	(void)d, (void)c;
	return 0;
}

static void fake_notify(struct virtio_dev *d, unsigned q)
{
	static struct virtq_chain c;

	assert_ptr_equal(d, &dev);
	notified[q]++;
	virtio_serve(d, q, &c, fake_serve);
}

static void fake_reset(struct virtio_dev *d)
{
	(void)d;
	resets++;
}

static void fake_cfg_write(struct virtio_dev *d, unsigned off, unsigned size)
{
	(void)d, (void)off, (void)size;
	cfg_writes++;
}

static const struct virtio_type fake = {
	.name = "fake", .device_id = VIRTIO_ID_BLOCK, .pci_class = 0x018000,
	.features = 1u << 6, .nr_queues = 2, .queue_size = 8,
	.notify = fake_notify, .reset = fake_reset, .cfg_write = fake_cfg_write,
};

static void set_intx(void *ctx, unsigned gsi, bool level)
{
	(void)ctx, (void)gsi;
	intx = level;
}

static void send_msi(void *ctx, uint64_t addr, uint32_t data)
{
	(void)ctx;
	nr_msi++;
	msi_addr = addr;
	msi_data = data;
}

static uint64_t rd(uint64_t off, unsigned size)
{
	return virtio_bar_read(&dev, off, size);
}

static void wr(uint64_t off, unsigned size, uint64_t v)
{
	virtio_bar_write(&dev, off, size, v);
}

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	notified[0] = notified[1] = resets = cfg_writes = nr_msi = 0;
	intx = false;
	mmio_base = mmio_len = bell_base = bell_len = 0;
	bell_fn = NULL;
	pci_bus_init(&bus);
	assert_int_equal(virtio_pci_init(&dev, NULL, &bus, SLOT, &fake, NULL, config,
					 sizeof(config), &(struct irq_line){ set_intx, NULL, 0 },
					 &(struct msi_line){ send_msi, NULL }), 0);
	return 0;
}

static uint32_t cfg(unsigned off, unsigned size)
{
	return pci_cfg_read(&bus, DEVFN, off, size);
}

static void test_ids_and_caps(void **state)
{
	unsigned p, types = 0, hops = 0;

	(void)state;
	assert_int_equal(cfg(PCI_VENDOR_ID, 2), 0x1af4);
	assert_int_equal(cfg(PCI_DEVICE_ID, 2), 0x1042);
	assert_int_equal(cfg(PCI_REVISION_ID, 1), 1);
	assert_int_equal(cfg(PCI_SUBSYSTEM_ID, 2) >= 0x40, 1);
	assert_int_equal(cfg(PCI_INTERRUPT_PIN, 1), 1);
	assert_true(cfg(PCI_STATUS, 2) & 0x10);
	for (p = cfg(0x34, 1); p; p = cfg(p + 1, 1)) {
		assert_true(p >= 0x40 && !(p & 3) && ++hops < 10);
		if (cfg(p, 1) == 0x11) { /* MSI-X: 3 vectors, table and PBA in BAR 0 */
			assert_int_equal(cfg(p + 2, 2) & 0x7ff, 2);
			assert_int_equal(cfg(p + 4, 4), VIRTIO_MSIX_OFF);
			assert_int_equal(cfg(p + 8, 4), VIRTIO_PBA_OFF);
			continue;
		}
		assert_int_equal(cfg(p, 1), 0x09);
		assert_int_equal(cfg(p + 4, 1), 0); /* BAR 0 */
		types |= 1u << cfg(p + 3, 1);
		switch (cfg(p + 3, 1)) {
		case 1: assert_int_equal(cfg(p + 8, 4), VIRTIO_COMMON_OFF);
			assert_true(cfg(p + 12, 4) >= 0x38); break;
		case 2: assert_int_equal(cfg(p + 2, 1), 20);
			assert_int_equal(cfg(p + 8, 4), VIRTIO_NOTIFY_OFF);
			assert_int_equal(cfg(p + 16, 4), VIRTIO_NOTIFY_MULT); break;
		case 3: assert_int_equal(cfg(p + 8, 4), VIRTIO_ISR_OFF); break;
		case 4: assert_int_equal(cfg(p + 8, 4), VIRTIO_DEVCFG_OFF); break;
		case 5: assert_int_equal(cfg(p + 2, 1), 20); break; /* + pci_cfg_data */
		}
	}
	assert_int_equal(types, 0x3e);
	/* The capabilities are read-only. */
	pci_cfg_write(&bus, DEVFN, 0x50, 4, 0);
	assert_int_equal(cfg(0x50, 1), 0x09);
}

static void test_bar(void **state)
{
	(void)state;
	pci_cfg_write(&bus, DEVFN, PCI_BAR0, 4, ~0U);
	assert_int_equal(cfg(PCI_BAR0, 4), ~(VIRTIO_BAR_SIZE - 1));
	assert_int_equal(mmio_len, 0); /* memory space is off */
	pci_cfg_write(&bus, DEVFN, PCI_BAR0, 4, 0xfebf0000);
	pci_cfg_write(&bus, DEVFN, PCI_COMMAND, 2, PCI_CMD_MEM);
	assert_int_equal(mmio_base, 0xfebf0000);
	assert_int_equal(mmio_len, VIRTIO_BAR_SIZE);
	assert_int_equal(dev.bar_base, 0xfebf0000);
	/* The doorbells follow the BAR: one address per queue (2 here). */
	assert_int_equal(bell_base, 0xfebf0000 + VIRTIO_NOTIFY_OFF);
	assert_int_equal(bell_len, 2 * VIRTIO_NOTIFY_MULT);
	assert_ptr_equal(bell_fn, virtio_doorbell);
	pci_cfg_write(&bus, DEVFN, PCI_BAR0, 4, 0xfeb00000);
	assert_int_equal(mmio_base, 0xfeb00000);
	assert_int_equal(bell_base, 0xfeb00000 + VIRTIO_NOTIFY_OFF);
	pci_cfg_write(&bus, DEVFN, PCI_COMMAND, 2, 0);
	assert_int_equal(mmio_len, 0);
	assert_int_equal(bell_len, 0);
}

static void test_features(void **state)
{
	(void)state;
	wr(0x00, 4, 0);
	assert_int_equal(rd(0x04, 4), (1u << 6) | (1u << 28) | (1u << 29));
	wr(0x00, 4, 1);
	assert_int_equal(rd(0x04, 4), 1); /* VERSION_1 */
	wr(0x00, 4, 2);
	assert_int_equal(rd(0x04, 4), 0);
	/* Without VERSION_1: FEATURES_OK stays clear (no legacy interface). */
	wr(0x14, 1, 3);
	wr(0x08, 4, 0);
	wr(0x0c, 4, 1u << 6);
	wr(0x14, 1, 3 | 8);
	assert_int_equal(rd(0x14, 1), 3);
	/* A bit not offered: refused too. */
	wr(0x08, 4, 1);
	wr(0x0c, 4, 1 | 2);
	wr(0x14, 1, 3 | 8);
	assert_int_equal(rd(0x14, 1), 3);
	wr(0x0c, 4, 1);
	wr(0x14, 1, 3 | 8);
	assert_int_equal(rd(0x14, 1), 11);
	/* Fixed once accepted. */
	wr(0x08, 4, 0);
	wr(0x0c, 4, 1u << 28);
	assert_int_equal(rd(0x0c, 4), 1u << 6);
	assert_int_equal(dev.driver_features, (1ULL << 32) | (1u << 6));
	/* Reset forgets them. */
	wr(0x14, 1, 0);
	assert_int_equal(rd(0x14, 1), 0);
	assert_int_equal(dev.driver_features, 0);
	assert_int_equal(resets, 2); /* init and this one */
}

static void negotiate(uint32_t lo)
{
	wr(0x14, 1, 3);
	wr(0x08, 4, 0);
	wr(0x0c, 4, lo);
	wr(0x08, 4, 1);
	wr(0x0c, 4, 1);
	wr(0x14, 1, 11);
	assert_int_equal(rd(0x14, 1), 11);
}

static void setup_queue(unsigned q, uint16_t size, uint64_t base)
{
	wr(0x16, 2, q);
	assert_int_equal(rd(0x18, 2), 8);
	assert_int_equal(rd(0x1e, 2), q);
	wr(0x18, 2, size);
	wr(0x20, 4, (uint32_t)base);
	wr(0x24, 4, base >> 32);
	wr(0x28, 8, base + 0x1000);
	wr(0x30, 4, (uint32_t)(base + 0x2000));
	wr(0x34, 4, 0);
	wr(0x1c, 2, 1);
}

/* Offer one chain of one readable buffer on queue q's ring at base. */
static void offer(uint64_t base)
{
	uint8_t *desc = ram + (base - RAM_BASE), *avail = desc + 0x1000;
	uint64_t addr = RAM_BASE + 0x8000;
	uint32_t len = 4;
	uint16_t idx;

	memcpy(desc, &addr, 8);
	memcpy(desc + 8, &len, 4);
	memcpy(&idx, avail + 2, 2);
	avail[4 + 2 * (idx % 8)] = 0;
	avail[5 + 2 * (idx % 8)] = 0;
	idx++;
	memcpy(avail + 2, &idx, 2);
}

static void test_queue_and_doorbell(void **state)
{
	(void)state;
	assert_int_equal(rd(0x12, 2), 2);
	negotiate(0);
	setup_queue(1, 8, RAM_BASE);
	assert_int_equal(rd(0x1c, 2), 1);
	assert_true(dev.vq[1].ready);
	/* Fixed once enabled. */
	wr(0x18, 2, 4);
	assert_int_equal(rd(0x18, 2), 8);
	offer(RAM_BASE);
	/* A doorbell before DRIVER_OK rings nothing. */
	wr(VIRTIO_NOTIFY_OFF + 4, 2, 1);
	assert_int_equal(notified[1], 0);
	wr(0x14, 1, 15);
	wr(VIRTIO_NOTIFY_OFF + 4, 2, 1);
	assert_int_equal(notified[1], 1);
	assert_int_equal(notified[0], 0);
	assert_int_equal(ram[0x2000 + 2], 1); /* used idx */
	/* The exit's doorbell path: the offset in the notify region names the queue. */
	offer(RAM_BASE);
	virtio_doorbell(NULL, &dev, VIRTIO_NOTIFY_MULT);
	assert_int_equal(notified[1], 2);
	assert_int_equal(ram[0x2000 + 2], 2);
	virtio_doorbell(NULL, &dev, 2 * VIRTIO_NOTIFY_MULT); /* no queue 2: nothing */
	virtio_doorbell(NULL, &dev, ~0ULL);
	assert_int_equal(notified[0] + notified[1], 2);
	/* A queue that is not there, and the no-queue select. */
	wr(VIRTIO_NOTIFY_OFF + 8, 2, 2);
	wr(0x16, 2, 7);
	assert_int_equal(rd(0x18, 2), 0);
}

static void test_bad_queue_needs_reset(void **state)
{
	(void)state;
	negotiate(0);
	wr(0x14, 1, 15);
	wr(0x10, 2, 0); /* config vector 0 */
	setup_queue(0, 6, RAM_BASE); /* not a power of two */
	assert_true(rd(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET);
	assert_false(virtio_running(&dev));
	assert_int_equal(rd(VIRTIO_ISR_OFF, 1), 2); /* config change, MSI-X off */
	/* Rings outside RAM: the same. */
	wr(0x14, 1, 0);
	negotiate(0);
	setup_queue(0, 8, RAM_BASE + RAM_SIZE - 0x1000);
	assert_true(rd(0x14, 1) & VIRTIO_STATUS_NEEDS_RESET);
}

static void test_intx(void **state)
{
	(void)state;
	negotiate(0);
	setup_queue(0, 8, RAM_BASE);
	wr(0x14, 1, 15);
	offer(RAM_BASE);
	wr(VIRTIO_NOTIFY_OFF, 2, 0);
	assert_true(intx);
	assert_int_equal(rd(VIRTIO_ISR_OFF, 1), 1);
	assert_false(intx);
	assert_int_equal(rd(VIRTIO_ISR_OFF, 1), 0);
	/* INTx disable in the command register keeps the line low. */
	pci_cfg_write(&bus, DEVFN, PCI_COMMAND, 2, PCI_CMD_INTX_DISABLE);
	offer(RAM_BASE);
	wr(VIRTIO_NOTIFY_OFF, 2, 0);
	assert_false(intx);
	pci_cfg_write(&bus, DEVFN, PCI_COMMAND, 2, 0);
	assert_true(intx);
}

static void test_msix(void **state)
{
	(void)state;
	pci_cfg_write(&bus, DEVFN, PCI_COMMAND, 2, PCI_CMD_MEM | PCI_CMD_MASTER);
	pci_cfg_write(&bus, DEVFN, 0x42, 2, 0x8000); /* MSI-X enable */
	negotiate(0);
	wr(0x16, 2, 0);
	wr(0x1a, 2, 1);
	assert_int_equal(rd(0x1a, 2), 1);
	wr(0x1a, 2, 9); /* no such vector: reads back NO_VECTOR */
	assert_int_equal(rd(0x1a, 2), VIRTIO_MSI_NO_VECTOR);
	wr(0x1a, 2, 1);
	setup_queue(0, 8, RAM_BASE);
	wr(0x14, 1, 15);
	wr(VIRTIO_MSIX_OFF + 16, 4, 0xfee00000);
	wr(VIRTIO_MSIX_OFF + 20, 4, 0);
	wr(VIRTIO_MSIX_OFF + 24, 4, 0x41);
	/* Entry still masked from reset: pending. */
	offer(RAM_BASE);
	wr(VIRTIO_NOTIFY_OFF, 2, 0);
	assert_int_equal(nr_msi, 0);
	assert_int_equal(rd(VIRTIO_PBA_OFF, 4), 2);
	assert_false(intx);
	wr(VIRTIO_MSIX_OFF + 28, 4, 0); /* unmask: the pending message goes */
	assert_int_equal(nr_msi, 1);
	assert_int_equal(msi_addr, 0xfee00000);
	assert_int_equal(msi_data, 0x41);
	assert_int_equal(rd(VIRTIO_PBA_OFF, 4), 0);
	offer(RAM_BASE);
	wr(VIRTIO_NOTIFY_OFF, 2, 0);
	assert_int_equal(nr_msi, 2);
	/* Function mask holds it; clearing it releases it. */
	pci_cfg_write(&bus, DEVFN, 0x42, 2, 0xc000);
	offer(RAM_BASE);
	wr(VIRTIO_NOTIFY_OFF, 2, 0);
	assert_int_equal(nr_msi, 2);
	pci_cfg_write(&bus, DEVFN, 0x42, 2, 0x8000);
	assert_int_equal(nr_msi, 3);
	assert_int_equal(rd(VIRTIO_MSIX_OFF + 24, 4), 0x41);
}

/* The VIRTIO_PCI_CAP_PCI_CFG capability's offset, found by walking the list. */
static unsigned pci_cfg_cap(void)
{
	for (unsigned p = cfg(0x34, 1); p; p = cfg(p + 1, 1))
		if (cfg(p, 1) == 0x09 && cfg(p + 3, 1) == 5)
			return p;
	fail();
	return 0;
}

/* Point the window at bar/offset/length (virtio_pci_cfg_cap's cap fields). */
static void window(unsigned cap, uint8_t bar, uint32_t off, uint32_t len)
{
	pci_cfg_write(&bus, DEVFN, cap + 4, 1, bar);
	pci_cfg_write(&bus, DEVFN, cap + 8, 4, off);
	pci_cfg_write(&bus, DEVFN, cap + 12, 4, len);
}

/* Config-space access to BAR 0 through pci_cfg_data (virtio 1.1 4.1.4.8). */
static void test_pci_cfg_window(void **state)
{
	unsigned cap = pci_cfg_cap(), data = cap + 16;

	(void)state;
	/* A byte write of the status, read back through the window and the BAR. */
	window(cap, 0, 0x14, 1);
	pci_cfg_write(&bus, DEVFN, data, 4, 0xffffff03);
	assert_int_equal(rd(0x14, 1), 3);
	wr(0x14, 1, 1);
	assert_int_equal(cfg(data, 1), 1);
	/* A dword: the device features, select 1 (VERSION_1). */
	wr(0x00, 4, 1);
	window(cap, 0, 0x04, 4);
	assert_int_equal(cfg(data, 4), 1);
	/* The ISR: read through the window, it clears; a write to data does not read it. */
	dev.isr = 1;
	window(cap, 0, VIRTIO_ISR_OFF, 1);
	pci_cfg_write(&bus, DEVFN, data, 1, 0);
	assert_int_equal(dev.isr, 1);
	assert_int_equal(cfg(data, 1), 1);
	assert_int_equal(dev.isr, 0);
	/*
	 * Refused: another BAR, a length of 3 or 8, unaligned, the MSI-X table
	 * (no virtio capability names it), past the BAR, huge. Neither a write
	 * nor a read reaches the BAR: pci_cfg_data keeps what was written.
	 */
	dev.isr = 1;
	for (unsigned i = 0; i < 7; i++) {
		static const uint32_t bad[7][3] = {
			{ 1, VIRTIO_ISR_OFF, 1 }, { 0, 0x14, 3 }, { 0, 0x10, 8 },
			{ 0, 0x15, 2 }, { 0, VIRTIO_MSIX_OFF, 4 }, { 0, 0x7ffc, 4 },
			{ 0, 0xfffffffc, 4 },
		};

		window(cap, (uint8_t)bad[i][0], bad[i][1], bad[i][2]);
		pci_cfg_write(&bus, DEVFN, data, 4, 0x5a5a5a00 + i);
		assert_int_equal(cfg(data, 4), 0x5a5a5a00 + i);
	}
	assert_int_equal(dev.isr, 1);
	assert_int_equal(rd(0x14, 1), 1);
	assert_int_equal(dev.msix[0].addr_lo, 0);
	/* A doorbell through the window rings queue 1. */
	negotiate(0);
	setup_queue(1, 8, RAM_BASE);
	wr(0x14, 1, 15);
	offer(RAM_BASE);
	window(cap, 0, VIRTIO_NOTIFY_OFF + VIRTIO_NOTIFY_MULT, 2);
	pci_cfg_write(&bus, DEVFN, data, 2, 1);
	assert_int_equal(notified[1], 1);
}

static void test_device_config(void **state)
{
	(void)state;
	assert_int_equal(rd(VIRTIO_DEVCFG_OFF, 4), 0x04030201);
	assert_int_equal(rd(VIRTIO_DEVCFG_OFF + 7, 1), 8);
	assert_int_equal(rd(VIRTIO_DEVCFG_OFF + 6, 4), 0); /* past its end */
	wr(VIRTIO_DEVCFG_OFF + 1, 1, 0xaa);
	assert_int_equal(config[1], 0xaa);
	assert_int_equal(cfg_writes, 1);
	assert_int_equal(rd(0x15, 1), 0);
	virtio_config_changed(&dev);
	assert_int_equal(rd(0x15, 1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ids_and_caps, setup),
		cmocka_unit_test_setup(test_bar, setup),
		cmocka_unit_test_setup(test_features, setup),
		cmocka_unit_test_setup(test_queue_and_doorbell, setup),
		cmocka_unit_test_setup(test_bad_queue_needs_reset, setup),
		cmocka_unit_test_setup(test_intx, setup),
		cmocka_unit_test_setup(test_msix, setup),
		cmocka_unit_test_setup(test_device_config, setup),
		cmocka_unit_test_setup(test_pci_cfg_window, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
