/* SPDX-License-Identifier: MIT */
/*
 * The arithmetic an emulated instruction does on a memory operand, with
 * the status flags it leaves in RFLAGS. Pure logic, host-tested against
 * the CPU's own results and flags.
 */
#ifndef ARCH_ALU_H
#define ARCH_ALU_H

#include <stdbool.h>
#include <stdint.h>

/*
 * ADD-XOR in the order of the /digit of group 1 and bits 5:3 of opcodes
 * 00-3F (CMP, /7, is a SUB that keeps only the flags; TEST an AND); NOT
 * and NEG follow INC and DEC as F6/F7 /2 and /3 do; BT-BTC as 0F BA /4-/7.
 */
enum alu_op {
	ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR,
	ALU_INC, ALU_DEC, ALU_NOT, ALU_NEG,
	ALU_BT, ALU_BTS, ALU_BTR, ALU_BTC,
	ALU_NR
};

/* INC, DEC, NOT and NEG have no source operand. */
static inline bool alu_unary(enum alu_op op)
{
	return op >= ALU_INC && op <= ALU_NEG;
}

/*
 * a op b on size-byte operands (1, 2, 4, 8; higher bits ignored; BT* take
 * no byte operand). For BT-BTC, b is the bit offset, taken modulo the
 * operand's width as the CPU does; unary ops ignore b. ADC and SBB take CF
 * from *rflags. Returns the result, zero-extended (BT: a unchanged), and
 * updates the status flags in *rflags as the instruction does on an Intel
 * CPU, undefined ones included (the other bits are kept):
 *   ADD ADC SUB SBB NEG (and CMP)  CF PF AF ZF SF OF
 *   AND OR XOR (and TEST)          CF = OF = AF = 0, PF ZF SF
 *   INC DEC                        as ADD/SUB 1, CF kept
 *   NOT                            none
 *   BT BTS BTR BTC                 CF = the bit; the rest kept
 */
uint64_t alu_compute(enum alu_op op, unsigned size, uint64_t a, uint64_t b, uint64_t *rflags);

#endif
