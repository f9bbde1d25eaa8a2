/* SPDX-License-Identifier: MIT */
/*
 * The I/O registry: port and MMIO ranges of a VM, each owned by a device
 * model that sees only an access record (STYLE.md 10).
 */
#ifndef KEEL_IO_H
#define KEEL_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;

struct io_access {
	uint64_t addr;  /* port or guest-physical address */
	uint32_t size;  /* 1, 2, 4 or 8 bytes */
	bool write;
	uint64_t value; /* written value, or where a read puts its result */
};

typedef int io_handler_fn(struct vm *vm, void *dev, struct io_access *a);
/*
 * A string fast path for one port (REP INS/OUTS): move up to len bytes
 * between buf (guest memory) and the device; returns bytes moved.
 */
typedef size_t io_string_fn(struct vm *vm, void *dev, void *buf, size_t len, bool write);

struct io_range {
	uint64_t base, len;
	io_handler_fn *fn;
	void *dev;
	io_string_fn *string_fn; /* optional, for the port string_port only */
	uint64_t string_port;
};

/*
 * A doorbell: guest-physical [base, base + len) where a write's value does
 * not matter, the address alone says what to do (virtio's notify region:
 * the address names the queue). The EPT-violation exit rings it with the
 * offset from base and only the instruction's length decoded; reads and
 * anything but a plain MOV store go to the MMIO range as any access does.
 */
typedef void io_doorbell_fn(struct vm *vm, void *dev, uint64_t off);

struct io_bell {
	uint64_t base, len;
	io_doorbell_fn *fn;
	void *dev;
};

#define IO_RANGES_MAX 32
#define IO_BELLS_MAX  8

struct io_registry {
	unsigned nr_pio, nr_mmio, nr_bells;
	/* [bell_lo, bell_lo + bell_span) holds every doorbell: one test passes other MMIO by */
	uint64_t bell_lo, bell_span;
	struct io_range pio[IO_RANGES_MAX];
	struct io_range mmio[IO_RANGES_MAX];
	struct io_bell bells[IO_BELLS_MAX];
};

int io_register_pio(struct vm *vm, uint16_t base, uint16_t len, io_handler_fn *fn, void *dev);
int io_register_mmio(struct vm *vm, uint64_t base, uint64_t len, io_handler_fn *fn, void *dev);
/*
 * A range that moves (a PCI BAR the guest programs): drop dev's range
 * handled by fn, if any, then register [base, base+len) unless len is 0.
 * Errors as io_register_mmio(); the range is then gone.
 */
int io_move_mmio(struct vm *vm, uint64_t base, uint64_t len, io_handler_fn *fn, void *dev);
/*
 * dev's doorbell handled by fn moves to [base, base + len), or goes when
 * len is 0 (a BAR moved or turned off). -EINVAL unless it lies inside an
 * MMIO range of dev's (where EPT maps nothing, so a write there exits),
 * -ENOSPC when IO_BELLS_MAX are set.
 */
int io_set_doorbell(struct vm *vm, uint64_t base, uint64_t len, io_doorbell_fn *fn, void *dev);
/* The doorbell holding gpa, or NULL. */
const struct io_bell *io_find_bell(const struct io_registry *io, uint64_t gpa);
/* Whether gpa may be a doorbell: false for every address when there are none. */
static inline bool io_bell_window(const struct io_registry *io, uint64_t gpa)
{
	return gpa - io->bell_lo < io->bell_span;
}
/* Give the registered range holding port a string fast path for that port. */
int io_set_pio_string(struct vm *vm, uint16_t port, io_string_fn *fn);
/* Dispatch: 0 if a device took it, -ENOENT if no device claims the address. */
int io_pio(struct vm *vm, struct io_access *a);
int io_mmio(struct vm *vm, struct io_access *a);
const struct io_range *io_find(const struct io_range *r, unsigned n, uint64_t addr, uint32_t size);

#endif
