/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the I/O APIC model (vmm/dev/vioapic.c). Accesses go
 * through the MMIO handler as exits would, in the order Linux's io_apic.c
 * uses (IOREGSEL, then IOWIN; an RTE's high dword before its low one).
 * Deliveries are recorded; the last test wires the IOAPIC to the LAPIC
 * model the way Keel does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/dev/apic_bus.h>
#include <keel/dev/vioapic.h>
#include <keel/dev/vlapic.h>
#include <keel/io.h>
#include <keel/irq.h>
#include <keel/vtime.h>

#define IOAPIC_BASE 0xfec00000ULL
#define LAPIC_BASE  0xfee00000ULL

#define MASKED   (1ULL << 16)
#define LEVEL    (1ULL << 15)
#define REMOTE   (1u << 14)
#define LOW      (1ULL << 13)

static char fake_vm;
#define VM ((struct vm *)&fake_vm)

static struct vioapic ioapic;
static struct io_range ranges[2];
static unsigned nr_ranges;

static struct { uint8_t vector; bool level, logical; uint32_t dest; } sent[16];
static unsigned nr_sent, nr_nmi, nr_extint;

uint64_t vm_time_ns(struct vm *vm)
{
	assert_ptr_equal(vm, VM);
	return 0;
}

int io_register_mmio(struct vm *vm, uint64_t base, uint64_t len, io_handler_fn *fn, void *dev)
{
	assert_ptr_equal(vm, VM);
	assert_true(nr_ranges < 2);
	ranges[nr_ranges++] = (struct io_range){ .base = base, .len = len, .fn = fn, .dev = dev };
	return 0;
}

static uint64_t mmio(uint64_t addr, uint32_t size, bool write, uint64_t value)
{
	struct io_access a = { addr, size, write, value };

	for (unsigned i = 0; i < nr_ranges; i++) {
		if (addr >= ranges[i].base && addr + size <= ranges[i].base + ranges[i].len) {
			assert_int_equal(ranges[i].fn(VM, ranges[i].dev, &a), 0);
			return a.value;
		}
	}
	fail_msg("no device at %#llx", (unsigned long long)addr);
	return 0;
}

static void record(void *ctx, const struct apic_msg *m)
{
	assert_ptr_equal(ctx, &ioapic);
	assert_true(nr_sent < 16);
	sent[nr_sent].vector = m->vector;
	sent[nr_sent].dest = m->dest;
	sent[nr_sent].logical = m->logical;
	sent[nr_sent++].level = m->level;
}

static void on_nmi(void *ctx)
{
	assert_ptr_equal(ctx, &ioapic);
	nr_nmi++;
}

static void on_extint(void *ctx)
{
	assert_ptr_equal(ctx, &ioapic);
	nr_extint++;
}

static int setup(void **state)
{
	(void)state;
	nr_ranges = nr_sent = nr_nmi = nr_extint = 0;
	vioapic_init(&ioapic, 0);
	ioapic.deliver = record;
	ioapic.nmi = on_nmi;
	ioapic.extint = on_extint;
	ioapic.ctx = &ioapic;
	assert_int_equal(vioapic_register(VM, &ioapic, IOAPIC_BASE), 0);
	return 0;
}

static uint32_t ioapic_read(uint32_t reg)
{
	mmio(IOAPIC_BASE, 4, true, reg);
	return (uint32_t)mmio(IOAPIC_BASE + 0x10, 4, false, 0xdeadbeef);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio(IOAPIC_BASE, 4, true, reg);
	mmio(IOAPIC_BASE + 0x10, 4, true, v);
}

static void rte_set(unsigned pin, uint64_t e)
{
	ioapic_write(0x11 + 2 * pin, (uint32_t)(e >> 32));
	ioapic_write(0x10 + 2 * pin, (uint32_t)e);
}

static uint32_t rte_lo(unsigned pin)
{
	return ioapic_read(0x10 + 2 * pin);
}

static void test_register(void **state)
{
	(void)state;
	assert_int_equal(nr_ranges, 1);
	assert_int_equal(ranges[0].base, IOAPIC_BASE);
	assert_int_equal(ranges[0].len, 0x1000);
}

static void test_regsel_window(void **state)
{
	(void)state;
	mmio(IOAPIC_BASE, 4, true, 0x12345601);
	assert_int_equal(mmio(IOAPIC_BASE, 4, false, 0), 0x01);
	assert_int_equal(mmio(IOAPIC_BASE + 0x10, 4, false, 0), 0x00170020);
	/* Only dword accesses to the three registers do anything. */
	mmio(IOAPIC_BASE, 1, true, 0x00);
	assert_int_equal(mmio(IOAPIC_BASE, 4, false, 0), 0x01);
	assert_int_equal(mmio(IOAPIC_BASE + 0x10, 2, false, 0x77), 0);
	assert_int_equal(mmio(IOAPIC_BASE + 0x20, 4, false, 0x77), 0);
	assert_int_equal(mmio(IOAPIC_BASE + 0x40, 4, false, 0x77), 0); /* EOI: write-only */
	mmio(IOAPIC_BASE + 0x14, 4, true, 0);
	assert_int_equal(ioapic_read(0x01), 0x00170020);
}

static void test_id_ver_arb(void **state)
{
	(void)state;
	assert_int_equal(ioapic_read(0x00), 0);
	ioapic_write(0x00, 0xffffffff);
	assert_int_equal(ioapic_read(0x00), 0x0f000000);
	assert_int_equal(ioapic_read(0x02), 0x0f000000);
	ioapic_write(0x01, 0);
	ioapic_write(0x02, 0);
	assert_int_equal(ioapic_read(0x01), 0x00170020);
	assert_int_equal(ioapic_read(0x02), 0x0f000000);
	vioapic_init(&ioapic, 1);
	assert_int_equal(ioapic_read(0x00), 0x01000000);
}

static void test_rte_masks(void **state)
{
	(void)state;
	for (unsigned pin = 0; pin < 24; pin++) {
		assert_int_equal(rte_lo(pin), 0x00010000);
		assert_int_equal(ioapic_read(0x11 + 2 * pin), 0);
	}
	/* Delivery status (12), Remote IRR (14) and bits 55:17 are not writable. */
	ioapic_write(0x10 + 2 * 5, 0xffffffff);
	assert_int_equal(rte_lo(5), 0x0001afff);
	ioapic_write(0x11 + 2 * 5, 0xffffffff);
	assert_int_equal(ioapic_read(0x11 + 2 * 5), 0xff000000);
	assert_int_equal(ioapic_read(0x40), 0); /* past pin 23 */
	ioapic_write(0x40, 0xffffffff);
	assert_int_equal(rte_lo(23), 0x00010000);
}

static void test_edge_once_per_rising_edge(void **state)
{
	(void)state;
	rte_set(4, 0x34);
	vioapic_set_irq(&ioapic, 4, true);
	assert_int_equal(nr_sent, 1);
	assert_int_equal(sent[0].vector, 0x34);
	assert_false(sent[0].level);
	vioapic_set_irq(&ioapic, 4, true);
	vioapic_set_irq(&ioapic, 4, false);
	assert_int_equal(nr_sent, 1);
	vioapic_set_irq(&ioapic, 4, true);
	assert_int_equal(nr_sent, 2);
	assert_int_equal(rte_lo(4) & REMOTE, 0); /* edge pins never set Remote IRR */
	vioapic_set_irq(&ioapic, 24, true); /* no such pin */
	assert_int_equal(nr_sent, 2);
	assert_int_equal(sent[1].dest, 0);
	assert_false(sent[1].logical);
	/* The destination goes with the message: bits 63:56, logical by bit 11. */
	rte_set(5, 0x03ULL << 56 | 0x800 | 0x35);
	vioapic_set_irq(&ioapic, 5, true);
	assert_int_equal(nr_sent, 3);
	assert_int_equal(sent[2].dest, 3);
	assert_true(sent[2].logical);
}

static void test_edge_masked_is_lost(void **state)
{
	(void)state;
	rte_set(3, MASKED | 0x33);
	vioapic_set_irq(&ioapic, 3, true);
	rte_set(3, 0x33);
	assert_int_equal(nr_sent, 0);
	vioapic_set_irq(&ioapic, 3, false);
	vioapic_set_irq(&ioapic, 3, true);
	assert_int_equal(nr_sent, 1);
}

static void test_level_remote_irr(void **state)
{
	(void)state;
	rte_set(10, LEVEL | 0x3a);
	vioapic_set_irq(&ioapic, 10, true);
	assert_int_equal(nr_sent, 1);
	assert_int_equal(sent[0].vector, 0x3a);
	assert_true(sent[0].level);
	assert_true(rte_lo(10) & REMOTE);
	vioapic_set_irq(&ioapic, 10, true);
	assert_int_equal(nr_sent, 1); /* held off until the EOI */
	vioapic_eoi(&ioapic, 0x3b);
	assert_int_equal(nr_sent, 1);
	assert_true(rte_lo(10) & REMOTE);

	vioapic_eoi(&ioapic, 0x3a); /* still asserted: sent again */
	assert_int_equal(nr_sent, 2);
	assert_true(rte_lo(10) & REMOTE);
	vioapic_set_irq(&ioapic, 10, false);
	vioapic_eoi(&ioapic, 0x3a);
	assert_int_equal(nr_sent, 2);
	assert_int_equal(rte_lo(10) & REMOTE, 0);
	vioapic_set_irq(&ioapic, 10, true);
	assert_int_equal(nr_sent, 3);
}

static void test_eoi_register(void **state)
{
	(void)state;
	rte_set(11, LEVEL | 0x3b);
	vioapic_set_irq(&ioapic, 11, true);
	vioapic_set_irq(&ioapic, 11, false);
	assert_true(rte_lo(11) & REMOTE);
	mmio(IOAPIC_BASE + 0x40, 4, true, 0x3b);
	assert_int_equal(rte_lo(11) & REMOTE, 0);
	assert_int_equal(nr_sent, 1);
}

static void test_level_masked_held(void **state)
{
	(void)state;
	rte_set(9, MASKED | LEVEL | 0x39);
	vioapic_set_irq(&ioapic, 9, true);
	assert_int_equal(nr_sent, 0);
	assert_int_equal(rte_lo(9) & REMOTE, 0);
	ioapic_write(0x10 + 2 * 9, LEVEL | 0x39); /* unmask: Linux writes the low dword only */
	assert_int_equal(nr_sent, 1);
	assert_int_equal(sent[0].vector, 0x39);

	/* Raised and dropped while masked: nothing on unmask. */
	rte_set(9, MASKED | LEVEL | 0x39);
	vioapic_eoi(&ioapic, 0x39);
	vioapic_set_irq(&ioapic, 9, false);
	rte_set(9, LEVEL | 0x39);
	assert_int_equal(nr_sent, 1);
}

static void test_polarity(void **state)
{
	(void)state;
	/* Active-low level: a low line is asserted. */
	rte_set(16, LOW | LEVEL | 0x50);
	assert_int_equal(nr_sent, 1);
	vioapic_set_irq(&ioapic, 16, true);
	vioapic_eoi(&ioapic, 0x50);
	assert_int_equal(nr_sent, 1);
	vioapic_set_irq(&ioapic, 16, false);
	assert_int_equal(nr_sent, 2);

	/* Active-low edge: the falling edge counts. */
	vioapic_set_irq(&ioapic, 17, true);
	rte_set(17, LOW | 0x51);
	assert_int_equal(nr_sent, 2);
	vioapic_set_irq(&ioapic, 17, false);
	assert_int_equal(nr_sent, 3);
	assert_int_equal(sent[2].vector, 0x51);
	vioapic_set_irq(&ioapic, 17, true);
	assert_int_equal(nr_sent, 3);
}

/* Linux's EOI for IOAPICs without the EOI register: level -> edge -> level, masked. */
static void test_edge_clears_remote_irr(void **state)
{
	(void)state;
	rte_set(5, LEVEL | 0x35);
	vioapic_set_irq(&ioapic, 5, true);
	assert_true(rte_lo(5) & REMOTE);
	ioapic_write(0x10 + 2 * 5, MASKED | 0x35);
	assert_int_equal(rte_lo(5) & REMOTE, 0);
	ioapic_write(0x10 + 2 * 5, MASKED | LEVEL | 0x35);
	assert_int_equal(nr_sent, 1);
	ioapic_write(0x10 + 2 * 5, LEVEL | 0x35);
	assert_int_equal(nr_sent, 2); /* still asserted */
}

static void test_nmi_extint(void **state)
{
	(void)state;
	rte_set(1, 4 << 8);            /* NMI */
	rte_set(2, LEVEL | 7 << 8);    /* ExtINT, level bit ignored: edge */
	vioapic_set_irq(&ioapic, 1, true);
	vioapic_set_irq(&ioapic, 1, true);
	assert_int_equal(nr_nmi, 1);
	vioapic_set_irq(&ioapic, 2, true);
	vioapic_set_irq(&ioapic, 2, true);
	assert_int_equal(nr_extint, 1);
	assert_int_equal(rte_lo(2) & REMOTE, 0);
	vioapic_set_irq(&ioapic, 2, false);
	vioapic_set_irq(&ioapic, 2, true);
	assert_int_equal(nr_extint, 2);
	rte_set(6, 2 << 8); /* SMI: nowhere to go */
	vioapic_set_irq(&ioapic, 6, true);
	assert_int_equal(nr_sent, 0);
	assert_int_equal(nr_nmi, 1);
}

static void test_irq_line(void **state)
{
	struct irq_line l = { vioapic_line_set, &ioapic, 8 };

	(void)state;
	rte_set(8, 0x38);
	irq_pulse(&l);
	irq_pulse(&l);
	assert_int_equal(nr_sent, 2);
	assert_int_equal(ioapic.delivered[8], 2);
}

/* The wiring Keel uses: IOAPIC -> LAPIC, LAPIC EOI of a level vector -> IOAPIC. */
static struct vlapic lapic;

static void to_lapic(void *ctx, const struct apic_msg *m)
{
	vlapic_set_irq(ctx, m->vector, m->level);
}

static void to_ioapic(void *ctx, uint8_t vector)
{
	vioapic_eoi(ctx, vector);
}

static void test_with_lapic(void **state)
{
	(void)state;
	vlapic_init(&lapic, 0);
	lapic.eoi_level = to_ioapic;
	lapic.ctx = &ioapic;
	ioapic.deliver = to_lapic;
	ioapic.ctx = &lapic;
	ioapic.nmi = NULL;
	ioapic.extint = NULL;
	assert_int_equal(vlapic_register(VM, &lapic, LAPIC_BASE), 0);
	mmio(LAPIC_BASE + 0xf0, 4, true, 0x1ff);

	rte_set(11, LEVEL | 0x41); /* a PCI line, as Linux sets it up */
	vioapic_set_irq(&ioapic, 11, true);
	assert_int_equal(vlapic_pending(&lapic), 0x41);
	vlapic_ack(&lapic, 0x41);
	assert_true(mmio(LAPIC_BASE + 0x1a0, 4, false, 0) & 2); /* TMR: level */
	assert_int_equal(vlapic_pending(&lapic), -1);

	mmio(LAPIC_BASE + 0xb0, 4, true, 0); /* line still high: comes back */
	assert_int_equal(vlapic_pending(&lapic), 0x41);
	vlapic_ack(&lapic, 0x41);
	vioapic_set_irq(&ioapic, 11, false);
	mmio(LAPIC_BASE + 0xb0, 4, true, 0);
	assert_int_equal(vlapic_pending(&lapic), -1);
	assert_int_equal(rte_lo(11) & REMOTE, 0);

	rte_set(2, 0x30); /* the PIT, ISA IRQ 0 on pin 2 */
	vioapic_set_irq(&ioapic, 2, true);
	vioapic_set_irq(&ioapic, 2, false);
	assert_int_equal(vlapic_pending(&lapic), 0x30);
	assert_false(mmio(LAPIC_BASE + 0x190, 4, false, 0) & (1u << 16)); /* TMR: edge */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_register),
		T(test_regsel_window),
		T(test_id_ver_arb),
		T(test_rte_masks),
		T(test_edge_once_per_rising_edge),
		T(test_edge_masked_is_lost),
		T(test_level_remote_irr),
		T(test_eoi_register),
		T(test_level_masked_held),
		T(test_polarity),
		T(test_edge_clears_remote_irr),
		T(test_nmi_extint),
		T(test_irq_line),
		T(test_with_lapic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
