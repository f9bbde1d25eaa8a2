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
#define RFLAGS_DF       BIT(10)
#define CHUNK_BYTES     4096

unsigned vmx_guest_read_linear(struct vcpu *v, uint64_t la, void *dst, unsigned len);
unsigned vmx_guest_write_linear(struct vcpu *v, uint64_t la, const void *src, unsigned len);

struct vcpu *exit_io_string(struct vcpu *v)
{
	uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	unsigned size = IO_QUAL_SIZE(q), asz = (vmcs_read32(VMCS_EXIT_INSTR_INFO) >> 7) & 7;
	uint64_t amask = asz == 0 ? 0xffff : asz == 1 ? 0xffffffff : ~0ULL;
	bool in = q & IO_QUAL_IN, rep = q & IO_QUAL_REP;
	int64_t step = (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_DF) ? -(int64_t)size : size;
	uint64_t la = vmcs_read(VMCS_GUEST_LINEAR_ADDRESS);
	unsigned idx = in ? REG_RDI : REG_RSI;
	uint64_t count = rep ? v->gpr.r[REG_RCX] & amask : 1, n;

	for (n = 0; n < count && n * size < CHUNK_BYTES; n++, la += step) {
		struct io_access a = { .addr = IO_QUAL_PORT(q), .size = size, .write = !in };
		uint64_t val = 0;

		if (!in && vmx_guest_read_linear(v, la, &val, size) != size)
			vm_stop(v->vm, "OUTS from unmapped guest address 0x%lx", la);
		a.value = val;
		if (io_pio(v->vm, &a) && in)
			a.value = ~0ULL;
		if (in && vmx_guest_write_linear(v, la, &a.value, size) != size)
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
