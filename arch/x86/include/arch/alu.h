/* SPDX-License-Identifier: MIT */
/*
 * The arithmetic an emulated instruction does on a memory operand, with
 * the status flags it leaves in RFLAGS. Pure logic, host-tested.
 */
#ifndef ARCH_ALU_H
#define ARCH_ALU_H

#include <stdint.h>

enum alu_op { ALU_AND, ALU_OR, ALU_XOR, ALU_SUB };

/*
 * a op b on size-byte operands (1, 2, 4, 8; higher bits ignored). Returns
 * the result, zero-extended, and updates CF, PF, AF, ZF, SF and OF in
 * *rflags as the instruction would (the other bits are kept).
 */
uint64_t alu_compute(enum alu_op op, unsigned size, uint64_t a, uint64_t b, uint64_t *rflags);

#endif
