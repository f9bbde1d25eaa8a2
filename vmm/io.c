/* SPDX-License-Identifier: MIT */
/* The I/O registry; see keel/io.h. */
#include <keel/errno.h>
#include <keel/io.h>
#include <keel/vm.h>

const struct io_range *io_find(const struct io_range *r, unsigned n, uint64_t addr, uint32_t size)
{
	for (unsigned i = 0; i < n; i++)
		if (addr >= r[i].base && addr - r[i].base < r[i].len &&
		    size <= r[i].len - (addr - r[i].base))
			return &r[i];
	return NULL;
}

static int add(struct io_range *r, unsigned *n, uint64_t base, uint64_t len, io_handler_fn *fn,
	       void *dev)
{
	if (!len || base + len < base)
		return -EINVAL;
	for (unsigned i = 0; i < *n; i++)
		if (base < r[i].base + r[i].len && r[i].base < base + len)
			return -EEXIST;
	if (*n == IO_RANGES_MAX)
		return -ENOSPC;
	r[(*n)++] = (struct io_range){ .base = base, .len = len, .fn = fn, .dev = dev };
	return 0;
}

int io_register_pio(struct vm *vm, uint16_t base, uint16_t len, io_handler_fn *fn, void *dev)
{
	if ((uint32_t)base + len > 0x10000)
		return -EINVAL;
	return add(vm->io.pio, &vm->io.nr_pio, base, len, fn, dev);
}

/*
 * MMIO ranges must lie where EPT maps nothing: an access to RAM or ROM never
 * exits. Guest memory need not start at 0 nor be contiguous (an hvm guest's
 * RAM sits below and above the PCI hole), so every region is checked.
 */
int io_register_mmio(struct vm *vm, uint64_t base, uint64_t len, io_handler_fn *fn, void *dev)
{
	for (unsigned i = 0; i < vm->nr_mem; i++)
		if (base < vm->mem[i].gpa + vm->mem[i].size && vm->mem[i].gpa < base + len)
			return -EINVAL;
	return add(vm->io.mmio, &vm->io.nr_mmio, base, len, fn, dev);
}

int io_move_mmio(struct vm *vm, uint64_t base, uint64_t len, io_handler_fn *fn, void *dev)
{
	struct io_registry *io = &vm->io;

	for (unsigned i = 0; i < io->nr_mmio; i++) {
		if (io->mmio[i].fn != fn || io->mmio[i].dev != dev)
			continue;
		io->mmio[i] = io->mmio[--io->nr_mmio];
		break;
	}
	return len ? io_register_mmio(vm, base, len, fn, dev) : 0;
}

int io_set_pio_string(struct vm *vm, uint16_t port, io_string_fn *fn)
{
	struct io_range *r = (struct io_range *)io_find(vm->io.pio, vm->io.nr_pio, port, 1);

	if (!r)
		return -ENOENT;
	r->string_fn = fn;
	r->string_port = port;
	return 0;
}

int io_pio(struct vm *vm, struct io_access *a)
{
	const struct io_range *r = io_find(vm->io.pio, vm->io.nr_pio, a->addr, a->size);

	return r ? r->fn(vm, r->dev, a) : -ENOENT;
}

int io_mmio(struct vm *vm, struct io_access *a)
{
	const struct io_range *r = io_find(vm->io.mmio, vm->io.nr_mmio, a->addr, a->size);

	return r ? r->fn(vm, r->dev, a) : -ENOENT;
}
