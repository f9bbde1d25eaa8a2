/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the local APIC model (vmm/dev/vlapic.c, vlapic_timer.c).
 * Register accesses go through the MMIO handler the model registers, at the
 * offsets of Intel SDM Vol. 3A Table 11-1 written out here, not taken from
 * the model. Guest time is a test global in ns; the bus clock is 1 GHz.
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

#define BASE_NS 7000000000ULL /* far from 0, so nothing lines up with 0 by accident */

static char fake_vm;
#define VM ((struct vm *)&fake_vm)

static struct vlapic lapic;
static uint64_t now_ns;
static struct io_range range;
static unsigned nr_ranges;
static uint8_t eoi_vectors[8];
static unsigned nr_eoi, nr_nmi;

uint64_t vm_time_ns(struct vm *vm)
{
	assert_ptr_equal(vm, VM);
	return now_ns;
}

int io_register_mmio(struct vm *vm, uint64_t base, uint64_t len, io_handler_fn *fn, void *dev)
{
	assert_ptr_equal(vm, VM);
	range = (struct io_range){ .base = base, .len = len, .fn = fn, .dev = dev };
	nr_ranges++;
	return 0;
}

static void on_eoi(void *ctx, uint8_t vector)
{
	assert_ptr_equal(ctx, &lapic);
	assert_true(nr_eoi < 8);
	eoi_vectors[nr_eoi++] = vector;
}

static void on_nmi(void *ctx)
{
	assert_ptr_equal(ctx, &lapic);
	nr_nmi++;
}

static uint64_t access(unsigned off, uint32_t size, bool write, uint64_t value)
{
	struct io_access a = { 0xfee00000ULL + off, size, write, value };

	assert_int_equal(nr_ranges, 1);
	assert_int_equal(range.fn(VM, range.dev, &a), 0);
	return a.value;
}

static uint32_t rd(unsigned off)
{
	return (uint32_t)access(off, 4, false, 0xdeadbeef);
}

static void wr(unsigned off, uint32_t v)
{
	access(off, 4, true, v);
}

/* Bit v of a 256-bit register set (ISR 0x100, TMR 0x180, IRR 0x200). */
static bool vec_bit(unsigned base, unsigned v)
{
	return rd(base + 0x10 * (v / 32)) & (1u << (v % 32));
}

static int setup(void **state)
{
	(void)state;
	nr_ranges = nr_eoi = nr_nmi = 0;
	now_ns = BASE_NS;
	vlapic_init(&lapic, 0);
	lapic.eoi_level = on_eoi;
	lapic.nmi = on_nmi;
	lapic.ctx = &lapic;
	assert_int_equal(vlapic_register(VM, &lapic, 0xfee00000ULL), 0);
	return 0;
}

static void enable(void)
{
	wr(0xf0, 0x1ff);
}

/* Inject what the APIC offers, as Keel does before a VM entry. */
static int take(void)
{
	int v = vlapic_pending(&lapic);

	if (v >= 0)
		vlapic_ack(&lapic, (uint8_t)v);
	return v;
}

static void test_register(void **state)
{
	(void)state;
	assert_int_equal(range.base, 0xfee00000ULL);
	assert_int_equal(range.len, 0x1000);
}

static void test_reset_values(void **state)
{
	static const unsigned lvts[] = { 0x2f0, 0x320, 0x330, 0x340, 0x350, 0x360, 0x370 };

	(void)state;
	assert_int_equal(rd(0x20), 0);
	assert_int_equal(rd(0x30), 0x00050014);
	assert_int_equal(rd(0x80), 0);
	assert_int_equal(rd(0xa0), 0);
	assert_int_equal(rd(0xd0), 0);
	assert_int_equal(rd(0xe0), 0xffffffff);
	assert_int_equal(rd(0xf0), 0xff);
	assert_int_equal(rd(0x280), 0);
	assert_int_equal(rd(0x300), 0);
	assert_int_equal(rd(0x380), 0);
	assert_int_equal(rd(0x390), 0);
	assert_int_equal(rd(0x3e0), 0);
	for (unsigned i = 0; i < 7; i++)
		assert_int_equal(rd(lvts[i]), 0x10000);
	for (unsigned off = 0x100; off < 0x280; off += 0x10)
		assert_int_equal(rd(off), 0);
	assert_true(lapic.hw_enabled);
	assert_false(vlapic_enabled(&lapic));

	vlapic_init(&lapic, 3);
	assert_int_equal(rd(0x20), 0x03000000);
}

static void test_register_masks(void **state)
{
	static const struct { unsigned off; uint32_t val; } want[] = {
		{ 0x020, 0xff000000 }, { 0x080, 0xff }, { 0x0d0, 0xff000000 },
		{ 0x0f0, 0x3ff }, { 0x2f0, 0x107ff }, { 0x310, 0xff000000 },
		{ 0x320, 0x700ff }, { 0x330, 0x107ff }, { 0x340, 0x107ff },
		{ 0x350, 0x1a7ff }, { 0x360, 0x1a7ff }, { 0x370, 0x100ff },
		{ 0x3e0, 0xb },
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		wr(want[i].off, 0xffffffff);
		assert_int_equal(rd(want[i].off), want[i].val);
	}
	wr(0xe0, 0);
	assert_int_equal(rd(0xe0), 0x0fffffff);
	/* Read-only registers ignore writes. */
	wr(0x30, 0);
	assert_int_equal(rd(0x30), 0x00050014);
	wr(0xa0, 0x20);
	assert_int_equal(rd(0xa0), 0xff); /* PPR still follows TPR 0xff */
	wr(0x200, 0xffffffff);
	assert_int_equal(rd(0x200), 0);
	wr(0x390, 5);
	assert_int_equal(rd(0x390), 0);
	/* ICR low: all excluding self, so nothing is sent; bit 12 stays clear. */
	wr(0x300, 0xffffffff);
	assert_int_equal(rd(0x300), 0xccfff);
	assert_int_equal(vlapic_pending(&lapic), -1);
}

/*
 * Keel recomputes the guest's device deadlines only after an access that
 * marks a device (vmm/hvm_events.c): every write that can move the timer's
 * deadline marks the vLAPIC; EOI, TPR and reads, the frequent ones, do not.
 */
static void test_timer_writes_mark(void **state)
{
	static const unsigned moves[] = { 0x0f0, 0x320, 0x380, 0x3e0, 0x384 };
	static const unsigned stays[] = { 0x080, 0x0b0, 0x0d0, 0x280, 0x350, 0x360 };

	(void)state;
	wr(0x0f0, 0x1ff);
	lapic.touched = false;
	for (unsigned off = 0; off < 0x400; off += 0x10)
		(void)rd(off);
	assert_false(lapic.touched);
	for (unsigned i = 0; i < sizeof(stays) / sizeof(stays[0]); i++) {
		wr(stays[i], stays[i] == 0x0b0 ? 0 : 0x10000);
		assert_false(lapic.touched);
	}
	for (unsigned i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		lapic.touched = false;
		wr(moves[i], moves[i] == 0x0f0 ? 0x1ff : 0);
		assert_true(lapic.touched);
	}
}

static void test_bad_access(void **state)
{
	(void)state;
	wr(0x80, 0x20);
	access(0x80, 2, true, 0x30);
	access(0x84, 4, true, 0x40);
	access(0x80, 8, true, 0x50);
	assert_int_equal(rd(0x80), 0x20);
	assert_int_equal(access(0x80, 1, false, 0x77), 0);
	assert_int_equal(access(0x84, 4, false, 0x77), 0);
	assert_int_equal(access(0x80, 8, false, 0x77), 0);
	assert_int_equal(rd(0x3f0), 0); /* x2APIC's SELF IPI: reserved in xAPIC mode */
}

static void test_svr_enable(void **state)
{
	(void)state;
	wr(0x350, 0x700);
	assert_int_equal(rd(0x350), 0x10700); /* masks stay set while software-disabled */
	vlapic_set_irq(&lapic, 0x40, false);
	assert_int_equal(vlapic_pending(&lapic), -1);

	enable();
	assert_true(vlapic_enabled(&lapic));
	wr(0x350, 0x700);
	assert_int_equal(rd(0x350), 0x700);
	wr(0x320, 0x30);
	vlapic_set_irq(&lapic, 0x40, false);
	assert_int_equal(vlapic_pending(&lapic), 0x40);

	/* Software disable masks every LVT; what was pending is held. */
	wr(0xf0, 0xff);
	assert_false(vlapic_enabled(&lapic));
	assert_int_equal(rd(0x350), 0x10700);
	assert_int_equal(rd(0x320), 0x10030);
	assert_int_equal(vlapic_pending(&lapic), 0x40);
}

static void test_tpr_ppr(void **state)
{
	(void)state;
	enable();
	vlapic_set_irq(&lapic, 0x51, false);
	wr(0x80, 0x50);
	assert_int_equal(rd(0xa0), 0x50);
	assert_int_equal(vlapic_pending(&lapic), -1); /* class 5 does not beat 5 */
	wr(0x80, 0x4f);
	assert_int_equal(vlapic_pending(&lapic), 0x51);
	assert_int_equal(take(), 0x51);

	/* PPR: the in-service class when TPR's class is lower, else TPR. */
	wr(0x80, 0x20);
	assert_int_equal(rd(0xa0), 0x50);
	wr(0x80, 0x6a);
	assert_int_equal(rd(0xa0), 0x6a);
	wr(0x80, 0x5f);
	assert_int_equal(rd(0xa0), 0x5f);
	wr(0x80, 0);
	vlapic_set_irq(&lapic, 0x55, false);
	assert_int_equal(vlapic_pending(&lapic), -1); /* same class as in service */
	vlapic_set_irq(&lapic, 0x61, false);
	assert_int_equal(vlapic_pending(&lapic), 0x61);

	vlapic_set_tpr(&lapic, 0x70); /* a MOV to CR8 of 7 */
	assert_int_equal(rd(0x80), 0x70);
	assert_int_equal(vlapic_pending(&lapic), -1);
}

static void test_nested_eoi_order(void **state)
{
	(void)state;
	enable();
	vlapic_set_irq(&lapic, 0x30, false);
	assert_int_equal(take(), 0x30);
	vlapic_set_irq(&lapic, 0x80, false);
	assert_int_equal(take(), 0x80); /* a higher class nests */
	vlapic_set_irq(&lapic, 0x40, false);
	assert_int_equal(vlapic_pending(&lapic), -1);
	assert_true(vec_bit(0x100, 0x30) && vec_bit(0x100, 0x80));
	assert_true(vec_bit(0x200, 0x40));

	wr(0xb0, 0); /* retires 0x80, the highest in service */
	assert_false(vec_bit(0x100, 0x80));
	assert_true(vec_bit(0x100, 0x30));
	assert_int_equal(take(), 0x40);
	assert_false(vec_bit(0x200, 0x40));
	wr(0xb0, 0);
	assert_false(vec_bit(0x100, 0x40));
	assert_true(vec_bit(0x100, 0x30));
	wr(0xb0, 0);
	assert_int_equal(rd(0x100 + 0x10), 0);
	wr(0xb0, 0); /* nothing in service: no effect */
	assert_int_equal(nr_eoi, 0);
	assert_int_equal(vlapic_pending(&lapic), -1);
}

static void test_irr_tmr_level_eoi(void **state)
{
	(void)state;
	enable();
	vlapic_set_irq(&lapic, 0x41, true);
	assert_int_equal(rd(0x220), 1u << 1);
	assert_int_equal(rd(0x1a0), 1u << 1);
	assert_int_equal(take(), 0x41);
	assert_int_equal(rd(0x120), 1u << 1);
	wr(0xb0, 0);
	assert_int_equal(nr_eoi, 1);
	assert_int_equal(eoi_vectors[0], 0x41);

	/* The same vector accepted edge-triggered clears TMR: no callback. */
	vlapic_set_irq(&lapic, 0x41, false);
	assert_int_equal(rd(0x1a0), 0);
	assert_int_equal(take(), 0x41);
	wr(0xb0, 0);
	assert_int_equal(nr_eoi, 1);
}

static void test_esr(void **state)
{
	(void)state;
	enable();
	vlapic_set_irq(&lapic, 5, false);
	assert_false(vec_bit(0x200, 5));
	assert_int_equal(rd(0x280), 0); /* not latched until written */
	wr(0x280, 0);
	assert_int_equal(rd(0x280), 0x40);  /* received illegal vector */
	wr(0x280, 0);
	assert_int_equal(rd(0x280), 0);

	wr(0x300, 0x00040003); /* self IPI with vector 3 */
	wr(0x280, 0);
	assert_int_equal(rd(0x280), 0x20); /* send illegal vector */
	assert_int_equal(vlapic_pending(&lapic), -1);

	/* An unmasked error LVT raises its vector. */
	wr(0x370, 0xfe);
	vlapic_set_irq(&lapic, 1, false);
	assert_int_equal(take(), 0xfe);
	wr(0x280, 0);
	assert_int_equal(rd(0x280), 0x40);

	/* An illegal error vector is itself an error, but no loop. */
	wr(0x370, 0x02);
	wr(0x300, 0x00040001);
	wr(0x280, 0);
	assert_int_equal(rd(0x280), 0x60);
	assert_int_equal(vlapic_pending(&lapic), -1);
}

static void test_self_ipi(void **state)
{
	(void)state;
	enable();
	wr(0x300, 0x00040045); /* shorthand self */
	assert_int_equal(rd(0x300), 0x00040045);
	assert_int_equal(take(), 0x45);
	assert_false(vec_bit(0x180, 0x45));
	wr(0xb0, 0);
	wr(0x300, 0x0008c046); /* all including self; the level/trigger bits do not make it level */
	assert_int_equal(take(), 0x46);
	assert_false(vec_bit(0x180, 0x46));
	wr(0x300, 0x000c0047); /* all excluding self */
	assert_false(vec_bit(0x200, 0x47));

	/* Physical destinations: our ID or broadcast. */
	wr(0x310, 0x00000000);
	wr(0x300, 0x48);
	wr(0x310, 0x05000000);
	wr(0x300, 0x49);
	wr(0x310, 0xff000000);
	wr(0x300, 0x4a);
	assert_true(vec_bit(0x200, 0x48));
	assert_false(vec_bit(0x200, 0x49));
	assert_true(vec_bit(0x200, 0x4a));

	/* Logical, flat model: any common bit. */
	wr(0xd0, 0x01000000);
	wr(0x310, 0x03000000);
	wr(0x300, 0x84b);
	wr(0x310, 0x02000000);
	wr(0x300, 0x84c);
	assert_true(vec_bit(0x200, 0x4b));
	assert_false(vec_bit(0x200, 0x4c));

	/* Logical, cluster model: same cluster and a common member bit. */
	wr(0xe0, 0x0fffffff);
	wr(0xd0, 0x21000000);
	wr(0x310, 0x23000000);
	wr(0x300, 0x84d);
	wr(0x310, 0x31000000);
	wr(0x300, 0x84e);
	wr(0x310, 0x22000000);
	wr(0x300, 0x84f);
	assert_true(vec_bit(0x200, 0x4d));
	assert_false(vec_bit(0x200, 0x4e));
	assert_false(vec_bit(0x200, 0x4f));
}

static void test_ipi_init_sipi_nmi(void **state)
{
	(void)state;
	enable();
	/* SeaBIOS's AP wake-up: INIT then SIPI to all excluding self. */
	wr(0x300, 0x000c4500);
	assert_int_equal(rd(0x300) & (1u << 12), 0);
	wr(0x300, 0x000c4608);
	assert_int_equal(rd(0x300), 0x000c4608);
	assert_int_equal(vlapic_pending(&lapic), -1);
	assert_int_equal(nr_nmi, 0);
	wr(0x300, 0x00040400); /* NMI to self */
	assert_int_equal(nr_nmi, 1);
	assert_int_equal(vlapic_pending(&lapic), -1);
}

static void test_lint0_extint(void **state)
{
	(void)state;
	assert_true(vlapic_accepts_pic(&lapic)); /* power-up: software-disabled */
	enable();
	assert_false(vlapic_accepts_pic(&lapic)); /* LINT0 masked */
	wr(0x350, 0x8700); /* what SeaBIOS writes: ExtINT, unmasked */
	assert_true(vlapic_accepts_pic(&lapic));
	wr(0x350, 0x18700);
	assert_false(vlapic_accepts_pic(&lapic));
	wr(0x350, 0x8000); /* fixed delivery, unmasked */
	assert_false(vlapic_accepts_pic(&lapic));
	wr(0x350, 0x400);  /* NMI */
	assert_false(vlapic_accepts_pic(&lapic));
	wr(0x350, 0x700);
	wr(0xf0, 0xff);
	assert_true(vlapic_accepts_pic(&lapic));
	enable();
	assert_false(vlapic_accepts_pic(&lapic)); /* software disable left LINT0 masked */
	vlapic_set_hw_enabled(&lapic, false);
	assert_true(vlapic_accepts_pic(&lapic));
}

static void test_hw_disable(void **state)
{
	(void)state;
	wr(0x20, 0x02000000);
	enable();
	wr(0x80, 0x30);
	vlapic_set_irq(&lapic, 0x90, false);
	vlapic_set_hw_enabled(&lapic, false);
	assert_false(vlapic_enabled(&lapic));
	assert_int_equal(vlapic_pending(&lapic), -1);
	/* Globally disabled: no APIC answers, the bus reads all ones (SDM 3A 11.4.3). */
	assert_int_equal(rd(0x30), 0xffffffff);
	assert_int_equal(rd(0x20), 0xffffffff);
	assert_int_equal(access(0x30, 1, false, 0), 0xff);
	assert_int_equal(access(0x30, 8, false, 0), 0xffffffffffffffffULL);
	wr(0xf0, 0x1ff);
	wr(0x80, 0x40); /* dropped */
	vlapic_set_irq(&lapic, 0x91, false);
	vlapic_set_hw_enabled(&lapic, true);
	assert_int_equal(rd(0x20), 0x02000000); /* the ID survives */
	assert_int_equal(rd(0xf0), 0xff);
	assert_int_equal(rd(0x80), 0);
	assert_int_equal(rd(0x350), 0x10000);
	assert_int_equal(vlapic_pending(&lapic), -1);
}

/* Timer: LVT timer vector 0x30 unless said otherwise. */

static void test_timer_oneshot(void **state)
{
	(void)state;
	enable();
	wr(0x3e0, 0xb); /* divide by 1 */
	wr(0x320, 0x30);
	wr(0x380, 1000);
	assert_int_equal(rd(0x380), 1000);
	assert_int_equal(rd(0x390), 1000);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), BASE_NS + 1000);
	now_ns = BASE_NS + 1;
	assert_int_equal(rd(0x390), 999);
	now_ns = BASE_NS + 999;
	assert_int_equal(rd(0x390), 1);
	vlapic_update(&lapic, now_ns);
	assert_int_equal(vlapic_pending(&lapic), -1);
	now_ns = BASE_NS + 1000;
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), now_ns);
	vlapic_update(&lapic, now_ns);
	assert_int_equal(take(), 0x30);
	assert_int_equal(rd(0x390), 0);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), VTIME_NEVER);
	now_ns += 5000;
	vlapic_update(&lapic, now_ns);
	assert_int_equal(vlapic_pending(&lapic), -1);
	assert_int_equal(rd(0x390), 0);
	assert_int_equal(rd(0x380), 1000);
}

static void test_timer_late_update(void **state)
{
	(void)state;
	enable();
	wr(0x320, 0x30);
	wr(0x380, 100); /* divide by 2 after reset */
	now_ns = BASE_NS + 10000; /* a late update still fires once */
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), now_ns);
	vlapic_update(&lapic, now_ns);
	assert_int_equal(take(), 0x30);
	assert_int_equal(lapic.timer_fired, 1);
}

static void test_timer_divide(void **state)
{
	static const struct { uint32_t tdcr; unsigned div; } cfg[] = {
		{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
		{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
	};

	(void)state;
	enable();
	wr(0x320, 0x30);
	for (unsigned i = 0; i < sizeof(cfg) / sizeof(cfg[0]); i++) {
		uint64_t t0 = now_ns, d = cfg[i].div;

		wr(0x3e0, cfg[i].tdcr);
		assert_int_equal(rd(0x3e0), cfg[i].tdcr);
		wr(0x380, 100);
		now_ns = t0 + d - 1; /* a partly elapsed tick has not decremented yet */
		assert_int_equal(rd(0x390), 100);
		now_ns = t0 + 3 * d;
		assert_int_equal(rd(0x390), 97);
		assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), t0 + 100 * d);
		now_ns = t0 + 100 * d - 1;
		vlapic_update(&lapic, now_ns);
		assert_int_equal(vlapic_pending(&lapic), -1);
		now_ns++;
		vlapic_update(&lapic, now_ns);
		assert_int_equal(take(), 0x30);
		wr(0xb0, 0);
	}
}

static void test_timer_periodic(void **state)
{
	uint64_t t0 = BASE_NS;

	(void)state;
	enable();
	wr(0x3e0, 0x3); /* divide by 16: period 16000 ns */
	wr(0x320, 0x20031);
	wr(0x380, 1000);
	now_ns = t0 + 16000;
	vlapic_update(&lapic, now_ns);
	assert_int_equal(take(), 0x31);
	wr(0xb0, 0);
	assert_int_equal(rd(0x390), 1000); /* reloaded */
	now_ns = t0 + 16000 + 160;
	assert_int_equal(rd(0x390), 990);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), t0 + 32000);

	/* Four periods late: one interrupt, three folded into it, phase kept. */
	now_ns = t0 + 5 * 16000 + 5;
	vlapic_update(&lapic, now_ns);
	assert_int_equal(take(), 0x31);
	assert_int_equal(vlapic_pending(&lapic), -1);
	assert_int_equal(lapic.timer_missed, 3);
	assert_int_equal(lapic.timer_fired, 2);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), t0 + 6 * 16000);
	assert_int_equal(rd(0x390), 1000);
	now_ns = t0 + 5 * 16000 + 16;
	assert_int_equal(rd(0x390), 999);
}

static void test_timer_masked(void **state)
{
	(void)state;
	enable();
	wr(0x3e0, 0xb);
	wr(0x320, 0x10030);
	wr(0x380, 100);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), VTIME_NEVER);
	now_ns = BASE_NS + 40;
	assert_int_equal(rd(0x390), 60); /* a masked timer still counts */
	now_ns = BASE_NS + 200;
	vlapic_update(&lapic, now_ns);
	assert_int_equal(vlapic_pending(&lapic), -1);
	assert_int_equal(rd(0x390), 0);
	wr(0x320, 0x30); /* unmasking does not replay the expiry */
	vlapic_update(&lapic, now_ns);
	assert_int_equal(vlapic_pending(&lapic), -1);

	/* Periodic while masked: only expiries after the unmask count. */
	wr(0x320, 0x30030);
	wr(0x380, 100);
	now_ns = BASE_NS + 450;
	wr(0x320, 0x20030);
	assert_int_equal(vlapic_pending(&lapic), -1);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), BASE_NS + 500);
	now_ns = BASE_NS + 500;
	vlapic_update(&lapic, now_ns);
	assert_int_equal(take(), 0x30);
}

static void test_timer_stop_restart(void **state)
{
	(void)state;
	enable();
	wr(0x3e0, 0xb);
	wr(0x320, 0x20030);
	wr(0x380, 100);
	now_ns = BASE_NS + 50;
	wr(0x380, 0); /* stops it */
	assert_int_equal(rd(0x390), 0);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), VTIME_NEVER);
	now_ns = BASE_NS + 1000;
	vlapic_update(&lapic, now_ns);
	assert_int_equal(vlapic_pending(&lapic), -1);

	wr(0x380, 300); /* restarts from the new count */
	now_ns += 100;
	assert_int_equal(rd(0x390), 200);
	wr(0x380, 300);
	assert_int_equal(rd(0x390), 300);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), now_ns + 300);
}

static void test_timer_divide_change(void **state)
{
	(void)state;
	enable();
	wr(0x3e0, 0xb);
	wr(0x320, 0x30);
	wr(0x380, 1000);
	now_ns = BASE_NS + 400;
	wr(0x3e0, 0x0); /* divide by 2 with 600 left */
	assert_int_equal(rd(0x390), 600);
	now_ns += 2 * 100;
	assert_int_equal(rd(0x390), 500);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), BASE_NS + 400 + 1200);
}

static void test_timer_mode_change(void **state)
{
	(void)state;
	enable();
	wr(0x3e0, 0xb);
	wr(0x320, 0x30);
	wr(0x380, 100);
	now_ns = BASE_NS + 50;
	wr(0x320, 0x20030); /* to periodic while running: reloads at expiry */
	now_ns = BASE_NS + 100;
	vlapic_update(&lapic, now_ns);
	assert_int_equal(take(), 0x30);
	wr(0xb0, 0);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), BASE_NS + 200);

	wr(0x320, 0x30); /* back to one-shot: the next expiry is the last */
	now_ns = BASE_NS + 200;
	vlapic_update(&lapic, now_ns);
	assert_int_equal(take(), 0x30);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), VTIME_NEVER);
	wr(0x320, 0x20030); /* an expired timer does not start on a mode change */
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), VTIME_NEVER);
	assert_int_equal(rd(0x390), 0);
}

/* TSC-deadline mode (bit 18, SDM 11.5.4.1): the initial count is ignored; test_vlapic_x2apic.c has the rest. */
static void test_timer_tsc_deadline_ignores_count(void **state)
{
	(void)state;
	enable();
	wr(0x3e0, 0xb);
	wr(0x320, 0x40030);
	assert_int_equal(rd(0x320), 0x40030);
	wr(0x380, 100);
	assert_int_equal(rd(0x380), 0);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), VTIME_NEVER);
	/* Back to one-shot: the count runs again. */
	wr(0x320, 0x30);
	wr(0x380, 100);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), BASE_NS + 100);
	now_ns = BASE_NS + 100;
	vlapic_update(&lapic, now_ns);
	assert_int_equal(take(), 0x30);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), VTIME_NEVER);
}

static void test_timer_software_disabled(void **state)
{
	(void)state;
	wr(0x3e0, 0xb);
	wr(0x320, 0x30); /* stays masked */
	wr(0x380, 100);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), VTIME_NEVER);
	now_ns = BASE_NS + 100;
	vlapic_update(&lapic, now_ns);
	enable();
	assert_int_equal(vlapic_pending(&lapic), -1);
}

/* Linux's calibration: divide by 16, count from ~0 over 100 ms of PIT ticks. */
static void test_timer_linux_calibration(void **state)
{
	uint32_t c0, c1;

	(void)state;
	enable();
	wr(0x320, 0x100ef);
	wr(0x3e0, 0x3);
	wr(0x380, 0xffffffff);
	now_ns = BASE_NS + 1000000;
	c0 = rd(0x390);
	now_ns += 100000000;
	c1 = rd(0x390);
	assert_int_equal(c0 - c1, 6250000); /* 1 GHz / 16 for 100 ms */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_register),
		T(test_reset_values),
		T(test_register_masks),
		T(test_bad_access),
		T(test_timer_writes_mark),
		T(test_svr_enable),
		T(test_tpr_ppr),
		T(test_nested_eoi_order),
		T(test_irr_tmr_level_eoi),
		T(test_esr),
		T(test_self_ipi),
		T(test_ipi_init_sipi_nmi),
		T(test_lint0_extint),
		T(test_hw_disable),
		T(test_timer_oneshot),
		T(test_timer_late_update),
		T(test_timer_divide),
		T(test_timer_periodic),
		T(test_timer_masked),
		T(test_timer_stop_restart),
		T(test_timer_divide_change),
		T(test_timer_mode_change),
		T(test_timer_tsc_deadline_ignores_count),
		T(test_timer_software_disabled),
		T(test_timer_linux_calibration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
