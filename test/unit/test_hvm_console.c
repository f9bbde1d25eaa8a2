/* SPDX-License-Identifier: MIT */
/*
 * Host tests for which console of an hvm guest takes typed input
 * (vmm/hvm_console.c): its UART, or with console=hvc0 its virtio-console
 * once the driver is up (DRIVER_OK and the receive queue's doorbell), the
 * UART again after a reset or a broken ring. The real virtio-console,
 * transport and walker, a fake guest RAM; the UART is a stand-in that
 * counts refills.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <boot/config.h>
#include <keel/hvm.h>
#include <keel/vm.h>

#define RAM_BASE 0x100000ULL
#define RAM_SIZE 0x20000ULL
#define Q(n)     (RAM_BASE + (n) * 0x3000)
#define BUF      (RAM_BASE + 0x10000)
#define QSIZE    VIRTIO_CONSOLE_QUEUE_SIZE

static struct vm vm;
static struct hvm_platform *h;
static struct cfg_guest cfg;
static uint8_t ram[RAM_SIZE];
static unsigned uart_refills;

#include "virtio_stubs.h"

void vm_console_putc(struct vm *v, char c)
{
	(void)v, (void)c;
}

void printk(const char *fmt, ...)
{
	(void)fmt;
}

void vuart_refill(struct vuart *u)
{
	(void)u;
	uart_refills++;
}

static void intx(void *ctx, unsigned gsi, bool level)
{
	(void)ctx, (void)gsi, (void)level;
}

static uint8_t *at(uint64_t gpa)
{
	return ram + (gpa - RAM_BASE);
}

#define DEV (&h->vcon.dev)
#include "virtio_driver.h"

/* The guest as hvm_virtio_build leaves it: UART input, the console's route hook set. */
static void build(uint8_t console)
{
	memset(ram, 0, sizeof(ram));
	memset(&vm, 0, sizeof(vm));
	memset(h, 0, sizeof(*h));
	cfg = (struct cfg_guest){ .type = CFG_GUEST_HVM, .console = console };
	vm.cfg = &cfg;
	vm.hvm = h;
	ring_init(&vm.con.in, vm.con.in_buf, sizeof(vm.con.in_buf));
	vm.uart.input = &vm.con.in;
	uart_refills = 0;
	pci_bus_init(&h->pci);
	assert_int_equal(virtio_console_init(&h->vcon, &vm, &h->pci, 5,
					     &(struct irq_line){ intx, NULL, 0 },
					     &(struct msi_line){ NULL, NULL }), 0);
	h->vcon.route = hvm_console_route;
	h->vcon.ctx = &vm;
	hvm_console_route(&vm);
}

static void type(const char *s)
{
	while (*s)
		assert_true(ring_put(&vm.con.in, (uint8_t)*s++));
}

static void post_buffer(void)
{
	desc(0, 0, BUF, 64, VIRTQ_DESC_F_WRITE, 0);
	offer(0, 0);
	doorbell(0);
}

static bool to_uart(void)
{
	return vm.uart.input == &vm.con.in && !h->vcon.input;
}

static bool to_hvc(void)
{
	return !vm.uart.input && h->vcon.input == &vm.con.in;
}

/* console=hvc0: the UART until the driver posts receive buffers, then hvc0. */
static void test_hvc0_after_driver(void **state)
{
	(void)state;
	build(CFG_HVM_CONSOLE_HVC0);
	assert_true(to_uart()); /* firmware, boot loader */
	type("a");
	hvm_console_refill(&vm);
	assert_int_equal(uart_refills, 1);
	driver_ok_with(0);
	assert_true(to_uart()); /* DRIVER_OK alone: no buffer yet, the UART keeps it */
	post_buffer();
	assert_true(to_hvc());
	assert_int_equal(used_idx(0), 1); /* the waiting byte went in */
	assert_int_equal(*at(BUF), 'a');
	type("b");
	hvm_console_refill(&vm);
	assert_int_equal(uart_refills, 1); /* not the UART's any more */
	assert_int_equal(ring_count(&vm.con.in), 1); /* waits for the next buffer */
}

/* A reset (a reboot) and a broken ring give the UART its input back. */
static void test_back_to_uart(void **state)
{
	(void)state;
	build(CFG_HVM_CONSOLE_HVC0);
	driver_ok_with(0);
	post_buffer();
	assert_true(to_hvc());
	wr(0x14, 1, 0);
	assert_true(to_uart());
	/* Set up again, its first buffer outside RAM: NEEDS_RESET; the next poll routes to the UART. */
	memset(ram, 0, sizeof(ram));
	driver_ok_with(0);
	type("c");
	desc(0, 0, RAM_BASE + RAM_SIZE, 8, VIRTQ_DESC_F_WRITE, 0);
	offer(0, 0);
	doorbell(0);
	assert_false(virtio_running(&h->vcon.dev));
	assert_true(to_hvc()); /* until Keel next looks */
	hvm_console_refill(&vm);
	assert_true(to_uart());
	assert_int_equal(uart_refills, 1);
	assert_int_equal(ring_count(&vm.con.in), 1); /* not lost: the UART takes it */
}

/* console=ttyS0 (the default): the UART always, whatever the driver does. */
static void test_ttys0_keeps_uart(void **state)
{
	(void)state;
	build(CFG_HVM_CONSOLE_UART);
	driver_ok_with(0);
	type("d");
	post_buffer();
	assert_true(to_uart());
	assert_int_equal(used_idx(0), 0);
	hvm_console_refill(&vm);
	assert_int_equal(uart_refills, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hvc0_after_driver),
		cmocka_unit_test(test_back_to_uart),
		cmocka_unit_test(test_ttys0_keeps_uart),
	};

	h = calloc(1, sizeof(*h));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
