/* SPDX-License-Identifier: MIT */
/*
 * Decoding the instructions guests use on MMIO registers, so an EPT
 * violation on a device page can be emulated. Pure logic, host-tested.
 * Supported: MOV r/m<->reg (88/89/8A/8B), MOV r/m,imm (C6/C7), MOV with a
 * moffs (A0-A3), MOVZX and MOVSX loads (0F B6/B7/BE/BF), with 66/67,
 * segment and REX prefixes.
 */
#ifndef ARCH_DECODE_H
#define ARCH_DECODE_H

#include <stdbool.h>
#include <stdint.h>

enum mmio_op { MMIO_LOAD, MMIO_STORE };

struct mmio_insn {
	enum mmio_op op;
	uint8_t size;      /* bytes accessed in memory: 1, 2, 4, 8 */
	uint8_t dst_size;  /* register width written by a load */
	uint8_t reg;       /* SDM register number (REG_RAX...) */
	bool high8;        /* AH/CH/DH/BH: bits 15:8 of reg */
	bool has_imm;      /* store of imm instead of reg */
	bool sign_extend;  /* MOVSX */
	uint64_t imm;      /* already sign-extended to 64 bits */
	uint8_t len;       /* instruction length in bytes */
};

enum cpu_mode { CPU_MODE_REAL16, CPU_MODE_PROT16, CPU_MODE_PROT32, CPU_MODE_LONG64 };

/*
 * Decode b[0..avail). Returns 0, or -1 with *why naming the problem (an
 * opcode Keel does not emulate, or too few bytes).
 */
int decode_mmio(const uint8_t *b, unsigned avail, enum cpu_mode mode, struct mmio_insn *out,
		const char **why);

#endif
