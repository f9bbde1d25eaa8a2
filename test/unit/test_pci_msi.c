/* SPDX-License-Identifier: MIT */
/*
 * Host tests for MSI (vmm/dev/pci_msi.c): a fake PCI function carrying the
 * capability, programmed through configuration space as a guest would
 * (PCI Local Bus Spec 3.0 6.8.1 offsets written out here), and messages
 * decoded into a real local APIC model (Intel SDM Vol. 3A 11.11).
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
#include <keel/dev/pci_msi.h>
#include <keel/dev/vlapic.h>
#include <keel/errno.h>
#include <keel/io.h>
#include <keel/vtime.h>
#include "vlapic_stubs.h"

#define DEVFN PCI_DEVFN(5, 0)
#define CAP   0x50

static struct pci_bus bus;
static struct pci_msi msi;
static struct vlapic lapic;
static uint64_t sent_addr[8];
static uint32_t sent_data[8];
static unsigned nr_sent, nr_nmi;

int io_register_pio(struct vm *vm, uint16_t base, uint16_t len, io_handler_fn *fn, void *dev)
{
	(void)vm, (void)base, (void)len, (void)fn, (void)dev;
	return 0;
}

static void record(void *ctx, uint64_t addr, uint32_t data)
{
	assert_ptr_equal(ctx, &msi);
	assert_true(nr_sent < 8);
	sent_addr[nr_sent] = addr;
	sent_data[nr_sent++] = data;
}

/* The fake device's config write hook, as a model with MSI would have it. */
static void fake_cfg_write(struct pci_dev *d, unsigned off, unsigned size, uint32_t old)
{
	(void)old;
	assert_ptr_equal(d->ctx, &msi);
	pci_msi_cfg_write(&msi, off, size);
}

static void on_nmi(void *ctx)
{
	assert_ptr_equal(ctx, &lapic);
	nr_nmi++;
}

static int setup(void **state)
{
	struct pci_dev *d;

	(void)state;
	nr_sent = nr_nmi = 0;
	pci_bus_init(&bus);
	d = pci_bus_add(&bus, 5, 0);
	assert_non_null(d);
	pci_dev_set_ids(d, 0x1af4, 0x10f0, 0xff0000, 1, 0x1af4, 0x1100);
	d->cfg_write = fake_cfg_write;
	d->ctx = &msi;
	assert_int_equal(pci_msi_init(&msi, d, CAP, &(struct msi_line){ record, &msi }), 0);
	vlapic_init(&lapic, 0);
	lapic.nmi = on_nmi;
	lapic.ctx = &lapic;
	return 0;
}

static uint32_t cfg_rd(unsigned off, unsigned size)
{
	return pci_cfg_read(&bus, DEVFN, off, size);
}

static void cfg_wr(unsigned off, unsigned size, uint32_t v)
{
	pci_cfg_write(&bus, DEVFN, off, size, v);
}

/* What Linux does: address, upper address, data, then enable; bus mastering on. */
static void program(uint32_t addr, uint16_t data)
{
	cfg_wr(PCI_COMMAND, 2, PCI_CMD_MASTER);
	cfg_wr(CAP + 4, 4, addr);
	cfg_wr(CAP + 8, 4, 0);
	cfg_wr(CAP + 0xc, 2, data);
	cfg_wr(CAP + 2, 2, 1);
}

static void test_capability_layout(void **state)
{
	(void)state;
	/* Listed: the status bit, the pointer, ID 05, end of list. */
	assert_true(cfg_rd(PCI_STATUS, 2) & 0x10);
	assert_int_equal(cfg_rd(0x34, 1), CAP);
	assert_int_equal(cfg_rd(CAP, 1), 0x05);
	assert_int_equal(cfg_rd(CAP + 1, 1), 0);
	/* Message control: per-vector masking, 64-bit, one vector, disabled. */
	assert_int_equal(cfg_rd(CAP + 2, 2), 0x0180);
	cfg_wr(CAP + 2, 2, 0xffff);
	assert_int_equal(cfg_rd(CAP + 2, 2), 0x01f1); /* enable and MME are the writable bits */
	cfg_wr(CAP, 2, 0);
	assert_int_equal(cfg_rd(CAP, 2), 0x0005);
	/* The address is dword-aligned; the upper address and data take anything. */
	cfg_wr(CAP + 4, 4, 0xffffffff);
	cfg_wr(CAP + 8, 4, 0x12345678);
	cfg_wr(CAP + 0xc, 4, 0xffffffff);
	assert_int_equal(cfg_rd(CAP + 4, 4), 0xfffffffc);
	assert_int_equal(cfg_rd(CAP + 8, 4), 0x12345678);
	assert_int_equal(cfg_rd(CAP + 0xc, 4), 0x0000ffff);
	/* One mask bit for the one vector; pending bits are read-only. */
	cfg_wr(CAP + 0x10, 4, 0xffffffff);
	cfg_wr(CAP + 0x14, 4, 0xffffffff);
	assert_int_equal(cfg_rd(CAP + 0x10, 4), 1);
	assert_int_equal(cfg_rd(CAP + 0x14, 4), 0);
	pci_msi_reset(&msi);
	assert_int_equal(cfg_rd(CAP + 2, 2), 0x0180);
	assert_int_equal(cfg_rd(CAP + 0x10, 4), 0);
	assert_int_equal(cfg_rd(0x34, 1), CAP);
}

/* A second capability is chained behind the first. */
static void test_capability_chain(void **state)
{
	struct pci_msi second;
	struct pci_dev *d = pci_bus_find(&bus, DEVFN);

	(void)state;
	assert_int_equal(pci_msi_init(&second, d, 0x70, &(struct msi_line){ record, &msi }), 0);
	assert_int_equal(cfg_rd(0x34, 1), CAP);
	assert_int_equal(cfg_rd(CAP + 1, 1), 0x70);
	assert_int_equal(cfg_rd(0x71, 1), 0);
	assert_int_equal(pci_msi_init(&second, d, 0x3c, &(struct msi_line){ record, &msi }), -EINVAL);
	assert_int_equal(pci_msi_init(&second, d, 0xf0, &(struct msi_line){ record, &msi }), -EINVAL);
}

static void test_notify(void **state)
{
	(void)state;
	/* Disabled: the function falls back to INTx, nothing is sent. */
	assert_false(pci_msi_notify(&msi));
	assert_int_equal(nr_sent, 0);
	program(0xfee00000, 0x4041);
	assert_true(pci_msi_enabled(&msi));
	assert_true(pci_msi_notify(&msi));
	assert_int_equal(nr_sent, 1);
	assert_int_equal(sent_addr[0], 0xfee00000);
	assert_int_equal(sent_data[0], 0x4041);
	/* The upper address counts. */
	cfg_wr(CAP + 8, 4, 1);
	pci_msi_notify(&msi);
	assert_int_equal(sent_addr[1], 0x1fee00000ULL);
	/* Without bus mastering the function cannot write its message. */
	cfg_wr(PCI_COMMAND, 2, 0);
	assert_true(pci_msi_notify(&msi));
	assert_int_equal(nr_sent, 2);
	assert_int_equal(msi.sent, 2);
}

static void test_mask_pending(void **state)
{
	(void)state;
	program(0xfee00000, 0x31);
	cfg_wr(CAP + 0x10, 4, 1);
	pci_msi_notify(&msi);
	pci_msi_notify(&msi);
	assert_int_equal(nr_sent, 0);
	assert_int_equal(cfg_rd(CAP + 0x14, 4), 1);
	/* Writes elsewhere keep it pending; unmasking sends it, once. */
	cfg_wr(PCI_COMMAND, 2, PCI_CMD_MASTER);
	assert_int_equal(nr_sent, 0);
	cfg_wr(CAP + 0x10, 4, 0);
	assert_int_equal(nr_sent, 1);
	assert_int_equal(sent_data[0], 0x31);
	assert_int_equal(cfg_rd(CAP + 0x14, 4), 0);
	cfg_wr(CAP + 0x10, 4, 0);
	assert_int_equal(nr_sent, 1);
}

static void test_decode(void **state)
{
	struct msi_msg m;

	(void)state;
	assert_true(msi_decode(0xfee0300c, 0xc465, &m));
	assert_int_equal(m.dest, 3);
	assert_true(m.redirect);
	assert_true(m.logical);
	assert_int_equal(m.vector, 0x65);
	assert_int_equal(m.mode, 4);
	assert_true(m.assert);
	assert_true(m.level);
	assert_true(msi_decode(0xfeeff000, 0x0120, &m));
	assert_int_equal(m.dest, 0xff);
	assert_false(m.redirect || m.logical || m.assert || m.level);
	assert_int_equal(m.mode, 1);
	/* Outside the 0xfeexxxxx window, or above 4 GiB: not an interrupt. */
	assert_false(msi_decode(0xfed00000, 0x41, &m));
	assert_false(msi_decode(0x1fee00000ULL, 0x41, &m));
	assert_false(msi_decode(0, 0x41, &m));
}

static bool irr(unsigned v)
{
	return lapic.irr[v / 32] & (1u << (v % 32));
}

static bool tmr(unsigned v)
{
	return lapic.tmr[v / 32] & (1u << (v % 32));
}

static void test_to_lapic(void **state)
{
	(void)state;
	lapic.svr = VLAPIC_SVR_ENABLE | 0xff;
	/* Physical destination: this APIC's ID (0) or broadcast; another ID is dropped. */
	msi_to_lapic(&lapic, 0xfee00000, 0x41);
	msi_to_lapic(&lapic, 0xfeeff000, 0x42);
	msi_to_lapic(&lapic, 0xfee01000, 0x43);
	assert_true(irr(0x41) && irr(0x42));
	assert_false(irr(0x43));
	assert_false(tmr(0x41));
	/* Lowest priority is delivered like fixed; level trigger sets TMR. */
	msi_to_lapic(&lapic, 0xfee00000, 0xc144);
	assert_true(irr(0x44) && tmr(0x44));
	/* A level deassert message does nothing. */
	msi_to_lapic(&lapic, 0xfee00000, 0x8045);
	assert_false(irr(0x45));
	/* Logical destination, flat model: the LDR bits decide. */
	lapic.ldr = 0x02000000;
	msi_to_lapic(&lapic, 0xfee0200c, 0x46);
	msi_to_lapic(&lapic, 0xfee0100c, 0x47);
	assert_true(irr(0x46));
	assert_false(irr(0x47));
	/* NMI goes to the hook; SMI, INIT and ExtINT find nothing to take them. */
	msi_to_lapic(&lapic, 0xfee00000, 0x0400);
	assert_int_equal(nr_nmi, 1);
	msi_to_lapic(&lapic, 0xfee00000, 0x0248);
	msi_to_lapic(&lapic, 0xfee00000, 0x0549);
	msi_to_lapic(&lapic, 0xfee00000, 0x074a);
	assert_false(irr(0x48) || irr(0x49) || irr(0x4a));
	/* Not the interrupt window: a memory write, no interrupt. */
	msi_to_lapic(&lapic, 0xfed00000, 0x4b);
	assert_false(irr(0x4b));
	/* A software-disabled APIC takes nothing. */
	lapic.svr = 0xff;
	msi_to_lapic(&lapic, 0xfee00000, 0x4c);
	assert_false(irr(0x4c));
}

/* End to end: the fake device's message reaches the APIC's IRR. */
static void test_device_to_lapic(void **state)
{
	(void)state;
	msi.line = (struct msi_line){ msi_to_lapic, &lapic };
	lapic.svr = VLAPIC_SVR_ENABLE | 0xff;
	program(0xfee00000, 0x0061);
	pci_msi_notify(&msi);
	assert_int_equal(vlapic_pending(&lapic), 0x61);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_capability_layout, setup),
		cmocka_unit_test_setup(test_capability_chain, setup),
		cmocka_unit_test_setup(test_notify, setup),
		cmocka_unit_test_setup(test_mask_pending, setup),
		cmocka_unit_test_setup(test_decode, setup),
		cmocka_unit_test_setup(test_to_lapic, setup),
		cmocka_unit_test_setup(test_device_to_lapic, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
