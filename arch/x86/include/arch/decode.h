/* SPDX-License-Identifier: MIT */
/*
 * Decoding the instructions guests use on MMIO registers, so an EPT
 * violation on a device page can be emulated. Pure logic, host-tested.
 * Supported, with 66/67, segment and REX prefixes (legacy ones in any
 * order; a REX only counts right before the opcode):
 *   MOV r/m<->reg (88/89/8A/8B), MOV r/m,imm (C6/C7), MOV with a moffs
 *   (A0-A3), MOVZX and MOVSX loads (0F B6/B7/BE/BF), MOVNTI (0F C3);
 *   STOS (AA/AB) and MOVS (A4/A5), each with or without REP (F3);
 *   ADD, OR, ADC, SBB, AND, SUB, XOR and CMP with memory as either operand
 *   (00-3B) or an immediate (80/81/83), TEST with a register (84/85) or
 *   an immediate (F6/F7 /0), NOT and NEG (F6/F7 /2, /3), INC and DEC
 *   (FE/FF /0, /1), XCHG (86/87), CMPXCHG (0F B0/B1), BT, BTS, BTR and
 *   BTC with a register (0F A3/AB/B3/BB) or an immediate (0F BA /4-/7)
 *   bit offset;
 *   the SSE moves MOVD/MOVQ (66 0F 6E/7E, F3 0F 7E, 66 0F D6) and
 *   MOVDQA/MOVDQU (66 or F3 0F 6F/7F) with an XMM register.
 * LOCK (F0) is accepted exactly where the SDM allows it (Vol. 2A "LOCK"):
 * on the forms above that read and write memory, XCHG CMPXCHG BTS BTR BTC
 * INC DEC NOT NEG and the ALU forms with memory as the destination. Keel
 * emulates such a form as one read and one write of the device, which
 * nothing can come between while a guest has one vCPU, so LOCK changes
 * nothing. Elsewhere the CPU raises #UD before it touches memory, so no
 * exit comes from such an instruction; Keel refuses it rather than guess.
 * Anything else (XADD, MUL, MMX, F2, a register operand...) is refused with
 * a reason.
 */
#ifndef ARCH_DECODE_H
#define ARCH_DECODE_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/alu.h>

enum mmio_op {
	MMIO_LOAD,      /* register = memory (MOV, MOVZX, MOVSX) */
	MMIO_STORE,     /* memory = register or imm (MOV, MOVNTI) */
	MMIO_ALU,       /* memory op (register, imm or nothing), or register op memory; see alu */
	MMIO_STOS,      /* ES:rDI = AL/AX/EAX/RAX; rDI steps */
	MMIO_MOVS,      /* ES:rDI = seg:rSI; both step */
	MMIO_XCHG,      /* memory and register swap */
	MMIO_CMPXCHG,   /* CMP rAX, memory; equal: memory = register, else rAX = memory */
	MMIO_XMM_LOAD,  /* XMM register = memory, zero-extended from 4 or 8 bytes */
	MMIO_XMM_STORE, /* memory = the XMM register's low size bytes */
};

/* Segment registers in the sreg encoding (SDM Vol. 2D Appendix B). */
enum x86_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

struct mmio_insn {
	enum mmio_op op;
	enum alu_op alu;   /* MMIO_ALU: TEST is ALU_AND and CMP is ALU_SUB without writeback */
	uint8_t size;      /* bytes in memory (per element for STOS/MOVS): 1, 2, 4, 8; XMM: 16 */
	uint8_t dst_size;  /* register width written by a load (an XMM load: 16) */
	uint8_t reg;       /* SDM register number (REG_RAX...), or the XMM register's */
	bool high8;        /* AH/CH/DH/BH: bits 15:8 of reg */
	bool has_imm;      /* imm is the source instead of reg */
	bool sign_extend;  /* MOVSX */
	bool reg_left;     /* MMIO_ALU: register op memory, the result to the register */
	bool writeback;    /* MMIO_ALU: the result is stored, not only the flags */
	bool rep;          /* MMIO_STOS/MOVS: F3, one element per rCX */
	bool lock;         /* F0 on a lockable form */
	uint8_t addr_size; /* MMIO_STOS/MOVS: width of rSI, rDI, rCX in bytes */
	uint8_t seg;       /* MMIO_MOVS: segment of the source, DS unless overridden */
	uint64_t imm;      /* already sign-extended to 64 bits; BT's bit offset is the imm8 as is */
	uint8_t len;       /* instruction length in bytes */
};

enum cpu_mode { CPU_MODE_REAL16, CPU_MODE_PROT16, CPU_MODE_PROT32, CPU_MODE_LONG64 };

/*
 * Decode b[0..avail). Returns 0, or -1 with *why naming the problem (an
 * opcode Keel does not emulate, or too few bytes).
 */
int decode_mmio(const uint8_t *b, unsigned avail, enum cpu_mode mode, struct mmio_insn *out,
		const char **why);

/*
 * The length (1..15) of b[0..avail) if it is a plain MOV store to memory,
 * 88/89 (MOV Eb,Gb / Ev,Gv) or C6/C7 /0 (MOV Eb,Ib / Ev,Iz) with 66, 67,
 * segment and REX prefixes, as decode_mmio() would decode it; else -1
 * (any other form, LOCK/REP, too few bytes). For doorbells: the exit names
 * the address, the value is not needed, only RIP moves (decode_store.c).
 */
int decode_store_len(const uint8_t *b, unsigned avail, enum cpu_mode mode);

#endif
