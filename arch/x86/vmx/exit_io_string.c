/* SPDX-License-Identifier: MIT */
/*
 * INS/OUTS, with or without REP (SDM Vol. 3C 28.2.5: the guest-linear
 * address field holds the first element's address; the instruction-
 * information field gives the address size). Up to a page is moved per
 * exit; a REP with elements left re-executes, so a long transfer stays
 * interruptible and each exit stays short.
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <keel/io.h>
#include <keel/vm.h>

#define IO_QUAL_SIZE(q) (((q) & 7) + 1)
#define IO_QUAL_IN      BIT(3)
#define IO_QUAL_REP     BIT(5)
#define IO_QUAL_PORT(q) ((q) >> 16 & 0xffff)
#define CHUNK_BYTES     4096

/*
 * The fast path: the device moves bytes straight to or from guest memory,
 * a page at a time. Returns the elements moved (0: take the slow path).
 */
static uint64_t string_fast(struct vcpu *v, const struct io_range *r, uint64_t la,
			    uint64_t count, unsigned size, bool in)
{
	uint64_t done = 0;

	while (done < count && done * size < CHUNK_BYTES) {
		uint64_t gpa, room = PAGE_SIZE - (la & (PAGE_SIZE - 1));
		uint64_t bytes = (count - done) * size;
		size_t moved;
		void *p;

		if (bytes > room)
			bytes = room - room % size;
		/* Memory the guest cannot write takes the slow path, which drops the bytes. */
		if (!bytes || vmx_guest_translate(v, la, &gpa) ||
		    !(p = in ? vm_gpa_to_hva_write(v->vm, gpa, bytes) : vm_gpa_to_hva(v->vm, gpa, bytes)))
			break;
		moved = r->string_fn(v->vm, r->dev, p, bytes, !in);
		done += moved / size;
		la += moved - moved % size;
		if (moved < bytes)
			break;
	}
	return done;
}

struct vcpu *exit_io_string(struct vcpu *v)
{
	uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	unsigned size = IO_QUAL_SIZE(q), asz = (vmcs_read32(VMCS_EXIT_INSTR_INFO) >> 7) & 7;
	uint64_t amask = asz == 0 ? 0xffff : asz == 1 ? 0xffffffff : ~0ULL;
	bool in = q & IO_QUAL_IN, rep = q & IO_QUAL_REP;
	int64_t step = (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_DF) ? -(int64_t)size : size;
	uint64_t la = vmcs_read(VMCS_GUEST_LINEAR_ADDRESS);
	unsigned idx = in ? REG_RDI : REG_RSI;
	uint64_t count = rep ? v->gpr.r[REG_RCX] & amask : 1, n = 0;
	const struct io_range *r = io_find(v->vm->io.pio, v->vm->io.nr_pio, IO_QUAL_PORT(q), size);

	if (r && r->string_fn && r->string_port == IO_QUAL_PORT(q) && step > 0) {
		n = string_fast(v, r, la, count, size, in);
		la += n * size;
	}
	for (; n < count && n * size < CHUNK_BYTES; n++, la += step) {
		struct io_access a = { .addr = IO_QUAL_PORT(q), .size = size, .write = !in };
		uint64_t val = 0;

		if (!in && vmx_guest_read_linear(v, la, &val, size) != size)
			vm_stop(v->vm, "OUTS from unmapped guest address 0x%lx", la);
		a.value = val;
		if (io_pio(v->vm, &a) && in)
			a.value = ~0ULL;
		if (in && vmx_guest_store_linear(v, la, &a.value, size) != size)
			vm_stop(v->vm, "INS to unmapped guest address 0x%lx", la);
	}
	/* Advance the index register (and RCX) within the address size. */
	v->gpr.r[idx] = (v->gpr.r[idx] & ~amask) | ((v->gpr.r[idx] + n * step) & amask);
	if (rep)
		v->gpr.r[REG_RCX] = (v->gpr.r[REG_RCX] & ~amask) | ((count - n) & amask);
	if (!rep || n == count)
		vmx_skip_instruction();
	return v;
}
