/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the dual 8259A model (vmm/dev/vpic.c). Port accesses go
 * through the handler the model registers, as exits would; the sequences
 * follow what Linux (arch/x86/kernel/i8259.c) and SeaBIOS (pic.c) do.
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
#include <keel/io.h>
#include <keel/irq.h>

static char fake_vm;
#define VM ((struct vm *)&fake_vm)

static struct vpic pic;

#include "pio_stub.h"

/* Linux's init_8259A(): ICW1 0x11, ICW2 0x08/0x70 (SeaBIOS), ICW3 4/2, ICW4. */
static void pic_init_seq(uint8_t master_icw4, uint8_t slave_icw4)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	outb(0x20, 0x11);
	outb(0x21, 0x08);
	outb(0x21, 0x04);
	outb(0x21, master_icw4);
	outb(0xa0, 0x11);
	outb(0xa1, 0x70);
	outb(0xa1, 0x02);
	outb(0xa1, slave_icw4);
}

static void edge(unsigned irq)
{
	vpic_set_irq(&pic, irq, true);
	vpic_set_irq(&pic, irq, false);
}

static uint8_t read_isr(uint16_t base)
{
	uint8_t v;

	outb(base, 0x0b);
	v = inb(base);
	outb(base, 0x0a);
	return v;
}

static int setup(void **state)
{
	(void)state;
	nr_ranges = 0;
	vpic_init(&pic);
	assert_int_equal(vpic_register(VM, &pic), 0);
	pic_init_seq(0x01, 0x01);
	return 0;
}

static void test_register(void **state)
{
	(void)state;
	assert_int_equal(nr_ranges, 3);
	assert_int_equal(ranges[0].base, 0x20);
	assert_int_equal(ranges[1].base, 0xa0);
	assert_int_equal(ranges[2].base, 0x4d0);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(ranges[i].len, 2);
		assert_ptr_equal(ranges[i].fn, ranges[0].fn);
	}
}

static void test_power_on_masked(void **state)
{
	(void)state;
	vpic_init(&pic);
	edge(0);
	assert_false(vpic_has_interrupt(&pic));
	assert_int_equal(inb(0x21), 0xff);
}

static void test_init_sequence(void **state)
{
	(void)state;
	/* ICW1 clears the IMR, nothing is pending, the sequence is complete. */
	assert_int_equal(inb(0x21), 0x00);
	assert_int_equal(inb(0xa1), 0x00);
	assert_false(vpic_has_interrupt(&pic));
	outb(0x21, 0x5a); /* an OCW1 now, not another ICW */
	assert_int_equal(inb(0x21), 0x5a);
	assert_int_equal(pic.chip[0].irq_base, 0x08);
	assert_int_equal(pic.chip[1].irq_base, 0x70);
	assert_int_equal(pic.chip[0].icw3, 0x04);
	assert_int_equal(pic.chip[1].icw3, 0x02);
}

static void test_icw2_low_bits_ignored(void **state)
{
	(void)state;
	outb(0x20, 0x11);
	outb(0x21, 0x25);
	outb(0x21, 0x04);
	outb(0x21, 0x01);
	edge(1);
	assert_int_equal(vpic_ack(&pic), 0x21);
}

static void test_single_no_icw4(void **state)
{
	(void)state;
	/* SNGL and no IC4: ICW2 is the last word, the next port-1 write is OCW1. */
	outb(0x20, 0x12);
	outb(0x21, 0x40);
	outb(0x21, 0xfe);
	assert_int_equal(inb(0x21), 0xfe);
	assert_int_equal(pic.chip[0].init_state, 0);
}

static void test_irq0_vector(void **state)
{
	(void)state;
	edge(0);
	assert_true(vpic_has_interrupt(&pic));
	assert_int_equal(vpic_ack(&pic), 0x08);
	assert_false(vpic_has_interrupt(&pic));
	assert_int_equal(read_isr(0x20), 0x01);
	outb(0x20, 0x20);
	assert_int_equal(read_isr(0x20), 0x00);
}

static void test_irq8_cascade(void **state)
{
	(void)state;
	edge(8);
	assert_true(vpic_has_interrupt(&pic));
	assert_int_equal(vpic_ack(&pic), 0x70);
	assert_int_equal(read_isr(0x20), 0x04);
	assert_int_equal(read_isr(0xa0), 0x01);
	assert_false(vpic_has_interrupt(&pic));
	outb(0xa0, 0x20);
	outb(0x20, 0x20);
	assert_int_equal(read_isr(0x20), 0x00);
	assert_int_equal(read_isr(0xa0), 0x00);
	edge(14);
	assert_int_equal(vpic_ack(&pic), 0x76);
}

static void test_slave_queue_after_eoi(void **state)
{
	(void)state;
	edge(12);
	edge(8);
	assert_int_equal(vpic_ack(&pic), 0x70);
	assert_false(vpic_has_interrupt(&pic));
	outb(0xa0, 0x20);
	assert_false(vpic_has_interrupt(&pic)); /* master IR2 still in service */
	outb(0x20, 0x20);
	assert_true(vpic_has_interrupt(&pic));
	assert_int_equal(vpic_ack(&pic), 0x74);
}

static void test_priority_order(void **state)
{
	(void)state;
	edge(5);
	edge(3);
	edge(1);
	edge(9); /* through IR2: above 3 and 5 */
	assert_int_equal(vpic_ack(&pic), 0x09);
	outb(0x20, 0x20);
	assert_int_equal(vpic_ack(&pic), 0x71);
	outb(0xa0, 0x20);
	outb(0x20, 0x20);
	assert_int_equal(vpic_ack(&pic), 0x0b);
	outb(0x20, 0x20);
	assert_int_equal(vpic_ack(&pic), 0x0d);
	outb(0x20, 0x20);
	assert_false(vpic_has_interrupt(&pic));
}

static void test_nesting(void **state)
{
	(void)state;
	edge(3);
	assert_int_equal(vpic_ack(&pic), 0x0b);
	edge(4); /* lower than the one in service: waits */
	assert_false(vpic_has_interrupt(&pic));
	edge(0); /* higher: nests */
	assert_true(vpic_has_interrupt(&pic));
	assert_int_equal(vpic_ack(&pic), 0x08);
	assert_int_equal(read_isr(0x20), 0x09);
	outb(0x20, 0x20); /* non-specific: clears the highest, IR0 */
	assert_int_equal(read_isr(0x20), 0x08);
	assert_false(vpic_has_interrupt(&pic));
	outb(0x20, 0x20);
	assert_int_equal(vpic_ack(&pic), 0x0c);
}

static void test_masking(void **state)
{
	(void)state;
	outb(0x21, 0x01);
	edge(0);
	assert_false(vpic_has_interrupt(&pic));
	assert_int_equal(inb(0x20), 0x01); /* IRR still shows the request */
	outb(0x21, 0x00);
	assert_int_equal(vpic_ack(&pic), 0x08);
	outb(0x20, 0x20);

	outb(0xa1, 0x01); /* IRQ8 masked on the slave */
	edge(8);
	assert_false(vpic_has_interrupt(&pic));
	outb(0xa1, 0x00);
	outb(0x21, 0x04); /* now the whole slave via IR2 */
	assert_false(vpic_has_interrupt(&pic));
	outb(0x21, 0x00);
	assert_int_equal(vpic_ack(&pic), 0x70);
}

static void test_specific_eoi(void **state)
{
	(void)state;
	edge(6);
	assert_int_equal(vpic_ack(&pic), 0x0e);
	edge(3);
	assert_int_equal(vpic_ack(&pic), 0x0b);
	edge(5);
	assert_false(vpic_has_interrupt(&pic));
	outb(0x20, 0x66); /* EOI the outer one, IR6: IR3 still blocks IR5 */
	assert_int_equal(read_isr(0x20), 0x08);
	assert_false(vpic_has_interrupt(&pic));
	outb(0x20, 0x63);
	assert_int_equal(vpic_ack(&pic), 0x0d);
}

static void test_level_reasserts(void **state)
{
	(void)state;
	outb(0x4d0, 0x08); /* IRQ3 level */
	vpic_set_irq(&pic, 3, true);
	assert_int_equal(vpic_ack(&pic), 0x0b);
	assert_false(vpic_has_interrupt(&pic));
	outb(0x20, 0x20);
	assert_true(vpic_has_interrupt(&pic)); /* line still high */
	assert_int_equal(vpic_ack(&pic), 0x0b);
	vpic_set_irq(&pic, 3, false);
	outb(0x20, 0x20);
	assert_false(vpic_has_interrupt(&pic));
}

static void test_level_on_slave(void **state)
{
	(void)state;
	outb(0x4d1, 0x08); /* IRQ11 level */
	vpic_set_irq(&pic, 11, true);
	assert_int_equal(vpic_ack(&pic), 0x73);
	outb(0xa0, 0x20);
	outb(0x20, 0x20);
	assert_int_equal(vpic_ack(&pic), 0x73);
	vpic_set_irq(&pic, 11, false);
	outb(0xa0, 0x20);
	outb(0x20, 0x20);
	assert_false(vpic_has_interrupt(&pic));
}

static void test_edge_no_reassert(void **state)
{
	(void)state;
	vpic_set_irq(&pic, 3, true);
	assert_int_equal(vpic_ack(&pic), 0x0b);
	outb(0x20, 0x20);
	assert_false(vpic_has_interrupt(&pic)); /* line high, but no new edge */
	vpic_set_irq(&pic, 3, true);
	assert_false(vpic_has_interrupt(&pic));
	vpic_set_irq(&pic, 3, false);
	vpic_set_irq(&pic, 3, true);
	assert_int_equal(vpic_ack(&pic), 0x0b);
}

static void test_elcr_fixed_edge(void **state)
{
	(void)state;
	outb(0x4d0, 0xff);
	outb(0x4d1, 0xff);
	assert_int_equal(inb(0x4d0), 0xf8); /* IRQ 0, 1, 2 stay edge */
	assert_int_equal(inb(0x4d1), 0xde); /* IRQ 8, 13 stay edge */
	pio(0x4d0, 2, true, 0x0c20);
	assert_int_equal(pio(0x4d0, 2, false, 0), 0x0c20);
}

static void test_spurious_master(void **state)
{
	(void)state;
	assert_int_equal(vpic_ack(&pic), 0x0f); /* nothing at all */
	outb(0x4d0, 0x10);
	vpic_set_irq(&pic, 4, true);
	assert_true(vpic_has_interrupt(&pic));
	vpic_set_irq(&pic, 4, false); /* gone before INTA */
	assert_int_equal(vpic_ack(&pic), 0x0f);
	assert_int_equal(read_isr(0x20), 0x00); /* a spurious IRQ7 sets no ISR bit */
}

static void test_spurious_slave(void **state)
{
	(void)state;
	outb(0x4d1, 0x04);
	vpic_set_irq(&pic, 10, true);
	assert_true(vpic_has_interrupt(&pic));
	vpic_set_irq(&pic, 10, false);
	assert_int_equal(vpic_ack(&pic), 0x77);
	assert_int_equal(read_isr(0xa0), 0x00);
	assert_int_equal(read_isr(0x20), 0x04); /* the master still needs its EOI */
}

static void test_auto_eoi(void **state)
{
	(void)state;
	pic_init_seq(0x03, 0x01);
	edge(3);
	assert_int_equal(vpic_ack(&pic), 0x0b);
	assert_int_equal(read_isr(0x20), 0x00);
	edge(5); /* lower priority, yet nothing is in service */
	assert_int_equal(vpic_ack(&pic), 0x0d);
}

static void test_auto_eoi_slave(void **state)
{
	(void)state;
	pic_init_seq(0x03, 0x03);
	edge(12);
	edge(9);
	assert_int_equal(vpic_ack(&pic), 0x71);
	/* The slave's INT never dropped; the second request still gets through. */
	assert_true(vpic_has_interrupt(&pic));
	assert_int_equal(vpic_ack(&pic), 0x74);
	assert_false(vpic_has_interrupt(&pic));
}

static void test_ocw3_read_select(void **state)
{
	(void)state;
	outb(0x21, 0x10);
	edge(4);
	edge(1);
	assert_int_equal(inb(0x20), 0x12); /* IRR is the default */
	assert_int_equal(vpic_ack(&pic), 0x09);
	assert_int_equal(inb(0x20), 0x10);
	outb(0x20, 0x0b);
	assert_int_equal(inb(0x20), 0x02);
	assert_int_equal(inb(0x20), 0x02); /* the selection sticks */
	outb(0x20, 0x08); /* RR clear: selection unchanged */
	assert_int_equal(inb(0x20), 0x02);
	outb(0x20, 0x0a);
	assert_int_equal(inb(0x20), 0x10);
	assert_int_equal(inb(0x21), 0x10); /* port 1 is always the IMR */
}

static void test_poll(void **state)
{
	(void)state;
	outb(0x20, 0x0c);
	assert_int_equal(inb(0x20), 0x00); /* nothing pending */
	edge(6);
	edge(1);
	outb(0x20, 0x0c);
	assert_int_equal(inb(0x20), 0x81);
	assert_int_equal(read_isr(0x20), 0x02);
	assert_int_equal(inb(0x20), 0x40); /* poll is one-shot: IRR again */
	outb(0x20, 0x20);
	outb(0x20, 0x0c);
	assert_int_equal(inb(0x21), 0x86);
}

static void test_rotate(void **state)
{
	(void)state;
	edge(0);
	assert_int_equal(vpic_ack(&pic), 0x08);
	outb(0x20, 0xa0); /* rotate on non-specific EOI: IR0 becomes the lowest */
	edge(0);
	edge(7);
	assert_int_equal(vpic_ack(&pic), 0x0f);
	outb(0x20, 0xe7); /* rotate on specific EOI of IR7: IR0 highest again */
	edge(6);
	assert_int_equal(vpic_ack(&pic), 0x08);
	outb(0x20, 0x60);
	outb(0x20, 0xc5); /* set priority: IR5 lowest, IR6 highest */
	assert_int_equal(vpic_ack(&pic), 0x0e);
	outb(0x20, 0x40); /* no-op */
	outb(0x20, 0x80); /* rotate in AEOI: accepted */
	assert_true(pic.chip[0].rotate_on_auto_eoi);
	outb(0x20, 0x00);
	assert_false(pic.chip[0].rotate_on_auto_eoi);
}

static void test_special_mask(void **state)
{
	(void)state;
	edge(1);
	assert_int_equal(vpic_ack(&pic), 0x09);
	edge(5);
	assert_false(vpic_has_interrupt(&pic));
	outb(0x21, 0x02);
	outb(0x20, 0x68); /* set special mask mode */
	assert_true(vpic_has_interrupt(&pic));
	assert_int_equal(vpic_ack(&pic), 0x0d);
	outb(0x20, 0x20); /* non-specific EOI skips the masked IR1 */
	assert_int_equal(read_isr(0x20), 0x02);
	outb(0x20, 0x48); /* reset special mask mode */
	assert_false(pic.chip[0].special_mask);
}

static void test_reinit_resets_edge_sense(void **state)
{
	(void)state;
	vpic_set_irq(&pic, 3, true);
	pic_init_seq(0x01, 0x01);
	assert_false(vpic_has_interrupt(&pic));
	assert_int_equal(inb(0x20), 0x00);
	vpic_set_irq(&pic, 3, false);
	vpic_set_irq(&pic, 3, true);
	assert_int_equal(vpic_ack(&pic), 0x0b);
}

static void test_irq_line(void **state)
{
	struct irq_line l = { vpic_line_set, &pic, 7 };

	(void)state;
	irq_pulse(&l);
	assert_int_equal(vpic_ack(&pic), 0x0f);
	assert_int_equal(read_isr(0x20), 0x80); /* a real IR7, unlike a spurious one */
	vpic_set_irq(&pic, 2, true); /* the cascade input is not a device line */
	vpic_set_irq(&pic, 16, true);
	outb(0x20, 0x20);
	assert_false(vpic_has_interrupt(&pic));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_register),
		T(test_power_on_masked),
		T(test_init_sequence),
		T(test_icw2_low_bits_ignored),
		T(test_single_no_icw4),
		T(test_irq0_vector),
		T(test_irq8_cascade),
		T(test_slave_queue_after_eoi),
		T(test_priority_order),
		T(test_nesting),
		T(test_masking),
		T(test_specific_eoi),
		T(test_level_reasserts),
		T(test_level_on_slave),
		T(test_edge_no_reassert),
		T(test_elcr_fixed_edge),
		T(test_spurious_master),
		T(test_spurious_slave),
		T(test_auto_eoi),
		T(test_auto_eoi_slave),
		T(test_ocw3_read_select),
		T(test_poll),
		T(test_rotate),
		T(test_special_mask),
		T(test_reinit_resets_edge_sense),
		T(test_irq_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
