/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the PCI platform: vmm/dev/pci_bus.c, i440fx.c and piix.c.
 * Everything the guest does goes through the real I/O registry (vmm/io.c)
 * as port accesses, the way SeaBIOS and Linux reach these registers; guest
 * time is whatever the test sets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/dev/i440fx.h>
#include <keel/dev/pci.h>
#include <keel/dev/piix.h>
#include <keel/errno.h>
#include <keel/vm.h>
#include <keel/vtime.h>

static uint64_t now_ns;

uint64_t vm_time_ns(struct vm *vm)
{
	(void)vm;
	return now_ns;
}

static struct vm vm;
static struct pci_bus bus;
static struct i440fx hb;
static struct piix px;

/* What the callbacks saw. */
static struct { unsigned seg, mode; } pam_log[64];
static unsigned nr_pam, nr_off, nr_reset, nr_hard;
static int sci_level = -1;

static void pam_changed(void *ctx, unsigned seg, unsigned mode)
{
	assert_ptr_equal(ctx, &hb);
	assert_true(nr_pam < 64);
	pam_log[nr_pam].seg = seg;
	pam_log[nr_pam++].mode = mode;
}

static void power_off(void *ctx)
{
	assert_ptr_equal(ctx, &px);
	nr_off++;
}

static void reset(void *ctx, bool hard)
{
	assert_ptr_equal(ctx, &bus);
	nr_reset++;
	nr_hard += hard;
}

static void sci_set(void *ctx, unsigned gsi, bool level)
{
	assert_ptr_equal(ctx, &px);
	assert_int_equal(gsi, PIIX_SCI_IRQ);
	sci_level = level;
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(&hb, 0xa5, sizeof(hb));
	memset(&px, 0xa5, sizeof(px));
	now_ns = 0;
	nr_pam = nr_off = nr_reset = nr_hard = 0;
	sci_level = -1;
	pci_bus_init(&bus);
	bus.reset = reset;
	bus.reset_ctx = &bus;
	hb.pam_changed = pam_changed;
	hb.ctx = &hb;
	px.power_off = power_off;
	px.ctx = &px;
	px.sci = (struct irq_line){ sci_set, &px, PIIX_SCI_IRQ };
	assert_int_equal(i440fx_init(&hb, &bus), 0);
	assert_int_equal(piix_init(&px, &bus), 0);
	assert_int_equal(pci_bus_register(&vm, &bus), 0);
	assert_int_equal(piix_register(&vm, &px), 0);
	assert_int_equal(nr_pam, 0); /* reset state is reported by nobody */
	return 0;
}

/* Port I/O as the guest does it; rc is what the registry returned. */
static int pio(uint16_t port, unsigned size, bool write, uint64_t *v)
{
	struct io_access a = { .addr = port, .size = size, .write = write, .value = *v };
	int rc = io_pio(&vm, &a);

	*v = a.value;
	return rc;
}

static uint32_t in(uint16_t port, unsigned size)
{
	uint64_t v = 0xdeadbeef;

	assert_int_equal(pio(port, size, false, &v), 0);
	return (uint32_t)v;
}

static void out(uint16_t port, unsigned size, uint32_t val)
{
	uint64_t v = val;

	assert_int_equal(pio(port, size, true, &v), 0);
}

#define DEVFN_HB  PCI_DEVFN(0, 0)
#define DEVFN_ISA PCI_DEVFN(1, 0)
#define DEVFN_PM  PCI_DEVFN(1, 3)

static void select_reg(unsigned devfn, unsigned off)
{
	out(PCI_PORT_ADDR, 4, PCI_ADDR_EN | devfn << 8 | (off & 0xfc));
}

static uint32_t cfg_rd(unsigned devfn, unsigned off, unsigned size)
{
	select_reg(devfn, off);
	return in(PCI_PORT_DATA + (off & 3), size);
}

static void cfg_wr(unsigned devfn, unsigned off, unsigned size, uint32_t v)
{
	select_reg(devfn, off);
	out(PCI_PORT_DATA + (off & 3), size, v);
}

static void test_addr_register(void **state)
{
	(void)state;
	assert_int_equal(in(PCI_PORT_ADDR, 4), 0);
	out(PCI_PORT_ADDR, 4, 0x80001234);
	assert_int_equal(in(PCI_PORT_ADDR, 4), 0x80001234);
	/* Reserved bits 30:24 and 1:0 read 0. */
	out(PCI_PORT_ADDR, 4, 0xffffffff);
	assert_int_equal(in(PCI_PORT_ADDR, 4), 0x80fffffc);
	/* Byte and word cycles pass through: no effect, nobody answers. */
	out(PCI_PORT_ADDR, 1, 0);
	out(PCI_PORT_ADDR + 2, 2, 0);
	assert_int_equal(in(PCI_PORT_ADDR, 4), 0x80fffffc);
	assert_int_equal(in(PCI_PORT_ADDR, 1), 0xff);
	assert_int_equal(in(PCI_PORT_ADDR + 2, 2), 0xffff);
	/* Linux's pci_check_type1() probe. */
	out(PCI_PORT_ADDR, 4, 0x80000000);
	assert_int_equal(in(PCI_PORT_ADDR, 4), 0x80000000);
}

/* Every byte, word and dword at every offset matches the header bytes. */
static void test_data_port_all_offsets(void **state)
{
	const uint8_t *c = hb.dev->cfg;

	(void)state;
	/* Something non-zero in every dword of the device-specific space. */
	for (unsigned off = 0x40; off < 0x100; off += 4)
		if (off != 0x58 && off != 0x5c && off != 0x70)
			cfg_wr(DEVFN_HB, off, 4, 0x11223344u + off);
	for (unsigned off = 0; off < PCI_CFG_SIZE; off++) {
		uint32_t b = c[off];

		assert_int_equal(cfg_rd(DEVFN_HB, off, 1), b);
		if ((off & 3) <= 2)
			assert_int_equal(cfg_rd(DEVFN_HB, off, 2), b | c[off + 1] << 8);
		if ((off & 3) == 0)
			assert_int_equal(cfg_rd(DEVFN_HB, off, 4),
					 b | c[off + 1] << 8 | c[off + 2] << 16 | (uint32_t)c[off + 3] << 24);
	}
	assert_int_equal(cfg_rd(DEVFN_HB, 0x44, 4), 0x11223388);
	assert_int_equal(cfg_rd(DEVFN_HB, 0x45, 1), 0x33);
	assert_int_equal(cfg_rd(DEVFN_HB, 0x46, 2), 0x1122);
	/* Sub-dword writes land on their own bytes only. */
	cfg_wr(DEVFN_HB, 0x47, 1, 0xaa);
	cfg_wr(DEVFN_HB, 0x44, 2, 0xbbcc);
	assert_int_equal(cfg_rd(DEVFN_HB, 0x44, 4), 0xaa22bbcc);
	/* The port's low bits pick the byte within the selected dword. */
	select_reg(DEVFN_HB, 0x44);
	assert_int_equal(in(PCI_PORT_DATA + 3, 1), 0xaa);
	assert_int_equal(in(PCI_PORT_DATA + 1, 2), 0x22bb);
}

static void test_absent_and_disabled(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(cfg_rd(PCI_DEVFN(5, 0), 0, 4), 0xffffffff);
	assert_int_equal(cfg_rd(PCI_DEVFN(5, 0), 2, 2), 0xffff);
	assert_int_equal(cfg_rd(PCI_DEVFN(5, 0), 3, 1), 0xff);
	/* 01.1 (IDE) and 01.2 are left free. */
	assert_int_equal(cfg_rd(PCI_DEVFN(1, 1), 0, 4), 0xffffffff);
	assert_int_equal(cfg_rd(PCI_DEVFN(1, 2), 0, 4), 0xffffffff);
	cfg_wr(PCI_DEVFN(5, 0), 0x40, 4, 0); /* dropped, harmless */
	/* Bus 1 does not exist. */
	out(PCI_PORT_ADDR, 4, PCI_ADDR_EN | 1 << 16);
	assert_int_equal(in(PCI_PORT_DATA, 4), 0xffffffff);
	/* Enable bit clear: data port reads all-ones, writes do nothing. */
	out(PCI_PORT_ADDR, 4, I440FX_PAM0 & 0xfc);
	assert_int_equal(in(PCI_PORT_DATA, 4), 0xffffffff);
	assert_int_equal(in(PCI_PORT_DATA + 1, 1), 0xff);
	out(PCI_PORT_DATA + 1, 1, 0x30);
	assert_int_equal(hb.dev->cfg[I440FX_PAM0], 0);
	assert_int_equal(nr_pam, 0);
	/* The same device is there with the bit set. */
	assert_int_equal(cfg_rd(DEVFN_HB, 0, 2), 0x8086);
	/* A dword at 0xcfd runs past 0xcff: not ours to claim. */
	assert_int_equal(pio(PCI_PORT_DATA + 1, 4, false, &v), -ENOENT);
}

static void test_bar_sizing(void **state)
{
	struct pci_dev *d = pci_bus_add(&bus, 3, 0);
	unsigned df = PCI_DEVFN(3, 0);

	(void)state;
	assert_non_null(d);
	assert_null(pci_bus_add(&bus, 3, 0));
	assert_null(pci_bus_add(&bus, 32, 0));
	assert_null(pci_bus_add(&bus, 0, 8));
	assert_int_equal(pci_dev_add_bar(d, 0, 4096, false), 0);
	assert_int_equal(pci_dev_add_bar(d, 1, 32, true), 0);
	assert_int_equal(pci_dev_add_bar(d, 2, 3000, false), -EINVAL);
	assert_int_equal(pci_dev_add_bar(d, 2, 8, false), -EINVAL);
	assert_int_equal(pci_dev_add_bar(d, 2, 2, true), -EINVAL);
	assert_int_equal(pci_dev_add_bar(d, 6, 4096, false), -EINVAL);

	assert_int_equal(cfg_rd(df, PCI_BAR0 + 4, 4), PCI_BAR_IO);
	for (unsigned i = 0; i < 3; i++)
		cfg_wr(df, PCI_BAR0 + 4 * i, 4, 0xffffffff);
	assert_int_equal(cfg_rd(df, PCI_BAR0, 4), 0xfffff000);
	assert_int_equal(cfg_rd(df, PCI_BAR0 + 4, 4), 0xffffffe1);
	assert_int_equal(cfg_rd(df, PCI_BAR0 + 8, 4), 0); /* not implemented */
	cfg_wr(df, PCI_BAR0, 4, 0xfebf1234);
	cfg_wr(df, PCI_BAR0 + 4, 4, 0xc05f);
	assert_int_equal(cfg_rd(df, PCI_BAR0, 4), 0xfebf1000);
	assert_int_equal(cfg_rd(df, PCI_BAR0 + 4, 4), 0xc041);
}

static void test_command_status(void **state)
{
	struct pci_dev *d = pci_bus_add(&bus, 4, 0);
	unsigned df = PCI_DEVFN(4, 0);

	(void)state;
	assert_non_null(d);
	pci_dev_set_ids(d, 0x1234, 0x5678, 0xff0000, 1, 0x1af4, 0x1100);
	cfg_wr(df, PCI_COMMAND, 2, 0xffff);
	assert_int_equal(cfg_rd(df, PCI_COMMAND, 2), 0x0547);
	/* Error bits set by "hardware", plus the read-only capability bit. */
	pci_set16(d->cfg, PCI_STATUS, 0xf910);
	cfg_wr(df, PCI_STATUS, 2, 0);
	assert_int_equal(cfg_rd(df, PCI_STATUS, 2), 0xf910);
	cfg_wr(df, PCI_STATUS, 2, 0x0100);
	assert_int_equal(cfg_rd(df, PCI_STATUS, 2), 0xf810);
	/* A dword write of the command leaves status alone when its half is 0. */
	cfg_wr(df, PCI_COMMAND, 4, 0x00000006);
	assert_int_equal(cfg_rd(df, PCI_COMMAND, 4), 0xf8100006);
	cfg_wr(df, PCI_COMMAND, 4, 0xffff0000);
	assert_int_equal(cfg_rd(df, PCI_COMMAND, 4), 0x00100000);
	/* IDs and header type are read-only; the interrupt line is not. */
	cfg_wr(df, PCI_VENDOR_ID, 4, 0);
	cfg_wr(df, PCI_REVISION_ID, 4, 0);
	cfg_wr(df, PCI_HEADER_TYPE, 1, 0x80);
	assert_int_equal(cfg_rd(df, PCI_VENDOR_ID, 4), 0x56781234);
	assert_int_equal(cfg_rd(df, PCI_REVISION_ID, 4), 0xff000001);
	assert_int_equal(cfg_rd(df, PCI_HEADER_TYPE, 1), 0);
	cfg_wr(df, PCI_INTERRUPT_LINE, 2, 0xffff);
	assert_int_equal(cfg_rd(df, PCI_INTERRUPT_LINE, 2), 0x00ff);
}

static void test_host_bridge_ids(void **state)
{
	(void)state;
	assert_int_equal(cfg_rd(DEVFN_HB, PCI_VENDOR_ID, 4), 0x12378086);
	assert_int_equal(cfg_rd(DEVFN_HB, PCI_REVISION_ID, 4), 0x06000002);
	assert_int_equal(cfg_rd(DEVFN_HB, PCI_HEADER_TYPE, 1), 0x00);
	assert_int_equal(cfg_rd(DEVFN_HB, PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1af4);
	assert_int_equal(cfg_rd(DEVFN_HB, PCI_SUBSYSTEM_ID, 2), 0x1100);
	assert_int_equal(cfg_rd(DEVFN_HB, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
	assert_int_equal(cfg_rd(DEVFN_HB, PCI_COMMAND, 4), 0x02800006);
	assert_int_equal(cfg_rd(DEVFN_HB, I440FX_SMRAM, 1), 0x02);
	for (unsigned i = 0; i < I440FX_PAM_REGS; i++)
		assert_int_equal(cfg_rd(DEVFN_HB, I440FX_PAM0 + i, 1), 0);
	/* What SeaBIOS sets: memory/bus master stay on, SERR sticks. */
	cfg_wr(DEVFN_HB, PCI_COMMAND, 2, PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_SERR);
	assert_int_equal(cfg_rd(DEVFN_HB, PCI_COMMAND, 2), 0x0106);
}

static void test_pam_decode(void **state)
{
	static const uint32_t base[I440FX_PAM_SEGS] = {
		0xf0000, 0xc0000, 0xc4000, 0xc8000, 0xcc000, 0xd0000, 0xd4000,
		0xd8000, 0xdc000, 0xe0000, 0xe4000, 0xe8000, 0xec000,
	};
	/* Register and nibble shift of each segment. */
	static const unsigned reg[I440FX_PAM_SEGS] = { 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6 };
	static const unsigned sh[I440FX_PAM_SEGS] = { 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4, 0, 4 };
	struct i440fx_pam_seg s;

	(void)state;
	for (unsigned seg = 0; seg < I440FX_PAM_SEGS; seg++) {
		for (unsigned mode = 0; mode < 4; mode++) {
			uint8_t pam[I440FX_PAM_REGS] = { 0 };

			/* Reserved bits set everywhere must not leak into modes. */
			memset(pam, 0xcc, sizeof(pam));
			pam[0] = 0xcf;
			pam[reg[seg]] = (uint8_t)((pam[reg[seg]] & ~(3 << sh[seg])) | mode << sh[seg]);
			for (unsigned t = 0; t < I440FX_PAM_SEGS; t++) {
				assert_int_equal(i440fx_pam_decode(pam, t, &s), 0);
				assert_int_equal(s.base, base[t]);
				assert_int_equal(s.size, t ? 0x4000 : 0x10000);
				assert_int_equal(s.mode, t == seg ? mode : 0);
			}
		}
	}
	assert_int_equal(i440fx_pam_decode((uint8_t[7]){ 0 }, I440FX_PAM_SEGS, &s), -EINVAL);
}

static void expect_pam(unsigned i, unsigned seg, unsigned mode)
{
	assert_true(i < nr_pam);
	assert_int_equal(pam_log[i].seg, seg);
	assert_int_equal(pam_log[i].mode, mode);
}

static void test_pam_callback(void **state)
{
	(void)state;
	cfg_wr(DEVFN_HB, I440FX_PAM0, 1, 0xff); /* reserved bits drop */
	assert_int_equal(cfg_rd(DEVFN_HB, I440FX_PAM0, 1), 0x30);
	assert_int_equal(nr_pam, 1);
	expect_pam(0, 0, PAM_RW);
	cfg_wr(DEVFN_HB, I440FX_PAM0, 1, 0x30);
	assert_int_equal(nr_pam, 1); /* no change, no call */

	/* SeaBIOS's make_bios_writable: dwords at 0x58 and 0x5c. */
	nr_pam = 0;
	cfg_wr(DEVFN_HB, 0x58, 4, 0x33333000);
	cfg_wr(DEVFN_HB, 0x5c, 4, 0x33333333);
	assert_int_equal(nr_pam, 12);
	for (unsigned i = 0; i < 12; i++)
		expect_pam(i, i + 1, PAM_RW);
	/* make_bios_readonly: 0xf0000 and the first pieces read-only. */
	nr_pam = 0;
	cfg_wr(DEVFN_HB, 0x58, 4, 0x11111000);
	assert_int_equal(nr_pam, 5);
	for (unsigned i = 0; i < 5; i++)
		expect_pam(i, i, PAM_RO);
	/* One nibble of one register: one segment. */
	nr_pam = 0;
	cfg_wr(DEVFN_HB, 0x5f, 1, 0x23);
	assert_int_equal(nr_pam, 1);
	expect_pam(0, 12, PAM_WO);
	/* Elsewhere in the header: nothing. */
	nr_pam = 0;
	cfg_wr(DEVFN_HB, 0x50, 4, 0xffffffff);
	cfg_wr(DEVFN_HB, I440FX_SMRAM, 1, 0x08);
	assert_int_equal(nr_pam, 0);
	/* Reset reports every segment going back to ROM. */
	i440fx_reset(&hb);
	assert_int_equal(nr_pam, 13);
	for (unsigned i = 0; i < 13; i++)
		expect_pam(i, i, PAM_OFF);
	assert_int_equal(cfg_rd(DEVFN_HB, 0x58, 4), 0);
}

static void test_smram(void **state)
{
	(void)state;
	cfg_wr(DEVFN_HB, I440FX_SMRAM, 1, 0xe8); /* bit 7 and C_BASE_SEG are fixed */
	assert_int_equal(cfg_rd(DEVFN_HB, I440FX_SMRAM, 1), 0x6a);
	cfg_wr(DEVFN_HB, I440FX_SMRAM, 1, 0x48);
	assert_int_equal(cfg_rd(DEVFN_HB, I440FX_SMRAM, 1), 0x4a);
	/* D_LCK closes D_OPEN and freezes all but D_CLS until reset. */
	cfg_wr(DEVFN_HB, I440FX_SMRAM, 1, 0x58);
	assert_int_equal(cfg_rd(DEVFN_HB, I440FX_SMRAM, 1), 0x1a);
	cfg_wr(DEVFN_HB, I440FX_SMRAM, 1, 0x60);
	assert_int_equal(cfg_rd(DEVFN_HB, I440FX_SMRAM, 1), 0x3a);
	i440fx_reset(&hb);
	assert_int_equal(cfg_rd(DEVFN_HB, I440FX_SMRAM, 1), 0x02);
	cfg_wr(DEVFN_HB, I440FX_SMRAM, 1, 0x40);
	assert_int_equal(cfg_rd(DEVFN_HB, I440FX_SMRAM, 1), 0x42);
}

static void test_piix_ids(void **state)
{
	(void)state;
	assert_int_equal(cfg_rd(DEVFN_ISA, PCI_VENDOR_ID, 4), 0x70008086);
	assert_int_equal(cfg_rd(DEVFN_ISA, PCI_REVISION_ID, 4), 0x06010000);
	assert_int_equal(cfg_rd(DEVFN_ISA, PCI_HEADER_TYPE, 1), 0x80);
	assert_int_equal(cfg_rd(DEVFN_ISA, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
	assert_int_equal(cfg_rd(DEVFN_ISA, PCI_COMMAND, 4), 0x02000007);
	assert_int_equal(cfg_rd(DEVFN_ISA, 0x4c, 4), 0x0003004d);

	assert_int_equal(cfg_rd(DEVFN_PM, PCI_VENDOR_ID, 4), 0x71138086);
	assert_int_equal(cfg_rd(DEVFN_PM, PCI_REVISION_ID, 4), 0x06800003);
	assert_int_equal(cfg_rd(DEVFN_PM, PCI_HEADER_TYPE, 1), 0x00);
	assert_int_equal(cfg_rd(DEVFN_PM, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
	assert_int_equal(cfg_rd(DEVFN_PM, PCI_STATUS, 2), 0x0280);
	assert_int_equal(cfg_rd(DEVFN_PM, PCI_INTERRUPT_PIN, 1), 1);
	/* APMC_EN (DEVACTB bit 25) preset: SeaBIOS must skip SMM setup. */
	assert_int_equal(cfg_rd(DEVFN_PM, PIIX_PM_DEVACTB, 4), 1u << 25);
	/* SeaBIOS writes the SCI line it hardwires. */
	cfg_wr(DEVFN_PM, PCI_INTERRUPT_LINE, 1, 9);
	assert_int_equal(cfg_rd(DEVFN_PM, PCI_INTERRUPT_LINE, 2), 0x0109);
	/* No SMBus: what SeaBIOS writes there reads back 0. */
	cfg_wr(DEVFN_PM, PIIX_PM_SMBBA, 4, 0xb101);
	cfg_wr(DEVFN_PM, PIIX_PM_SMBHSTCFG, 1, 0x09);
	assert_int_equal(cfg_rd(DEVFN_PM, PIIX_PM_SMBBA, 4), 0);
	assert_int_equal(cfg_rd(DEVFN_PM, PIIX_PM_SMBHSTCFG, 1), 0);
}

static void test_pirq(void **state)
{
	(void)state;
	assert_int_equal(cfg_rd(DEVFN_ISA, PIIX_PIRQRC, 4), 0x80808080);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(piix_pirq_irq(&px, i), -1);
	/* SeaBIOS's piix_isa_bridge_setup: 10, 10, 11, 11. */
	for (unsigned i = 0; i < 4; i++)
		cfg_wr(DEVFN_ISA, PIIX_PIRQRC + i, 1, i < 2 ? 10 : 11);
	assert_int_equal(cfg_rd(DEVFN_ISA, PIIX_PIRQRC, 4), 0x0b0b0a0a);
	assert_int_equal(piix_pirq_irq(&px, 0), 10);
	assert_int_equal(piix_pirq_irq(&px, 1), 10);
	assert_int_equal(piix_pirq_irq(&px, 2), 11);
	assert_int_equal(piix_pirq_irq(&px, 3), 11);
	assert_int_equal(piix_pirq_irq(&px, 4), -1);
	/* Reserved bits 6:4 read 0; bit 7 disables. */
	cfg_wr(DEVFN_ISA, PIIX_PIRQRC, 1, 0xff);
	assert_int_equal(cfg_rd(DEVFN_ISA, PIIX_PIRQRC, 1), 0x8f);
	assert_int_equal(piix_pirq_irq(&px, 0), -1);
	cfg_wr(DEVFN_ISA, PIIX_PIRQRC, 1, 0x7f);
	assert_int_equal(piix_pirq_irq(&px, 0), 15);
	/* Reserved encodings. */
	cfg_wr(DEVFN_ISA, PIIX_PIRQRC, 1, 8);
	assert_int_equal(piix_pirq_irq(&px, 0), -1);
	cfg_wr(DEVFN_ISA, PIIX_PIRQRC, 1, 2);
	assert_int_equal(piix_pirq_irq(&px, 0), -1);
	cfg_wr(DEVFN_ISA, PIIX_PIRQRC, 1, 3);
	assert_int_equal(piix_pirq_irq(&px, 0), 3);
	/* Swizzle: slot 1 INTA is PIRQA; each slot and pin rotates by one. */
	assert_int_equal(piix_slot_pirq(1, 1), 0);
	assert_int_equal(piix_slot_pirq(2, 1), 1);
	assert_int_equal(piix_slot_pirq(3, 4), 1);
	assert_int_equal(piix_slot_pirq(0, 1), 3);
	piix_reset(&px);
	assert_int_equal(cfg_rd(DEVFN_ISA, PIIX_PIRQRC, 4), 0x80808080);
}

#define PMB 0xb000 /* SeaBIOS's PORT_ACPI_PM_BASE */

static void pm_enable(uint16_t base)
{
	cfg_wr(DEVFN_PM, PIIX_PM_PMBA, 4, base | 1u);
	cfg_wr(DEVFN_PM, PIIX_PM_PMREGMISC, 1, 1);
}

static void test_pmba_enable(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(cfg_rd(DEVFN_PM, PIIX_PM_PMBA, 4), 1);
	cfg_wr(DEVFN_PM, PIIX_PM_PMBA, 4, 0xffffffff);
	assert_int_equal(cfg_rd(DEVFN_PM, PIIX_PM_PMBA, 4), 0xffc1);
	cfg_wr(DEVFN_PM, PIIX_PM_PMBA, 4, PMB | 1);
	assert_int_equal(cfg_rd(DEVFN_PM, PIIX_PM_PMBA, 4), PMB | 1);
	/* Not decoded until PMREGMISC.PMIOSE. */
	assert_int_equal(pio(PMB + PM_TMR, 4, false, &v), -ENOENT);
	cfg_wr(DEVFN_PM, PIIX_PM_PMREGMISC, 1, 0xff);
	assert_int_equal(cfg_rd(DEVFN_PM, PIIX_PM_PMREGMISC, 1), 1);
	now_ns = 1000000000;
	assert_int_equal(in(PMB + PM_TMR, 4), 3579545);
	/* Disabled: the claimed range stays but decodes nothing. */
	cfg_wr(DEVFN_PM, PIIX_PM_PMREGMISC, 1, 0);
	assert_int_equal(in(PMB + PM_TMR, 4), 0xffffffff);
	out(PMB + PM1_EN, 2, PM1_PWRBTN_EN);
	assert_int_equal(px.pm1_en, 0);
	cfg_wr(DEVFN_PM, PIIX_PM_PMREGMISC, 1, 1);
	assert_int_equal(in(PMB + PM_TMR, 4), 3579545);
	assert_int_equal(px.nr_pm_claimed, 1);
	/* Moved: the new base decodes, the old one no longer does. */
	cfg_wr(DEVFN_PM, PIIX_PM_PMBA, 2, 0xc001);
	assert_int_equal(in(0xc000 + PM_TMR, 4), 3579545);
	assert_int_equal(in(PMB + PM_TMR, 4), 0xffffffff);
	assert_int_equal(px.nr_pm_claimed, 2);
	/* Back to the first base: no new claim needed. */
	cfg_wr(DEVFN_PM, PIIX_PM_PMBA, 2, PMB);
	assert_int_equal(in(PMB + PM_TMR, 4), 3579545);
	assert_int_equal(px.nr_pm_claimed, 2);
	assert_int_equal(px.pm_io_err, 0);
	/* A third base has no slot left: reported, not decoded. */
	cfg_wr(DEVFN_PM, PIIX_PM_PMBA, 2, 0xd000);
	assert_int_equal(px.pm_io_err, -ENOSPC);
	assert_int_equal(pio(0xd000 + PM_TMR, 4, false, &v), -ENOENT);
}

/* Enabled before piix_register(): claimed once the VM is known. */
static void test_pm_enabled_before_register(void **state)
{
	static struct vm vm2;
	static struct pci_bus bus2;
	static struct piix px2;
	struct io_access a = { .addr = PMB + PM_TMR, .size = 4 };

	(void)state;
	memset(&vm2, 0, sizeof(vm2));
	memset(&px2, 0, sizeof(px2));
	pci_bus_init(&bus2);
	assert_int_equal(piix_init(&px2, &bus2), 0);
	assert_int_equal(piix_init(&px2, &bus2), -EEXIST);
	pci_cfg_write(&bus2, DEVFN_PM, PIIX_PM_PMBA, 4, PMB);
	pci_cfg_write(&bus2, DEVFN_PM, PIIX_PM_PMREGMISC, 1, 1);
	assert_int_equal(px2.nr_pm_claimed, 0);
	now_ns = 3000000000u; /* bit 23 toggled before the VM was known */
	assert_int_equal(piix_register(&vm2, &px2), 0);
	assert_int_equal(px2.nr_pm_claimed, 1);
	assert_int_equal(vm2.io.nr_pio, 3); /* APM, GPE0, PM */
	assert_int_equal(io_pio(&vm2, &a), 0);
	assert_int_equal(a.value, 10738635);
	a = (struct io_access){ .addr = PMB + PM1_STS, .size = 2 };
	assert_int_equal(io_pio(&vm2, &a), 0);
	assert_int_equal(a.value, 0);
}

static void test_pm_timer(void **state)
{
	(void)state;
	pm_enable(PMB);
	assert_int_equal(in(PMB + PM_TMR, 4), 0);
	now_ns = 1000000000;
	assert_int_equal(in(PMB + PM_TMR, 4), 3579545);
	now_ns = 2000000000;
	assert_int_equal(in(PMB + PM_TMR, 4), 7159090);
	now_ns = 1000;
	assert_int_equal(in(PMB + PM_TMR, 4), 3); /* 3.58 ticks per us */
	/* 24 bits: 5 s is 17897725 ticks, wrapped once. */
	now_ns = 5000000000ULL;
	assert_int_equal(in(PMB + PM_TMR, 4), 17897725 - (1 << 24));
	assert_int_equal(in(PMB + PM_TMR, 2), (17897725 - (1 << 24)) & 0xffff);
	assert_int_equal(in(PMB + PM_TMR + 2, 1), (17897725 - (1 << 24)) >> 16);
	assert_int_equal(in(PMB + PM_TMR + 3, 1), 0);
	/* Writes do nothing. */
	out(PMB + PM_TMR, 4, 0);
	assert_int_equal(in(PMB + PM_TMR, 4), 17897725 - (1 << 24));

	/* Exact for any time, against 128-bit arithmetic. */
	uint64_t ns = 1;
	for (unsigned i = 0; i < 64; i++, ns = ns * 3 + 12345) {
		unsigned __int128 want = (unsigned __int128)ns * PM_TIMER_HZ / 1000000000;

		assert_true(piix_pm_ticks(ns) == (uint64_t)want);
	}
	assert_true(piix_pm_ticks(UINT64_MAX) ==
		    (uint64_t)((unsigned __int128)UINT64_MAX * PM_TIMER_HZ / 1000000000));
}

/* The time at which the timer reaches t ticks. */
static uint64_t ns_at(uint64_t t)
{
	return (uint64_t)(((unsigned __int128)t * 1000000000 + PM_TIMER_HZ - 1) / PM_TIMER_HZ);
}

static void test_pm1_status_w1c(void **state)
{
	(void)state;
	pm_enable(PMB);
	assert_int_equal(in(PMB + PM1_STS, 2), 0);
	piix_power_button(&vm, &px);
	px.pm1_sts |= PM1_WAK_STS | PM1_RTC_STS;
	assert_int_equal(in(PMB + PM1_STS, 2), 0x8500);
	out(PMB + PM1_STS, 2, 0);
	assert_int_equal(in(PMB + PM1_STS, 2), 0x8500);
	out(PMB + PM1_STS, 2, PM1_PWRBTN_STS);
	assert_int_equal(in(PMB + PM1_STS, 2), 0x8400);
	out(PMB + PM1_STS + 1, 1, 0x80); /* byte write to the high half */
	assert_int_equal(in(PMB + PM1_STS, 2), 0x0400);
	/* A dword write clears status and sets enables together. */
	out(PMB + PM1_STS, 4, 0xffff0000 | PM1_RTC_STS);
	assert_int_equal(in(PMB + PM1_STS, 4), 0x05210000);
	assert_int_equal(in(PMB + PM1_EN, 2), 0x0521);
	/* An access straddling two registers touches both. */
	out(PMB + PM1_EN, 4, 0x1c010100);
	assert_int_equal(in(PMB + PM1_EN, 4), 0x1c010100);
	assert_int_equal(in(PMB + PM1_EN + 1, 2), 0x0101);
	out(PMB + PM1_EN, 4, 0);

	/* TMR_STS: set when bit 23 of the timer toggles, W1C, set again. */
	now_ns = ns_at(1 << 23) - 1;
	assert_int_equal(in(PMB + PM1_STS, 2) & PM1_TMR_STS, 0);
	now_ns = ns_at(1 << 23);
	assert_int_equal(in(PMB + PM1_STS, 2) & PM1_TMR_STS, PM1_TMR_STS);
	out(PMB + PM1_STS, 2, PM1_TMR_STS);
	assert_int_equal(in(PMB + PM1_STS, 2) & PM1_TMR_STS, 0);
	now_ns = ns_at(2 << 23) - 1;
	assert_int_equal(in(PMB + PM1_STS, 2) & PM1_TMR_STS, 0);
	now_ns = ns_at(2 << 23);
	assert_int_equal(in(PMB + PM1_STS, 2) & PM1_TMR_STS, PM1_TMR_STS);
	/* A toggle that happened unseen is still latched, then cleared. */
	out(PMB + PM1_STS, 2, PM1_TMR_STS);
	now_ns = ns_at(3 << 23);
	out(PMB + PM1_STS, 2, PM1_TMR_STS);
	assert_int_equal(in(PMB + PM1_STS, 2) & PM1_TMR_STS, 0);
	/* A reset clears it and does not see the past as a toggle. */
	now_ns = ns_at(5 << 23);
	piix_reset(&px);
	pm_enable(PMB);
	assert_int_equal(in(PMB + PM1_STS, 2), 0);
}

static void test_slp_en_soft_off(void **state)
{
	(void)state;
	pm_enable(PMB);
	/* ACPICA writes SLP_TYP first, then SLP_TYP | SLP_EN. */
	out(PMB + PM1_CNT, 2, 5 << 10);
	assert_int_equal(in(PMB + PM1_CNT, 2), 5 << 10);
	out(PMB + PM1_CNT, 2, 5 << 10 | PM1_SLP_EN);
	assert_int_equal(nr_off, 0); /* S3-like types are not ours */
	assert_int_equal(in(PMB + PM1_CNT, 2), 5 << 10); /* SLP_EN reads 0 */
	out(PMB + PM1_CNT, 2, 0);
	assert_int_equal(nr_off, 0);
	out(PMB + PM1_CNT, 2, PM1_SLP_EN);
	assert_int_equal(nr_off, 1);
	/* A byte write to the high half does it too. */
	out(PMB + PM1_CNT + 1, 1, PM1_SLP_EN >> 8);
	assert_int_equal(nr_off, 2);
	assert_int_equal(in(PMB + PM1_CNT, 2), 0);
}

static void test_apm_acpi_enable(void **state)
{
	(void)state;
	pm_enable(PMB);
	assert_int_equal(in(PMB + PM1_CNT, 2) & PM1_SCI_EN, 0);
	out(PIIX_APM_CNT, 1, PIIX_ACPI_ENABLE);
	assert_int_equal(in(PMB + PM1_CNT, 2) & PM1_SCI_EN, PM1_SCI_EN);
	assert_int_equal(in(PIIX_APM_CNT, 1), PIIX_ACPI_ENABLE);
	out(PIIX_APM_CNT, 1, 0x42);
	assert_int_equal(in(PMB + PM1_CNT, 2) & PM1_SCI_EN, PM1_SCI_EN);
	out(PIIX_APM_CNT, 1, PIIX_ACPI_DISABLE);
	assert_int_equal(in(PMB + PM1_CNT, 2) & PM1_SCI_EN, 0);
	out(PIIX_APM_STS, 1, 0x5a);
	assert_int_equal(in(PIIX_APM_STS, 1), 0x5a);
	assert_int_equal(in(PIIX_APM_CNT, 2), 0x5af0);
	/* GPE0: status reads 0, enables are kept. */
	out(PIIX_GPE0_PORT, 4, 0xffffffff);
	assert_int_equal(in(PIIX_GPE0_PORT, 4), 0xffff0000);
	out(PIIX_GPE0_PORT + 3, 1, 0x12);
	assert_int_equal(in(PIIX_GPE0_PORT + 2, 2), 0x12ff);
}

static void test_sci(void **state)
{
	(void)state;
	pm_enable(PMB);
	out(PMB + PM1_EN, 2, PM1_PWRBTN_EN);
	piix_power_button(&vm, &px);
	assert_int_equal(sci_level, -1); /* not in ACPI mode: no SCI */
	out(PIIX_APM_CNT, 1, PIIX_ACPI_ENABLE);
	assert_int_equal(sci_level, 1);
	out(PMB + PM1_STS, 2, PM1_PWRBTN_STS);
	assert_int_equal(sci_level, 0);
	piix_power_button(&vm, &px);
	assert_int_equal(sci_level, 1);
	out(PMB + PM1_EN, 2, 0);
	assert_int_equal(sci_level, 0);

	/* Timer overflow SCI: the deadline is when bit 23 next toggles. */
	out(PMB + PM1_STS, 2, 0xffff);
	assert_true(piix_pm_deadline(&vm, &px) == VTIME_NEVER);
	out(PMB + PM1_EN, 2, PM1_TMR_EN);
	assert_true(piix_pm_deadline(&vm, &px) == ns_at(1 << 23));
	now_ns = ns_at(1 << 23) - 1;
	piix_pm_poll(&vm, &px);
	assert_int_equal(sci_level, 0);
	now_ns = ns_at(1 << 23);
	piix_pm_poll(&vm, &px);
	assert_int_equal(sci_level, 1);
	assert_true(piix_pm_deadline(&vm, &px) == VTIME_NEVER);
	out(PMB + PM1_STS, 2, PM1_TMR_STS);
	assert_int_equal(sci_level, 0);
	assert_true(piix_pm_deadline(&vm, &px) == ns_at(2 << 23));
	piix_reset(&px);
	assert_true(piix_pm_deadline(&vm, &px) == VTIME_NEVER);
}

static void test_cf9_reset(void **state)
{
	(void)state;
	assert_int_equal(in(PCI_PORT_RCR, 1), 0);
	out(PCI_PORT_RCR, 1, PCI_RCR_SYS_RST);
	assert_int_equal(nr_reset, 0);
	assert_int_equal(in(PCI_PORT_RCR, 1), PCI_RCR_SYS_RST);
	out(PCI_PORT_RCR, 1, PCI_RCR_SYS_RST | PCI_RCR_RST_CPU);
	assert_int_equal(nr_reset, 1);
	assert_int_equal(nr_hard, 1);
	out(PCI_PORT_RCR, 1, PCI_RCR_RST_CPU);
	assert_int_equal(nr_reset, 2);
	assert_int_equal(nr_hard, 1);
	/* Only a byte cycle reaches RCR; dwords at 0xcf8 are the address. */
	out(PCI_PORT_ADDR, 4, 0x80000004);
	assert_int_equal(nr_reset, 2);
	assert_int_equal(in(PCI_PORT_ADDR, 4), 0x80000004);
	out(PCI_PORT_RCR, 1, 0xff & ~PCI_RCR_RST_CPU);
	assert_int_equal(in(PCI_PORT_RCR, 1), PCI_RCR_SYS_RST);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_addr_register),   T(test_data_port_all_offsets), T(test_absent_and_disabled),
		T(test_bar_sizing),      T(test_command_status),        T(test_host_bridge_ids),
		T(test_pam_decode),      T(test_pam_callback),          T(test_smram),
		T(test_piix_ids),        T(test_pirq),                  T(test_pmba_enable),
		T(test_pm_enabled_before_register), T(test_pm_timer),   T(test_pm1_status_w1c),
		T(test_slp_en_soft_off), T(test_apm_acpi_enable),       T(test_sci),
		T(test_cf9_reset),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
