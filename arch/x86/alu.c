/* SPDX-License-Identifier: MIT */
/* ALU results and status flags; see arch/alu.h (SDM Vol. 2, each one's "Flags Affected"). */
#include <arch/alu.h>
#include <arch/cpu.h>

#define STATUS (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

/* PF: set when the low byte of the result has an even number of 1 bits. */
static uint64_t parity_flag(uint64_t r)
{
	r &= 0xff;
	r ^= r >> 4;
	r ^= r >> 2;
	r ^= r >> 1;
	return (r & 1) ? 0 : RFLAGS_PF;
}

/*
 * a + b + c or a - b - c (c: carry or borrow in, 0 or 1) and all six flags.
 * The carries out of every bit come from the operands and the result
 * without a wider type, so 64-bit operands need no special case: bit n-1
 * gives CF, bit 3 AF.
 */
static uint64_t add_sub(bool sub, uint64_t mask, uint64_t sign, uint64_t a, uint64_t b,
			uint64_t c, uint64_t *fl)
{
	uint64_t r = (sub ? a - b - c : a + b + c) & mask, carries, ov;

	if (sub) {
		carries = (~a & b) | (~(a ^ b) & r);
		ov = (a ^ b) & (a ^ r);
	} else {
		carries = (a & b) | ((a ^ b) & ~r);
		ov = ~(a ^ b) & (a ^ r);
	}
	*fl = (carries & sign ? RFLAGS_CF : 0) | ((a ^ b ^ r) & 0x10 ? RFLAGS_AF : 0) |
	      (ov & sign ? RFLAGS_OF : 0);
	return r;
}

uint64_t alu_compute(enum alu_op op, unsigned size, uint64_t a, uint64_t b, uint64_t *rflags)
{
	uint64_t mask = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
	uint64_t sign = 1ULL << (8 * size - 1), cf = *rflags & RFLAGS_CF, written = STATUS;
	uint64_t r, fl = 0, bit;

	a &= mask;
	b &= mask;
	switch (op) {
	case ALU_ADD: case ALU_ADC: case ALU_SUB: case ALU_SBB:
		r = add_sub(op == ALU_SUB || op == ALU_SBB, mask, sign, a, b,
			    op == ALU_ADC || op == ALU_SBB ? cf : 0, &fl);
		break;
	case ALU_INC: case ALU_DEC: /* CF is kept (SDM Vol. 2A "INC", "DEC") */
		r = add_sub(op == ALU_DEC, mask, sign, a, 1, 0, &fl);
		written &= ~RFLAGS_CF;
		break;
	case ALU_NEG: /* 0 - a: CF is set unless a was 0 */
		r = add_sub(true, mask, sign, 0, a, 0, &fl);
		break;
	case ALU_NOT:
		return ~a & mask;
	case ALU_BT: case ALU_BTS: case ALU_BTR: case ALU_BTC:
		/*
		 * CF is the bit; OF, SF, AF and PF are undefined (SDM Vol. 2A
		 * "BT") and Intel CPUs keep them, as they keep ZF.
		 */
		bit = 1ULL << (b & (8 * size - 1));
		r = op == ALU_BT ? a : op == ALU_BTS ? a | bit : op == ALU_BTR ? a & ~bit : a ^ bit;
		*rflags = (*rflags & ~RFLAGS_CF) | (a & bit ? RFLAGS_CF : 0);
		return r;
	default:
		/*
		 * AND, OR, XOR: OF = CF = 0. AF is undefined (SDM Vol. 2A "AND");
		 * Intel CPUs clear it, and so does Keel.
		 */
		r = op == ALU_AND ? a & b : op == ALU_OR ? a | b : a ^ b;
		break;
	}
	fl |= (r == 0 ? RFLAGS_ZF : 0) | (r & sign ? RFLAGS_SF : 0) | parity_flag(r);
	*rflags = (*rflags & ~written) | (fl & written);
	return r;
}
