/* SPDX-License-Identifier: MIT */
/*
 * Host tests for vmm/dev/apic_bus.c: which local APICs an IPI, IOAPIC
 * message or MSI reaches (SDM 3A 11.6.2 physical and logical flat/cluster
 * destinations, shorthands, broadcasts, x2APIC 11.12.10, lowest priority)
 * and what each receives.
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
#include <keel/dev/vlapic.h>
#include <keel/io.h>
#include "vlapic_stubs.h"

#define N 4
#define FLAT    0xffffffffu
#define CLUSTER 0x0fffffffu

static struct vlapic apics[N];
static struct apic_bus bus;
static struct { unsigned cpu; uint8_t mode, vector; } sig[8];
static unsigned nr_sig;

/* pci_msi.c's capability code is linked for msi_decode() only. */
int io_register_pio(struct vm *vm, uint16_t base, uint16_t len, io_handler_fn *fn, void *dev)
{
	(void)vm, (void)base, (void)len, (void)fn, (void)dev;
	return 0;
}

static void on_signal(void *ctx, unsigned cpu, const struct apic_msg *m)
{
	assert_ptr_equal(ctx, &bus);
	assert_true(nr_sig < 8);
	sig[nr_sig].cpu = cpu;
	sig[nr_sig].mode = m->mode;
	sig[nr_sig++].vector = m->vector;
}

/* N software-enabled xAPICs with IDs 0..N-1, as their vCPUs' indexes. */
static int setup(void **state)
{
	(void)state;
	bus = (struct apic_bus){ .n = N, .signal = on_signal, .ctx = &bus };
	for (unsigned i = 0; i < N; i++) {
		vlapic_init(&apics[i], (uint8_t)i);
		apics[i].svr = 0x1ff;
		bus.apic[i] = &apics[i];
	}
	nr_sig = 0;
	return 0;
}

static struct apic_msg fixed(uint32_t dest, bool logical)
{
	return (struct apic_msg){ .dest = dest, .vector = 0x40, .mode = APIC_DM_FIXED,
				  .logical = logical };
}

static uint32_t targets(uint32_t dest, bool logical)
{
	struct apic_msg m = fixed(dest, logical);

	return apic_bus_targets(&bus, &m, APIC_BUS_NO_SENDER);
}

static void test_physical(void **state)
{
	(void)state;
	assert_int_equal(targets(0, false), 0x1);
	assert_int_equal(targets(2, false), 0x4);
	assert_int_equal(targets(7, false), 0); /* no such APIC */
	assert_int_equal(targets(0xff, false), 0xf); /* broadcast */
	assert_int_equal(targets(0x102, false), 0x4); /* an xAPIC reads 8 bits */
}

static void test_logical_flat(void **state)
{
	(void)state;
	for (unsigned i = 0; i < N; i++) {
		apics[i].dfr = FLAT;
		apics[i].ldr = (1u << i) << 24; /* Linux's flat model: one bit per CPU */
	}
	assert_int_equal(targets(0x01, true), 0x1);
	assert_int_equal(targets(0x06, true), 0x6);
	assert_int_equal(targets(0x30, true), 0); /* bits nobody has */
	assert_int_equal(targets(0xff, true), 0xf);
	assert_int_equal(targets(0x00, true), 0);
}

static void test_logical_cluster(void **state)
{
	(void)state;
	/* Cluster 1 holds APICs 0 and 1 (bits 0, 1), cluster 2 APICs 2 and 3. */
	for (unsigned i = 0; i < N; i++) {
		apics[i].dfr = CLUSTER;
		apics[i].ldr = ((1u + i / 2) << 4 | 1u << (i % 2)) << 24;
	}
	assert_int_equal(targets(0x11, true), 0x1);
	assert_int_equal(targets(0x13, true), 0x3);
	assert_int_equal(targets(0x22, true), 0x8);
	assert_int_equal(targets(0x31, true), 0);  /* no cluster 3 */
	assert_int_equal(targets(0xf1, true), 0x5); /* cluster 0xf: every cluster */
	assert_int_equal(targets(0xff, true), 0xf);
}

static void test_shorthands(void **state)
{
	struct apic_msg m = fixed(0, false);

	(void)state;
	m.shorthand = APIC_SH_SELF;
	assert_int_equal(apic_bus_targets(&bus, &m, 2), 0x4);
	m.shorthand = APIC_SH_ALL;
	assert_int_equal(apic_bus_targets(&bus, &m, 2), 0xf);
	m.shorthand = APIC_SH_ALL_BUT_SELF;
	assert_int_equal(apic_bus_targets(&bus, &m, 2), 0xb);
	/* The destination field is ignored with a shorthand. */
	m.dest = 2;
	assert_int_equal(apic_bus_targets(&bus, &m, 0), 0xe);
}

static void test_x2apic(void **state)
{
	(void)state;
	for (unsigned i = 0; i < N; i++)
		vlapic_set_x2apic(&apics[i], true);
	assert_int_equal(targets(3, false), 0x8);
	assert_int_equal(targets(0x103, false), 0); /* 32-bit IDs: 0x103 is nobody */
	assert_int_equal(targets(0xff, false), 0);  /* not a broadcast in x2APIC mode */
	assert_int_equal(targets(APIC_BROADCAST_X2APIC, false), 0xf);
	/* Logical: cluster ID[19:4] in bits 31:16, bit ID[3:0] in 15:0 (SDM 11.12.10.2). */
	assert_int_equal(targets(0x00000005, true), 0x5);
	assert_int_equal(targets(0x0000000f, true), 0xf);
	assert_int_equal(targets(0x00010001, true), 0); /* cluster 1 is empty */
	assert_int_equal(targets(APIC_BROADCAST_X2APIC, true), 0xf);
}

static void test_disabled_not_on_bus(void **state)
{
	(void)state;
	vlapic_set_hw_enabled(&apics[1], false);
	assert_int_equal(targets(0xff, false), 0xd);
	assert_int_equal(targets(1, false), 0);
}

static void test_lowest_priority(void **state)
{
	struct apic_msg m = fixed(0xff, false);

	(void)state;
	m.mode = APIC_DM_LOWEST;
	assert_int_equal(apic_bus_targets(&bus, &m, APIC_BUS_NO_SENDER), 0x1); /* a tie: first */
	apics[0].tpr = 0x40;
	apics[1].tpr = 0x20;
	apics[2].tpr = 0x30;
	apics[3].tpr = 0x50;
	assert_int_equal(apic_bus_targets(&bus, &m, APIC_BUS_NO_SENDER), 0x2);
	m.dest = 2; /* one named: that one, whatever its priority */
	assert_int_equal(apic_bus_targets(&bus, &m, APIC_BUS_NO_SENDER), 0x4);
}

static void test_send(void **state)
{
	struct apic_msg m = fixed(0xff, false);

	(void)state;
	m.shorthand = APIC_SH_ALL_BUT_SELF;
	assert_int_equal(apic_bus_send(&bus, &m, 0), 0xe);
	assert_int_equal(vlapic_pending(&apics[0]), -1);
	for (unsigned i = 1; i < N; i++)
		assert_int_equal(vlapic_pending(&apics[i]), 0x40);
	assert_int_equal(nr_sig, 0);
	/* INIT and SIPI go to the CPUs, as SeaBIOS broadcasts them. */
	m.mode = APIC_DM_INIT;
	apic_bus_send(&bus, &m, 0);
	m.mode = APIC_DM_SIPI;
	m.vector = 0x10;
	apic_bus_send(&bus, &m, 0);
	assert_int_equal(nr_sig, 6);
	assert_int_equal(sig[0].cpu, 1);
	assert_int_equal(sig[0].mode, APIC_DM_INIT);
	assert_int_equal(sig[5].cpu, 3);
	assert_int_equal(sig[5].mode, APIC_DM_SIPI);
	assert_int_equal(sig[5].vector, 0x10);
	/* NMI to one; SMI reaches nothing Keel models. */
	m = fixed(2, false);
	m.mode = APIC_DM_NMI;
	apic_bus_send(&bus, &m, 0);
	m.mode = APIC_DM_SMI;
	apic_bus_send(&bus, &m, 0);
	assert_int_equal(nr_sig, 7);
	assert_int_equal(sig[6].cpu, 2);
	assert_int_equal(sig[6].mode, APIC_DM_NMI);
}

static void test_icr_msg(void **state)
{
	struct apic_msg m;

	(void)state;
	/* SeaBIOS's INIT then SIPI to all but self. */
	assert_true(apic_icr_msg(0x000c4500, 0, &m));
	assert_int_equal(m.mode, APIC_DM_INIT);
	assert_int_equal(m.shorthand, APIC_SH_ALL_BUT_SELF);
	assert_true(apic_icr_msg(0x000c4610, 0, &m));
	assert_int_equal(m.mode, APIC_DM_SIPI);
	assert_int_equal(m.vector, 0x10);
	/* Linux: INIT assert (level-triggered), then de-assert, which does nothing. */
	assert_true(apic_icr_msg(0x0000c500, 3, &m));
	assert_int_equal(m.dest, 3);
	assert_false(apic_icr_msg(0x00008500, 3, &m));
	/* A logical fixed IPI: edge whatever the trigger bit says. */
	assert_true(apic_icr_msg(0x0000c8fd, 0x06, &m));
	assert_true(m.logical);
	assert_false(m.level);
	assert_int_equal(m.vector, 0xfd);
	assert_int_equal(m.mode, APIC_DM_FIXED);
}

/* An ICR write reaches the bus through the APIC's ipi hook; vectors below 16 are refused. */
static uint32_t ipi_lo, ipi_dest;
static unsigned nr_ipi;

static void on_ipi(void *ctx, uint32_t lo, uint32_t dest)
{
	(void)ctx;
	ipi_lo = lo, ipi_dest = dest;
	nr_ipi++;
}

static void test_icr_hook(void **state)
{
	struct io_access a = { .addr = 0xfee00310, .size = 4, .write = true, .value = 0x03000000 };

	(void)state;
	nr_ipi = 0;
	apics[0].ipi = on_ipi;
	vlapic_mmio(NULL, &apics[0], &a);
	a.addr = 0xfee00300, a.value = 0x4041;
	vlapic_mmio(NULL, &apics[0], &a);
	assert_int_equal(nr_ipi, 1);
	assert_int_equal(ipi_lo, 0x4041);
	assert_int_equal(ipi_dest, 3);
	assert_int_equal(vlapic_pending(&apics[0]), -1); /* not to itself: the bus decides */
	a.value = 0x0f; /* fixed vector 15: a send error, no message */
	vlapic_mmio(NULL, &apics[0], &a);
	assert_int_equal(nr_ipi, 1);
	/* x2APIC: the 32-bit destination from ICR[63:32]. */
	vlapic_set_x2apic(&apics[0], true);
	assert_int_equal(vlapic_msr_write(&apics[0], 0x830, 0x0000000700000042ULL, 0), 0);
	assert_int_equal(nr_ipi, 2);
	assert_int_equal(ipi_dest, 7);
}

static void test_msi(void **state)
{
	(void)state;
	msi_to_apic_bus(&bus, 0xfee02000, 0x41); /* APIC 2, physical, fixed */
	assert_int_equal(vlapic_pending(&apics[2]), 0x41);
	assert_int_equal(vlapic_pending(&apics[1]), -1);
	msi_to_apic_bus(&bus, 0xfeeff000, 0x42); /* broadcast */
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(vlapic_pending(&apics[i]), 0x42);
	msi_to_apic_bus(&bus, 0xfee01000, 0x0443); /* NMI to APIC 1 */
	assert_int_equal(nr_sig, 1);
	assert_int_equal(sig[0].cpu, 1);
	msi_to_apic_bus(&bus, 0x1000, 0x44); /* a memory write, not an interrupt */
	assert_int_equal(nr_sig, 1);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_physical),	 T(test_logical_flat), T(test_logical_cluster),
		T(test_shorthands),	 T(test_x2apic),       T(test_disabled_not_on_bus),
		T(test_lowest_priority), T(test_send),	       T(test_icr_msg),
		T(test_icr_hook),	 T(test_msi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
