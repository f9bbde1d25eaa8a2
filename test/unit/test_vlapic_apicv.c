/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the vLAPIC's virtual-APIC page (vmm/dev/vlapic_apicv.c;
 * SDM 3C chapter 30): what the push puts where the CPU reads it (register
 * offsets of SDM 3A Table 11-1), RVI/SVI in the guest interrupt status,
 * the EOI-exit bitmap from the level-triggered vectors, what the pull takes
 * back after the CPU delivered, retired or took a TPR write, and APIC-write
 * and EOI-induced exits reaching the emulation. The CPU's part is played
 * by the test writing the page as the SDM says the CPU would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/dev/vlapic.h>
#include <keel/io.h>
#include <keel/vtime.h>
#include "vlapic_stubs.h"

static struct vlapic lapic;
static uint8_t page[4096] __attribute__((aligned(4096)));
static int eois[256];

static uint32_t *pg(unsigned off)
{
	return (uint32_t *)(page + off);
}

static void eoi_level(void *ctx, uint8_t vector)
{
	(void)ctx;
	eois[vector]++;
}

static int setup(void **state)
{
	(void)state;
	memset(page, 0xcc, sizeof(page)); /* the push must write what the CPU reads */
	memset(eois, 0, sizeof(eois));
	vlapic_init(&lapic, 3);
	lapic.eoi_level = eoi_level;
	lapic.vapic = page;
	*pg(0xf0) = 0xfffff1ff; /* SVR through an APIC-write exit: enabled, vector ff */
	vlapic_apicv_write(&lapic, 0xf0, 0);
	return 0;
}

static struct vlapic_apicv_entry push(void)
{
	struct vlapic_apicv_entry e;

	vlapic_apicv_push(&lapic, &e);
	return e;
}

/* Every register APIC-register virtualization serves is the model's (SDM 3C 30.4.2). */
static void test_push_registers(void **state)
{
	(void)state;
	push();
	assert_int_equal(*pg(0x20), 3u << 24); /* xAPIC ID */
	assert_int_equal(*pg(0x30) & 0xff, 0x14);
	assert_int_equal(*pg(0xe0), 0xffffffffu);
	assert_int_equal(*pg(0xf0), 0x1ff);             /* SVR as the model masked it */
	assert_int_equal(*pg(0x320), 0x10000);          /* LVT timer masked */
	assert_int_equal(*pg(0x380), 0);
	assert_int_equal(*pg(0x80), 0);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(*pg(0x200 + 16 * i), 0);
	assert_int_equal(*pg(0x390), 0xccccccccu); /* the current count is never read from here */
}

/* RVI and SVI: highest IRR and ISR vectors, 0 for none (SDM 3C 30.1.1, 30.2.1). */
static void test_rvi_svi(void **state)
{
	struct vlapic_apicv_entry e;

	(void)state;
	e = push();
	assert_true(e.intr_status_changed); /* the first push after a reset writes it */
	assert_int_equal(e.intr_status, 0);
	vlapic_set_irq(&lapic, 0x31, false);
	vlapic_set_irq(&lapic, 0x85, false);
	e = push();
	assert_int_equal(e.intr_status, 0x85);
	assert_int_equal(*pg(0x200 + 16 * 4), 1u << 5);
	assert_int_equal(*pg(0x200 + 16 * 1), 1u << 17);
	/* The CPU delivers 0x85: VIRR bit to VISR, RVI to the next (30.2.2). */
	*pg(0x200 + 16 * 4) = 0;
	*pg(0x100 + 16 * 4) = 1u << 5;
	vlapic_apicv_pull(&lapic, 0x8531);
	assert_int_equal(vlapic_pending(&lapic), -1); /* 0x31 is below the in-service class */
	e = push();
	assert_false(e.intr_status_changed); /* the CPU's RVI/SVI are right: nothing to write */
	vlapic_set_irq(&lapic, 0x32, false);
	e = push();
	assert_true(e.intr_status_changed);
	assert_int_equal(e.intr_status, 0x8532);
}

/* The pull keeps bits the model raised after the push, drops those the CPU delivered. */
static void test_pull_merges_irr(void **state)
{
	(void)state;
	vlapic_set_irq(&lapic, 0x40, false);
	push();
	vlapic_set_irq(&lapic, 0x50, false); /* after the push: not in the page */
	*pg(0x200 + 16 * 2) = 0;              /* the CPU delivered 0x40 */
	*pg(0x100 + 16 * 2) = 1u << 0;
	vlapic_apicv_pull(&lapic, 0x4000);
	assert_int_equal(vlapic_pending(&lapic), 0x50); /* its class beats 0x40's in service */
	assert_int_equal(lapic.irr[2], 1u << 16);     /* 0x50 kept, 0x40 gone */
	assert_int_equal(lapic.isr[2], 1u << 0);
	/* A self-IPI the CPU virtualized (30.1.5) is in the page only: taken. */
	*pg(0x200 + 16 * 3) = 1u << 1; /* 0x61 */
	vlapic_apicv_pull(&lapic, 0x4061);
	assert_int_equal(lapic.irr[3], 1u << 1);
	/* ... and once the CPU delivered it, a second pull does not bring it back. */
	*pg(0x200 + 16 * 3) = 0;
	*pg(0x100 + 16 * 3) = 1u << 1;
	vlapic_apicv_pull(&lapic, 0x6100);
	assert_int_equal(lapic.irr[3], 0);
}

/*
 * Nothing requested and nothing in service at the push, nor at the exit:
 * no delivery the model must know of since, so the pull skips ISR and IRR.
 * Any other status is not trusted (status_to_trust): the pull looks, so a
 * self-IPI below RVI (30.1.5) reaches the model.
 */
static void test_pull_skips_when_unchanged(void **state)
{
	struct vlapic_apicv_entry e;

	(void)state;
	lapic.vapic_vec_dirty = true;
	e = push();
	assert_int_equal(e.intr_status, 0x0000);
	*pg(0x200 + 16 * 2) = 1u << 3; /* a stray page bit: the skip does not read the page */
	vlapic_apicv_pull(&lapic, 0x0000);
	assert_int_equal(lapic.irr[2], 0); /* not looked at */
	*pg(0x200 + 16 * 2) = 0;
	lapic.isr[1] = 1u << 16; /* 0x30 in service, nothing requested */
	lapic.vapic_vec_dirty = true;
	e = push();
	assert_int_equal(e.intr_status, 0x3000);
	*pg(0x200 + 16 * 2) = 1u << 3; /* the CPU self-IPIed 0x43, IF 0: RVI 0x43 */
	vlapic_apicv_pull(&lapic, 0x3043);
	assert_int_equal(lapic.irr[2], 1u << 3);
	*pg(0x200 + 16 * 2) = 0;
	lapic.irr[2] = 0;
	lapic.vapic_vec_dirty = true;
	e = push();
	assert_int_equal(e.intr_status, 0x3000);
	vlapic_set_irq(&lapic, 0x90, false);
	e = push();
	assert_int_equal(e.intr_status, 0x3090);
	*pg(0x200 + 16 * 2) = 1u << 3; /* the CPU self-IPIed 0x43: RVI stays 0x90 */
	vlapic_apicv_pull(&lapic, 0x3090);
	assert_int_equal(lapic.irr[2], 1u << 3); /* looked at: RVI was not 0 */
	vlapic_set_irq(&lapic, 0x20, false);
	e = push();
	assert_int_equal(*pg(0x200 + 16 * 2), 1u << 3);
	assert_int_equal(*pg(0x200 + 16 * 1), 1u << 0);
	assert_int_equal(e.intr_status, 0x3090);
	/* Once the CPU delivered 0x90, RVI moved: the pull looks and sees 0x90 gone. */
	*pg(0x200 + 16 * 4) = 0;
	*pg(0x100 + 16 * 4) = 1u << 16;
	vlapic_apicv_pull(&lapic, 0x9043);
	assert_int_equal(lapic.irr[4], 0);
	assert_int_equal(lapic.isr[4], 1u << 16);
	assert_int_equal(vlapic_pending(&lapic), -1); /* 0x43 and 0x20 wait for the EOI */
}

/*
 * The status can come back (ABA): 0xff and 0x97 requested (status 0x00ff),
 * the CPU delivers both, the guest EOIs both and self-IPIs 0xff, which it
 * does not take yet (IF 0): the status is 0x00ff again, but 0x97 was
 * delivered. The pull must look, or the model keeps 0x97 requested and
 * the next push delivers it a second time (fuzz_apicv's deliver-once).
 */
static void test_pull_status_aba(void **state)
{
	struct vlapic_apicv_entry e;

	(void)state;
	vlapic_set_irq(&lapic, 0xff, false);
	vlapic_set_irq(&lapic, 0x97, false);
	e = push();
	assert_int_equal(e.intr_status, 0x00ff);
	*pg(0x200 + 16 * 4) = 0;        /* 0x97 delivered and EOIed */
	*pg(0x200 + 16 * 7) = 1u << 31; /* 0xff delivered, EOIed, self-IPIed again */
	vlapic_apicv_pull(&lapic, 0x00ff);
	assert_int_equal(lapic.irr[4], 0);
	assert_int_equal(lapic.irr[7], 1u << 31);
	assert_int_equal(vlapic_pending(&lapic), 0xff);
}

/*
 * In service only, no vector requested (status 0xf600): the guest EOIs
 * 0xf6 and the 0xec under it, then takes a self-IPI of 0xf6 again and
 * exits in its handler. SVI is 0xf6 as before, but 0xec is retired: the
 * pull must look, or the next push puts 0xec back in service, which the
 * guest never EOIs again, and its class (Linux's timer) stays blocked.
 */
static void test_pull_status_aba_in_service(void **state)
{
	struct vlapic_apicv_entry e;

	(void)state;
	lapic.isr[7] = 1u << 22; /* 0xf6 */
	lapic.isr[7] |= 1u << 12; /* 0xec */
	lapic.vapic_vec_dirty = true;
	e = push();
	assert_int_equal(e.intr_status, 0xf600);
	*pg(0x100 + 16 * 7) = 1u << 22; /* 0xec EOIed; 0xf6 EOIed and in service again */
	vlapic_apicv_pull(&lapic, 0xf600);
	assert_int_equal(lapic.isr[7], 1u << 22);
	vlapic_set_irq(&lapic, 0xd1, false); /* another CPU: the next push writes ISR */
	e = push();
	assert_int_equal(*pg(0x100 + 16 * 7), 1u << 22);
	assert_int_equal(e.intr_status, 0xf6d1);
	*pg(0x100 + 16 * 7) = 0; /* the guest EOIs 0xf6: PPR falls, 0xd1 may come */
	vlapic_apicv_pull(&lapic, 0x00d1);
	assert_int_equal(vlapic_ppr(&lapic), 0);
	assert_int_equal(vlapic_pending(&lapic), 0xd1);
}

/*
 * A vector raised again by another CPU while the vCPU is in the guest: the
 * model still had it (pushed, not pulled since), the CPU delivered it and
 * the guest EOIed it meanwhile. The pull must keep the new request, or the
 * second edge is lost (a UART's next interrupt then never comes).
 */
static void test_pull_keeps_a_second_request(void **state)
{
	struct vlapic_apicv_entry e;

	(void)state;
	vlapic_set_irq(&lapic, 0x34, false);
	e = push();
	assert_int_equal(e.intr_status, 0x34);
	*pg(0x200 + 16 * 1) = 0; /* the CPU delivered 0x34 and the guest EOIed it */
	vlapic_set_irq(&lapic, 0x34, false); /* another CPU: the second interrupt */
	vlapic_apicv_pull(&lapic, 0x0000);
	assert_int_equal(lapic.irr[1], 1u << 20);
	assert_int_equal(vlapic_pending(&lapic), 0x34);
	e = push();
	assert_int_equal(e.intr_status, 0x34);
	assert_int_equal(*pg(0x200 + 16 * 1), 1u << 20);
	/* Pushed: a later pull that finds it delivered drops it. */
	*pg(0x200 + 16 * 1) = 0;
	vlapic_apicv_pull(&lapic, 0x0000);
	assert_int_equal(lapic.irr[1], 0);
}

/* TPR writes stay in the guest (30.1.2): the pull takes VTPR into the model's PPR. */
static void test_pull_tpr(void **state)
{
	(void)state;
	vlapic_set_irq(&lapic, 0x45, false);
	push();
	*pg(0x80) = 0x50;
	vlapic_apicv_pull(&lapic, 0x45); /* TPR writes leave RVI/SVI: the pull takes TPR anyway */
	assert_int_equal(lapic.tpr, 0x50);
	assert_int_equal(vlapic_ppr(&lapic), 0x50);
	assert_int_equal(vlapic_pending(&lapic), -1);
}

/* EOI-exit bitmap = level-triggered vectors (30.1.4); changed only when TMR changes. */
static void test_eoi_exit_bitmap(void **state)
{
	struct vlapic_apicv_entry e;

	(void)state;
	e = push();
	assert_true(e.eoi_exit_changed); /* first push after a reset: written */
	e = push();
	assert_false(e.eoi_exit_changed);
	vlapic_set_irq(&lapic, 0x91, true);
	vlapic_set_irq(&lapic, 0x22, false);
	e = push();
	assert_true(e.eoi_exit_changed);
	assert_int_equal(e.eoi_exit[2], 1ULL << (0x91 - 128));
	assert_int_equal(e.eoi_exit[0], 0);
	assert_int_equal(e.eoi_exit[1], 0);
	assert_int_equal(*pg(0x180 + 16 * 4), 1u << 17);
	e = push();
	assert_false(e.eoi_exit_changed);
}

/* An EOI-induced exit reaches the IOAPIC for a level vector only. */
static void test_eoi_induced(void **state)
{
	(void)state;
	vlapic_set_irq(&lapic, 0x91, true);
	vlapic_set_irq(&lapic, 0x22, false);
	vlapic_apicv_eoi(&lapic, 0x91);
	vlapic_apicv_eoi(&lapic, 0x22);
	assert_int_equal(eois[0x91], 1);
	assert_int_equal(eois[0x22], 0);
	assert_int_equal(lapic.stats.eoi, 2);
}

/* APIC-write exits (30.4.3.3): the value is in the page; the model takes and masks it. */
static void test_apic_write(void **state)
{
	(void)state;
	push();
	*pg(0x320) = 0xfff200ef; /* LVT timer: reserved bits set, periodic, vector ef */
	vlapic_apicv_write(&lapic, 0x320, 0);
	assert_int_equal(lapic.lvt[VLAPIC_LVT_TIMER], 0x200ef);
	assert_true(lapic.touched); /* the timer's deadline moved */
	assert_int_equal(lapic.stats.apic_write, 2); /* SVR at setup, this one */
	push();
	assert_int_equal(*pg(0x320), 0x200ef);
	/*
	 * ICR high is written in the page without an exit (30.4.3.2); the
	 * ICR-low write that exits sends to the destination it names.
	 */
	*pg(0x310) = 0x03000000; /* this APIC's ID */
	*pg(0x300) = 0x66;        /* fixed, physical, no shorthand */
	vlapic_apicv_write(&lapic, 0x300, 0);
	assert_int_equal(vlapic_pending(&lapic), 0x66);
	assert_int_equal(lapic.icr_hi, 0x03000000);
	*pg(0x310) = 0x05000000; /* another APIC: nothing arrives here */
	*pg(0x300) = 0x67;
	vlapic_apicv_write(&lapic, 0x300, 0);
	assert_int_equal(vlapic_pending(&lapic), 0x66);
	/* A push after other writes keeps what the guest wrote there. */
	vlapic_apicv_pull(&lapic, 0x66);
	vlapic_apicv_write(&lapic, 0x380, 0);
	push();
	assert_int_equal(*pg(0x310), 0x05000000);
	/* A self-IPI through the ICR (fixed, shorthand self) reaches IRR. */
	*pg(0x300) = 0x40000 | 0x77;
	vlapic_apicv_write(&lapic, 0x300, 0);
	assert_int_equal(vlapic_pending(&lapic), 0x77);
	assert_int_equal(push().intr_status & 0xff, 0x77);
}

static uint32_t ipi_dest;

static void on_ipi(void *ctx, uint32_t lo, uint32_t dest)
{
	(void)ctx, (void)lo;
	ipi_dest = dest;
}

/* An IPI's destination is ICR high as the page holds it, written there without an exit. */
static void test_icr_high_from_page(void **state)
{
	(void)state;
	lapic.ipi = on_ipi;
	*pg(0x310) = 0x02000000;
	*pg(0x300) = 0x4041;
	vlapic_apicv_write(&lapic, 0x300, 0);
	assert_int_equal(ipi_dest, 2);
	*pg(0x310) = 0x05000000;
	vlapic_apicv_write(&lapic, 0x300, 0);
	assert_int_equal(ipi_dest, 5);
}

/* x2APIC mode: RDMSR 0x802 reads the 32-bit x2APIC ID, 0x80d the derived LDR (SDM 3A 11.12). */
static void test_x2apic_page(void **state)
{
	(void)state;
	vlapic_set_x2apic(&lapic, true);
	push();
	assert_int_equal(*pg(0x20), 3);
	assert_int_equal(*pg(0xd0), 1u << 3);
}

/* A disable resets the registers (SDM 3A 11.12.5.1): the page follows on the next push. */
static void test_disable_resets_page(void **state)
{
	(void)state;
	vlapic_set_irq(&lapic, 0x91, true);
	push();
	vlapic_set_hw_enabled(&lapic, false);
	struct vlapic_apicv_entry e = push();
	assert_true(e.intr_status_changed);
	assert_int_equal(e.intr_status, 0);
	assert_true(e.eoi_exit_changed);
	assert_int_equal(e.eoi_exit[2], 0);
	assert_int_equal(*pg(0xf0), 0xff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_push_registers, setup),
		cmocka_unit_test_setup(test_rvi_svi, setup),
		cmocka_unit_test_setup(test_pull_merges_irr, setup),
		cmocka_unit_test_setup(test_pull_tpr, setup),
		cmocka_unit_test_setup(test_pull_skips_when_unchanged, setup),
		cmocka_unit_test_setup(test_pull_status_aba, setup),
		cmocka_unit_test_setup(test_pull_status_aba_in_service, setup),
		cmocka_unit_test_setup(test_pull_keeps_a_second_request, setup),
		cmocka_unit_test_setup(test_eoi_exit_bitmap, setup),
		cmocka_unit_test_setup(test_eoi_induced, setup),
		cmocka_unit_test_setup(test_apic_write, setup),
		cmocka_unit_test_setup(test_icr_high_from_page, setup),
		cmocka_unit_test_setup(test_x2apic_page, setup),
		cmocka_unit_test_setup(test_disable_resets_page, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
