/* SPDX-License-Identifier: MIT */
/*
 * Host tests for vmm/dev/port92.c and vmm/dev/i8042.c: the A20/reset
 * ports and an 8042 with nothing plugged in, probed as SeaBIOS and Linux
 * probe it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/dev/i8042.h>
#include <keel/dev/port92.h>
#include <keel/io.h>

static int vm_dummy;
static struct vm *const vm = (struct vm *)&vm_dummy;

static struct {
	unsigned n;
	struct io_range r[8];
} regs;

int io_register_pio(struct vm *v, uint16_t base, uint16_t len, io_handler_fn *fn, void *dev)
{
	assert_ptr_equal(v, vm);
	assert_true(regs.n < 8);
	regs.r[regs.n++] = (struct io_range){ .base = base, .len = len, .fn = fn, .dev = dev };
	return 0;
}

static uint8_t io(uint16_t port, bool write, uint8_t value)
{
	struct io_access a = { .addr = port, .size = 1, .write = write, .value = value };

	for (unsigned i = 0; i < regs.n; i++)
		if (port >= regs.r[i].base && port < regs.r[i].base + regs.r[i].len) {
			assert_int_equal(regs.r[i].fn(vm, regs.r[i].dev, &a), 0);
			if (!write)
				assert_true(a.value <= 0xff);
			return (uint8_t)a.value;
		}
	fail_msg("port 0x%x not registered", port);
	return 0;
}

static struct {
	unsigned count;
	void *ctx;
} resets;

static void reset_rec(void *ctx)
{
	resets.count++;
	resets.ctx = ctx;
}

static struct {
	unsigned raises[16], lowers[16];
	bool level[16];
} irq;

static void irq_set_rec(void *ctx, unsigned gsi, bool level)
{
	assert_ptr_equal(ctx, &irq);
	assert_true(gsi == 1 || gsi == 12);
	assert_true(level != irq.level[gsi]); /* only real transitions */
	irq.level[gsi] = level;
	level ? irq.raises[gsi]++ : irq.lowers[gsi]++;
}

static const struct irq_line irq1 = { irq_set_rec, &irq, 1 }, irq12 = { irq_set_rec, &irq, 12 };
static struct port92 p92;
static struct i8042 kbc;
static int reset_ctx;

static int setup(void **state)
{
	(void)state;
	memset(&regs, 0, sizeof(regs));
	memset(&resets, 0, sizeof(resets));
	memset(&irq, 0, sizeof(irq));
	port92_init(&p92, reset_rec, &reset_ctx);
	i8042_init(&kbc, &irq1, &irq12, reset_rec, &reset_ctx);
	assert_int_equal(port92_register(vm, &p92), 0);
	return i8042_register(vm, &kbc);
}

static uint8_t status(void)
{
	return io(0x64, false, 0);
}

static void cmd(uint8_t c)
{
	io(0x64, true, c);
}

static void put(uint8_t v)
{
	io(0x60, true, v);
}

/* The next output byte, which must be there. */
static uint8_t get(void)
{
	assert_true(status() & I8042_STR_OBF);
	return io(0x60, false, 0);
}

static void expect_empty(void)
{
	assert_int_equal(status() & I8042_STR_OBF, 0);
}

/* ---- port 0x92 ------------------------------------------------------------------ */

static void test_port92_registration(void **state)
{
	(void)state;
	assert_int_equal(regs.r[0].base, 0x92);
	assert_int_equal(regs.r[0].len, 1);
	assert_ptr_equal(regs.r[0].dev, &p92);
}

static void test_port92_a20_reads_back(void **state)
{
	(void)state;
	assert_int_equal(io(0x92, false, 0), PORT92_A20); /* A20 really is on */
	io(0x92, true, 0x00);
	assert_int_equal(io(0x92, false, 0), 0x00);
	io(0x92, true, 0xc2);
	assert_int_equal(io(0x92, false, 0), 0xc2);
	assert_int_equal(resets.count, 0);
}

static void test_port92_fast_reset_on_rising_edge(void **state)
{
	(void)state;
	io(0x92, true, PORT92_A20 | PORT92_RESET);
	assert_int_equal(resets.count, 1);
	assert_ptr_equal(resets.ctx, &reset_ctx);
	io(0x92, true, PORT92_A20 | PORT92_RESET); /* still 1: no edge */
	assert_int_equal(resets.count, 1);
	io(0x92, true, PORT92_A20);
	assert_int_equal(resets.count, 1);
	io(0x92, true, PORT92_RESET);
	assert_int_equal(resets.count, 2);
}

static void test_port92_without_callback(void **state)
{
	(void)state;
	port92_init(&p92, NULL, NULL);
	io(0x92, true, PORT92_RESET);
	assert_int_equal(io(0x92, false, 0), PORT92_RESET);
	assert_int_equal(resets.count, 0);
}

/* ---- 8042 controller ------------------------------------------------------------------ */

static void test_i8042_registration(void **state)
{
	(void)state;
	assert_int_equal(regs.n, 3);
	assert_int_equal(regs.r[1].base, 0x60);
	assert_int_equal(regs.r[1].len, 1);
	assert_int_equal(regs.r[2].base, 0x64);
	assert_int_equal(regs.r[2].len, 1);
}

static void test_self_test_sets_system_flag(void **state)
{
	(void)state;
	assert_int_equal(status(), I8042_STR_KEYLOCK);
	cmd(0xaa);
	assert_int_equal(status() & (I8042_STR_OBF | I8042_STR_SYS | I8042_STR_CMD),
			 I8042_STR_OBF | I8042_STR_SYS | I8042_STR_CMD);
	assert_int_equal(get(), 0x55);
	expect_empty();
	assert_true(status() & I8042_STR_SYS);
}

static void test_interface_tests_pass(void **state)
{
	(void)state;
	cmd(0xab);
	assert_int_equal(get(), 0x00);
	cmd(0xa9);
	assert_int_equal(get(), 0x00);
	cmd(0xe0); /* test inputs */
	assert_int_equal(get(), 0x00);
	cmd(0xc0); /* input port: keylock open */
	assert_int_equal(get(), 0x80);
	expect_empty();
}

static void test_command_byte_round_trip(void **state)
{
	(void)state;
	cmd(0x20);
	assert_int_equal(get(), I8042_CTR_KBDINT | I8042_CTR_AUXINT);
	cmd(0x60);
	put(0x65);
	assert_int_equal(status() & I8042_STR_CMD, 0); /* the last write was data */
	assert_true(status() & I8042_STR_SYS);         /* mirrors CTR bit 2 */
	cmd(0x20);
	assert_int_equal(get(), 0x65);
	cmd(0x60);
	put(0x61);
	assert_int_equal(status() & I8042_STR_SYS, 0);
	/* The other 31 RAM bytes. */
	cmd(0x7f);
	put(0xa5);
	cmd(0x3f);
	assert_int_equal(get(), 0xa5);
	cmd(0x20);
	assert_int_equal(get(), 0x61);
}

static uint8_t ctr(void)
{
	cmd(0x20);
	return get();
}

static void test_port_enable_disable(void **state)
{
	(void)state;
	cmd(0xad);
	assert_true(ctr() & I8042_CTR_KBDDIS);
	cmd(0xae);
	assert_false(ctr() & I8042_CTR_KBDDIS);
	cmd(0xa7);
	assert_true(ctr() & I8042_CTR_AUXDIS);
	cmd(0xa8);
	assert_false(ctr() & I8042_CTR_AUXDIS);
}

static void test_output_port_a20_and_reset(void **state)
{
	(void)state;
	cmd(0xd0);
	assert_int_equal(get(), 0xcf);
	cmd(0xd1);
	put(0xdd); /* A20 off, reset line high */
	assert_int_equal(resets.count, 0);
	cmd(0xd0);
	assert_int_equal(get(), 0xdd);
	cmd(0xdf);
	cmd(0xd0);
	assert_int_equal(get(), 0xdf);
	cmd(0xdd);
	cmd(0xd0);
	assert_int_equal(get(), 0xdd);
	cmd(0xd1);
	put(0xde); /* bit 0 low: reset */
	assert_int_equal(resets.count, 1);
	assert_ptr_equal(resets.ctx, &reset_ctx);
}

static void test_pulse_reset(void **state)
{
	(void)state;
	cmd(0xff); /* pulses nothing */
	assert_int_equal(resets.count, 0);
	cmd(0xfe);
	assert_int_equal(resets.count, 1);
	cmd(0xf1);
	assert_int_equal(resets.count, 1);
	cmd(0xf0);
	assert_int_equal(resets.count, 2);
	expect_empty();
}

/* Nothing on the keyboard port: every byte sent there is answered 0xFE + time-out. */
static void test_keyboard_absent(void **state)
{
	static const uint8_t cmds[] = { 0xff, 0xf5, 0xf4, 0xf2, 0xed };

	(void)state;
	cmd(0xad);
	for (unsigned i = 0; i < sizeof(cmds); i++) {
		put(cmds[i]);
		assert_int_equal(status() & (I8042_STR_TIMEOUT | I8042_STR_AUXDATA | I8042_STR_OBF),
				 I8042_STR_TIMEOUT | I8042_STR_OBF);
		assert_int_equal(get(), 0xfe);
		assert_int_equal(status() & I8042_STR_TIMEOUT, 0);
	}
	assert_false(ctr() & I8042_CTR_KBDDIS); /* writing to the keyboard enables its port */
}

static void test_aux_absent_but_loopback_works(void **state)
{
	(void)state;
	cmd(0xd4);
	put(0xf2);
	assert_int_equal(status() & (I8042_STR_TIMEOUT | I8042_STR_AUXDATA),
			 I8042_STR_TIMEOUT | I8042_STR_AUXDATA);
	assert_int_equal(get(), 0xfe);
	/* Linux's AUX detection: loopback through 0xD3 comes back as AUX data. */
	cmd(0xd3);
	put(0x5a);
	assert_int_equal(status() & (I8042_STR_TIMEOUT | I8042_STR_AUXDATA), I8042_STR_AUXDATA);
	assert_int_equal(get(), 0x5a);
	cmd(0xd2);
	put(0x33);
	assert_int_equal(status() & I8042_STR_AUXDATA, 0);
	assert_int_equal(get(), 0x33);
	expect_empty();
}

static void test_irqs_follow_output_buffer(void **state)
{
	(void)state;
	cmd(0xaa); /* CTR: both interrupts enabled */
	assert_true(irq.level[1]);
	assert_false(irq.level[12]);
	get();
	assert_false(irq.level[1]);
	cmd(0xd3);
	put(0xa5);
	assert_true(irq.level[12]);
	assert_false(irq.level[1]);
	get();
	assert_false(irq.level[12]);
	assert_int_equal(irq.raises[1], 1);
	assert_int_equal(irq.raises[12], 1);
	/* Interrupts off in the command byte: the buffer fills, the lines stay low. */
	cmd(0x60);
	put(0x00);
	cmd(0xaa);
	cmd(0xd3);
	put(0x01);
	assert_false(irq.level[1]);
	assert_int_equal(irq.raises[1], 1);
	/* Turning KBDINT back on with a byte waiting raises IRQ 1. */
	cmd(0x60);
	put(I8042_CTR_KBDINT);
	assert_true(irq.level[1]);
	assert_int_equal(get(), 0x55);
	/* Now the AUX byte is next, but AUXINT is off. */
	assert_false(irq.level[1]);
	assert_false(irq.level[12]);
	cmd(0x60);
	put(I8042_CTR_KBDINT | I8042_CTR_AUXINT);
	assert_true(irq.level[12]);
	assert_int_equal(get(), 0x01);
	assert_false(irq.level[12]);
}

static void test_empty_read_repeats_last_byte(void **state)
{
	(void)state;
	cmd(0xaa);
	assert_int_equal(get(), 0x55);
	assert_int_equal(io(0x60, false, 0), 0x55);
	expect_empty();
}

static void test_output_queue_is_bounded(void **state)
{
	(void)state;
	for (unsigned i = 0; i < I8042_QUEUE + 3; i++) {
		cmd(0xd2);
		put((uint8_t)i);
	}
	for (unsigned i = 0; i < I8042_QUEUE; i++)
		assert_int_equal(get(), i);
	expect_empty();
}

/* SeaBIOS's ps2_keyboard_setup(): the controller passes, the keyboard reset NAKs at once. */
static void test_seabios_probe_sequence(void **state)
{
	(void)state;
	expect_empty(); /* i8042_flush */
	cmd(0xad);
	cmd(0xa7);
	expect_empty();
	cmd(0xaa);
	assert_int_equal(get(), 0x55);
	cmd(0xab);
	assert_int_equal(get(), 0x00);
	put(0xff); /* ATKBD_CMD_RESET_BAT: no ACK (0xFA), a NAK right away */
	assert_int_equal(get(), 0xfe);
	expect_empty();
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_port92_registration),
		T(test_port92_a20_reads_back),
		T(test_port92_fast_reset_on_rising_edge),
		T(test_port92_without_callback),
		T(test_i8042_registration),
		T(test_self_test_sets_system_flag),
		T(test_interface_tests_pass),
		T(test_command_byte_round_trip),
		T(test_port_enable_disable),
		T(test_output_port_a20_and_reset),
		T(test_pulse_reset),
		T(test_keyboard_absent),
		T(test_aux_absent_but_loopback_works),
		T(test_irqs_follow_output_buffer),
		T(test_empty_read_repeats_last_byte),
		T(test_output_queue_is_bounded),
		T(test_seabios_probe_sequence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
