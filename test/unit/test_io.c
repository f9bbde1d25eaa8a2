/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the I/O registry (vmm/io.c) and the device models it
 * dispatches to: the 16550 (vmm/dev/uart16550.c) and the MMIO test device
 * (vmm/dev/testdev.c). Accesses go through io_pio()/io_mmio() as exits do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/abi.h>
#include <keel/dev.h>
#include <keel/errno.h>
#include <keel/io.h>
#include <keel/vm.h>

#define RAM_SIZE (256ULL << 20)
#define COM1     0x3f8
#define COM2     0x2f8
#define POISON   0xdeadbeefcafef00dULL

static struct vm vm;

static int irq_level = -1;

static void record_irq(void *ctx, unsigned gsi, bool level)
{
	(void)ctx;
	assert_int_equal(gsi, 4);
	irq_level = level;
}

/* Test double: the console collects what the UART transmits. */
static char console[256];
static unsigned console_len;

void vm_console_putc(struct vm *v, char c)
{
	assert_ptr_equal(v, &vm);
	assert_true(console_len < sizeof(console) - 1);
	console[console_len++] = c;
}

/* Test double: the guest looked for input; this is what Keel's console gives its queue then. */
static unsigned polls;
static const char *typed_on_poll;

void vm_console_poll(struct vm *v)
{
	assert_ptr_equal(v, &vm);
	polls++;
	for (; typed_on_poll && *typed_on_poll; typed_on_poll++)
		assert_true(ring_put(v->uart.input, (uint8_t)*typed_on_poll));
}

/* A device that records its last access and returns a chosen value. */
struct rec {
	unsigned calls;
	struct vm *vm;
	struct io_access a;
	int ret;
};

static int rec_handler(struct vm *v, void *dev, struct io_access *a)
{
	struct rec *r = dev;

	r->calls++;
	r->vm = v;
	r->a = *a;
	if (!a->write)
		a->value = 0x1100 + r->calls;
	return r->ret;
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm.ram_size = RAM_SIZE;
	vm.nr_mem = 1;
	vm.mem[0] = (struct vm_mem_region){ .gpa = 0, .size = RAM_SIZE, .writable = true };
	memset(console, 0, sizeof(console));
	console_len = 0;
	polls = 0;
	typed_on_poll = NULL;
	return 0;
}

static int pio(uint64_t port, uint32_t size, bool write, uint64_t *value)
{
	struct io_access a = { .addr = port, .size = size, .write = write, .value = *value };
	int rc = io_pio(&vm, &a);

	*value = a.value;
	return rc;
}

static uint64_t pio_read(uint64_t port, uint32_t size)
{
	uint64_t v = POISON;

	assert_int_equal(pio(port, size, false, &v), 0);
	return v;
}

static void pio_write(uint64_t port, uint32_t size, uint64_t value)
{
	assert_int_equal(pio(port, size, true, &value), 0);
}

static int mmio(uint64_t gpa, uint32_t size, bool write, uint64_t *value)
{
	struct io_access a = { .addr = gpa, .size = size, .write = write, .value = *value };
	int rc = io_mmio(&vm, &a);

	*value = a.value;
	return rc;
}

static void test_register_pio(void **state)
{
	struct rec r = { 0 };

	(void)state;
	assert_int_equal(io_register_pio(&vm, 0x3f8, 8, rec_handler, &r), 0);
	assert_int_equal(io_register_pio(&vm, 0x3fc, 8, rec_handler, &r), -EEXIST);
	assert_int_equal(io_register_pio(&vm, 0x3f0, 9, rec_handler, &r), -EEXIST);
	assert_int_equal(io_register_pio(&vm, 0x3f9, 1, rec_handler, &r), -EEXIST);
	assert_int_equal(io_register_pio(&vm, 0x3f0, 0x20, rec_handler, &r), -EEXIST);
	assert_int_equal(io_register_pio(&vm, 0x3f0, 8, rec_handler, &r), 0); /* adjacent */
	assert_int_equal(io_register_pio(&vm, 0x400, 1, rec_handler, &r), 0);
	assert_int_equal(io_register_pio(&vm, 0x500, 0, rec_handler, &r), -EINVAL);
	assert_int_equal(io_register_pio(&vm, 0xfff8, 0x10, rec_handler, &r), -EINVAL);
	assert_int_equal(io_register_pio(&vm, 0xffff, 2, rec_handler, &r), -EINVAL);
	assert_int_equal(io_register_pio(&vm, 0xfff0, 0x10, rec_handler, &r), 0);
	assert_int_equal(vm.io.nr_pio, 4);
	assert_int_equal(vm.io.nr_mmio, 0);
}

static void test_register_pio_full(void **state)
{
	struct rec r = { 0 };

	(void)state;
	for (unsigned i = 0; i < IO_RANGES_MAX; i++)
		assert_int_equal(io_register_pio(&vm, 0x100 + 4 * i, 4, rec_handler, &r), 0);
	assert_int_equal(io_register_pio(&vm, 0x800, 4, rec_handler, &r), -ENOSPC);
	assert_int_equal(vm.io.nr_pio, IO_RANGES_MAX);
	/* The full table still dispatches to its last entry. */
	assert_int_equal(pio_read(0x100 + 4 * (IO_RANGES_MAX - 1) + 3, 1), 0x1101);
	assert_int_equal(r.a.addr, 0x100 + 4 * (IO_RANGES_MAX - 1) + 3);
}

static void test_register_mmio(void **state)
{
	struct rec r = { 0 };

	(void)state;
	assert_int_equal(io_register_mmio(&vm, 0x1000, 0x1000, rec_handler, &r), -EINVAL);
	assert_int_equal(io_register_mmio(&vm, RAM_SIZE - 0x1000, 0x2000, rec_handler, &r),
			 -EINVAL);
	assert_int_equal(io_register_mmio(&vm, RAM_SIZE, 0x1000, rec_handler, &r), 0);
	assert_int_equal(io_register_mmio(&vm, 0xfee00000, 0, rec_handler, &r), -EINVAL);
	assert_int_equal(io_register_mmio(&vm, ~0ULL - 0xfff, 0x2000, rec_handler, &r), -EINVAL);
	assert_int_equal(io_register_mmio(&vm, RAM_SIZE + 0x800, 0x1000, rec_handler, &r),
			 -EEXIST);
	for (unsigned i = 1; i < IO_RANGES_MAX; i++)
		assert_int_equal(io_register_mmio(&vm, 0xf0000000 + i * 0x1000, 0x1000,
						  rec_handler, &r),
				 0);
	assert_int_equal(io_register_mmio(&vm, 0xfee00000, 0x1000, rec_handler, &r), -ENOSPC);
	assert_int_equal(vm.io.nr_mmio, IO_RANGES_MAX);
	assert_int_equal(vm.io.nr_pio, 0);
}

/* An hvm guest's RAM above 4 GiB, and its firmware ROM: MMIO only in the holes. */
static void test_register_mmio_holes(void **state)
{
	struct rec r = { 0 };

	(void)state;
	vm.mem[1] = (struct vm_mem_region){ .gpa = 4ULL << 30, .size = 32ULL << 20 };
	vm.mem[2] = (struct vm_mem_region){ .gpa = (4ULL << 30) - 0x40000, .size = 0x40000 };
	vm.nr_mem = 3;
	assert_int_equal(io_register_mmio(&vm, (4ULL << 30) + (16ULL << 20), 0x1000, rec_handler,
					  &r), -EINVAL);
	assert_int_equal(io_register_mmio(&vm, (4ULL << 30) - 0x1000, 0x1000, rec_handler, &r),
			 -EINVAL);
	assert_int_equal(io_register_mmio(&vm, (4ULL << 30) - 0x41000, 0x2000, rec_handler, &r),
			 -EINVAL);
	assert_int_equal(io_register_mmio(&vm, RAM_SIZE - 1, 1, rec_handler, &r), -EINVAL);
	assert_int_equal(vm.io.nr_mmio, 0);
	/* The PCI hole between the two RAM regions, and above the high one. */
	assert_int_equal(io_register_mmio(&vm, 0xfee00000, 0x1000, rec_handler, &r), 0);
	assert_int_equal(io_register_mmio(&vm, RAM_SIZE, 0x1000, rec_handler, &r), 0);
	assert_int_equal(io_register_mmio(&vm, (4ULL << 30) - 0x41000, 0x1000, rec_handler, &r),
			 0);
	assert_int_equal(io_register_mmio(&vm, (4ULL << 30) + (32ULL << 20), 0x1000, rec_handler,
					  &r), 0);
	assert_int_equal(vm.io.nr_mmio, 4);
}

static size_t fake_string(struct vm *v, void *dev, void *buf, size_t len, bool write)
{
	(void)v, (void)dev, (void)buf, (void)write;
	return len;
}

/* A string fast path attaches to one port of a registered range, nothing else. */
static void test_string_fast_path(void **state)
{
	struct rec a = { .ret = 0 };
	const struct io_range *r;

	(void)state;
	assert_int_equal(io_register_pio(&vm, 0x1f0, 8, rec_handler, &a), 0);
	assert_int_equal(io_set_pio_string(&vm, 0x170, fake_string), -ENOENT);
	assert_int_equal(io_set_pio_string(&vm, 0x1f0, fake_string), 0);
	r = io_find(vm.io.pio, vm.io.nr_pio, 0x1f0, 2);
	assert_non_null(r);
	assert_ptr_equal(r->string_fn, fake_string);
	assert_int_equal(r->string_port, 0x1f0);
	assert_ptr_equal(r->dev, &a);
}

static void bell_a(struct vm *v, void *dev, uint64_t off)
{
	(void)v, (void)dev, (void)off;
}

static void bell_b(struct vm *v, void *dev, uint64_t off)
{
	(void)v, (void)dev, (void)off;
}

/*
 * Doorbells lie inside their device's own MMIO range, move with it
 * (the device sets them again) and are found by address only there.
 */
static void test_doorbell(void **state)
{
	struct rec a = { .ret = 0 }, b = { .ret = 0 }, more[IO_BELLS_MAX];
	const struct io_bell *bell;

	(void)state;
	assert_int_equal(io_register_mmio(&vm, 0xfebf0000, 0x8000, rec_handler, &a), 0);
	assert_int_equal(io_register_mmio(&vm, 0xfeb00000, 0x1000, rec_handler, &b), 0);
	/* Not in a range, in another device's, past its end, wrapping: refused. */
	assert_int_equal(io_set_doorbell(&vm, 0xfe000000, 8, bell_a, &a), -EINVAL);
	assert_int_equal(io_set_doorbell(&vm, 0xfeb00000, 8, bell_a, &a), -EINVAL);
	assert_int_equal(io_set_doorbell(&vm, 0xfebf7ffc, 8, bell_a, &a), -EINVAL);
	assert_int_equal(io_set_doorbell(&vm, 0xfebf3000, ~0ULL, bell_a, &a), -EINVAL);
	assert_int_equal(io_set_doorbell(&vm, ~0ULL - 3, 8, bell_a, &a), -EINVAL);
	assert_int_equal(vm.io.nr_bells, 0);
	assert_int_equal(io_set_doorbell(&vm, 0xfebf3000, 8, bell_a, &a), 0);
	assert_int_equal(io_set_doorbell(&vm, 0xfeb00100, 4, bell_b, &b), 0);
	bell = io_find_bell(&vm.io, 0xfebf3004);
	assert_non_null(bell);
	assert_ptr_equal(bell->fn, bell_a);
	assert_int_equal(0xfebf3004 - bell->base, 4);
	assert_null(io_find_bell(&vm.io, 0xfebf3008));
	assert_null(io_find_bell(&vm.io, 0xfebf2fff));
	assert_ptr_equal(io_find_bell(&vm.io, 0xfeb00103)->dev, &b);
	/* Set again: it moves (one per device and handler); length 0 removes it. */
	assert_int_equal(io_set_doorbell(&vm, 0xfebf3010, 4, bell_a, &a), 0);
	assert_int_equal(vm.io.nr_bells, 2);
	assert_null(io_find_bell(&vm.io, 0xfebf3004));
	assert_non_null(io_find_bell(&vm.io, 0xfebf3010));
	assert_int_equal(io_set_doorbell(&vm, 0, 0, bell_a, &a), 0);
	assert_null(io_find_bell(&vm.io, 0xfebf3010));
	assert_int_equal(vm.io.nr_bells, 1);
	/* At most IO_BELLS_MAX: one is set, IO_BELLS_MAX - 1 more fit. */
	for (unsigned i = 0; i < IO_BELLS_MAX; i++) {
		uint64_t base = 0xf0000000 + 0x1000 * i;

		assert_int_equal(io_register_mmio(&vm, base, 0x1000, rec_handler, &more[i]), 0);
		assert_int_equal(io_set_doorbell(&vm, base, 4, bell_a, &more[i]),
				 i < IO_BELLS_MAX - 1 ? 0 : -ENOSPC);
	}
	assert_int_equal(vm.io.nr_bells, IO_BELLS_MAX);
}

static void test_dispatch(void **state)
{
	struct rec a = { .ret = 0 }, b = { .ret = 7 }, m = { .ret = 0 };
	uint64_t v;

	(void)state;
	assert_int_equal(io_register_pio(&vm, 0x60, 1, rec_handler, &a), 0);
	assert_int_equal(io_register_pio(&vm, 0x64, 4, rec_handler, &b), 0);
	assert_int_equal(io_register_mmio(&vm, 0xfec00000, 0x1000, rec_handler, &m), 0);

	v = 0x5a;
	assert_int_equal(pio(0x60, 1, true, &v), 0);
	assert_int_equal(a.calls, 1);
	assert_ptr_equal(a.vm, &vm);
	assert_true(a.a.write);
	assert_int_equal(a.a.addr, 0x60);
	assert_int_equal(a.a.value, 0x5a);
	/* The handler's return value comes back, and a read its value. */
	v = POISON;
	assert_int_equal(pio(0x66, 2, false, &v), 7);
	assert_int_equal(v, 0x1101);
	assert_int_equal(b.a.size, 2);
	assert_int_equal(pio(0x64, 4, false, &v), 7);
	assert_int_equal(b.calls, 2);
	/* Unclaimed ports, and accesses straddling a range's edge. */
	assert_int_equal(pio(0x61, 1, false, &v), -ENOENT);
	assert_int_equal(pio(0x60, 2, false, &v), -ENOENT);
	assert_int_equal(pio(0x67, 2, true, &v), -ENOENT);
	assert_int_equal(pio(0x63, 2, false, &v), -ENOENT);
	assert_int_equal(pio(0x66, 4, false, &v), -ENOENT);
	assert_int_equal(a.calls + b.calls, 3);
	/* MMIO goes to the MMIO list only. */
	v = 0x12345678;
	assert_int_equal(mmio(0xfec00010, 4, true, &v), 0);
	assert_int_equal(m.a.addr, 0xfec00010);
	assert_int_equal(m.a.value, 0x12345678);
	assert_int_equal(mmio(0xfec00ff8, 8, false, &v), 0);
	assert_int_equal(mmio(0xfec00ffc, 8, false, &v), -ENOENT);
	assert_int_equal(mmio(0xfebffffc, 8, false, &v), -ENOENT);
	assert_int_equal(mmio(0x60, 1, false, &v), -ENOENT);
	assert_int_equal(m.calls, 2);
	assert_int_equal(a.calls + b.calls, 3);
}

static void test_uart_regs(void **state)
{
	struct vuart clash;

	(void)state;
	assert_int_equal(vuart_attach(&vm, &vm.uart, COM1), 0);
	assert_int_equal(vuart_attach(&vm, &clash, COM1 + 4), -EEXIST);
	assert_int_equal(pio_read(COM1 + 5, 1), 0x60); /* LSR: THR empty, idle */
	assert_int_equal(pio_read(COM1 + 2, 1), 0x01); /* IIR: nothing pending */
	assert_int_equal(pio_read(COM1 + 6, 1), 0xb0); /* MSR: CTS, DSR, DCD */
	assert_int_equal(pio_read(COM1 + 3, 1), 0x03); /* LCR after reset: 8N1 */
	assert_int_equal(pio_read(COM1 + 0, 1), 0x00); /* RBR: nothing received */
	pio_write(COM1 + 3, 1, 0x1b);
	assert_int_equal(pio_read(COM1 + 3, 1), 0x1b);
	pio_write(COM1 + 1, 1, 0xff);
	assert_int_equal(pio_read(COM1 + 1, 1), 0x0f); /* IER has 4 bits */
	/* Enabling ETBEI with THR empty raises THRE; reading IIR clears it. */
	assert_int_equal(pio_read(COM1 + 2, 1), 0x02);
	assert_int_equal(pio_read(COM1 + 2, 1), 0x01);
	pio_write(COM1 + 4, 1, 0xff);
	assert_int_equal(pio_read(COM1 + 4, 1), 0x1f); /* MCR has 5 bits */
	pio_write(COM1 + 4, 1, 0x00);
	pio_write(COM1 + 2, 1, 0xc7); /* FCR: FIFOs on, IIR says so in bits 7:6 */
	assert_int_equal(pio_read(COM1 + 2, 1), 0xc1);
	for (unsigned v = 0; v < 256; v += 0x33) {
		pio_write(COM1 + 7, 1, v);
		assert_int_equal(pio_read(COM1 + 7, 1), v);
	}
	assert_int_equal(console_len, 0);
}

static void test_uart_thr(void **state)
{
	(void)state;
	assert_int_equal(vuart_attach(&vm, &vm.uart, COM1), 0);
	for (const char *s = "Hi\n\x80"; *s; s++)
		pio_write(COM1, 1, (uint8_t)*s);
	assert_int_equal(console_len, 4);
	assert_memory_equal(console, "Hi\n\x80", 4);
}

static void test_uart_dlab(void **state)
{
	(void)state;
	assert_int_equal(vuart_attach(&vm, &vm.uart, COM1), 0);
	pio_write(COM1 + 1, 1, 0x05); /* IER: RDA and RLS, not THRE */
	pio_write(COM1 + 3, 1, 0x83); /* DLAB on */
	pio_write(COM1 + 0, 1, 0x0c); /* divisor 12: 9600 baud */
	pio_write(COM1 + 1, 1, 0x01);
	assert_int_equal(pio_read(COM1 + 0, 1), 0x0c);
	assert_int_equal(pio_read(COM1 + 1, 1), 0x01);
	assert_int_equal(pio_read(COM1 + 3, 1), 0x83);
	assert_int_equal(console_len, 0); /* the divisor write did not transmit */
	pio_write(COM1 + 3, 1, 0x03); /* DLAB off: registers 0/1 are RBR/THR and IER again */
	assert_int_equal(pio_read(COM1 + 1, 1), 0x05);
	assert_int_equal(pio_read(COM1 + 0, 1), 0x00);
	pio_write(COM1 + 0, 1, 'x');
	assert_int_equal(console_len, 1);
	assert_int_equal(console[0], 'x');
	/* The divisor survived. */
	pio_write(COM1 + 3, 1, 0x80);
	assert_int_equal(pio_read(COM1 + 0, 1), 0x0c);
	assert_int_equal(pio_read(COM1 + 1, 1), 0x01);
}

/* Only byte accesses reach the registers: wider reads float, wider writes vanish. */
static void test_uart_wide_access(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(vuart_attach(&vm, &vm.uart, COM1), 0);
	pio_write(COM1 + 7, 1, 0x42);
	assert_int_equal(pio_read(COM1 + 0, 2), ~0ULL);
	assert_int_equal(pio_read(COM1 + 4, 2), ~0ULL);
	assert_int_equal(pio_read(COM1 + 4, 4), ~0ULL);
	pio_write(COM1 + 0, 2, 'A');
	pio_write(COM1 + 0, 4, 'B');
	pio_write(COM1 + 3, 2, 0x80);  /* LCR */
	pio_write(COM1 + 6, 2, 0x9999); /* scratch */
	pio_write(COM1 + 4, 4, 0x99999999);
	assert_int_equal(console_len, 0);
	assert_int_equal(pio_read(COM1 + 3, 1), 0x03);
	assert_int_equal(pio_read(COM1 + 7, 1), 0x42);
	/* Past the UART's 8 ports nothing answers. */
	assert_int_equal(pio(COM1 + 6, 4, false, &v), -ENOENT);
	assert_int_equal(pio(COM1 + 8, 1, false, &v), -ENOENT);
}

/* Interrupts: THRE after each byte, RDA for received bytes, OUT2 gating, loopback. */
static void test_uart_interrupts(void **state)
{
	(void)state;
	assert_int_equal(vuart_attach(&vm, &vm.uart, COM1), 0);
	vm.uart.irq = (struct irq_line){ record_irq, NULL, 4 };
	irq_level = 0;
	pio_write(COM1 + 1, 1, 0x03); /* RDA + THRE */
	assert_int_equal(irq_level, 0); /* OUT2 clear: the line stays low */
	pio_write(COM1 + 4, 1, 0x08); /* OUT2 */
	assert_int_equal(irq_level, 1);
	assert_int_equal(pio_read(COM1 + 2, 1), 0x02);
	assert_int_equal(irq_level, 0);
	pio_write(COM1, 1, 'a');
	assert_int_equal(irq_level, 1); /* THR empty again */
	assert_int_equal(pio_read(COM1 + 2, 1), 0x02);
	vuart_receive(&vm.uart, 'k');
	vuart_receive(&vm.uart, 'l');
	assert_int_equal(irq_level, 1);
	assert_int_equal(pio_read(COM1 + 5, 1) & 0x01, 0x01); /* LSR.DR */
	assert_int_equal(pio_read(COM1 + 2, 1), 0x04);
	assert_int_equal(pio_read(COM1, 1), 'k');
	assert_int_equal(pio_read(COM1, 1), 'l');
	assert_int_equal(irq_level, 0);
	assert_int_equal(pio_read(COM1 + 5, 1) & 0x01, 0x00);
	for (int i = 0; i < 17; i++)
		vuart_receive(&vm.uart, (uint8_t)i);
	assert_int_equal(pio_read(COM1 + 5, 1) & 0x02, 0x02); /* overrun, cleared by reading */
	assert_int_equal(pio_read(COM1 + 5, 1) & 0x02, 0x00);
	/* Loopback (Linux's autoconfig test): MCR 0x1a reads back MSR 0x90. */
	pio_write(COM1 + 2, 1, 0x02); /* clear the RX FIFO */
	pio_write(COM1 + 4, 1, 0x1a);
	assert_int_equal(pio_read(COM1 + 6, 1) & 0xf0, 0x90);
	console_len = 0;
	pio_write(COM1, 1, 'z');
	assert_int_equal(console_len, 0);
	assert_int_equal(pio_read(COM1, 1), 'z');
}

/*
 * Typed input waits in Keel's queue and enters the FIFO as it has room: a
 * 600-byte paste read one byte at a time, with a pause, arrives whole and
 * in order, never overrunning the 16-byte FIFO (it did when Keel pushed
 * every typed byte straight into it).
 */
static void test_uart_input_queue(void **state)
{
	static uint8_t buf[1024];
	struct ring q;
	char paste[600];

	(void)state;
	ring_init(&q, buf, sizeof(buf));
	assert_int_equal(vuart_attach(&vm, &vm.uart, COM1), 0);
	vm.uart.input = &q;
	vm.uart.irq = (struct irq_line){ record_irq, NULL, 4 };
	pio_write(COM1 + 1, 1, 0x01); /* RDA */
	pio_write(COM1 + 4, 1, 0x08); /* OUT2 */
	for (unsigned i = 0; i < sizeof(paste); i++) {
		paste[i] = (char)('!' + i % 90);
		assert_true(ring_put(&q, (uint8_t)paste[i]));
	}
	/* Keel's poll: the FIFO takes 16, the interrupt is raised, the rest waits. */
	irq_level = 0;
	vuart_refill(&vm.uart);
	assert_int_equal(irq_level, 1);
	assert_int_equal(vm.uart.rx_count, 16);
	assert_int_equal(ring_count(&q), sizeof(paste) - 16);
	for (unsigned i = 0; i < sizeof(paste); i++) {
		uint64_t lsr = pio_read(COM1 + 5, 1);

		assert_int_equal(lsr & 0x03, 0x01); /* data ready, never an overrun */
		assert_int_equal(pio_read(COM1, 1), (uint8_t)paste[i]);
		/* A slow reader: more arrives meanwhile, and waits too. */
		if (i == 100)
			for (unsigned k = 0; k < 300; k++)
				assert_true(ring_put(&q, 'x'));
	}
	for (unsigned k = 0; k < 299; k++)
		assert_int_equal(pio_read(COM1, 1), 'x');
	assert_int_equal(polls, 0); /* never empty, so Keel's console was never asked */
	assert_int_equal(pio_read(COM1, 1), 'x');
	assert_int_equal(polls, 1); /* the receiver ran dry: Keel's console is asked */
	assert_int_equal(pio_read(COM1 + 5, 1) & 0x01, 0x00);
	assert_int_equal(irq_level, 0);
	/* What is typed then is there at the guest's next look, not at Keel's next poll. */
	typed_on_poll = "ok";
	assert_int_equal(pio_read(COM1 + 5, 1) & 0x01, 0x00); /* this look asks */
	assert_int_equal(irq_level, 1);
	assert_int_equal(pio_read(COM1 + 5, 1) & 0x01, 0x01);
	assert_int_equal(pio_read(COM1, 1), 'o');
	assert_int_equal(pio_read(COM1, 1), 'k');
	/* Loopback cuts the line from the outside: typed bytes stay queued. */
	assert_true(ring_put(&q, 'q'));
	pio_write(COM1 + 4, 1, 0x18);
	pio_write(COM1, 1, 'z');
	assert_int_equal(pio_read(COM1, 1), 'z');
	assert_int_equal(pio_read(COM1 + 5, 1) & 0x01, 0x00);
	assert_int_equal(ring_count(&q), 1);
	pio_write(COM1 + 4, 1, 0x08);
	assert_int_equal(pio_read(COM1 + 5, 1) & 0x01, 0x00); /* this look takes it */
	assert_int_equal(pio_read(COM1 + 5, 1) & 0x01, 0x01);
	assert_int_equal(pio_read(COM1, 1), 'q');
}

static void test_uart_two(void **state)
{
	struct vuart second;

	(void)state;
	assert_int_equal(vuart_attach(&vm, &vm.uart, COM1), 0);
	assert_int_equal(vuart_attach(&vm, &second, COM2), 0);
	pio_write(COM1 + 7, 1, 0x11);
	pio_write(COM2 + 7, 1, 0x22);
	pio_write(COM2 + 3, 1, 0x83);
	assert_int_equal(pio_read(COM1 + 7, 1), 0x11);
	assert_int_equal(pio_read(COM2 + 7, 1), 0x22);
	assert_int_equal(pio_read(COM1 + 3, 1), 0x03);
	pio_write(COM1, 1, '1');
	pio_write(COM2, 1, 0x0c); /* divisor, not output */
	assert_int_equal(console_len, 1);
	assert_int_equal(second.dll, 0x0c);
}

static void test_testdev(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(testdev_attach(&vm, &vm.testdev), 0);
	v = POISON;
	assert_int_equal(mmio(KEEL_TESTDEV_MMIO + KEEL_TESTDEV_ID, 4, false, &v), 0);
	assert_int_equal(v, 0x4c45454b); /* "KEEL" */
	assert_memory_equal(&(uint32_t){ (uint32_t)v }, "KEEL", 4);
	v = 0;
	assert_int_equal(mmio(KEEL_TESTDEV_MMIO + KEEL_TESTDEV_ID, 4, true, &v), 0);
	v = POISON;
	assert_int_equal(mmio(KEEL_TESTDEV_MMIO + KEEL_TESTDEV_ID, 4, false, &v), 0);
	assert_int_equal(v, 0x4c45454b);
	/* Scratch holds all 64 bits. */
	v = 0x0123456789abcdefULL;
	assert_int_equal(mmio(KEEL_TESTDEV_MMIO + KEEL_TESTDEV_SCRATCH, 8, true, &v), 0);
	v = POISON;
	assert_int_equal(mmio(KEEL_TESTDEV_MMIO + KEEL_TESTDEV_SCRATCH, 8, false, &v), 0);
	assert_int_equal(v, 0x0123456789abcdefULL);
	assert_int_equal(vm.testdev.scratch, 0x0123456789abcdefULL);
	/* Other offsets read 0 and ignore writes. */
	v = 0xffff;
	assert_int_equal(mmio(KEEL_TESTDEV_MMIO + 0x10, 8, true, &v), 0);
	v = POISON;
	assert_int_equal(mmio(KEEL_TESTDEV_MMIO + 0x10, 8, false, &v), 0);
	assert_int_equal(v, 0);
	v = POISON;
	assert_int_equal(mmio(KEEL_TESTDEV_MMIO + 0xff8, 8, false, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vm.testdev.scratch, 0x0123456789abcdefULL);
	/* One page, no more. */
	assert_int_equal(mmio(KEEL_TESTDEV_MMIO + 0xffc, 8, false, &v), -ENOENT);
	assert_int_equal(mmio(KEEL_TESTDEV_MMIO + 0x1000, 4, false, &v), -ENOENT);
}

static void test_testdev_in_ram(void **state)
{
	(void)state;
	vm.ram_size = vm.mem[0].size = 4ULL << 30; /* RAM over the device's address */
	assert_int_equal(testdev_attach(&vm, &vm.testdev), -EINVAL);
	assert_int_equal(vm.io.nr_mmio, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_register_pio), T(test_register_pio_full), T(test_register_mmio),
		T(test_register_mmio_holes),
		T(test_dispatch),     T(test_uart_regs),         T(test_uart_thr),
		T(test_uart_dlab),    T(test_uart_wide_access),  T(test_uart_two),
		T(test_uart_interrupts), T(test_uart_input_queue), T(test_string_fast_path),
		T(test_testdev),      T(test_testdev_in_ram),     T(test_doorbell),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
