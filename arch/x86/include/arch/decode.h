/* SPDX-License-Identifier: MIT */
/*
 * Decoding the instructions guests use on MMIO registers, so an EPT
 * violation on a device page can be emulated. Pure logic, host-tested.
 * Supported, with 66/67, segment and REX prefixes (legacy ones in any
 * order; a REX only counts right before the opcode):
 *   MOV r/m<->reg (88/89/8A/8B), MOV r/m,imm (C6/C7), MOV with a moffs
 *   (A0-A3), MOVZX and MOVSX loads (0F B6/B7/BE/BF);
 *   STOS (AA/AB) and MOVS (A4/A5), each with or without REP (F3);
 *   OR, AND, XOR and CMP with memory as either operand (08-0B, 20-23,
 *   30-33, 38-3B) or an immediate (80/81/83 /1 /4 /6 /7), and TEST with a
 *   register (84/85) or an immediate (F6/F7 /0).
 * Anything else (ADD, LOCK, a register operand...) is refused with a reason.
 */
#ifndef ARCH_DECODE_H
#define ARCH_DECODE_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/alu.h>

enum mmio_op {
	MMIO_LOAD,  /* register = memory (MOV, MOVZX, MOVSX) */
	MMIO_STORE, /* memory = register or imm */
	MMIO_ALU,   /* memory op (register or imm), or register op memory; see alu */
	MMIO_STOS,  /* ES:rDI = AL/AX/EAX/RAX; rDI steps */
	MMIO_MOVS,  /* ES:rDI = seg:rSI; both step */
};

/* Segment registers in the sreg encoding (SDM Vol. 2D Appendix B). */
enum x86_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

struct mmio_insn {
	enum mmio_op op;
	enum alu_op alu;   /* MMIO_ALU: TEST is ALU_AND and CMP is ALU_SUB without writeback */
	uint8_t size;      /* bytes accessed in memory (per element for STOS/MOVS): 1, 2, 4, 8 */
	uint8_t dst_size;  /* register width written by a load */
	uint8_t reg;       /* SDM register number (REG_RAX...) */
	bool high8;        /* AH/CH/DH/BH: bits 15:8 of reg */
	bool has_imm;      /* imm is the source instead of reg */
	bool sign_extend;  /* MOVSX */
	bool reg_left;     /* MMIO_ALU: register op memory, the result to the register */
	bool writeback;    /* MMIO_ALU: the result is stored, not only the flags */
	bool rep;          /* MMIO_STOS/MOVS: F3, one element per rCX */
	uint8_t addr_size; /* MMIO_STOS/MOVS: width of rSI, rDI, rCX in bytes */
	uint8_t seg;       /* MMIO_MOVS: segment of the source, DS unless overridden */
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
