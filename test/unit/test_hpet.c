/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the HPET model (vmm/dev/hpet.c). Registers are reached
 * through the MMIO handler the model registers, at the offsets of the IA-PC
 * HPET Specification 1.0a written out here, not taken from the model.
 * Guest time is a test global in ns; the counter ticks every 100 ns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/dev/hpet.h>
#include <keel/io.h>
#include <keel/vtime.h>

#define BASE_NS 3000000000ULL /* far from 0, so nothing lines up with 0 by accident */
#define TICK    100ULL

#define CAP     0x000
#define CONFIG  0x010
#define STATUS  0x020
#define COUNTER 0x0f0
#define TCFG(n) (0x100 + 0x20 * (n))
#define TCMP(n) (0x108 + 0x20 * (n))
#define TFSB(n) (0x110 + 0x20 * (n))

#define ENABLE   0x1
#define LEGACY   0x2
#define LEVEL    0x2
#define INT_ENB  0x4
#define PERIODIC 0x8
#define VAL_SET  0x40
#define MODE32   0x100
#define ROUTE(p) ((uint64_t)(p) << 9)
#define FSB_EN   0x4000

static char fake_vm;
#define VM ((struct vm *)&fake_vm)

static struct hpet hpet;
static uint64_t now_ns;
static struct io_range range;

/* Each line's level and rising edges; FSB messages; legacy hook calls. */
static bool level[32];
static unsigned rises[32];
static uint64_t msi_addr[8];
static uint32_t msi_data[8];
static unsigned nr_msi;
static int legacy_calls[4];
static unsigned nr_legacy;

uint64_t vm_time_ns(struct vm *vm)
{
	assert_ptr_equal(vm, VM);
	return now_ns;
}

int io_register_mmio(struct vm *vm, uint64_t base, uint64_t len, io_handler_fn *fn, void *dev)
{
	assert_ptr_equal(vm, VM);
	range = (struct io_range){ .base = base, .len = len, .fn = fn, .dev = dev };
	return 0;
}

static void set_irq(void *ctx, unsigned line, bool l)
{
	assert_ptr_equal(ctx, &hpet);
	assert_true(line < 32);
	if (l && !level[line])
		rises[line]++;
	level[line] = l;
}

static void legacy_changed(void *ctx, bool on)
{
	assert_ptr_equal(ctx, &hpet);
	assert_true(nr_legacy < 4);
	/* The HPET lets go of IRQ 0 and 8 before it hands them back. */
	if (!on)
		assert_false(level[0] || level[8]);
	legacy_calls[nr_legacy++] = on;
}

static void send_msi(void *ctx, uint64_t addr, uint32_t data)
{
	assert_ptr_equal(ctx, &hpet);
	assert_true(nr_msi < 8);
	msi_addr[nr_msi] = addr;
	msi_data[nr_msi++] = data;
}

static uint64_t access(unsigned off, uint32_t size, bool write, uint64_t value)
{
	struct io_access a = { HPET_BASE_DEFAULT + off, size, write, value };

	assert_int_equal(range.fn(VM, range.dev, &a), 0);
	return a.value;
}

static uint64_t rd(unsigned off)
{
	return access(off, 8, false, 0xdeadbeef);
}

static uint32_t rd32(unsigned off)
{
	return (uint32_t)access(off, 4, false, 0xdeadbeef);
}

static void wr(unsigned off, uint64_t v)
{
	access(off, 8, true, v);
}

static void wr32(unsigned off, uint32_t v)
{
	access(off, 4, true, v);
}

/* Time passes and Keel's before-entry work runs, as hvm_events.c does it. */
static void advance(uint64_t ns)
{
	now_ns += ns;
	if (hpet_next_event_ns(&hpet, now_ns) <= now_ns)
		hpet_update(&hpet, now_ns);
}

static int setup(void **state)
{
	(void)state;
	memset(level, 0, sizeof(level));
	memset(rises, 0, sizeof(rises));
	nr_msi = nr_legacy = 0;
	now_ns = BASE_NS;
	hpet_init(&hpet);
	hpet.set_irq = set_irq;
	hpet.legacy_changed = legacy_changed;
	hpet.ctx = &hpet;
	hpet.msi = (struct msi_line){ send_msi, &hpet };
	assert_int_equal(hpet_register(VM, &hpet, HPET_BASE_DEFAULT), 0);
	return 0;
}

/* Start the counter at 0 from now. */
static void start(void)
{
	wr(COUNTER, 0);
	wr(CONFIG, ENABLE);
}

static void test_register_layout(void **state)
{
	(void)state;
	assert_int_equal(range.base, 0xfed00000);
	assert_int_equal(range.len, 0x400);
	/* Period 100,000,000 fs (10 MHz); vendor 8086, LEG_RT_CAP, 64-bit counter, 3 timers, rev 1. */
	assert_int_equal(rd(CAP), 0x05f5e1008086a201ULL);
	assert_int_equal(rd32(CAP), 0x8086a201);
	assert_int_equal(rd32(CAP + 4), 100000000);
	assert_int_equal(access(CAP + 2, 2, false, 0), 0x8086);
	for (unsigned n = 0; n < 3; n++) {
		uint64_t c = rd(TCFG(n));

		/* Routes to IOAPIC pins 20-23; FSB, 64-bit and periodic capable; all else 0. */
		assert_int_equal(c, 0x00f0000000000000ULL | 0x8000 | 0x20 | 0x10);
		assert_int_equal(rd(TCMP(n)), ~0ULL);
		assert_int_equal(rd(TFSB(n)), 0);
	}
	assert_int_equal(rd(CONFIG), 0);
	assert_int_equal(rd(STATUS), 0);
	assert_int_equal(rd(COUNTER), 0);
	/* Capabilities are read-only; reserved registers read 0 and keep nothing. */
	wr(CAP, 0);
	assert_int_equal(rd32(CAP), 0x8086a201);
	wr(0x008, ~0ULL);
	wr(0x3f8, ~0ULL);
	assert_int_equal(rd(0x008), 0);
	assert_int_equal(rd(0x3f8), 0);
	wr(TCFG(3), ~0ULL); /* past the third timer */
	assert_int_equal(rd(TCFG(3)), 0);
	/* Only ENABLE_CNF and LEG_RT_CNF are writable in the configuration. */
	wr(CONFIG, ~0ULL);
	assert_int_equal(rd(CONFIG), 3);
	/* An access across two registers reads 0 and writes nothing. */
	assert_int_equal(access(CAP + 6, 4, false, 0), 0);
	access(CONFIG + 6, 4, true, ~0ULL);
	assert_int_equal(rd(CONFIG), 3);
}

static void test_counter(void **state)
{
	(void)state;
	/* Halted at reset; the counter is written and read back as two halves, too. */
	now_ns += 1000 * TICK;
	assert_int_equal(rd(COUNTER), 0);
	wr32(COUNTER, 0x89abcdef);
	wr32(COUNTER + 4, 0x01234567);
	assert_int_equal(rd(COUNTER), 0x0123456789abcdefULL);
	assert_int_equal(rd32(COUNTER + 4), 0x01234567);
	now_ns += 50 * TICK;
	assert_int_equal(rd(COUNTER), 0x0123456789abcdefULL);
	/* Running: one per 100 ns, whole ticks only. */
	wr(COUNTER, 1000);
	wr(CONFIG, ENABLE);
	now_ns += 99;
	assert_int_equal(rd(COUNTER), 1000);
	now_ns += 1;
	assert_int_equal(rd(COUNTER), 1001);
	now_ns += 1000000; /* 1 ms: 10,000 ticks */
	assert_int_equal(rd(COUNTER), 11001);
	/* Halting keeps the value; restarting counts on from it. */
	wr(CONFIG, 0);
	now_ns += 5000000;
	assert_int_equal(rd(COUNTER), 11001);
	wr(CONFIG, ENABLE);
	now_ns += 250;
	assert_int_equal(rd32(COUNTER), 11003);
}

static void test_one_shot(void **state)
{
	(void)state;
	start();
	wr(TCFG(2), INT_ENB | ROUTE(21));
	assert_int_equal(rd(TCFG(2)) & 0x7f4f, INT_ENB | ROUTE(21));
	wr(TCMP(2), 500);
	assert_int_equal(rd(TCMP(2)), 500);
	/* Keel is asked to wake exactly when the counter reaches 500. */
	assert_int_equal(hpet_next_event_ns(&hpet, now_ns), now_ns + 500 * TICK);
	advance(499 * TICK);
	assert_int_equal(rises[21], 0);
	advance(TICK);
	assert_int_equal(rises[21], 1);
	assert_false(level[21]);
	/* One shot: nothing more, however long; the comparator keeps its value. */
	assert_int_equal(hpet_next_event_ns(&hpet, now_ns), VTIME_NEVER);
	advance(1000000000);
	assert_int_equal(rises[21], 1);
	assert_int_equal(rd(TCMP(2)), 500);
	/* Comparators match on equality: one behind the counter never fires. */
	wr(TCMP(2), rd(COUNTER) - 1);
	advance(1000000000);
	assert_int_equal(rises[21], 1);
	/* Edge-triggered timers have no status bit. */
	assert_int_equal(rd(STATUS), 0);
	/* A disabled or unrouted timer runs but raises nothing, and Keel sleeps on. */
	wr(TCMP(2), rd(COUNTER) + 10);
	wr(TCFG(2), ROUTE(21));
	assert_int_equal(hpet_next_event_ns(&hpet, now_ns), VTIME_NEVER);
	advance(20 * TICK);
	hpet_update(&hpet, now_ns);
	assert_int_equal(rises[21], 1);
	assert_int_equal(rd(STATUS), 0);
}

static void test_route(void **state)
{
	(void)state;
	start();
	/* Pins outside INT_ROUTE_CAP are not taken: the field reads back what it had. */
	wr(TCFG(0), INT_ENB | ROUTE(20));
	wr(TCFG(0), INT_ENB | ROUTE(9));
	assert_int_equal(rd(TCFG(0)) & 0x3e00, ROUTE(20));
	wr(TCFG(0), INT_ENB | ROUTE(24));
	assert_int_equal(rd(TCFG(0)) & 0x3e00, ROUTE(20));
	wr(TCFG(0), INT_ENB | ROUTE(23));
	assert_int_equal(rd(TCFG(0)) & 0x3e00, ROUTE(23));
	wr(TCMP(0), 10);
	advance(10 * TICK);
	assert_int_equal(rises[23], 1);
	/* After reset the route is 0, which is no pin at all. */
	wr(TCFG(1), INT_ENB);
	wr(TCMP(1), 30);
	assert_int_equal(hpet_next_event_ns(&hpet, now_ns), VTIME_NEVER);
	advance(30 * TICK);
	hpet_update(&hpet, now_ns);
	for (unsigned i = 0; i < 20; i++)
		assert_int_equal(rises[i], 0);
}

static void test_periodic(void **state)
{
	(void)state;
	start();
	/* Linux's sequence: Tn_VAL_SET_CNF, the first match, then the period. */
	wr(TCFG(0), INT_ENB | PERIODIC | VAL_SET | ROUTE(20));
	assert_int_equal(rd(TCFG(0)) & VAL_SET, VAL_SET);
	wr(TCMP(0), 1000);
	assert_int_equal(rd(TCFG(0)) & VAL_SET, 0); /* it clears itself after the write */
	wr(TCMP(0), 300);
	assert_int_equal(rd(TCMP(0)), 1000); /* without it, a write sets the period only */
	advance(999 * TICK);
	assert_int_equal(rises[20], 0);
	advance(TICK);
	assert_int_equal(rises[20], 1);
	assert_int_equal(rd(TCMP(0)), 1300); /* the comparator moved on by the period */
	assert_int_equal(hpet_next_event_ns(&hpet, now_ns), now_ns + 300 * TICK);
	advance(300 * TICK);
	advance(300 * TICK);
	assert_int_equal(rises[20], 3);
	assert_int_equal(rd(TCMP(0)), 1900);
	/* Events nobody looked at in between are folded into one interrupt. */
	advance(3000 * TICK + 5);
	assert_int_equal(rises[20], 4);
	assert_int_equal(hpet.t[0].missed, 9);
	assert_int_equal(rd(TCMP(0)), 4900);
	/* With Tn_VAL_SET_CNF the value is the next match and the period alike. */
	wr(TCFG(0), INT_ENB | PERIODIC | VAL_SET | ROUTE(20));
	wr(TCMP(0), rd(COUNTER) + 50);
	assert_int_equal(hpet.t[0].period, rd(TCMP(0)));
	wr(TCMP(0), 50);
	advance(50 * TICK);
	assert_int_equal(rises[20], 5);
	advance(49 * TICK);
	assert_int_equal(rises[20], 5);
	advance(TICK);
	assert_int_equal(rises[20], 6);
}

/* A period of one tick costs one update per look, not one per event. */
static void test_periodic_tiny(void **state)
{
	(void)state;
	start();
	wr(TCFG(1), INT_ENB | PERIODIC | VAL_SET | ROUTE(22));
	wr(TCMP(1), 1);
	advance(TICK);
	assert_int_equal(rises[22], 1);
	now_ns += 3600ULL * 1000000000; /* an hour: 36 billion events */
	hpet_update(&hpet, now_ns);
	assert_int_equal(rises[22], 2);
	assert_int_equal(hpet.t[1].missed, 36000000000ULL - 1);
	assert_true(hpet_next_event_ns(&hpet, now_ns) <= now_ns + TICK);
}

static void test_32bit_mode(void **state)
{
	(void)state;
	start();
	wr(TCFG(2), INT_ENB | MODE32 | ROUTE(20));
	/* The comparator's high half reads 0 and ignores writes. */
	assert_int_equal(rd(TCMP(2)), 0xffffffff);
	wr(TCMP(2), 0x500000100ULL);
	assert_int_equal(rd(TCMP(2)), 0x100);
	wr32(TCMP(2) + 4, 7);
	assert_int_equal(rd(TCMP(2)), 0x100);
	/* It compares the counter's low half. */
	wr(CONFIG, 0);
	wr(COUNTER, 0x3000000f0ULL);
	wr(CONFIG, ENABLE);
	advance(0x10 * TICK);
	assert_int_equal(rises[20], 1);
	/* One-shot in 32-bit mode also fires when the low half wraps, then matches again. */
	wr(CONFIG, 0);
	wr(COUNTER, 0x3fffffff0ULL);
	wr(CONFIG, ENABLE);
	advance(0xf * TICK);
	assert_int_equal(rises[20], 1);
	advance(TICK);
	assert_int_equal(rises[20], 2); /* 0x400000000: the wrap */
	advance(0x100 * TICK);
	assert_int_equal(rises[20], 3); /* 0x400000100: the match */
	/* Periodic in 32-bit mode: the comparator wraps through 0. */
	wr(CONFIG, 0);
	wr(COUNTER, 0xfffffe00ULL);
	wr(TCFG(2), INT_ENB | MODE32 | PERIODIC | VAL_SET | ROUTE(20));
	wr32(TCMP(2), 0xffffff00);
	wr32(TCMP(2), 0x200);
	wr(CONFIG, ENABLE);
	advance(0x100 * TICK);
	assert_int_equal(rises[20], 4);
	assert_int_equal(rd(TCMP(2)), 0x100);
	advance(0x200 * TICK);
	assert_int_equal(rises[20], 5);
	assert_int_equal(rd(TCMP(2)), 0x300);
	/* Leaving 32-bit mode keeps the truncated comparator. */
	wr(TCFG(2), INT_ENB | ROUTE(20));
	assert_int_equal(rd(TCMP(2)), 0x300);
}

static void test_level_status(void **state)
{
	(void)state;
	start();
	wr(TCFG(1), INT_ENB | LEVEL | ROUTE(22));
	wr(TCMP(1), 100);
	advance(100 * TICK);
	/* The status bit is set and the line held until software writes 1 to the bit. */
	assert_int_equal(rd(STATUS), 2);
	assert_true(level[22]);
	wr(STATUS, 0);
	wr(STATUS, 5);
	assert_int_equal(rd(STATUS), 2);
	assert_true(level[22]);
	wr32(STATUS, 2);
	assert_int_equal(rd(STATUS), 0);
	assert_false(level[22]);
	assert_int_equal(rises[22], 1);
	/* With its interrupt disabled the timer still sets the status bit, raising nothing. */
	wr(TCFG(1), LEVEL | ROUTE(22));
	wr(TCMP(1), rd(COUNTER) + 10);
	now_ns += 10 * TICK;
	assert_int_equal(rd(STATUS), 2);
	assert_false(level[22]);
	/* Enabling it then asserts the line; halting the counter drops it, status kept. */
	wr(TCFG(1), INT_ENB | LEVEL | ROUTE(22));
	assert_true(level[22]);
	wr(CONFIG, 0);
	assert_false(level[22]);
	assert_int_equal(rd(STATUS), 2);
	wr(CONFIG, ENABLE);
	assert_true(level[22]);
	/* Switching to edge clears the bit and lets go of the line. */
	wr(TCFG(1), INT_ENB | ROUTE(22));
	assert_int_equal(rd(STATUS), 0);
	assert_false(level[22]);
	/* Two level timers share a line: it stays high while either holds it. */
	wr(TCFG(0), INT_ENB | LEVEL | ROUTE(22));
	wr(TCFG(1), INT_ENB | LEVEL | ROUTE(22));
	wr(TCMP(0), rd(COUNTER) + 5);
	wr(TCMP(1), rd(COUNTER) + 7);
	advance(7 * TICK);
	assert_int_equal(rd(STATUS), 3);
	wr(STATUS, 1);
	assert_true(level[22]);
	wr(STATUS, 2);
	assert_false(level[22]);
}

static void test_legacy_routing(void **state)
{
	(void)state;
	start();
	/* Legacy replacement: timer 0 raises ISA IRQ 0 and timer 1 IRQ 8, whatever their route. */
	wr(CONFIG, ENABLE | LEGACY);
	assert_int_equal(nr_legacy, 1);
	assert_int_equal(legacy_calls[0], 1);
	assert_true(hpet_legacy(&hpet));
	wr(TCFG(0), INT_ENB | PERIODIC | VAL_SET | ROUTE(20));
	wr(TCMP(0), rd(COUNTER) + 100);
	wr(TCMP(0), 100);
	wr(TCFG(1), INT_ENB | LEVEL | ROUTE(21));
	wr(TCMP(1), rd(COUNTER) + 150);
	wr(TCFG(2), INT_ENB | ROUTE(20));
	wr(TCMP(2), rd(COUNTER) + 150);
	advance(100 * TICK);
	assert_int_equal(rises[0], 1);
	advance(50 * TICK);
	assert_true(level[8]);
	assert_int_equal(rises[20], 1); /* timer 2 keeps its own route */
	assert_int_equal(rises[21], 0);
	advance(50 * TICK);
	assert_int_equal(rises[0], 2);
	/* Leaving it: the HPET drops IRQ 8 before the hook hands it back (checked there). */
	wr(CONFIG, ENABLE);
	assert_int_equal(nr_legacy, 2);
	assert_int_equal(legacy_calls[1], 0);
	assert_false(hpet_legacy(&hpet));
	assert_false(level[8]);
	assert_true(level[21]); /* timer 1's interrupt, still pending, now on its route */
	advance(100 * TICK);
	assert_int_equal(rises[0], 2);
	assert_int_equal(rises[20], 2);
	/* Writing the configuration again without a change calls no hook. */
	wr(CONFIG, ENABLE);
	assert_int_equal(nr_legacy, 2);
	/* Legacy replacement holds while the counter is halted, too. */
	wr(CONFIG, LEGACY);
	assert_true(hpet_legacy(&hpet));
	assert_int_equal(nr_legacy, 3);
}

static void test_fsb(void **state)
{
	(void)state;
	start();
	wr(TFSB(2), 0xfee00000ULL << 32 | 0x4041);
	assert_int_equal(rd(TFSB(2)), 0xfee00000ULL << 32 | 0x4041);
	wr32(TFSB(2), 0x45);
	assert_int_equal(rd32(TFSB(2) + 4), 0xfee00000);
	wr(TCFG(2), INT_ENB | FSB_EN | ROUTE(20));
	wr(TCMP(2), 20);
	advance(20 * TICK);
	assert_int_equal(nr_msi, 1);
	assert_int_equal(msi_addr[0], 0xfee00000);
	assert_int_equal(msi_data[0], 0x45);
	assert_int_equal(rises[20], 0); /* the route is not used */
	/* FSB delivery wins over legacy replacement, too. */
	wr(CONFIG, ENABLE | LEGACY);
	wr(TFSB(0), 0xfee01000ULL << 32 | 0x51);
	wr(TCFG(0), INT_ENB | FSB_EN);
	wr(TCMP(0), rd(COUNTER) + 3);
	advance(3 * TICK);
	assert_int_equal(nr_msi, 2);
	assert_int_equal(msi_addr[1], 0xfee01000);
	assert_int_equal(msi_data[1], 0x51);
	assert_int_equal(rises[0], 0);
	/* Without Tn_INT_ENB_CNF, no message. */
	wr(TCFG(2), FSB_EN);
	wr(TCMP(2), rd(COUNTER) + 3);
	advance(3 * TICK);
	hpet_update(&hpet, now_ns);
	assert_int_equal(nr_msi, 2);
}

static void test_halted_timers_wait(void **state)
{
	(void)state;
	/* Programmed while halted: nothing happens until the counter runs. */
	wr(TCFG(0), INT_ENB | ROUTE(20));
	wr(TCMP(0), 40);
	assert_int_equal(hpet_next_event_ns(&hpet, now_ns), VTIME_NEVER);
	now_ns += 1000 * TICK;
	hpet_update(&hpet, now_ns);
	assert_int_equal(rises[20], 0);
	wr(CONFIG, ENABLE);
	assert_int_equal(hpet_next_event_ns(&hpet, now_ns), now_ns + 40 * TICK);
	advance(40 * TICK);
	assert_int_equal(rises[20], 1);
	/* Setting the counter back re-arms a one-shot comparator ahead of it. */
	wr(CONFIG, 0);
	wr(COUNTER, 30);
	wr(CONFIG, ENABLE);
	advance(10 * TICK);
	assert_int_equal(rises[20], 2);
	/* A reset (hpet_init) stops everything. */
	hpet_init(&hpet);
	assert_int_equal(hpet_next_event_ns(&hpet, now_ns), VTIME_NEVER);
	assert_int_equal(hpet.config, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_register_layout, setup),
		cmocka_unit_test_setup(test_counter, setup),
		cmocka_unit_test_setup(test_one_shot, setup),
		cmocka_unit_test_setup(test_route, setup),
		cmocka_unit_test_setup(test_periodic, setup),
		cmocka_unit_test_setup(test_periodic_tiny, setup),
		cmocka_unit_test_setup(test_32bit_mode, setup),
		cmocka_unit_test_setup(test_level_status, setup),
		cmocka_unit_test_setup(test_legacy_routing, setup),
		cmocka_unit_test_setup(test_fsb, setup),
		cmocka_unit_test_setup(test_halted_timers_wait, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
