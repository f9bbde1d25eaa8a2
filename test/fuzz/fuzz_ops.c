/* SPDX-License-Identifier: MIT */
/*
 * The operation stream the device targets share. One op is a byte and its
 * arguments (little-endian; a short input reads as zeros):
 *
 *   op & 7   what                  arguments
 *   0, 1     port read, write      range, offset, value (write): a port in a
 *                                  range the VM registered; with op bit 5, a
 *                                  raw 16-bit port instead of range and offset
 *   2, 3     MMIO read, write      range, 16-bit offset, value (write)
 *   4        time passes           16-bit count, shifted left by op >> 3
 *   5        interrupt acknowledge the target's
 *   6        device input          the target's (an interrupt line, a byte)
 *   7        op >> 3 & 3: 0 REP INS/OUTS on a string port (op bit 5: OUTS;
 *            16-bit count, OUTS data), 1 reset, 2-3 port read as above
 *
 * Access size is op >> 3 & 3: 1, 2, 4 or (MMIO) 8 bytes; a port access of
 * code 3 is 1 byte. Values are masked to the size, as the exit handlers do.
 */
#include <stdlib.h>
#include <string.h>

#include <keel/errno.h>
#include <keel/vm.h>
#include <keel/vtime.h>

#include "fuzz.h"

#define STRING_CHUNK 4096 /* bytes one string exit moves at most (exit_io_string.c) */

uint64_t fuzz_now;
struct fuzz_irqs fuzz_irqs;

uint64_t vm_time_ns(struct vm *vm)
{
	(void)vm;
	return fuzz_now;
}

static void irq_set_rec(void *ctx, unsigned gsi, bool level)
{
	struct fuzz_irqs *r = ctx;

	FUZZ_CHECK(gsi < FUZZ_IRQS && (r->wired & (1u << gsi)),
		   "a device drives only the interrupt line it was given");
	if (level && !r->level[gsi])
		r->rises[gsi]++;
	r->level[gsi] = level;
}

struct irq_line fuzz_irq_line(unsigned gsi)
{
	fuzz_irqs.wired |= 1u << gsi;
	return (struct irq_line){ irq_set_rec, &fuzz_irqs, gsi };
}

static uint64_t mask_of(uint32_t size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

uint64_t fuzz_access(struct vm *vm, bool mmio, uint64_t addr, uint32_t size, bool write,
		     uint64_t value)
{
	struct io_access a = { addr, size, write, write ? value & mask_of(size) : 0 };
	int rc = mmio ? io_mmio(vm, &a) : io_pio(vm, &a);

	/* An address no device claims reads all ones (exit_io.c, exit_ept.c). */
	if (rc && !write)
		a.value = ~0ULL;
	return a.value & mask_of(size);
}

static void port_op(struct vm *vm, uint8_t op, struct fuzz_in *in)
{
	static const uint32_t sizes[4] = { 1, 2, 4, 1 };
	uint32_t size = sizes[op >> 3 & 3];
	bool write = op & 1 && (op & 7) < 2;
	uint64_t port;

	if ((op & 0x20) || !vm->io.nr_pio) {
		port = fuzz_u16(in);
	} else {
		const struct io_range *r = &vm->io.pio[fuzz_u8(in) % vm->io.nr_pio];

		port = r->base + fuzz_u8(in) % r->len;
	}
	fuzz_access(vm, false, port, size, write, write ? fuzz_le(in, size) : 0);
}

static void mmio_op(struct vm *vm, uint8_t op, struct fuzz_in *in)
{
	uint32_t size = 1u << (op >> 3 & 3);
	bool write = op & 1;
	const struct io_range *r;
	uint64_t addr;

	if (!vm->io.nr_mmio)
		return port_op(vm, op & ~1u, in);
	r = &vm->io.mmio[fuzz_u8(in) % vm->io.nr_mmio];
	addr = r->base + fuzz_u16(in) % r->len;
	fuzz_access(vm, true, addr, size, write, write ? fuzz_le(in, size) : 0);
}

/*
 * REP INS/OUTS as exit_io_string.c runs one exit of it: the device's string
 * function moves what it can straight to or from guest memory (here a
 * buffer of exactly that size, so ASan sees any overrun), then the rest
 * goes element by element, up to a chunk.
 */
static void string_op(struct vm *vm, uint8_t op, struct fuzz_in *in)
{
	static const uint32_t sizes[4] = { 1, 2, 4, 2 };
	const struct io_range *str[IO_RANGES_MAX], *r;
	uint32_t size = sizes[fuzz_u8(in) & 3], n = 0, count;
	bool write = op & 0x20;
	unsigned nr = 0;
	uint8_t *buf;
	size_t bytes, moved;

	for (unsigned i = 0; i < vm->io.nr_pio; i++)
		if (vm->io.pio[i].string_fn)
			str[nr++] = &vm->io.pio[i];
	if (!nr)
		return;
	r = str[fuzz_u8(in) % nr];
	count = fuzz_u16(in) % (STRING_CHUNK / size + 1);
	bytes = (size_t)count * size;
	buf = malloc(bytes ? bytes : 1);
	for (size_t i = 0; i < bytes; i++)
		buf[i] = write ? fuzz_u8(in) : 0xa5;
	moved = bytes ? r->string_fn(vm, r->dev, buf, bytes, write) : 0;
	FUZZ_CHECK(moved <= bytes, "a string transfer moves at most the bytes asked for");
	free(buf);
	for (n = (uint32_t)(moved / size); n < count; n++)
		fuzz_access(vm, false, r->string_port, size, write, write ? fuzz_le(in, size) : 0);
}

static void time_op(uint8_t op, struct fuzz_in *in)
{
	uint64_t delta = ((uint64_t)fuzz_u16(in) + 1) << (op >> 3);

	fuzz_now = delta > FUZZ_TIME_MAX - fuzz_now ? FUZZ_TIME_MAX : fuzz_now + delta;
}

void fuzz_run_ops(struct vm *vm, const uint8_t *data, size_t size, const struct fuzz_target *t)
{
	struct fuzz_in in = { data, size, 0 };

	for (unsigned ops = 0; ops < FUZZ_OPS_MAX && fuzz_more(&in); ops++) {
		uint8_t op = fuzz_u8(&in);

		switch (op & 7) {
		case 0: case 1: port_op(vm, op, &in); break;
		case 2: case 3: mmio_op(vm, op, &in); break;
		case 4: time_op(op, &in); break;
		case 5: if (t->ack) t->ack(vm, &in); break;
		case 6: if (t->extra) t->extra(vm, &in); break;
		default:
			switch (op >> 3 & 3) {
			case 0: string_op(vm, op, &in); break;
			case 1: if (t->reset) t->reset(vm); break;
			default: port_op(vm, op & ~1u, &in); break;
			}
		}
		if (t->after_op)
			t->after_op(vm);
	}
}
