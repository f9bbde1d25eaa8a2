/* SPDX-License-Identifier: MIT */
/*
 * Host tests for arch/x86/decode.c. The byte sequences were assembled with
 * GNU as (.code64/.code32/.code16) and checked against objdump; the
 * comment on each row is the AT&T form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arch/decode.h>
#include <keel/bits.h>
#include <keel/vcpu.h>

#define MAXB 16

struct good {
	const char *asm_text;
	enum cpu_mode mode;
	uint8_t b[MAXB];
	unsigned n; /* instruction length */
	enum mmio_op op;
	uint8_t size, dst_size, reg;
	bool high8, sign_extend;
};

#define L64 CPU_MODE_LONG64
#define P32 CPU_MODE_PROT32
#define P16 CPU_MODE_PROT16
#define R16 CPU_MODE_REAL16
#define BYTES(...) { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })
#define LD MMIO_LOAD
#define ST MMIO_STORE

/* MOV and MOVZX/MOVSX with a register operand; for stores dst_size is not checked. */
static const struct good reg_cases[] = {
	/* asm, mode, bytes, op, size, dst_size, reg, high8, sign_extend */
	{ "mov %eax,(%rdi)", L64, BYTES(0x89, 0x07), ST, 4, 0, REG_RAX, 0, 0 },
	{ "mov (%rdi),%eax", L64, BYTES(0x8b, 0x07), LD, 4, 4, REG_RAX, 0, 0 },
	{ "mov %rax,(%rdi)", L64, BYTES(0x48, 0x89, 0x07), ST, 8, 0, REG_RAX, 0, 0 },
	{ "mov (%rsi),%rcx", L64, BYTES(0x48, 0x8b, 0x0e), LD, 8, 8, REG_RCX, 0, 0 },
	{ "mov %r8d,(%rdi)", L64, BYTES(0x44, 0x89, 0x07), ST, 4, 0, REG_R8, 0, 0 },
	{ "mov (%rbx),%r15", L64, BYTES(0x4c, 0x8b, 0x3b), LD, 8, 8, REG_R15, 0, 0 },
	{ "mov %r9,(%r10)", L64, BYTES(0x4d, 0x89, 0x0a), ST, 8, 0, REG_R9, 0, 0 },
	{ "mov %al,(%rdi)", L64, BYTES(0x88, 0x07), ST, 1, 0, REG_RAX, 0, 0 },
	{ "mov %ah,(%rdi)", L64, BYTES(0x88, 0x27), ST, 1, 0, REG_RAX, 1, 0 },
	{ "mov (%rdi),%bh", L64, BYTES(0x8a, 0x3f), LD, 1, 1, REG_RBX, 1, 0 },
	{ "mov %spl,(%rdi)", L64, BYTES(0x40, 0x88, 0x27), ST, 1, 0, REG_RSP, 0, 0 },
	{ "mov (%rdi),%dil", L64, BYTES(0x40, 0x8a, 0x3f), LD, 1, 1, REG_RDI, 0, 0 },
	{ "mov %r12b,(%rdi)", L64, BYTES(0x44, 0x88, 0x27), ST, 1, 0, REG_R12, 0, 0 },
	{ "mov %ax,(%rdi)", L64, BYTES(0x66, 0x89, 0x07), ST, 2, 0, REG_RAX, 0, 0 },
	{ "mov (%rdi),%r11w", L64, BYTES(0x66, 0x44, 0x8b, 0x1f), LD, 2, 2, REG_R11, 0, 0 },
	{ "data16 mov %rax,(%rdi): REX.W wins", L64, BYTES(0x66, 0x48, 0x89, 0x07), ST, 8, 0,
	  REG_RAX, 0, 0 },
	{ "movzbl (%rdi),%eax", L64, BYTES(0x0f, 0xb6, 0x07), LD, 1, 4, REG_RAX, 0, 0 },
	/* MOV with a moffs: always AL/eAX, offset as wide as the address size. */
	{ "mov 0xfee000f0,%eax", P32, BYTES(0xa1, 0xf0, 0x00, 0xe0, 0xfe), LD, 4, 4, REG_RAX, 0, 0 },
	{ "mov %eax,0x1234 (real mode: 16-bit eAX is AX)", R16, BYTES(0xa3, 0x34, 0x12), ST, 2, 0,
	  REG_RAX, 0, 0 },
	{ "addr32 mov %al,0x12345678 (real mode)", R16, BYTES(0x67, 0xa2, 0x78, 0x56, 0x34, 0x12),
	  ST, 1, 0, REG_RAX, 0, 0 },
	{ "movabs 0x1122334455667788,%rax", L64,
	  BYTES(0x48, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), LD, 8, 8, REG_RAX, 0, 0 },
	{ "addr32 mov 0x12345678,%al (long mode)", L64, BYTES(0x67, 0xa0, 0x78, 0x56, 0x34, 0x12),
	  LD, 1, 1, REG_RAX, 0, 0 },
	{ "movzwl (%rdi),%ecx", L64, BYTES(0x0f, 0xb7, 0x0f), LD, 2, 4, REG_RCX, 0, 0 },
	{ "movsbl (%rdi),%edx", L64, BYTES(0x0f, 0xbe, 0x17), LD, 1, 4, REG_RDX, 0, 1 },
	{ "movswq (%rdi),%rbx", L64, BYTES(0x48, 0x0f, 0xbf, 0x1f), LD, 2, 8, REG_RBX, 0, 1 },
	{ "movzbq (%rdi),%r9", L64, BYTES(0x4c, 0x0f, 0xb6, 0x0f), LD, 1, 8, REG_R9, 0, 0 },
	{ "movsbw (%rdi),%si", L64, BYTES(0x66, 0x0f, 0xbe, 0x37), LD, 1, 2, REG_RSI, 0, 1 },
	{ "movzbl (%rdi),%esp: not AH", L64, BYTES(0x0f, 0xb6, 0x27), LD, 1, 4, REG_RSP, 0, 0 },
	/* addressing forms (64-bit) */
	{ "mov %eax,(%rax,%rbx,4)", L64, BYTES(0x89, 0x04, 0x98), ST, 4, 0, REG_RAX, 0, 0 },
	{ "mov %eax,0x10(%rsp)", L64, BYTES(0x89, 0x44, 0x24, 0x10), ST, 4, 0, REG_RAX, 0, 0 },
	{ "mov %eax,0x12345678(%rbp)", L64, BYTES(0x89, 0x85, 0x78, 0x56, 0x34, 0x12), ST, 4, 0,
	  REG_RAX, 0, 0 },
	{ "mov %eax,-8(%rbp)", L64, BYTES(0x89, 0x45, 0xf8), ST, 4, 0, REG_RAX, 0, 0 },
	{ "mov %eax,0x100(%rip)", L64, BYTES(0x89, 0x05, 0x00, 0x01, 0x00, 0x00), ST, 4, 0,
	  REG_RAX, 0, 0 },
	{ "mov %eax,0x12345678(,%rcx,8)", L64, BYTES(0x89, 0x04, 0xcd, 0x78, 0x56, 0x34, 0x12),
	  ST, 4, 0, REG_RAX, 0, 0 },
	{ "mov %eax,0x100(%r13)", L64, BYTES(0x41, 0x89, 0x85, 0x00, 0x01, 0x00, 0x00), ST, 4,
	  0, REG_RAX, 0, 0 },
	{ "mov %eax,(%r12)", L64, BYTES(0x41, 0x89, 0x04, 0x24), ST, 4, 0, REG_RAX, 0, 0 },
	{ "mov %eax,(%rax,%r9,8)", L64, BYTES(0x42, 0x89, 0x04, 0xc8), ST, 4, 0, REG_RAX, 0, 0 },
	{ "mov %eax,0x80(%rax)", L64, BYTES(0x89, 0x80, 0x80, 0x00, 0x00, 0x00), ST, 4, 0,
	  REG_RAX, 0, 0 },
	{ "mov %eax,%fs:(%rdi)", L64, BYTES(0x64, 0x89, 0x07), ST, 4, 0, REG_RAX, 0, 0 },
	{ "mov %gs:0x10(%rax),%rdx", L64, BYTES(0x65, 0x48, 0x8b, 0x50, 0x10), LD, 8, 8,
	  REG_RDX, 0, 0 },
	{ "mov %eax,(%edi)", L64, BYTES(0x67, 0x89, 0x07), ST, 4, 0, REG_RAX, 0, 0 },
	{ "mov %eax,0x100(%eip)", L64, BYTES(0x67, 0x89, 0x05, 0x00, 0x01, 0x00, 0x00), ST, 4,
	  0, REG_RAX, 0, 0 },
	/* A REX counts only right before the opcode (SDM Vol. 2A 2.2.1); the last one wins. */
	{ "rex.W data16 mov %ax,(%rdi): the REX is dropped", L64, BYTES(0x48, 0x66, 0x89, 0x07),
	  ST, 2, 0, REG_RAX, 0, 0 },
	{ "rex data16 mov %ah,(%rdi): dropped REX, so AH not SPL", L64,
	  BYTES(0x40, 0x66, 0x88, 0x27), ST, 1, 0, REG_RAX, 1, 0 },
	{ "rex.W rex.R mov %r8d,(%rdi)", L64, BYTES(0x48, 0x44, 0x89, 0x07), ST, 4, 0, REG_R8, 0,
	  0 },
	{ "rex.R rex.W mov %rax,(%rdi)", L64, BYTES(0x44, 0x48, 0x89, 0x07), ST, 8, 0, REG_RAX, 0,
	  0 },
	{ "rex.WR es movzbl %es:(%rdi),%eax", L64, BYTES(0x4c, 0x26, 0x0f, 0xb6, 0x07), LD, 1, 4,
	  REG_RAX, 0, 0 },
	{ "rex.B addr32 mov (%eax),%eax", L64, BYTES(0x41, 0x67, 0x8b, 0x00), LD, 4, 4, REG_RAX, 0,
	  0 },
	{ "13 REX, the last (4c) counts: mov %r8,(%rdi), 15 bytes", L64,
	  BYTES(0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x89,
		0x07),
	  ST, 8, 0, REG_R8, 0, 0 },
	/* 32-bit protected mode: 40-4f are INC/DEC, 67 selects 16-bit addressing */
	{ "mov %eax,(%edi)", P32, BYTES(0x89, 0x07), ST, 4, 0, REG_RAX, 0, 0 },
	{ "mov %ax,(%edi)", P32, BYTES(0x66, 0x89, 0x07), ST, 2, 0, REG_RAX, 0, 0 },
	{ "mov 0x8(%esp),%ecx", P32, BYTES(0x8b, 0x4c, 0x24, 0x08), LD, 4, 4, REG_RCX, 0, 0 },
	{ "mov %eax,0x12345678", P32, BYTES(0x89, 0x05, 0x78, 0x56, 0x34, 0x12), ST, 4, 0,
	  REG_RAX, 0, 0 },
	{ "mov %ax,(%bx)", P32, BYTES(0x67, 0x66, 0x89, 0x07), ST, 2, 0, REG_RAX, 0, 0 },
	{ "mov %eax,%ds:0(%ebp,%eax,1)", P32, BYTES(0x3e, 0x89, 0x44, 0x05, 0x00), ST, 4, 0,
	  REG_RAX, 0, 0 },
	{ "mov (%edi),%dh", P32, BYTES(0x8a, 0x37), LD, 1, 1, REG_RDX, 1, 0 },
	/* 16-bit modes: ModRM uses BX/BP/SI/DI forms, 66 selects 32-bit operands */
	{ "mov %ax,(%bx)", R16, BYTES(0x89, 0x07), ST, 2, 0, REG_RAX, 0, 0 },
	{ "mov -2(%bp),%ax", R16, BYTES(0x8b, 0x46, 0xfe), LD, 2, 2, REG_RAX, 0, 0 },
	{ "mov %ax,0x1234", R16, BYTES(0x89, 0x06, 0x34, 0x12), ST, 2, 0, REG_RAX, 0, 0 },
	{ "mov %ax,(%di): no disp", R16, BYTES(0x89, 0x05), ST, 2, 0, REG_RAX, 0, 0 },
	{ "mov %al,(%si): no SIB", R16, BYTES(0x88, 0x04), ST, 1, 0, REG_RAX, 0, 0 },
	{ "mov (%bx,%di),%ch", R16, BYTES(0x8a, 0x29), LD, 1, 1, REG_RCX, 1, 0 },
	{ "mov %eax,(%bx)", R16, BYTES(0x66, 0x89, 0x07), ST, 4, 0, REG_RAX, 0, 0 },
	{ "mov %es:(%di),%dx", R16, BYTES(0x26, 0x8b, 0x15), LD, 2, 2, REG_RDX, 0, 0 },
	{ "mov %ax,0x100(%bx)", R16, BYTES(0x89, 0x87, 0x00, 0x01), ST, 2, 0, REG_RAX, 0, 0 },
	{ "mov %eax,(%eax)", R16, BYTES(0x67, 0x66, 0x89, 0x00), ST, 4, 0, REG_RAX, 0, 0 },
	{ "mov %ax,(%ecx,%edx,2)", R16, BYTES(0x67, 0x89, 0x04, 0x51), ST, 2, 0, REG_RAX, 0, 0 },
	{ "mov %ax,0x12345678", R16, BYTES(0x67, 0x89, 0x05, 0x78, 0x56, 0x34, 0x12), ST, 2, 0,
	  REG_RAX, 0, 0 },
	{ "movzbw (%bx),%ax", R16, BYTES(0x0f, 0xb6, 0x07), LD, 1, 2, REG_RAX, 0, 0 },
	{ "movswl 0x300(%bp),%eax", R16, BYTES(0x66, 0x0f, 0xbf, 0x86, 0x00, 0x03), LD, 2, 4,
	  REG_RAX, 0, 1 },
	{ "mov -2(%bp),%ax", P16, BYTES(0x8b, 0x46, 0xfe), LD, 2, 2, REG_RAX, 0, 0 },
	{ "mov %eax,(%bx)", P16, BYTES(0x66, 0x89, 0x07), ST, 4, 0, REG_RAX, 0, 0 },
	/* MOVNTI: a store of 32 bits in every mode, 64 with REX.W */
	{ "movnti %eax,(%rdi)", L64, BYTES(0x0f, 0xc3, 0x07), ST, 4, 0, REG_RAX, 0, 0 },
	{ "movnti %r11,(%rdi)", L64, BYTES(0x4c, 0x0f, 0xc3, 0x1f), ST, 8, 0, REG_R11, 0, 0 },
	{ "movnti %ecx,(%edi)", P32, BYTES(0x0f, 0xc3, 0x0f), ST, 4, 0, REG_RCX, 0, 0 },
	{ "movnti %eax,(%bx): 32 bits in 16-bit code too", R16, BYTES(0x0f, 0xc3, 0x07), ST, 4,
	  0, REG_RAX, 0, 0 },
};

/* MOV r/m, imm: imm is reported sign-extended to 64 bits. */
struct imm_case {
	const char *asm_text;
	enum cpu_mode mode;
	uint8_t b[MAXB];
	unsigned n;
	uint8_t size;
	uint64_t imm;
};

static const struct imm_case imm_cases[] = {
	{ "movb $0x80,(%rdi)", L64, BYTES(0xc6, 0x07, 0x80), 1, 0xffffffffffffff80ULL },
	{ "movb $0x7f,(%rdi)", L64, BYTES(0xc6, 0x07, 0x7f), 1, 0x7f },
	{ "movw $0x8001,(%rdi)", L64, BYTES(0x66, 0xc7, 0x07, 0x01, 0x80), 2,
	  0xffffffffffff8001ULL },
	{ "movl $0x80000000,(%rdi)", L64, BYTES(0xc7, 0x07, 0x00, 0x00, 0x00, 0x80), 4,
	  0xffffffff80000000ULL },
	{ "movq $-2,(%rdi)", L64, BYTES(0x48, 0xc7, 0x07, 0xfe, 0xff, 0xff, 0xff), 8,
	  0xfffffffffffffffeULL },
	{ "movq $0x7fffffff,(%rdi)", L64, BYTES(0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0x7f), 8,
	  0x7fffffff },
	{ "movl $1,0x11223344(%rax,%rbx,2)", L64,
	  BYTES(0xc7, 0x84, 0x58, 0x44, 0x33, 0x22, 0x11, 0x01, 0x00, 0x00, 0x00), 4, 1 },
	{ "movl $0x12345678,0x100(%rip)", L64,
	  BYTES(0xc7, 0x05, 0x00, 0x01, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12), 4, 0x12345678 },
	/* 15 bytes: the architectural maximum is still accepted */
	{ "fs fs fs movq $1,0x11223344(%rax,%rbx,2)", L64,
	  BYTES(0x64, 0x64, 0x64, 0x48, 0xc7, 0x84, 0x58, 0x44, 0x33, 0x22, 0x11, 0x01, 0x00,
		0x00, 0x00),
	  8, 1 },
	{ "movl $0xfffffff0,0x10(%ebx)", P32,
	  BYTES(0xc7, 0x43, 0x10, 0xf0, 0xff, 0xff, 0xff), 4, 0xfffffffffffffff0ULL },
	{ "movl $0x12345678,(%di)", R16, BYTES(0x66, 0xc7, 0x05, 0x78, 0x56, 0x34, 0x12), 4,
	  0x12345678 },
	{ "movw $0xfffe,0x10(%bx,%si)", R16, BYTES(0xc7, 0x40, 0x10, 0xfe, 0xff), 2,
	  0xfffffffffffffffeULL },
	{ "movw $0x1234,0x400", R16, BYTES(0xc7, 0x06, 0x00, 0x04, 0x34, 0x12), 2, 0x1234 },
	{ "movb $7,0x400", R16, BYTES(0xc6, 0x06, 0x00, 0x04, 0x07), 1, 7 },
};

/* STOS/MOVS: one element of size bytes; rSI/rDI/rCX as wide as addr_size. */
struct string_case {
	const char *asm_text;
	enum cpu_mode mode;
	uint8_t b[MAXB];
	unsigned n;
	enum mmio_op op;
	uint8_t size, addr_size;
	bool rep;
	uint8_t seg; /* source segment (MOVS) */
};

#define STOS MMIO_STOS
#define MOVS MMIO_MOVS

static const struct string_case string_cases[] = {
	/* asm, mode, bytes, op, size, addr_size, rep, seg */
	{ "stos %al,%es:(%rdi)", L64, BYTES(0xaa), STOS, 1, 8, 0, SEG_DS },
	{ "stos %eax,%es:(%rdi)", L64, BYTES(0xab), STOS, 4, 8, 0, SEG_DS },
	{ "stos %rax,%es:(%rdi)", L64, BYTES(0x48, 0xab), STOS, 8, 8, 0, SEG_DS },
	{ "stos %ax,%es:(%rdi)", L64, BYTES(0x66, 0xab), STOS, 2, 8, 0, SEG_DS },
	{ "rep stos %rax,%es:(%rdi)", L64, BYTES(0xf3, 0x48, 0xab), STOS, 8, 8, 1, SEG_DS },
	{ "rep stos %eax,%es:(%rdi)", L64, BYTES(0xf3, 0xab), STOS, 4, 8, 1, SEG_DS },
	{ "addr32 rep stos %al,%es:(%edi)", L64, BYTES(0x67, 0xf3, 0xaa), STOS, 1, 4, 1, SEG_DS },
	{ "movsb %ds:(%rsi),%es:(%rdi)", L64, BYTES(0xa4), MOVS, 1, 8, 0, SEG_DS },
	{ "movsq", L64, BYTES(0x48, 0xa5), MOVS, 8, 8, 0, SEG_DS },
	{ "rep movsl", L64, BYTES(0xf3, 0xa5), MOVS, 4, 8, 1, SEG_DS },
	{ "rep movsw", L64, BYTES(0x66, 0xf3, 0xa5), MOVS, 2, 8, 1, SEG_DS },
	{ "movsb %fs:(%rsi),%es:(%rdi)", L64, BYTES(0x64, 0xa4), MOVS, 1, 8, 0, SEG_FS },
	{ "movsq %gs:(%rsi),%es:(%rdi)", L64, BYTES(0x65, 0x48, 0xa5), MOVS, 8, 8, 0, SEG_GS },
	{ "movsq %ds:(%esi),%es:(%edi)", L64, BYTES(0x67, 0x48, 0xa5), MOVS, 8, 4, 0, SEG_DS },
	{ "rep stos %eax,%es:(%edi)", P32, BYTES(0xf3, 0xab), STOS, 4, 4, 1, SEG_DS },
	{ "stos %al,%es:(%di)", P32, BYTES(0x67, 0xaa), STOS, 1, 2, 0, SEG_DS },
	{ "movsl %es:(%esi),%es:(%edi)", P32, BYTES(0x26, 0xa5), MOVS, 4, 4, 0, SEG_ES },
	{ "movsl %ss:(%esi),%es:(%edi)", P32, BYTES(0x36, 0xa5), MOVS, 4, 4, 0, SEG_SS },
	{ "rep stos %ax,%es:(%di)", R16, BYTES(0xf3, 0xab), STOS, 2, 2, 1, SEG_DS },
	{ "rep stos %eax,%es:(%di)", R16, BYTES(0x66, 0xf3, 0xab), STOS, 4, 2, 1, SEG_DS },
	{ "movsb %ds:(%esi),%es:(%edi)", R16, BYTES(0x67, 0xa4), MOVS, 1, 4, 0, SEG_DS },
	{ "movsw %cs:(%si),%es:(%di)", R16, BYTES(0x2e, 0xa5), MOVS, 2, 2, 0, SEG_CS },
	{ "rep movsw %ds:(%si),%es:(%di)", P16, BYTES(0xf3, 0xa5), MOVS, 2, 2, 1, SEG_DS },
	{ "rex.W rep stosl: the REX before F3 is dropped", L64, BYTES(0x48, 0xf3, 0xab), STOS, 4,
	  8, 1, SEG_DS },
	{ "rex.B gs movsl %gs:(%rsi),%es:(%rdi)", L64, BYTES(0x41, 0x65, 0xa5), MOVS, 4, 8, 0,
	  SEG_GS },
};

/* OR/AND/XOR/CMP/TEST with a memory operand. */
struct alu_case {
	const char *asm_text;
	enum cpu_mode mode;
	uint8_t b[MAXB];
	unsigned n;
	enum alu_op alu;
	uint8_t size, reg;
	bool high8, reg_left, writeback, has_imm;
	uint64_t imm;
	bool lock;
};

#define ADD ALU_ADD
#define OR  ALU_OR
#define ADC ALU_ADC
#define SBB ALU_SBB
#define AND ALU_AND
#define SUB ALU_SUB
#define XOR ALU_XOR
#define LOCK true

static const struct alu_case alu_cases[] = {
	/* asm, mode, bytes, alu, size, reg, high8, reg_left, writeback, has_imm, imm */
	{ "or %eax,(%rdi)", L64, BYTES(0x09, 0x07), OR, 4, REG_RAX, 0, 0, 1, 0, 0, 0 },
	{ "or %r9,0x10(%rsi)", L64, BYTES(0x4c, 0x09, 0x4e, 0x10),
	  OR, 8, REG_R9, 0, 0, 1, 0, 0, 0 },
	{ "or %ah,(%rdi)", L64, BYTES(0x08, 0x27), OR, 1, REG_RAX, 1, 0, 1, 0, 0, 0 },
	{ "or (%rdi),%cl", L64, BYTES(0x0a, 0x0f), OR, 1, REG_RCX, 0, 1, 1, 0, 0, 0 },
	{ "or (%rdi),%r10", L64, BYTES(0x4c, 0x0b, 0x17), OR, 8, REG_R10, 0, 1, 1, 0, 0, 0 },
	{ "and (%rbx,%rcx,4),%edx", L64, BYTES(0x23, 0x14, 0x8b), AND, 4, REG_RDX, 0, 1, 1, 0,
	  0, 0 },
	{ "and %dl,(%rdi)", L64, BYTES(0x20, 0x17), AND, 1, REG_RDX, 0, 0, 1, 0, 0, 0 },
	{ "xor %ax,(%rdi)", L64, BYTES(0x66, 0x31, 0x07), XOR, 2, REG_RAX, 0, 0, 1, 0, 0, 0 },
	{ "xor (%rdi),%sil", L64, BYTES(0x40, 0x32, 0x37), XOR, 1, REG_RSI, 0, 1, 1, 0, 0, 0 },
	{ "cmp %eax,(%rdi)", L64, BYTES(0x39, 0x07), SUB, 4, REG_RAX, 0, 0, 0, 0, 0, 0 },
	{ "cmp (%rdi),%bh", L64, BYTES(0x3a, 0x3f), SUB, 1, REG_RBX, 1, 1, 0, 0, 0, 0 },
	{ "cmp (%rdi),%r11d", L64, BYTES(0x44, 0x3b, 0x1f), SUB, 4, REG_R11, 0, 1, 0, 0, 0, 0 },
	{ "test %eax,(%rdi)", L64, BYTES(0x85, 0x07), AND, 4, REG_RAX, 0, 0, 0, 0, 0, 0 },
	{ "test %cl,(%rdi)", L64, BYTES(0x84, 0x0f), AND, 1, REG_RCX, 0, 0, 0, 0, 0, 0 },
	{ "test %r8,(%rdi)", L64, BYTES(0x4c, 0x85, 0x07), AND, 8, REG_R8, 0, 0, 0, 0, 0, 0 },
	{ "orq $0x100,(%rdi)", L64, BYTES(0x48, 0x81, 0x0f, 0x00, 0x01, 0x00, 0x00), OR, 8, 0, 0,
	  0, 1, 1, 0x100, 0 },
	{ "orl $-1,0x8(%rdi) (83: imm8 sign-extended)", L64, BYTES(0x83, 0x4f, 0x08, 0xff), OR, 4,
	  0, 0, 0, 1, 1, ~0ULL, 0 },
	{ "andl $0xfffffff0,0x12345678(%rip)", L64,
	  BYTES(0x83, 0x25, 0x78, 0x56, 0x34, 0x12, 0xf0), AND, 4, 0, 0, 0, 1, 1,
	  0xfffffffffffffff0ULL, 0 },
	{ "andb $0x80,(%rdi)", L64, BYTES(0x80, 0x27, 0x80), AND, 1, 0, 0, 0, 1, 1,
	  0xffffffffffffff80ULL, 0 },
	{ "xorw $0x8001,(%rdi)", L64, BYTES(0x66, 0x81, 0x37, 0x01, 0x80), XOR, 2, 0, 0, 0, 1, 1,
	  0xffffffffffff8001ULL, 0 },
	{ "xorq $-128,(%rdi)", L64, BYTES(0x48, 0x83, 0x37, 0x80), XOR, 8, 0, 0, 0, 1, 1,
	  0xffffffffffffff80ULL, 0 },
	{ "cmpq $5,(%rdi)", L64, BYTES(0x48, 0x83, 0x3f, 0x05), SUB, 8, 0, 0, 0, 0, 1, 5, 0 },
	{ "cmpb $0xff,(%rdi)", L64, BYTES(0x80, 0x3f, 0xff), SUB, 1, 0, 0, 0, 0, 1, ~0ULL, 0 },
	{ "cmpl $0x12345678,(%rax,%rbx,8)", L64,
	  BYTES(0x81, 0x3c, 0xd8, 0x78, 0x56, 0x34, 0x12), SUB, 4, 0, 0, 0, 0, 1, 0x12345678, 0 },
	{ "testb $0x40,(%rdi)", L64, BYTES(0xf6, 0x07, 0x40), AND, 1, 0, 0, 0, 0, 1, 0x40, 0 },
	{ "testl $0x80000000,(%rdi)", L64, BYTES(0xf7, 0x07, 0x00, 0x00, 0x00, 0x80), AND, 4, 0,
	  0, 0, 0, 1, 0xffffffff80000000ULL, 0 },
	{ "testw $0x8000,(%rdi)", L64, BYTES(0x66, 0xf7, 0x07, 0x00, 0x80), AND, 2, 0, 0, 0, 0, 1,
	  0xffffffffffff8000ULL, 0 },
	{ "testq $-2,0x10(%rdi)", L64, BYTES(0x48, 0xf7, 0x47, 0x10, 0xfe, 0xff, 0xff, 0xff), AND,
	  8, 0, 0, 0, 0, 1, 0xfffffffffffffffeULL, 0 },
	{ "orl $1,(%edi)", P32, BYTES(0x83, 0x0f, 0x01), OR, 4, 0, 0, 0, 1, 1, 1, 0 },
	{ "testb $1,(%bx,%si)", P32, BYTES(0x67, 0xf6, 0x00, 0x01), AND, 1, 0, 0, 0, 0, 1, 1, 0 },
	/* 44 before 64 is dropped: 5 bytes, bl not r11b (once taken as 9 bytes with 64 the opcode) */
	{ "rex.R testb %bl,%fs:0x48(%rax)", L64, BYTES(0x44, 0x64, 0x84, 0x58, 0x48), AND, 1,
	  REG_RBX, 0, 0, 0, 0, 0, 0 },
	{ "rex.WR ds or %ds:(%rdi),%edx", L64, BYTES(0x4c, 0x3e, 0x0b, 0x17), OR, 4, REG_RDX, 0, 1,
	  1, 0, 0, 0 },
	{ "cmp %ax,(%edi)", P32, BYTES(0x66, 0x39, 0x07), SUB, 2, REG_RAX, 0, 0, 0, 0, 0, 0 },
	{ "orw $0x10,0x400", R16, BYTES(0x83, 0x0e, 0x00, 0x04, 0x10), OR, 2, 0, 0, 0, 1, 1,
	  0x10, 0 },
	{ "and (%bx),%al", R16, BYTES(0x22, 0x07), AND, 1, REG_RAX, 0, 1, 1, 0, 0, 0 },
	{ "test %ax,(%di)", R16, BYTES(0x85, 0x05), AND, 2, REG_RAX, 0, 0, 0, 0, 0, 0 },
	{ "orl $0x12345678,(%bx) (16-bit code, 66: Iz is 32 bits)", R16,
	  BYTES(0x66, 0x81, 0x0f, 0x78, 0x56, 0x34, 0x12), OR, 4, 0, 0, 0, 1, 1, 0x12345678, 0 },
	/* ADD, ADC, SBB, SUB: the rest of 00-3B and of group 1 */
	{ "add %eax,(%rdi)", L64, BYTES(0x01, 0x07), ADD, 4, REG_RAX, 0, 0, 1, 0, 0, 0 },
	{ "add (%rdi),%r9", L64, BYTES(0x4c, 0x03, 0x0f), ADD, 8, REG_R9, 0, 1, 1, 0, 0, 0 },
	{ "adc %cl,(%rsi)", L64, BYTES(0x10, 0x0e), ADC, 1, REG_RCX, 0, 0, 1, 0, 0, 0 },
	{ "adc (%rdi),%ah", L64, BYTES(0x12, 0x27), ADC, 1, REG_RAX, 1, 1, 1, 0, 0, 0 },
	{ "sbb %rdx,0x10(%rdi)", L64, BYTES(0x48, 0x19, 0x57, 0x10), SBB, 8, REG_RDX, 0, 0, 1, 0,
	  0, 0 },
	{ "sbb (%rdi),%si", L64, BYTES(0x66, 0x1b, 0x37), SBB, 2, REG_RSI, 0, 1, 1, 0, 0, 0 },
	{ "sub %r10w,(%rdi)", L64, BYTES(0x66, 0x44, 0x29, 0x17),
	  SUB, 2, REG_R10, 0, 0, 1, 0, 0, 0 },
	{ "sub (%rdx,%rcx,4),%ebx", L64, BYTES(0x2b, 0x1c, 0x8a),
	  SUB, 4, REG_RBX, 0, 1, 1, 0, 0, 0 },
	{ "addl $0x12345678,(%rdi)", L64, BYTES(0x81, 0x07, 0x78, 0x56, 0x34, 0x12), ADD, 4, 0, 0,
	  0, 1, 1, 0x12345678, 0 },
	{ "adcb $0x80,(%rdi)", L64, BYTES(0x80, 0x17, 0x80), ADC, 1, 0, 0, 0, 1, 1,
	  0xffffffffffffff80ULL, 0 },
	{ "sbbq $-1,(%rdi)", L64, BYTES(0x48, 0x83, 0x1f, 0xff), SBB, 8, 0, 0, 0, 1, 1, ~0ULL, 0 },
	{ "subw $0x8001,(%rdi)", L64, BYTES(0x66, 0x81, 0x2f, 0x01, 0x80), SUB, 2, 0, 0, 0, 1, 1,
	  0xffffffffffff8001ULL, 0 },
	{ "add %eax,(%edi)", P32, BYTES(0x01, 0x07), ADD, 4, REG_RAX, 0, 0, 1, 0, 0, 0 },
	{ "sbb (%esi),%dl", P32, BYTES(0x1a, 0x16), SBB, 1, REG_RDX, 0, 1, 1, 0, 0, 0 },
	{ "add %ax,(%bx)", R16, BYTES(0x01, 0x07), ADD, 2, REG_RAX, 0, 0, 1, 0, 0, 0 },
	{ "subl $0x12345678,(%di)", R16, BYTES(0x66, 0x81, 0x2d, 0x78, 0x56, 0x34, 0x12), SUB, 4,
	  0, 0, 0, 1, 1, 0x12345678, 0 },
	/* INC, DEC (FE/FF /0 /1), NOT, NEG (F6/F7 /2 /3): memory only, no source */
	{ "incb (%rdi)", L64, BYTES(0xfe, 0x07), ALU_INC, 1, 0, 0, 0, 1, 0, 0, 0 },
	{ "incl (%rdi)", L64, BYTES(0xff, 0x07), ALU_INC, 4, 0, 0, 0, 1, 0, 0, 0 },
	{ "decw (%rdi)", L64, BYTES(0x66, 0xff, 0x0f), ALU_DEC, 2, 0, 0, 0, 1, 0, 0, 0 },
	{ "decq 0x10(%rax)", L64, BYTES(0x48, 0xff, 0x48, 0x10), ALU_DEC, 8, 0, 0, 0, 1, 0, 0, 0 },
	{ "notb (%rdi)", L64, BYTES(0xf6, 0x17), ALU_NOT, 1, 0, 0, 0, 1, 0, 0, 0 },
	{ "notq (%rdi)", L64, BYTES(0x48, 0xf7, 0x17), ALU_NOT, 8, 0, 0, 0, 1, 0, 0, 0 },
	{ "negl (%rdi)", L64, BYTES(0xf7, 0x1f), ALU_NEG, 4, 0, 0, 0, 1, 0, 0, 0 },
	{ "negw (%rdi)", L64, BYTES(0x66, 0xf7, 0x1f), ALU_NEG, 2, 0, 0, 0, 1, 0, 0, 0 },
	{ "negb 0x10(%bp)", R16, BYTES(0xf6, 0x5e, 0x10), ALU_NEG, 1, 0, 0, 0, 1, 0, 0, 0 },
	/* BT* with a register or an imm8 bit offset; BT only reads */
	{ "bt %eax,(%rdi)", L64, BYTES(0x0f, 0xa3, 0x07), ALU_BT, 4, REG_RAX, 0, 0, 0, 0, 0, 0 },
	{ "bts %rcx,(%rdi)", L64, BYTES(0x48, 0x0f, 0xab, 0x0f), ALU_BTS, 8, REG_RCX, 0, 0, 1, 0,
	  0, 0 },
	{ "btr %dx,(%rdi)", L64, BYTES(0x66, 0x0f, 0xb3, 0x17),
	  ALU_BTR, 2, REG_RDX, 0, 0, 1, 0, 0, 0 },
	{ "btc %r9d,(%rdi)", L64, BYTES(0x44, 0x0f, 0xbb, 0x0f), ALU_BTC, 4, REG_R9, 0, 0, 1, 0,
	  0, 0 },
	{ "btl $5,(%rdi)", L64, BYTES(0x0f, 0xba, 0x27, 0x05), ALU_BT, 4, 0, 0, 0, 0, 1, 5, 0 },
	{ "btsq $63,(%rdi)", L64, BYTES(0x48, 0x0f, 0xba, 0x2f, 0x3f), ALU_BTS, 8, 0, 0, 0, 1, 1,
	  63, 0 },
	{ "btrw $0x80,(%rdi): the imm8 is not sign-extended", L64,
	  BYTES(0x66, 0x0f, 0xba, 0x37, 0x80), ALU_BTR, 2, 0, 0, 0, 1, 1, 0x80, 0 },
	{ "bts %eax,(%edi)", P32, BYTES(0x0f, 0xab, 0x07), ALU_BTS, 4, REG_RAX, 0, 0, 1, 0, 0, 0 },
	{ "btw $3,(%bx)", P32, BYTES(0x67, 0x66, 0x0f, 0xba, 0x27, 0x03), ALU_BT, 2, 0, 0, 0, 0, 1,
	  3, 0 },
	{ "btl $31,(%bx)", R16, BYTES(0x66, 0x0f, 0xba, 0x27, 0x1f),
	  ALU_BT, 4, 0, 0, 0, 0, 1, 31, 0 },
	{ "btc %ax,(%bx,%si)", R16, BYTES(0x0f, 0xbb, 0x00),
	  ALU_BTC, 2, REG_RAX, 0, 0, 1, 0, 0, 0 },
	/* LOCK on the forms that read and write memory */
	{ "lock add %eax,(%rdi)", L64, BYTES(0xf0, 0x01, 0x07), ADD, 4, REG_RAX, 0, 0, 1, 0, 0,
	  LOCK },
	{ "lock subq $1,(%rdi)", L64, BYTES(0xf0, 0x48, 0x83, 0x2f, 0x01), SUB, 8, 0, 0, 0, 1, 1, 1,
	  LOCK },
	{ "lock orl $4,8(%rdi)", L64, BYTES(0xf0, 0x83, 0x4f, 0x08, 0x04), OR, 4, 0, 0, 0, 1, 1, 4,
	  LOCK },
	{ "lock or %eax,(%rdi)", L64, BYTES(0xf0, 0x09, 0x07),
	  OR, 4, REG_RAX, 0, 0, 1, 0, 0, LOCK },
	{ "rex.W lock or: the REX before F0 is dropped", L64, BYTES(0x48, 0xf0, 0x09, 0x07), OR, 4,
	  REG_RAX, 0, 0, 1, 0, 0, LOCK },
	{ "lock rex.W or", L64, BYTES(0xf0, 0x48, 0x09, 0x07), OR, 8, REG_RAX, 0, 0, 1, 0, 0,
	  LOCK },
	{ "lock incl (%rdi)", L64, BYTES(0xf0, 0xff, 0x07), ALU_INC, 4, 0, 0, 0, 1, 0, 0, LOCK },
	{ "lock negq (%rdi)", L64, BYTES(0xf0, 0x48, 0xf7, 0x1f), ALU_NEG, 8, 0, 0, 0, 1, 0, 0,
	  LOCK },
	{ "lock notl (%rdi)", L64, BYTES(0xf0, 0xf7, 0x17), ALU_NOT, 4, 0, 0, 0, 1, 0, 0, LOCK },
	{ "lock bts %eax,(%rdi)", L64, BYTES(0xf0, 0x0f, 0xab, 0x07), ALU_BTS, 4, REG_RAX, 0, 0, 1,
	  0, 0, LOCK },
	{ "lock btcl $31,(%rdi)", L64, BYTES(0xf0, 0x0f, 0xba, 0x3f, 0x1f), ALU_BTC, 4, 0, 0, 0, 1,
	  1, 31, LOCK },
	{ "lock adcl $1,(%ebx)", P32, BYTES(0xf0, 0x83, 0x13, 0x01), ADC, 4, 0, 0, 0, 1, 1, 1,
	  LOCK },
	{ "lock decb 4(%esp)", P32, BYTES(0xf0, 0xfe, 0x4c, 0x24, 0x04), ALU_DEC, 1, 0, 0, 0, 1, 0,
	  0, LOCK },
	{ "lock incw (%si)", R16, BYTES(0xf0, 0xff, 0x04), ALU_INC, 2, 0, 0, 0, 1, 0, 0, LOCK },
};

/* XCHG and CMPXCHG: memory and a register, LOCK or not. */
struct xchg_case {
	const char *asm_text;
	enum cpu_mode mode;
	uint8_t b[MAXB];
	unsigned n;
	enum mmio_op op;
	uint8_t size, reg;
	bool high8, lock;
};

#define XCHG MMIO_XCHG
#define CMPXCHG MMIO_CMPXCHG

static const struct xchg_case xchg_cases[] = {
	{ "xchg %eax,(%rdi)", L64, BYTES(0x87, 0x07), XCHG, 4, REG_RAX, 0, 0 },
	{ "xchg %ah,(%rdi)", L64, BYTES(0x86, 0x27), XCHG, 1, REG_RAX, 1, 0 },
	{ "xchg %r8,(%rdi)", L64, BYTES(0x4c, 0x87, 0x07), XCHG, 8, REG_R8, 0, 0 },
	{ "lock xchg %cx,(%rdi)", L64, BYTES(0x66, 0xf0, 0x87, 0x0f), XCHG, 2, REG_RCX, 0, 1 },
	{ "cmpxchg %ecx,(%rdi)", L64, BYTES(0x0f, 0xb1, 0x0f), CMPXCHG, 4, REG_RCX, 0, 0 },
	{ "cmpxchg %bh,(%rdi)", L64, BYTES(0x0f, 0xb0, 0x3f), CMPXCHG, 1, REG_RBX, 1, 0 },
	{ "cmpxchg %sil,(%rdi)", L64, BYTES(0x40, 0x0f, 0xb0, 0x37), CMPXCHG, 1, REG_RSI, 0, 0 },
	{ "lock cmpxchg %r12,(%rdi)", L64, BYTES(0xf0, 0x4c, 0x0f, 0xb1, 0x27), CMPXCHG, 8, REG_R12,
	  0, 1 },
	{ "xchg %ax,(%edi)", P32, BYTES(0x66, 0x87, 0x07), XCHG, 2, REG_RAX, 0, 0 },
	{ "lock cmpxchg %edx,(%ecx)", P32, BYTES(0xf0, 0x0f, 0xb1, 0x11), CMPXCHG, 4, REG_RDX, 0,
	  1 },
	{ "xchg %al,(%bx)", R16, BYTES(0x86, 0x07), XCHG, 1, REG_RAX, 0, 0 },
	{ "cmpxchg %cx,(%bx)", R16, BYTES(0x0f, 0xb1, 0x0f), CMPXCHG, 2, REG_RCX, 0, 0 },
	{ "cmpxchg %ecx,(%bx)", R16, BYTES(0x66, 0x0f, 0xb1, 0x0f), CMPXCHG, 4, REG_RCX, 0, 0 },
};

/* SSE moves: reg is the XMM register; loads fill all 16 bytes of it. */
struct sse_case {
	const char *asm_text;
	enum cpu_mode mode;
	uint8_t b[MAXB];
	unsigned n;
	enum mmio_op op;
	uint8_t size, reg;
};

#define XLD MMIO_XMM_LOAD
#define XST MMIO_XMM_STORE

static const struct sse_case sse_cases[] = {
	{ "movd (%rdi),%xmm0", L64, BYTES(0x66, 0x0f, 0x6e, 0x07), XLD, 4, 0 },
	{ "movq (%rdi),%xmm1 (66 REX.W 0F 6E)", L64, BYTES(0x66, 0x48, 0x0f, 0x6e, 0x0f), XLD, 8,
	  1 },
	{ "movq (%rdi),%xmm9 (F3 0F 7E)", L64, BYTES(0xf3, 0x44, 0x0f, 0x7e, 0x0f), XLD, 8, 9 },
	{ "movd %xmm3,(%rdi)", L64, BYTES(0x66, 0x0f, 0x7e, 0x1f), XST, 4, 3 },
	{ "movq %xmm4,(%rdi) (66 REX.W 0F 7E)", L64, BYTES(0x66, 0x48, 0x0f, 0x7e, 0x27), XST, 8,
	  4 },
	{ "movq %xmm15,(%rdi) (66 0F D6)", L64, BYTES(0x66, 0x44, 0x0f, 0xd6, 0x3f), XST, 8, 15 },
	{ "movdqa (%rdi),%xmm1", L64, BYTES(0x66, 0x0f, 0x6f, 0x0f), XLD, 16, 1 },
	{ "movdqa %xmm14,0x10(%rdi)", L64, BYTES(0x66, 0x44, 0x0f, 0x7f, 0x77, 0x10), XST, 16, 14 },
	{ "movdqu (%rdi),%xmm8", L64, BYTES(0xf3, 0x44, 0x0f, 0x6f, 0x07), XLD, 16, 8 },
	{ "movdqu %xmm2,(%rdi)", L64, BYTES(0xf3, 0x0f, 0x7f, 0x17), XST, 16, 2 },
	{ "movdqu %xmm2,%fs:(%rdi): segment before F3", L64, BYTES(0x64, 0xf3, 0x0f, 0x7f, 0x17),
	  XST, 16, 2 },
	{ "movq (%edi),%xmm7", P32, BYTES(0xf3, 0x0f, 0x7e, 0x3f), XLD, 8, 7 },
	{ "movdqu %xmm0,(%eax,%ebx,2)", P32, BYTES(0xf3, 0x0f, 0x7f, 0x04, 0x58), XST, 16, 0 },
	{ "movd %xmm1,(%di)", P32, BYTES(0x67, 0x66, 0x0f, 0x7e, 0x0d), XST, 4, 1 },
	{ "movd (%bx),%xmm0: 66 is the mandatory prefix in 16-bit code too", R16,
	  BYTES(0x66, 0x0f, 0x6e, 0x07), XLD, 4, 0 },
	{ "movdqa %xmm3,0x100(%bx)", R16, BYTES(0x66, 0x0f, 0x7f, 0x9f, 0x00, 0x01), XST, 16, 3 },
	{ "movq %xmm2,(%ebx)", P16, BYTES(0x67, 0x66, 0x0f, 0xd6, 0x13), XST, 8, 2 },
};

struct bad_case {
	const char *asm_text;
	enum cpu_mode mode;
	uint8_t b[MAXB];
	unsigned n;
	const char *why; /* substring of the reason */
};

static const struct bad_case bad_cases[] = {
	{ "mov %eax,%eax", L64, BYTES(0x89, 0xc0), "register" },
	{ "mov %ecx,%eax", L64, BYTES(0x8b, 0xc1), "register" },
	{ "mov $1,%eax (C7 /0)", L64, BYTES(0xc7, 0xc0, 0x01, 0x00, 0x00, 0x00), "register" },
	{ "movzbl %al,%eax", L64, BYTES(0x0f, 0xb6, 0xc0), "register" },
	{ "mov %ax,%bx", R16, BYTES(0x89, 0xc3), "register" },
	{ "pushf (9c)", R16, BYTES(0x9c), "unsupported opcode" },
	{ "dec %eax; mov %eax,(%edi)", P32, BYTES(0x48, 0x89, 0x07), "unsupported opcode" },
	{ "dec %ax; mov %ax,(%bx)", R16, BYTES(0x48, 0x89, 0x07), "unsupported opcode" },
	{ "movups (%rdi),%xmm0", L64, BYTES(0x0f, 0x10, 0x07), "two-byte" },
	{ "lock mov", L64, BYTES(0xf0, 0x89, 0x07), "LOCK" },
	{ "repnz stos (F2 is not REP)", L64, BYTES(0xf2, 0xaa), "REPNE" },
	{ "rep or", L64, BYTES(0xf3, 0x09, 0x07), "REP prefix" },
	{ "rep mov 0x1234,%eax (moffs)", P32, BYTES(0xf3, 0xa1, 0x34, 0x12, 0x00, 0x00),
	  "REP prefix" },
	{ "test %eax,%eax", L64, BYTES(0x85, 0xc0), "register" },
	{ "and $1,%eax (83 /4)", L64, BYTES(0x83, 0xe0, 0x01), "register" },
	{ "or %al,%bl", R16, BYTES(0x08, 0xc3), "register" },
	{ "lodsb (AC)", L64, BYTES(0xac), "unsupported opcode" },
	{ "cmpsb (A6)", L64, BYTES(0xf3, 0xa6), "unsupported opcode" },
	{ "rep mov", L64, BYTES(0xf3, 0x89, 0x07), "REP prefix" },
	{ "repne mov", R16, BYTES(0xf2, 0x89, 0x07), "REPNE" },
	{ "data16 rep mov", L64, BYTES(0x66, 0xf3, 0x89, 0x07), "REP prefix" },
	{ "rex.W repnz stos", L64, BYTES(0x48, 0xf2, 0xaa), "REPNE" },
	{ "rex.W fs repnz stos", L64, BYTES(0x48, 0x64, 0xf2, 0x48, 0xaa), "REPNE" },
	{ "rex.R rep mov", L64, BYTES(0x44, 0xf3, 0x89, 0x07), "REP prefix" },
	{ "pop (%rdi) (8F /0)", L64, BYTES(0x8f, 0x07), "unsupported opcode" },
	{ "xadd %eax,(%rdi) (0F C1)", L64, BYTES(0x0f, 0xc1, 0x07), "two-byte" },
	{ "cmpxchg8b (%rdi) (0F C7 /1)", L64, BYTES(0x0f, 0xc7, 0x0f), "two-byte" },
	{ "mull (%rdi) (F7 /4)", L64, BYTES(0xf7, 0x27), "F6/F7" },
	{ "idivb (%rdi) (F6 /7)", L64, BYTES(0xf6, 0x3f), "F6/F7" },
	{ "testb $1,(%rdi) as F6 /1", L64, BYTES(0xf6, 0x0f, 0x01), "F6/F7" },
	{ "call *(%rdi) (FF /2)", L64, BYTES(0xff, 0x17), "FE/FF" },
	{ "pushq (%rdi) (FF /6)", L64, BYTES(0xff, 0x37), "FE/FF" },
	{ "FE /2", L64, BYTES(0xfe, 0x17), "FE/FF" },
	{ "0F BA /0", L64, BYTES(0x0f, 0xba, 0x07, 0x01), "0F BA" },
	{ "0F BA /3", R16, BYTES(0x0f, 0xba, 0x1f, 0x01), "0F BA" },
	{ "incl %eax (FF C0)", L64, BYTES(0xff, 0xc0), "register" },
	{ "xchg %eax,%ecx (87 C1)", L64, BYTES(0x87, 0xc1), "register" },
	{ "bt %eax,%ecx", L64, BYTES(0x0f, 0xa3, 0xc1), "register" },
	{ "btl $1,%eax", L64, BYTES(0x0f, 0xba, 0xe0, 0x01), "register" },
	{ "cmpxchg %ecx,%edx", L64, BYTES(0x0f, 0xb1, 0xca), "register" },
	{ "movd %eax,%xmm0", L64, BYTES(0x66, 0x0f, 0x6e, 0xc0), "register" },
	{ "movnti with 66", L64, BYTES(0x66, 0x0f, 0xc3, 0x07), "MOVNTI" },
	{ "rep movnti", L64, BYTES(0xf3, 0x0f, 0xc3, 0x07), "REP prefix" },
	{ "movq (%rdi),%mm0 (MMX)", L64, BYTES(0x0f, 0x6f, 0x07), "MMX" },
	{ "movd %mm1,(%rdi) (MMX)", P32, BYTES(0x0f, 0x7e, 0x0f), "MMX" },
	{ "66 F3 0F 6F", L64, BYTES(0x66, 0xf3, 0x0f, 0x6f, 0x07), "both 66 and F3" },
	{ "F3 66 0F 7F", R16, BYTES(0xf3, 0x66, 0x0f, 0x7f, 0x07), "both 66 and F3" },
	{ "F3 0F 6E (undefined)", L64, BYTES(0xf3, 0x0f, 0x6e, 0x07), "SSE form" },
	{ "F3 0F D6 with memory", L64, BYTES(0xf3, 0x0f, 0xd6, 0x07), "SSE form" },
	{ "movsd (%rdi),%xmm0 (F2 0F 10)", L64, BYTES(0xf2, 0x0f, 0x10, 0x07), "REPNE" },
	{ "movaps (%rdi),%xmm0 (0F 28)", L64, BYTES(0x0f, 0x28, 0x07), "two-byte" },
	/* LOCK where the CPU raises #UD: no memory destination, or not a read-modify-write */
	{ "lock or (%rdi),%eax", L64, BYTES(0xf0, 0x0b, 0x07), "LOCK" },
	{ "lock cmp %eax,(%rdi)", L64, BYTES(0xf0, 0x39, 0x07), "LOCK" },
	{ "lock cmpl $1,(%rdi)", L64, BYTES(0xf0, 0x83, 0x3f, 0x01), "LOCK" },
	{ "lock test %eax,(%rdi)", L64, BYTES(0xf0, 0x85, 0x07), "LOCK" },
	{ "lock testb $1,(%rdi)", L64, BYTES(0xf0, 0xf6, 0x07, 0x01), "LOCK" },
	{ "lock bt %eax,(%rdi)", L64, BYTES(0xf0, 0x0f, 0xa3, 0x07), "LOCK" },
	{ "lock btl $1,(%rdi)", L64, BYTES(0xf0, 0x0f, 0xba, 0x27, 0x01), "LOCK" },
	{ "lock movl $1,(%rdi)", L64, BYTES(0xf0, 0xc7, 0x07, 0x01, 0x00, 0x00, 0x00), "LOCK" },
	{ "lock mov (%rdi),%eax", P32, BYTES(0xf0, 0x8b, 0x07), "LOCK" },
	{ "lock movzbl (%rdi),%eax", L64, BYTES(0xf0, 0x0f, 0xb6, 0x07), "LOCK" },
	{ "lock mov 0x1234,%eax (moffs)", P32, BYTES(0xf0, 0xa1, 0x34, 0x12, 0x00, 0x00), "LOCK" },
	{ "lock stos", L64, BYTES(0xf0, 0xab), "LOCK" },
	{ "lock movsb", R16, BYTES(0xf0, 0xa4), "LOCK" },
	{ "lock movnti", L64, BYTES(0xf0, 0x0f, 0xc3, 0x07), "LOCK" },
	{ "lock movdqa %xmm0,(%rdi)", L64, BYTES(0xf0, 0x66, 0x0f, 0x7f, 0x07), "LOCK" },
	/* F2/F3 as XACQUIRE/XRELEASE hints are not emulated */
	{ "xacquire lock add", L64, BYTES(0xf2, 0xf0, 0x01, 0x07), "REPNE" },
	{ "xrelease lock add", L64, BYTES(0xf3, 0xf0, 0x01, 0x07), "REP prefix" },
	{ "xrelease xchg", L64, BYTES(0xf3, 0x87, 0x0f), "REP prefix" },
	{ "C7 /1", L64, BYTES(0xc7, 0x0f, 0x00, 0x00, 0x00, 0x00), "reg field" },
	{ "C6 /7", R16, BYTES(0xc6, 0x3f, 0x00), "reg field" },
	/* 16 bytes: one segment prefix more than the 15-byte example above */
	{ "fs x4 movq $1,0x11223344(%rax,%rbx,2)", L64,
	  BYTES(0x64, 0x64, 0x64, 0x64, 0x48, 0xc7, 0x84, 0x58, 0x44, 0x33, 0x22, 0x11, 0x01,
		0x00, 0x00, 0x00),
	  "truncated" },
	{ "15 x data16, mov", L64,
	  BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x89),
	  "truncated" },
	{ "14 REX, mov: 16 bytes", L64,
	  BYTES(0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d,
		0x89, 0x07),
	  "truncated" },
};

static struct mmio_insn out;
static const char *why;

/*
 * Decode from a heap copy of exactly avail bytes, so ASan catches a read
 * past the end; pad bytes (NOPs) follow the instruction when avail > n.
 */
static int decode(const uint8_t *b, unsigned n, unsigned avail, enum cpu_mode mode)
{
	uint8_t *copy = malloc(avail ? avail : 1);
	int rc;

	assert_non_null(copy);
	memset(copy, 0x90, avail);
	memcpy(copy, b, n < avail ? n : avail);
	memset(&out, 0xa5, sizeof(out));
	why = "poison";
	rc = decode_mmio(copy, avail, mode, &out, &why);
	free(copy);
	return rc;
}

static void expect_ok(const char *name, const uint8_t *b, unsigned n, enum cpu_mode mode,
		      unsigned avail)
{
	if (decode(b, n, avail, mode) != 0)
		fail_msg("%s (mode %d, avail %u): rejected: %s", name, mode, avail, why);
	if (why != NULL)
		fail_msg("%s: why '%s' on success", name, why);
	if (out.len != n)
		fail_msg("%s: len %u, expected %u", name, out.len, n);
}

/* Every shorter prefix of a valid instruction is reported as truncated. */
static void expect_truncations(const char *name, const uint8_t *b, unsigned n,
			       enum cpu_mode mode)
{
	for (unsigned k = 0; k < n; k++) {
		if (decode(b, k, k, mode) != -1)
			fail_msg("%s: accepted with %u of %u bytes", name, k, n);
		if (!why || !strstr(why, "truncated"))
			fail_msg("%s: %u bytes: why '%s'", name, k, why ? why : "(null)");
	}
}

static void check_reg_case(const struct good *t, unsigned avail)
{
	expect_ok(t->asm_text, t->b, t->n, t->mode, avail);
	if (out.op != t->op || out.size != t->size || out.reg != t->reg ||
	    out.high8 != t->high8 || out.sign_extend != t->sign_extend || out.has_imm || out.lock)
		fail_msg("%s (mode %d): op %d size %u reg %u high8 %d sx %d imm %d; expected op "
			 "%d size %u reg %u high8 %d sx %d",
			 t->asm_text, t->mode, out.op, out.size, out.reg, out.high8,
			 out.sign_extend, out.has_imm, t->op, t->size, t->reg, t->high8,
			 t->sign_extend);
	if (t->op == MMIO_LOAD && out.dst_size != t->dst_size)
		fail_msg("%s: dst_size %u, expected %u", t->asm_text, out.dst_size, t->dst_size);
}

static void test_reg_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(reg_cases); i++) {
		check_reg_case(&reg_cases[i], reg_cases[i].n);
		check_reg_case(&reg_cases[i], 15); /* trailing bytes are not consumed */
	}
}

static void check_imm_case(const struct imm_case *t, unsigned avail)
{
	expect_ok(t->asm_text, t->b, t->n, t->mode, avail);
	if (out.op != MMIO_STORE || !out.has_imm || out.size != t->size || out.imm != t->imm ||
	    out.sign_extend || out.high8 || out.lock)
		fail_msg("%s (mode %d): op %d has_imm %d size %u imm 0x%llx; expected size %u "
			 "imm 0x%llx",
			 t->asm_text, t->mode, out.op, out.has_imm, out.size,
			 (unsigned long long)out.imm, t->size, (unsigned long long)t->imm);
}

static void test_imm_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(imm_cases); i++) {
		check_imm_case(&imm_cases[i], imm_cases[i].n);
		check_imm_case(&imm_cases[i], MAXB);
	}
}

static void test_truncated(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(reg_cases); i++)
		expect_truncations(reg_cases[i].asm_text, reg_cases[i].b, reg_cases[i].n,
				   reg_cases[i].mode);
	for (size_t i = 0; i < ARRAY_SIZE(imm_cases); i++)
		expect_truncations(imm_cases[i].asm_text, imm_cases[i].b, imm_cases[i].n,
				   imm_cases[i].mode);
}

static void test_rejected(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *t = &bad_cases[i];

		if (decode(t->b, t->n, t->n, t->mode) != -1)
			fail_msg("%s: accepted (len %u)", t->asm_text, out.len);
		if (!why || !strstr(why, t->why))
			fail_msg("%s: why '%s', expected '%s'", t->asm_text, why ? why : "(null)",
				 t->why);
	}
}

static void check_string_case(const struct string_case *t, unsigned avail)
{
	expect_ok(t->asm_text, t->b, t->n, t->mode, avail);
	if (out.op != t->op || out.size != t->size || out.addr_size != t->addr_size ||
	    out.rep != t->rep || (t->op == MMIO_MOVS && out.seg != t->seg) || out.has_imm ||
	    out.lock)
		fail_msg("%s (mode %d): op %d size %u addr_size %u rep %d seg %u; expected op %d "
			 "size %u addr_size %u rep %d seg %u",
			 t->asm_text, t->mode, out.op, out.size, out.addr_size, out.rep, out.seg,
			 t->op, t->size, t->addr_size, t->rep, t->seg);
}

static void test_string_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(string_cases); i++) {
		check_string_case(&string_cases[i], string_cases[i].n);
		check_string_case(&string_cases[i], MAXB);
		expect_truncations(string_cases[i].asm_text, string_cases[i].b, string_cases[i].n,
				   string_cases[i].mode);
	}
}

static void check_alu_case(const struct alu_case *t, unsigned avail)
{
	expect_ok(t->asm_text, t->b, t->n, t->mode, avail);
	if (out.op != MMIO_ALU || out.alu != t->alu || out.size != t->size ||
	    out.high8 != t->high8 || out.reg_left != t->reg_left ||
	    out.writeback != t->writeback || out.has_imm != t->has_imm ||
	    (t->has_imm ? out.imm != t->imm : out.reg != t->reg) || out.sign_extend ||
	    out.lock != t->lock || out.rep)
		fail_msg("%s (mode %d): op %d alu %d size %u reg %u high8 %d reg_left %d wb %d "
			 "imm %d 0x%llx lock %d; expected alu %d size %u reg %u high8 %d reg_left "
			 "%d wb %d imm %d 0x%llx lock %d",
			 t->asm_text, t->mode, out.op, out.alu, out.size, out.reg, out.high8,
			 out.reg_left, out.writeback, out.has_imm, (unsigned long long)out.imm,
			 out.lock, t->alu, t->size, t->reg, t->high8, t->reg_left, t->writeback,
			 t->has_imm, (unsigned long long)t->imm, t->lock);
	/* A register destination is written at the operand size. */
	if (t->reg_left && t->writeback && out.dst_size != t->size)
		fail_msg("%s: dst_size %u, expected %u", t->asm_text, out.dst_size, t->size);
}

static void test_alu_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(alu_cases); i++) {
		check_alu_case(&alu_cases[i], alu_cases[i].n);
		check_alu_case(&alu_cases[i], MAXB);
		expect_truncations(alu_cases[i].asm_text, alu_cases[i].b, alu_cases[i].n,
				   alu_cases[i].mode);
	}
}

static void check_xchg_case(const struct xchg_case *t, unsigned avail)
{
	expect_ok(t->asm_text, t->b, t->n, t->mode, avail);
	if (out.op != t->op || out.size != t->size || out.reg != t->reg ||
	    out.high8 != t->high8 || out.lock != t->lock || out.has_imm || out.rep)
		fail_msg("%s (mode %d): op %d size %u reg %u high8 %d lock %d; expected op %d "
			 "size %u reg %u high8 %d lock %d",
			 t->asm_text, t->mode, out.op, out.size, out.reg, out.high8, out.lock,
			 t->op, t->size, t->reg, t->high8, t->lock);
	/* the register is written at the operand size: XCHG's, or rAX for CMPXCHG */
	if (out.dst_size != t->size)
		fail_msg("%s: dst_size %u, expected %u", t->asm_text, out.dst_size, t->size);
}

static void test_xchg_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(xchg_cases); i++) {
		check_xchg_case(&xchg_cases[i], xchg_cases[i].n);
		check_xchg_case(&xchg_cases[i], MAXB);
		expect_truncations(xchg_cases[i].asm_text, xchg_cases[i].b, xchg_cases[i].n,
				   xchg_cases[i].mode);
	}
}

static void check_sse_case(const struct sse_case *t, unsigned avail)
{
	expect_ok(t->asm_text, t->b, t->n, t->mode, avail);
	if (out.op != t->op || out.size != t->size || out.reg != t->reg || out.high8 ||
	    out.has_imm || out.rep || out.lock)
		fail_msg("%s (mode %d): op %d size %u reg %u rep %d; expected op %d size %u reg %u",
			 t->asm_text, t->mode, out.op, out.size, out.reg, out.rep, t->op, t->size,
			 t->reg);
	if (t->op == MMIO_XMM_LOAD && out.dst_size != 16)
		fail_msg("%s: dst_size %u, expected 16", t->asm_text, out.dst_size);
}

static void test_sse_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sse_cases); i++) {
		check_sse_case(&sse_cases[i], sse_cases[i].n);
		check_sse_case(&sse_cases[i], MAXB);
		expect_truncations(sse_cases[i].asm_text, sse_cases[i].b, sse_cases[i].n,
				   sse_cases[i].mode);
	}
}

/* The same bytes mean different things by mode: 89 05 is 2 bytes in 16-bit code. */
static void test_mode_matters(void **state)
{
	static const uint8_t b[] = { 0x89, 0x05, 0x78, 0x56, 0x34, 0x12 };
	static const uint8_t rex[] = { 0x48, 0x89, 0x07 };

	(void)state;
	assert_int_equal(decode(b, 6, 6, R16), 0);
	assert_int_equal(out.len, 2);
	assert_int_equal(out.size, 2);
	assert_int_equal(decode(b, 6, 6, P32), 0);
	assert_int_equal(out.len, 6);
	assert_int_equal(out.size, 4);
	assert_int_equal(decode(b, 6, 6, L64), 0);
	assert_int_equal(out.len, 6);
	assert_int_equal(decode(rex, 3, 3, L64), 0);
	assert_int_equal(out.size, 8);
	assert_int_equal(decode(rex, 3, 3, P32), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reg_forms),
		cmocka_unit_test(test_imm_forms),
		cmocka_unit_test(test_string_forms),
		cmocka_unit_test(test_alu_forms),
		cmocka_unit_test(test_xchg_forms),
		cmocka_unit_test(test_sse_forms),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_mode_matters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
