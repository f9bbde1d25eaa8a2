/* SPDX-License-Identifier: MIT */
/* ALU results and status flags; see arch/alu.h. */
#include <arch/alu.h>
#include <arch/cpu.h>

/* PF: set when the low byte of the result has an even number of 1 bits. */
static uint64_t parity_flag(uint64_t r)
{
	r &= 0xff;
	r ^= r >> 4;
	r ^= r >> 2;
	r ^= r >> 1;
	return (r & 1) ? 0 : RFLAGS_PF;
}

uint64_t alu_compute(enum alu_op op, unsigned size, uint64_t a, uint64_t b, uint64_t *rflags)
{
	uint64_t mask = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
	uint64_t sign = 1ULL << (8 * size - 1), r, fl;

	a &= mask;
	b &= mask;
	switch (op) {
	case ALU_AND:
		r = a & b;
		break;
	case ALU_OR:
		r = a | b;
		break;
	case ALU_XOR:
		r = a ^ b;
		break;
	default:
		r = (a - b) & mask;
		break;
	}
	fl = (r == 0 ? RFLAGS_ZF : 0) | (r & sign ? RFLAGS_SF : 0) | parity_flag(r);
	if (op != ALU_SUB) {
		/*
		 * AND, OR, XOR, TEST: OF = CF = 0, SF/ZF/PF from the result; AF is
		 * undefined (SDM Vol. 2A "AND"), so the guest's AF is kept.
		 */
		*rflags = (*rflags & ~(RFLAGS_CF | RFLAGS_PF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)) | fl;
		return r;
	}
	/* SUB/CMP: CF is the borrow out, AF the borrow out of bit 3, OF a signed overflow. */
	fl |= (a < b ? RFLAGS_CF : 0) | ((a ^ b ^ r) & 0x10 ? RFLAGS_AF : 0) |
	      ((a ^ b) & (a ^ r) & sign ? RFLAGS_OF : 0);
	*rflags = (*rflags & ~(RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)) |
		  fl;
	return r;
}
