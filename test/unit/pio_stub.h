/* SPDX-License-Identifier: MIT */
/*
 * A test double for the I/O registry, shared by device-model tests: it
 * remembers the port ranges a model registers and dispatches accesses to
 * them by port, as VM exits would. Define VM (the struct vm * the model is
 * given) before including this.
 */
#ifndef TEST_UNIT_PIO_STUB_H
#define TEST_UNIT_PIO_STUB_H

static struct io_range ranges[8];
static unsigned nr_ranges;

int io_register_pio(struct vm *vm, uint16_t base, uint16_t len, io_handler_fn *fn, void *dev)
{
	assert_ptr_equal(vm, VM);
	assert_true(nr_ranges < 8);
	ranges[nr_ranges++] = (struct io_range){ .base = base, .len = len, .fn = fn, .dev = dev };
	return 0;
}

static uint64_t pio(uint16_t port, uint32_t size, bool write, uint64_t value)
{
	struct io_access a = { port, size, write, value };

	for (unsigned i = 0; i < nr_ranges; i++) {
		if (port >= ranges[i].base && port + size <= ranges[i].base + ranges[i].len) {
			assert_int_equal(ranges[i].fn(VM, ranges[i].dev, &a), 0);
			return a.value;
		}
	}
	fail_msg("no device at port %#x", port);
	return 0;
}

static void outb(uint16_t port, uint8_t v)
{
	pio(port, 1, true, v);
}

static uint8_t inb(uint16_t port)
{
	return (uint8_t)pio(port, 1, false, 0);
}

#endif
