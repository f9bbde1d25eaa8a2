/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the 8254 model (vmm/dev/vpit.c). Guest time is a test
 * global set in PIT ticks (1,193,182 Hz); port accesses go through the
 * handler the model registers. The last test wires channel 0 to the PIC.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/dev/vpic.h>
#include <keel/dev/vpit.h>
#include <keel/io.h>
#include <keel/irq.h>
#include <keel/vtime.h>

/* Far from 0 so that cycle starts are not accidentally at tick 0. */
#define BASE 5000000ULL

static char fake_vm;
#define VM ((struct vm *)&fake_vm)

static struct vpit pit;
static uint64_t now_ns;

uint64_t vm_time_ns(struct vm *vm)
{
	assert_ptr_equal(vm, VM);
	return now_ns;
}

/* The first ns at which tick n has happened. */
static uint64_t at_tick(uint64_t n)
{
	return (uint64_t)(((unsigned __int128)n * 1000000000u + VPIT_HZ - 1) / VPIT_HZ);
}

static void set_tick(uint64_t n)
{
	now_ns = at_tick(n);
}

#include "pio_stub.h"

/* A line that counts rising edges, as an edge-triggered PIC input would. */
struct rec_line {
	unsigned rises;
	bool level;
};

static struct rec_line rec;

static void rec_set(void *ctx, unsigned gsi, bool level)
{
	struct rec_line *r = ctx;

	assert_int_equal(gsi, 0);
	if (level && !r->level)
		r->rises++;
	r->level = level;
}

static const struct irq_line line0 = { rec_set, &rec, 0 };

static void load(unsigned ch, unsigned count)
{
	outb(0x40 + ch, count & 0xff);
	outb(0x40 + ch, count >> 8);
}

static unsigned latched(unsigned ch)
{
	unsigned lo;

	outb(0x43, ch << 6);
	lo = inb(0x40 + ch);
	return lo | inb(0x40 + ch) << 8;
}

static uint8_t status(unsigned ch)
{
	outb(0x43, 0xe0 | 2 << ch); /* read-back: status only */
	return inb(0x40 + ch);
}

static bool out(unsigned ch)
{
	return status(ch) & 0x80;
}

static bool out2_at(uint64_t tick)
{
	set_tick(tick);
	return inb(0x61) & 0x20;
}

static int setup(void **state)
{
	(void)state;
	nr_ranges = 0;
	rec = (struct rec_line){ 0 };
	vpit_init(&pit, &line0);
	assert_int_equal(vpit_register(VM, &pit), 0);
	set_tick(BASE);
	return 0;
}

/* Any PIT access marks it for Keel's deadline recomputation (vmm/hvm_events.c). */
static void test_access_marks(void **state)
{
	(void)state;
	assert_false(pit.touched);
	(void)inb(0x61);
	assert_true(pit.touched);
	pit.touched = false;
	load(0, 1000);
	assert_true(pit.touched);
}

static void test_register(void **state)
{
	(void)state;
	assert_int_equal(nr_ranges, 2);
	assert_int_equal(ranges[0].base, 0x40);
	assert_int_equal(ranges[0].len, 4);
	assert_int_equal(ranges[1].base, 0x61);
	assert_int_equal(ranges[1].len, 1);
	assert_int_equal(inb(0x43), 0xff);
	/* Nothing programmed, nothing scheduled. */
	assert_int_equal(vpit_next_event_ns(&pit, now_ns), VTIME_NEVER);
}

static void test_mode2_readback(void **state)
{
	(void)state;
	outb(0x43, 0x34);
	load(0, 1193);
	set_tick(BASE + 100);
	assert_int_equal(latched(0), 1093);
	set_tick(BASE + 1192);
	assert_int_equal(latched(0), 1);
	set_tick(BASE + 1193);
	assert_int_equal(latched(0), 1193);
	set_tick(BASE + 1193 * 5 + 7);
	assert_int_equal(latched(0), 1186);
	/* A latched value survives the passing of time until it is read. */
	set_tick(BASE + 10000);
	outb(0x43, 0x00);
	set_tick(BASE + 10500);
	assert_int_equal(inb(0x40), (1193 - (10000 - 8 * 1193)) & 0xff);
	assert_int_equal(inb(0x40), (1193 - (10000 - 8 * 1193)) >> 8);
}

static void test_mode2_out_and_irq(void **state)
{
	uint64_t first = at_tick(BASE + 1193);

	(void)state;
	outb(0x43, 0x34);
	load(0, 1193);
	assert_true(out(0));
	assert_int_equal(vpit_next_event_ns(&pit, now_ns), first);
	set_tick(BASE + 1192);
	assert_false(out(0)); /* low for the one CLK at count 1 */
	vpit_update(&pit, first - 1);
	assert_int_equal(rec.rises, 0);
	vpit_update(&pit, first);
	assert_int_equal(rec.rises, 1);
	assert_false(rec.level);
	assert_int_equal(vpit_next_event_ns(&pit, first), at_tick(BASE + 2 * 1193));
	set_tick(BASE + 1193);
	assert_true(out(0));

	/* Ten periods later: one pulse, nine edges counted as missed. */
	vpit_update(&pit, at_tick(BASE + 11 * 1193));
	assert_int_equal(rec.rises, 2);
	assert_int_equal(pit.irqs, 2);
	assert_int_equal(pit.missed, 9);
	vpit_update(&pit, at_tick(BASE + 11 * 1193));
	assert_int_equal(rec.rises, 2);
}

static void test_mode0_one_shot(void **state)
{
	(void)state;
	outb(0x43, 0x30);
	assert_int_equal(status(0), 0x70); /* OUT low, null count, lo/hi, mode 0 */
	load(0, 100);
	assert_int_equal(status(0), 0x30);
	assert_int_equal(vpit_next_event_ns(&pit, now_ns), at_tick(BASE + 100));
	vpit_update(&pit, at_tick(BASE + 99));
	assert_int_equal(rec.rises, 0);
	vpit_update(&pit, at_tick(BASE + 100));
	assert_int_equal(rec.rises, 1);
	assert_int_equal(vpit_next_event_ns(&pit, at_tick(BASE + 100)), VTIME_NEVER);
	/* The counter keeps going through 0 and wraps; OUT stays high. */
	set_tick(BASE + 150);
	assert_int_equal(latched(0), (100 - 150) & 0xffff);
	assert_true(out(0));
	vpit_update(&pit, at_tick(BASE + 1000000));
	assert_int_equal(rec.rises, 1);
}

static void test_mode0_first_byte_stops(void **state)
{
	(void)state;
	outb(0x43, 0x30);
	load(0, 100);
	set_tick(BASE + 100);
	assert_true(out(0));
	outb(0x40, 100);
	assert_false(out(0));
	set_tick(BASE + 200);
	outb(0x40, 0);
	vpit_update(&pit, now_ns); /* the edge at BASE + 100 */
	assert_int_equal(rec.rises, 1);
	assert_int_equal(vpit_next_event_ns(&pit, now_ns), at_tick(BASE + 300));
}

static void test_mode3_square_wave(void **state)
{
	static const unsigned value[] = { 10, 8, 6, 4, 2, 10, 8, 6, 4, 2, 10 };

	(void)state;
	outb(0x43, 0x36);
	load(0, 10);
	for (unsigned t = 0; t <= 10; t++) {
		set_tick(BASE + t);
		assert_int_equal(out(0), t < 5 || t == 10);
		assert_int_equal(latched(0), value[t]);
	}
	vpit_update(&pit, now_ns);
	assert_int_equal(rec.rises, 1);
	assert_int_equal(vpit_next_event_ns(&pit, now_ns), at_tick(BASE + 20));

	/* Odd count: high for (N+1)/2, low for (N-1)/2, from the end of this period on. */
	load(0, 5);
	for (unsigned t = 0; t < 10; t++) {
		set_tick(BASE + 20 + t);
		assert_int_equal(out(0), t % 5 < 3);
	}
}

static void test_access_modes(void **state)
{
	(void)state;
	outb(0x43, 0x10); /* LSB only, mode 0 */
	outb(0x40, 0x50);
	outb(0x43, 0x00);
	assert_int_equal(inb(0x40), 0x50);
	set_tick(BASE + 0x10);
	assert_int_equal(inb(0x40), 0x40);
	assert_int_equal(inb(0x40), 0x40);

	outb(0x43, 0x20); /* MSB only */
	outb(0x40, 0x12);
	set_tick(BASE + 0x10 + 0x100);
	assert_int_equal(inb(0x40), 0x11);

	set_tick(BASE + 0x1000);
	outb(0x43, 0x30); /* LSB then MSB */
	load(0, 0x1234);
	assert_int_equal(inb(0x40), 0x34);
	assert_int_equal(inb(0x40), 0x12);
	outb(0x43, 0x00);
	set_tick(BASE + 0x1000 + 0x34);
	outb(0x43, 0x00); /* ignored: the first latch is still unread */
	assert_int_equal(inb(0x40), 0x34);
	assert_int_equal(inb(0x40), 0x12);
	assert_int_equal(inb(0x40), 0x00); /* unlatched again: 0x1200 */
	assert_int_equal(inb(0x40), 0x12);
}

static void test_read_back(void **state)
{
	(void)state;
	outb(0x43, 0x34);
	assert_int_equal(status(0), 0xf4); /* OUT high, null count until loaded */
	load(0, 1193);
	assert_int_equal(status(0), 0xb4);
	outb(0x43, 0xc2); /* count and status of counter 0: status first */
	assert_int_equal(inb(0x40), 0xb4);
	assert_int_equal(inb(0x40), 0xa9);
	assert_int_equal(inb(0x40), 0x04);

	outb(0x43, 0xb6);
	outb(0x43, 0xea); /* status of counters 0 and 2 */
	outb(0x43, 0xe8); /* ignored for counter 2: already latched */
	set_tick(BASE + 1192);
	assert_int_equal(inb(0x40), 0xb4);
	assert_int_equal(inb(0x42), 0xf6);

	outb(0x43, 0x35); /* BCD is kept for read-back, counting stays binary */
	load(0, 0x1000);
	set_tick(BASE + 1192 + 1);
	assert_int_equal(status(0), 0xb5);
	assert_int_equal(latched(0), 0x0fff);

	outb(0x43, 0x3c); /* mode 6 reads back as such and runs as mode 2 */
	load(0, 3);
	assert_int_equal(status(0), 0xbc);
	set_tick(BASE + 1193 + 2);
	assert_false(out(0));
}

static void test_ch2_gate_and_port61(void **state)
{
	(void)state;
	outb(0x61, 0x00);
	outb(0x43, 0xb0); /* counter 2, lo/hi, mode 0 */
	load(2, 1000);
	set_tick(BASE + 500);
	assert_int_equal(latched(2), 1000); /* gate low: not counting */
	assert_false(inb(0x61) & 0x20);
	outb(0x61, 0x01);
	assert_false(out2_at(BASE + 1499));
	assert_true(out2_at(BASE + 1500));

	/* Gate low pauses mode 0, gate high resumes. */
	set_tick(BASE + 2000);
	outb(0x61, 0x00);
	load(2, 1000);
	outb(0x61, 0x01);
	set_tick(BASE + 2400);
	outb(0x61, 0x00);
	set_tick(BASE + 7000);
	assert_int_equal(latched(2), 600);
	outb(0x61, 0x01);
	assert_false(out2_at(BASE + 7599));
	assert_true(out2_at(BASE + 7600));
}

static void test_port61_bits(void **state)
{
	uint8_t a, b, c;

	(void)state;
	set_tick(18 * 300000);
	outb(0x61, 0xff);
	a = inb(0x61);
	set_tick(18 * 300001);
	b = inb(0x61);
	set_tick(18 * 300002 + 17);
	c = inb(0x61);
	assert_int_equal(a & 0x0f, 0x0f);
	assert_int_equal(a & 0xc0, 0);
	assert_int_not_equal(a & 0x10, b & 0x10); /* refresh toggles every ~15 us */
	assert_int_equal(a & 0x10, c & 0x10);
	outb(0x61, 0x02);
	assert_int_equal(inb(0x61) & 0x0f, 0x02);
}

static void test_ch2_mode1_trigger(void **state)
{
	(void)state;
	outb(0x61, 0x00);
	outb(0x43, 0xb2);
	load(2, 100);
	assert_true(out2_at(BASE + 5));
	set_tick(BASE + 10);
	outb(0x61, 0x01);
	assert_false(out2_at(BASE + 109));
	assert_true(out2_at(BASE + 110));
	set_tick(BASE + 150); /* retrigger */
	outb(0x61, 0x00);
	outb(0x61, 0x01);
	assert_false(out2_at(BASE + 249));
	assert_true(out2_at(BASE + 250));
}

static void test_ch2_mode2_gate(void **state)
{
	(void)state;
	outb(0x61, 0x01);
	outb(0x43, 0xb4);
	load(2, 10);
	set_tick(BASE + 3);
	assert_int_equal(latched(2), 7);
	assert_false(out2_at(BASE + 9));
	outb(0x61, 0x00); /* gate low forces OUT high and stops counting */
	assert_true(out2_at(BASE + 9));
	set_tick(BASE + 15);
	assert_int_equal(latched(2), 1);
	set_tick(BASE + 20);
	outb(0x61, 0x01); /* rising gate reloads */
	set_tick(BASE + 22);
	assert_int_equal(latched(2), 8);
}

static void test_mode4_and_mode5(void **state)
{
	(void)state;
	outb(0x43, 0x38);
	load(0, 50);
	assert_int_equal(vpit_next_event_ns(&pit, now_ns), at_tick(BASE + 51));
	set_tick(BASE + 49);
	assert_true(out(0));
	set_tick(BASE + 50);
	assert_false(out(0));
	set_tick(BASE + 51);
	assert_true(out(0));
	vpit_update(&pit, at_tick(BASE + 51));
	assert_int_equal(rec.rises, 1);
	assert_int_equal(vpit_next_event_ns(&pit, now_ns), VTIME_NEVER);

	outb(0x61, 0x00);
	outb(0x43, 0xba);
	load(2, 5);
	assert_true(out2_at(BASE + 200));
	outb(0x61, 0x01);
	assert_true(out2_at(BASE + 204));
	assert_false(out2_at(BASE + 205));
	assert_true(out2_at(BASE + 206));
}

static void test_count0_is_65536(void **state)
{
	(void)state;
	outb(0x43, 0x34);
	load(0, 0);
	assert_int_equal(latched(0), 0);
	assert_int_equal(vpit_next_event_ns(&pit, now_ns), at_tick(BASE + 65536));
	set_tick(BASE + 1);
	assert_int_equal(latched(0), 0xffff);
	outb(0x43, 0x10);
	outb(0x40, 0);
	assert_int_equal(vpit_next_event_ns(&pit, now_ns), at_tick(BASE + 1 + 65536));
}

static void test_mode2_new_count_at_period_end(void **state)
{
	(void)state;
	outb(0x43, 0x34);
	load(0, 1000);
	set_tick(BASE + 500);
	load(0, 300);
	assert_int_equal(status(0) & 0x40, 0x40); /* null count until it takes over */
	set_tick(BASE + 999);
	assert_int_equal(latched(0), 1);
	set_tick(BASE + 1000);
	assert_int_equal(latched(0), 300);
	assert_int_equal(status(0) & 0x40, 0);
	/* The reload at the switch is an edge; then the new period runs. */
	assert_int_equal(vpit_next_event_ns(&pit, now_ns), now_ns);
	vpit_update(&pit, now_ns);
	assert_int_equal(rec.rises, 1);
	assert_int_equal(vpit_next_event_ns(&pit, now_ns), at_tick(BASE + 1300));
	vpit_update(&pit, at_tick(BASE + 1300));
	assert_int_equal(rec.rises, 2);
	assert_int_equal(pit.missed, 0);
}

static void test_control_word_edge(void **state)
{
	(void)state;
	outb(0x43, 0x30);
	load(0, 100);
	set_tick(BASE + 50);
	outb(0x43, 0x34); /* OUT0 goes from low to high: a real edge */
	assert_int_equal(vpit_next_event_ns(&pit, now_ns), now_ns);
	vpit_update(&pit, now_ns);
	assert_int_equal(rec.rises, 1);
	assert_int_equal(vpit_next_event_ns(&pit, now_ns), VTIME_NEVER);
}

static void test_far_future(void **state)
{
	uint64_t t = VPIT_HZ * 86400 * 3650; /* ten years of guest time */

	(void)state;
	set_tick(t);
	outb(0x43, 0x34);
	load(0, 1193);
	assert_int_equal(vpit_next_event_ns(&pit, now_ns), at_tick(t + 1193));
	set_tick(t + 1193 * 3 + 10);
	assert_int_equal(latched(0), 1183);
}

static void test_drives_pic(void **state)
{
	struct vpic pic;
	struct irq_line l = { vpic_line_set, &pic, 0 };

	(void)state;
	vpic_init(&pic);
	vpit_init(&pit, &l);
	assert_int_equal(vpic_register(VM, &pic), 0);
	outb(0x20, 0x11);
	outb(0x21, 0x08);
	outb(0x21, 0x04);
	outb(0x21, 0x01);
	outb(0x43, 0x34);
	load(0, 1193);
	vpit_update(&pit, at_tick(BASE + 1193));
	assert_true(vpic_has_interrupt(&pic));
	assert_int_equal(vpic_ack(&pic), 0x08);
	outb(0x20, 0x20);
	vpit_update(&pit, at_tick(BASE + 1193 * 2));
	assert_int_equal(vpic_ack(&pic), 0x08);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_register),
		T(test_access_marks),
		T(test_mode2_readback),
		T(test_mode2_out_and_irq),
		T(test_mode0_one_shot),
		T(test_mode0_first_byte_stops),
		T(test_mode3_square_wave),
		T(test_access_modes),
		T(test_read_back),
		T(test_ch2_gate_and_port61),
		T(test_port61_bits),
		T(test_ch2_mode1_trigger),
		T(test_ch2_mode2_gate),
		T(test_mode4_and_mode5),
		T(test_count0_is_65536),
		T(test_mode2_new_count_at_period_end),
		T(test_control_word_edge),
		T(test_far_future),
		T(test_drives_pic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
