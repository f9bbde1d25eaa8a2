/* SPDX-License-Identifier: MIT */
/*
 * Host tests for posted-interrupt descriptors (vmm/dev/vlapic_pir.c; SDM 3C
 * 30.6, Table 30-1): the layout the CPU reads, posting and notification,
 * vectors 0-15 and all 256, taking PIR into the vLAPIC model and through
 * the virtual-APIC page (vlapic_apicv.c) to the CPU, and the interleavings
 * of a poster on another CPU, Keel's take and the CPU's own processing,
 * played step by step. No CPU here offers posted interrupts, so these and
 * test/fuzz/fuzz_vlapic_pir.c are what checks this code.
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
#include <keel/dev/vlapic_pir.h>
#include <keel/io.h>

#include "vlapic_stubs.h"

static struct vlapic lapic;
static struct vlapic_pir desc;
static uint8_t page[4096] __attribute__((aligned(4096)));
static uint16_t status; /* the VMCS guest interrupt status: SVI 15:8, RVI 7:0 */

static uint32_t *pg(unsigned off)
{
	return (uint32_t *)(page + off);
}

static bool bit(const uint32_t *map, unsigned v)
{
	return map[v / 32] >> (v % 32) & 1;
}

static bool page_bit(unsigned base, unsigned v)
{
	return *pg(base + 16 * (v / 32)) >> (v % 32) & 1;
}

static bool pir_bit(unsigned v)
{
	return desc.pir[v / 64] >> (v % 64) & 1;
}

static bool pir_empty(void)
{
	return !(desc.pir[0] | desc.pir[1] | desc.pir[2] | desc.pir[3]);
}

static void enable(void)
{
	*pg(0xf0) = 0x1ff; /* SVR: enabled, vector ff, through an APIC-write exit */
	vlapic_apicv_write(&lapic, 0xf0, 0);
}

static void push(void)
{
	struct vlapic_apicv_entry e;

	vlapic_apicv_push(&lapic, &e);
	if (e.intr_status_changed)
		status = e.intr_status;
}

static int setup(void **state)
{
	(void)state;
	memset(&desc, 0, sizeof(desc));
	memset(page, 0, sizeof(page));
	status = 0;
	vlapic_init(&lapic, 1);
	lapic.vapic = page;
	enable();
	push();
	return 0;
}

/* Table 30-1: PIR is bits 255:0 (vector n at bit n), ON bit 256; 64 bytes, 64-aligned. */
static void test_layout(void **state)
{
	const uint8_t *raw = (const uint8_t *)&desc;

	(void)state;
	assert_int_equal(sizeof(struct vlapic_pir), 64);
	assert_int_equal(_Alignof(struct vlapic_pir), 64);
	assert_int_equal((uintptr_t)&desc % 64, 0);
	assert_int_equal(vlapic_pir_post(&desc, 0x31), VLAPIC_POST_NOTIFY);
	assert_int_equal(vlapic_pir_post(&desc, 0xff), VLAPIC_POST_QUEUED);
	for (unsigned i = 0; i < 64; i++) {
		uint8_t want = i == 0x31 / 8 ? 1u << (0x31 % 8) : i == 31 ? 0x80 : i == 32 ? 1 : 0;

		if (raw[i] != want)
			fail_msg("descriptor byte %u is 0x%02x, want 0x%02x", i, raw[i], want);
	}
}

/* ON newly set asks for a notification; set already, the one sent will do. */
static void test_notify_once(void **state)
{
	(void)state;
	assert_int_equal(vlapic_pir_post(&desc, 0x40), VLAPIC_POST_NOTIFY);
	assert_int_equal(vlapic_pir_post(&desc, 0x41), VLAPIC_POST_QUEUED);
	assert_true(pir_bit(0x40) && pir_bit(0x41) && !pir_bit(0x42));
	assert_int_equal(vlapic_pir_post(&desc, 0x40), VLAPIC_POST_QUEUED); /* coalesced */
	assert_int_equal(vlapic_pir_take(&desc, &lapic), 2);
	assert_int_equal(desc.on, 0);
	assert_int_equal(vlapic_pir_post(&desc, 0x40), VLAPIC_POST_NOTIFY);
}

/* Vectors 0-15: refused, the descriptor untouched (the model reports them, SDM 3A 11.5.3). */
static void test_low_vectors_refused(void **state)
{
	(void)state;
	for (unsigned v = 0; v < 16; v++) {
		assert_int_equal(vlapic_pir_post(&desc, (uint8_t)v), VLAPIC_POST_REFUSED);
		assert_false(vlapic_pir_postable(&lapic, (uint8_t)v, false));
	}
	assert_true(pir_empty());
	assert_int_equal(desc.on, 0);
	assert_true(vlapic_pir_postable(&lapic, 16, false));
}

/* Every vector at once: 240 posted, all moved, nothing left behind, none in TMR. */
static void test_all_vectors(void **state)
{
	unsigned notify = 0;

	(void)state;
	for (unsigned v = 0; v < 256; v++)
		notify += vlapic_pir_post(&desc, (uint8_t)v) == VLAPIC_POST_NOTIFY;
	assert_int_equal(notify, 1);
	assert_int_equal(desc.pir[0], ~0xffffull);
	assert_int_equal(desc.pir[1] & desc.pir[2] & desc.pir[3], ~0ull);
	lapic.vapic_vec_dirty = false;
	memset(lapic.tmr, 0xff, sizeof(lapic.tmr));
	assert_int_equal(vlapic_pir_take(&desc, &lapic), 240);
	assert_true(pir_empty());
	assert_int_equal(desc.on, 0);
	assert_int_equal(lapic.irr[0], 0xffff0000u);
	assert_int_equal(lapic.tmr[0], 0x0000ffffu); /* edge: the model clears TMR */
	for (unsigned i = 1; i < 8; i++) {
		assert_int_equal(lapic.irr[i], ~0u);
		assert_int_equal(lapic.tmr[i], 0);
	}
	assert_true(lapic.vapic_vec_dirty); /* the next push writes them to the page */
	push();
	assert_int_equal(status & 0xff, 0xff);
	assert_int_equal(*pg(0x200), 0xffff0000u);
	assert_int_equal(vlapic_pir_take(&desc, &lapic), 0);
}

/* Bits 0-15 in PIR (nothing posts them; the descriptor is Keel's): the model's illegal-vector error. */
static void test_low_bits_in_pir(void **state)
{
	(void)state;
	desc.pir[0] = 0x8005; /* 0, 2 and 15 */
	desc.on = 1;
	assert_int_equal(vlapic_pir_take(&desc, &lapic), 3);
	assert_int_equal(lapic.irr[0], 0);
	assert_true(lapic.esr_acc & (1u << 6)); /* received illegal vector (SDM 3A 11.5.3) */
	assert_true(pir_empty());
}

/* A disabled APIC takes nothing (as vlapic_set_irq): PIR is emptied all the same. */
static void test_take_disabled(void **state)
{
	(void)state;
	vlapic_pir_post(&desc, 0x50);
	*pg(0xf0) = 0xff; /* SVR bit 8 clear: software-disabled */
	vlapic_apicv_write(&lapic, 0xf0, 0);
	assert_false(vlapic_pir_postable(&lapic, 0x51, false));
	assert_int_equal(vlapic_pir_take(&desc, &lapic), 1);
	assert_false(bit(lapic.irr, 0x50));
	assert_true(pir_empty());
	vlapic_set_hw_enabled(&lapic, false);
	assert_false(vlapic_pir_postable(&lapic, 0x51, false));
}

/* Level vectors keep the model path (TMR, EOI-exit bitmap); so does a vector last taken as level. */
static void test_postable(void **state)
{
	(void)state;
	assert_true(vlapic_pir_postable(&lapic, 0x60, false));
	assert_false(vlapic_pir_postable(&lapic, 0x60, true));
	vlapic_set_irq(&lapic, 0x60, true);
	assert_false(vlapic_pir_postable(&lapic, 0x60, false));
	vlapic_set_irq(&lapic, 0x60, false); /* edge now: TMR cleared */
	assert_true(vlapic_pir_postable(&lapic, 0x60, false));
}

/* The poster set PIR but not yet ON when Keel took: taken now; its ON is a spurious notification. */
static void test_take_between_pir_and_on(void **state)
{
	(void)state;
	__atomic_fetch_or(&desc.pir[1], 1ull << (0x70 % 64), __ATOMIC_SEQ_CST); /* post, step 1 */
	assert_int_equal(vlapic_pir_take(&desc, &lapic), 1);
	assert_true(bit(lapic.irr, 0x70));
	assert_int_equal(__atomic_fetch_or(&desc.on, 1, __ATOMIC_SEQ_CST), 0); /* step 2: notify */
	/* The notification finds nothing; the next take neither. */
	assert_int_equal(vlapic_pir_take(&desc, &lapic), 0);
	assert_int_equal(desc.on, 0);
}

/*
 * Keel cleared ON, then a post came before it exchanged PIR: the post sees
 * ON clear and notifies; Keel's exchange takes the vector or leaves it for
 * the notification, never both.
 */
static void test_post_between_on_and_pir(void **state)
{
	(void)state;
	vlapic_pir_post(&desc, 0x90);
	__atomic_fetch_and(&desc.on, ~1ull, __ATOMIC_SEQ_CST); /* take, step 1 */
	assert_int_equal(vlapic_pir_post(&desc, 0x91), VLAPIC_POST_NOTIFY);
	assert_int_equal(vlapic_pir_take(&desc, &lapic), 2); /* step 2 found both */
	assert_true(bit(lapic.irr, 0x90) && bit(lapic.irr, 0x91));
	assert_true(pir_empty());
}

/* The CPU's processing (30.6): ON cleared, PIR ORed into VIRR and cleared, RVI raised. */
static void cpu_process_posted(void)
{
	int rvi = status & 0xff;

	__atomic_fetch_and(&desc.on, ~1ull, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < 4; i++) {
		uint64_t w = __atomic_exchange_n(&desc.pir[i], 0, __ATOMIC_SEQ_CST);

		*pg(0x200 + 32 * i) |= (uint32_t)w;
		*pg(0x200 + 32 * i + 16) |= (uint32_t)(w >> 32);
		if (w && (int)(i * 64 + 63 - __builtin_clzll(w)) > rvi)
			rvi = (int)(i * 64 + 63 - __builtin_clzll(w));
	}
	status = (uint16_t)((status & 0xff00) | rvi);
}

/* 30.2.2: RVI delivered (VIRR to VISR), RVI to the next highest. */
static void cpu_deliver(void)
{
	unsigned v = status & 0xff;
	int next = -1;

	*pg(0x200 + 16 * (v / 32)) &= ~(1u << (v % 32));
	*pg(0x100 + 16 * (v / 32)) |= 1u << (v % 32);
	for (int i = 7; i >= 0 && next < 0; i--)
		if (*pg(0x200 + 16 * i))
			next = i * 32 + 31 - __builtin_clz(*pg(0x200 + 16 * i));
	status = (uint16_t)(v << 8 | (next < 0 ? 0 : next));
}

/*
 * The CPU took one word while Keel took the other: each vector lands in one
 * place. Then the CPU delivers 0xa0 and the exit's pull must not bring it
 * back from the model (delivered twice), while 0x20 taken by Keel reaches
 * the page at the push.
 */
static void test_cpu_and_keel_split(void **state)
{
	(void)state;
	vlapic_pir_post(&desc, 0x20);
	vlapic_pir_post(&desc, 0xa0);
	/* The CPU, in the guest, got to word 2 first (0xa0). */
	__atomic_fetch_and(&desc.on, ~1ull, __ATOMIC_SEQ_CST);
	*pg(0x200 + 16 * 5) |= (uint32_t)(__atomic_exchange_n(&desc.pir[2], 0, __ATOMIC_SEQ_CST) >> 32);
	status = (uint16_t)((status & 0xff00) | 0xa0);
	cpu_deliver();
	assert_int_equal(status, 0xa000);
	/* The exit: pull, then Keel takes the rest before the entry. */
	vlapic_apicv_pull(&lapic, status);
	assert_int_equal(vlapic_pir_take(&desc, &lapic), 1);
	assert_true(bit(lapic.irr, 0x20));
	assert_false(bit(lapic.irr, 0xa0));
	assert_true(bit(lapic.isr, 0xa0));
	push();
	assert_int_equal(status, 0xa020);
	assert_true(page_bit(0x200, 0x20));
	assert_false(page_bit(0x200, 0xa0));
}

/*
 * Taking must move, not copy: with the vector left in PIR, the CPU's next
 * processing would put it in VIRR after Keel's model had it delivered.
 * One post, one delivery, however the take and the CPU interleave.
 */
static void test_one_post_one_delivery(void **state)
{
	unsigned delivered = 0;

	(void)state;
	vlapic_pir_post(&desc, 0x80);
	assert_int_equal(vlapic_pir_take(&desc, &lapic), 1);
	push();
	assert_int_equal(status & 0xff, 0x80);
	for (unsigned round = 0; round < 4; round++) {
		if (status & 0xff) {
			cpu_deliver();
			delivered++;
			/* EOI virtualization (30.1.4) */
			*pg(0x100 + 16 * 4) &= ~1u;
			status &= 0xff;
		}
		/* A notification in the guest: a copy left in PIR would come back here. */
		cpu_process_posted();
		vlapic_apicv_pull(&lapic, status);
		assert_int_equal(vlapic_pir_take(&desc, &lapic), 0);
		push();
	}
	assert_int_equal(delivered, 1);
	assert_false(bit(lapic.irr, 0x80));
}

/* Posted while the vCPU ran: the CPU put it in VIRR below RVI; the push keeps it. */
static void test_posted_below_rvi(void **state)
{
	(void)state;
	vlapic_set_irq(&lapic, 0xe0, false);
	push();
	assert_int_equal(status & 0xff, 0xe0);
	vlapic_pir_post(&desc, 0x30);
	cpu_process_posted();
	assert_int_equal(status & 0xff, 0xe0); /* RVI unchanged: the pull does not look */
	vlapic_apicv_pull(&lapic, status);
	vlapic_set_irq(&lapic, 0x31, false); /* the model changes: the push rewrites IRR */
	push();
	assert_true(page_bit(0x200, 0x30));
	assert_true(bit(lapic.irr, 0x30));
}

/* vlapic_post: only with a descriptor and a postable vector; the next pull compares the page. */
static void test_post_through_vlapic(void **state)
{
	(void)state;
	assert_int_equal(vlapic_post(&lapic, 0x40, false), VLAPIC_POST_REFUSED); /* no descriptor */
	assert_int_equal(vlapic_pir_sync(&lapic), 0);
	lapic.pir = &desc;
	assert_int_equal(vlapic_post(&lapic, 0x40, true), VLAPIC_POST_REFUSED);
	assert_int_equal(vlapic_post(&lapic, 0x0f, false), VLAPIC_POST_REFUSED);
	assert_true(pir_empty());
	assert_int_not_equal(lapic.vapic_intr_status, VLAPIC_PIR_RESYNC);
	assert_int_equal(vlapic_post(&lapic, 0x40, false), VLAPIC_POST_NOTIFY);
	assert_int_equal(lapic.vapic_intr_status, VLAPIC_PIR_RESYNC);
	assert_int_equal(vlapic_pir_sync(&lapic), 1);
	assert_true(bit(lapic.irr, 0x40));
	assert_int_equal(vlapic_pir_sync(&lapic), 0);
}

/*
 * In the guest: 0xff and 0x97 delivered and retired, then 0xff posted and
 * processed: the guest interrupt status is 00ff again, as the last push
 * left it, but 0x97 is gone. The pull must not keep 0x97 in the model (a
 * second delivery at the next push): the post made it compare the page.
 */
static void test_status_aba(void **state)
{
	(void)state;
	lapic.pir = &desc;
	vlapic_set_irq(&lapic, 0x97, false);
	vlapic_set_irq(&lapic, 0xff, false);
	push();
	assert_int_equal(status, 0x00ff);
	for (unsigned i = 0; i < 2; i++) {
		cpu_deliver();
		*pg(0x100 + 16 * ((status >> 8) / 32)) &= ~(1u << ((status >> 8) % 32)); /* EOI */
		status &= 0xff;
	}
	assert_int_equal(status, 0);
	vlapic_post(&lapic, 0xff, false);
	cpu_process_posted();
	assert_int_equal(status, 0x00ff);
	vlapic_apicv_pull(&lapic, status);
	assert_false(bit(lapic.irr, 0x97));
	assert_true(bit(lapic.irr, 0xff));
	vlapic_set_irq(&lapic, 0x20, false); /* the model changes: the push rewrites IRR */
	push();
	assert_false(page_bit(0x200, 0x97));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_layout, setup),
		cmocka_unit_test_setup(test_notify_once, setup),
		cmocka_unit_test_setup(test_low_vectors_refused, setup),
		cmocka_unit_test_setup(test_all_vectors, setup),
		cmocka_unit_test_setup(test_low_bits_in_pir, setup),
		cmocka_unit_test_setup(test_take_disabled, setup),
		cmocka_unit_test_setup(test_postable, setup),
		cmocka_unit_test_setup(test_take_between_pir_and_on, setup),
		cmocka_unit_test_setup(test_post_between_on_and_pir, setup),
		cmocka_unit_test_setup(test_cpu_and_keel_split, setup),
		cmocka_unit_test_setup(test_one_post_one_delivery, setup),
		cmocka_unit_test_setup(test_posted_below_rvi, setup),
		cmocka_unit_test_setup(test_post_through_vlapic, setup),
		cmocka_unit_test_setup(test_status_aba, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
