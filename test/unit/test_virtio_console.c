/* SPDX-License-Identifier: MIT */
/*
 * Host tests for virtio-console (vmm/dev/virtio_console.c) on the real
 * transport and walker: a driver's rings (virtio 1.1 5.3.6) in a fake guest
 * RAM, doorbells rung through BAR 0; typed bytes wait in a ring as Keel's
 * queue of typed input (vm->con.in) holds them. The receive queue gets
 * hostile chains: read-only buffers, zero lengths, buffers outside RAM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <keel/dev/pci.h>
#include <keel/dev/virtio_console.h>
#include <keel/io.h>

#define RAM_BASE 0x100000ULL
#define RAM_SIZE 0x20000ULL
#define Q(n)     (RAM_BASE + (n) * 0x3000) /* queue n: desc, avail at +0x1000, used at +0x2000 */
#define BUF      (RAM_BASE + 0x10000)
#define QSIZE    VIRTIO_CONSOLE_QUEUE_SIZE
#define RX       0
#define TX       1

static struct pci_bus bus;
static struct virtio_console con;
static uint8_t ram[RAM_SIZE];
static uint8_t typed_buf[16];
static struct ring typed = RING_INIT(typed_buf);
static unsigned irqs, routes;
static char out[256];
static size_t out_len;

#include "virtio_stubs.h"

void vm_console_putc(struct vm *vm, char c)
{
	(void)vm;
	if (out_len < sizeof(out))
		out[out_len++] = c;
}

static void set_intx(void *ctx, unsigned gsi, bool level)
{
	(void)ctx, (void)gsi;
	irqs += level;
}

/* What vmm/hvm_console.c does with console=hvc0: the ring while the queue is up. */
static void route(void *ctx)
{
	(void)ctx;
	routes++;
	con.input = virtio_console_receiving(&con) ? &typed : NULL;
}

static uint8_t *at(uint64_t gpa)
{
	return ram + (gpa - RAM_BASE);
}

#define DEV (&con.dev)
#include "virtio_driver.h"

static void driver_ok(void)
{
	driver_ok_with(0);
}

static void type(const char *s)
{
	while (*s)
		assert_true(ring_put(&typed, (uint8_t)*s++));
}

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	ring_clear(&typed);
	irqs = routes = 0;
	out_len = 0;
	pci_bus_init(&bus);
	assert_int_equal(virtio_console_init(&con, NULL, &bus, 5,
					     &(struct irq_line){ set_intx, NULL, 0 },
					     &(struct msi_line){ NULL, NULL }), 0);
	con.route = route;
	driver_ok();
	return 0;
}

static void test_transmit(void **state)
{
	(void)state;
	memcpy(at(BUF), "hvc says hi\n", 12);
	desc(TX, 0, BUF, 4, VIRTQ_DESC_F_NEXT, 1);
	desc(TX, 1, BUF + 4, 8, 0, 0);
	offer(TX, 0);
	doorbell(TX);
	assert_int_equal(used_idx(TX), 1);
	assert_int_equal(used_len(TX, 0), 0);
	assert_int_equal(out_len, 12);
	assert_memory_equal(out, "hvc says hi\n", 12);
	assert_int_equal(con.bytes, 12);
}

/* Typed before a buffer: the bytes wait; each buffer takes what fits, in order, with an interrupt. */
static void test_receive(void **state)
{
	(void)state;
	assert_true(virtio_console_receiving(&con));
	type("ls -l\n");
	virtio_console_rx(&con);
	assert_null(con.input); /* no doorbell on the receive queue yet: typing goes elsewhere */
	memset(at(BUF), 0xee, 16);
	desc(RX, 0, BUF, 4, VIRTQ_DESC_F_WRITE, 0);
	desc(RX, 1, BUF + 8, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	desc(RX, 2, BUF + 9, 7, VIRTQ_DESC_F_WRITE, 0);
	offer(RX, 0);
	offer(RX, 1);
	doorbell(RX);
	assert_int_equal(routes, 1);
	assert_ptr_equal(con.input, &typed);
	assert_int_equal(used_idx(RX), 2);
	assert_int_equal(used_field(RX, 0, 0), 0);
	assert_int_equal(used_len(RX, 0), 4);
	assert_memory_equal(at(BUF), "ls -", 4);
	assert_int_equal(*at(BUF + 4), 0xee); /* nothing past the buffer */
	assert_int_equal(used_field(RX, 1, 0), 1);
	assert_int_equal(used_len(RX, 1), 2); /* across both buffers of the chain */
	assert_memory_equal(at(BUF + 8), "l\n", 2);
	assert_int_equal(*at(BUF + 10), 0xee);
	assert_int_equal(con.rx_bytes, 6);
	assert_int_equal(ring_count(&typed), 0);
	assert_true(irqs >= 1);
	/* A posted buffer waits for the next byte: nothing is taken while nothing is typed. */
	desc(RX, 3, BUF + 0x100, 64, VIRTQ_DESC_F_WRITE, 0);
	offer(RX, 3);
	doorbell(RX);
	assert_int_equal(used_idx(RX), 2);
	type("x");
	virtio_console_rx(&con);
	assert_int_equal(used_idx(RX), 3);
	assert_int_equal(used_len(RX, 2), 1);
	assert_int_equal(*at(BUF + 0x100), 'x');
}

/* Bytes wait in their bounded ring while no buffer is posted; nothing is lost or taken twice. */
static void test_receive_waits(void **state)
{
	(void)state;
	doorbell(RX); /* the driver is up, no buffer yet */
	type("0123456789abcdef");
	assert_false(ring_put(&typed, 'z')); /* the ring is full: its owner reports the drop */
	virtio_console_rx(&con);
	assert_int_equal(ring_count(&typed), 16);
	desc(RX, 0, BUF, 10, VIRTQ_DESC_F_WRITE, 0);
	offer(RX, 0);
	doorbell(RX);
	assert_int_equal(used_len(RX, 0), 10);
	assert_int_equal(ring_count(&typed), 6);
	desc(RX, 1, BUF + 0x40, 10, VIRTQ_DESC_F_WRITE, 0);
	offer(RX, 1);
	doorbell(RX);
	assert_int_equal(used_len(RX, 1), 6);
	assert_memory_equal(at(BUF), "0123456789", 10);
	assert_memory_equal(at(BUF + 0x40), "abcdef", 6);
}

/* Read-only, zero-length and read-then-write chains take no byte and go back empty. */
static void test_receive_refuses_readonly(void **state)
{
	(void)state;
	memset(at(BUF), 0xee, 0x100);
	desc(RX, 0, BUF, 8, 0, 0);                         /* device-readable */
	desc(RX, 1, BUF + 0x10, 0, VIRTQ_DESC_F_WRITE, 0);  /* writable, no length */
	desc(RX, 2, BUF + 0x20, 4, VIRTQ_DESC_F_NEXT, 3);   /* readable, then writable */
	desc(RX, 3, BUF + 0x30, 4, VIRTQ_DESC_F_WRITE, 0);
	desc(RX, 4, BUF + 0x40, 8, VIRTQ_DESC_F_WRITE, 0);  /* a good one after them */
	for (unsigned i = 0; i < 5; i++)
		if (i != 3)
			offer(RX, (uint16_t)i);
	type("pwd\n");
	doorbell(RX);
	assert_int_equal(used_idx(RX), 4);
	for (unsigned n = 0; n < 3; n++)
		assert_int_equal(used_len(RX, n), 0);
	assert_int_equal(con.rx_bad, 3);
	assert_int_equal(used_len(RX, 3), 4);
	assert_memory_equal(at(BUF + 0x40), "pwd\n", 4);
	for (unsigned k = 0; k < 0x40; k++)
		assert_int_equal(*at(BUF + k), 0xee); /* the refused buffers untouched */
	assert_true(virtio_running(&con.dev));
}

/* A buffer outside RAM, or wrapping the address space: the ring is broken, no byte is taken. */
static void test_receive_outside_ram(void **state)
{
	(void)state;
	desc(RX, 0, RAM_BASE + RAM_SIZE - 4, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(RX, 0);
	type("id\n");
	doorbell(RX);
	assert_int_equal(used_idx(RX), 0);
	assert_false(virtio_running(&con.dev)); /* DEVICE_NEEDS_RESET */
	assert_int_equal(ring_count(&typed), 3);
	/* Broken: later calls take nothing, and routing sends the bytes elsewhere. */
	route(NULL);
	assert_null(con.input);
	virtio_console_rx(&con);
	assert_int_equal(ring_count(&typed), 3);
}

static void test_receive_wrapping_length(void **state)
{
	(void)state;
	desc(RX, 0, 0xfffffffffffffff0ULL, 0x20, VIRTQ_DESC_F_WRITE, 0);
	offer(RX, 0);
	type("a");
	doorbell(RX);
	assert_int_equal(used_idx(RX), 0);
	assert_false(virtio_running(&con.dev));
	assert_int_equal(ring_count(&typed), 1);
}

/* A chain that loops through its own descriptors: refused, bounded. */
static void test_receive_loop(void **state)
{
	(void)state;
	desc(RX, 0, BUF, 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	desc(RX, 1, BUF + 4, 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 0);
	offer(RX, 0);
	type("b");
	doorbell(RX);
	assert_int_equal(used_idx(RX), 0);
	assert_false(virtio_running(&con.dev));
}

/* Without input (typing goes to the UART) the receive queue takes nothing; a reset routes again. */
static void test_no_input_no_receive(void **state)
{
	(void)state;
	con.route = NULL;
	desc(RX, 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(RX, 0);
	type("c");
	doorbell(RX);
	assert_int_equal(used_idx(RX), 0);
	assert_int_equal(ring_count(&typed), 1);
	con.route = route;
	doorbell(RX);
	assert_int_equal(used_idx(RX), 1);
	wr(0x14, 1, 0); /* the driver resets the device: typing goes elsewhere again */
	assert_int_equal(routes, 2);
	assert_null(con.input);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_transmit, setup),
		cmocka_unit_test_setup(test_receive, setup),
		cmocka_unit_test_setup(test_receive_waits, setup),
		cmocka_unit_test_setup(test_receive_refuses_readonly, setup),
		cmocka_unit_test_setup(test_receive_outside_ram, setup),
		cmocka_unit_test_setup(test_receive_wrapping_length, setup),
		cmocka_unit_test_setup(test_receive_loop, setup),
		cmocka_unit_test_setup(test_no_input_no_receive, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
