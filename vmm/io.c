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

/* The window io_bell_window() tests: from the lowest doorbell to the end of the highest. */
static void bell_window(struct io_registry *io)
{
	uint64_t lo = ~0ULL, hi = 0;

	for (unsigned i = 0; i < io->nr_bells; i++) {
		if (io->bells[i].base < lo)
			lo = io->bells[i].base;
		if (io->bells[i].base + io->bells[i].len > hi)
			hi = io->bells[i].base + io->bells[i].len;
	}
	io->bell_lo = io->nr_bells ? lo : 0;
	io->bell_span = io->nr_bells ? hi - lo : 0;
}

int io_set_doorbell(struct vm *vm, uint64_t base, uint64_t len, io_doorbell_fn *fn, void *dev)
{
	struct io_registry *io = &vm->io;
	const struct io_range *r;

	for (unsigned i = 0; i < io->nr_bells; i++) {
		if (io->bells[i].fn != fn || io->bells[i].dev != dev)
			continue;
		io->bells[i] = io->bells[--io->nr_bells];
		bell_window(io);
		break;
	}
	if (!len)
		return 0;
	r = io_find(io->mmio, io->nr_mmio, base, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
	if (!r || r->dev != dev || len > UINT32_MAX)
		return -EINVAL; /* only inside dev's own range */
	if (io->nr_bells == IO_BELLS_MAX)
		return -ENOSPC;
	io->bells[io->nr_bells++] = (struct io_bell){ base, len, fn, dev };
	bell_window(io);
	return 0;
}

const struct io_bell *io_find_bell(const struct io_registry *io, uint64_t gpa)
{
	for (unsigned i = 0; i < io->nr_bells; i++)
		if (gpa - io->bells[i].base < io->bells[i].len)
			return &io->bells[i];
	return NULL;
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
