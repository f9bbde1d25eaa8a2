/* SPDX-License-Identifier: MIT */
/*
 * Host tests for arch/x86/decode_store.c, the doorbell's length-only
 * decoder. The stores were assembled with GNU as (.code64/.code32/.code16)
 * and checked against objdump; each must give decode_mmio()'s length too.
 * Everything else must be refused, so the full emulator takes it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arch/decode.h>

#define MAXB 16
#define BYTES(...) { __VA_ARGS__ }, sizeof((uint8_t[]){ __VA_ARGS__ })
#define L64 CPU_MODE_LONG64
#define P32 CPU_MODE_PROT32
#define P16 CPU_MODE_PROT16
#define R16 CPU_MODE_REAL16

struct store {
	const char *asm_text;
	enum cpu_mode mode;
	uint8_t b[MAXB];
	unsigned n;
};

static const struct store stores[] = {
	{ "movw $0,(%rax)", L64, BYTES(0x66, 0xc7, 0x00, 0x00, 0x00) },
	{ "mov %dx,(%rax)", L64, BYTES(0x66, 0x89, 0x10) },
	{ "mov %eax,(%rdi)", L64, BYTES(0x89, 0x07) },
	{ "mov %al,(%rdi)", L64, BYTES(0x88, 0x07) },
	{ "mov %r9,(%r10)", L64, BYTES(0x4d, 0x89, 0x0a) },
	{ "movl $0x12345678,0x10(%rbx)", L64, BYTES(0xc7, 0x43, 0x10, 0x78, 0x56, 0x34, 0x12) },
	{ "movq $-1,0x3000(%rip)", L64,
	  BYTES(0x48, 0xc7, 0x05, 0x00, 0x30, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff) },
	{ "movb $7,(%rsp)", L64, BYTES(0xc6, 0x04, 0x24, 0x07) },
	{ "mov %ecx,0x8(%rsp,%rax,4)", L64, BYTES(0x89, 0x4c, 0x84, 0x08) },
	{ "mov %ecx,0x12345678(,%rax,4)", L64, BYTES(0x89, 0x0c, 0x85, 0x78, 0x56, 0x34, 0x12) },
	{ "mov %eax,%fs:0x40(%rbp)", L64, BYTES(0x64, 0x89, 0x45, 0x40) },
	{ "movl $1,0x100(%r13)", L64, BYTES(0x41, 0xc7, 0x85, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00,
					      0x00, 0x00) },
	{ "addr32 mov %eax,(%edi)", L64, BYTES(0x67, 0x89, 0x07) },
	{ "movw $0x1234,0x11223344(%rsp,%rbx,8)", L64,
	  BYTES(0x66, 0xc7, 0x84, 0xdc, 0x44, 0x33, 0x22, 0x11, 0x34, 0x12) },
	{ "rex.w then 66: the REX is dropped, movw $0,(%rax)", L64,
	  BYTES(0x48, 0x66, 0xc7, 0x00, 0x00, 0x00) },
	{ "movw $0,(%eax)", P32, BYTES(0x66, 0xc7, 0x00, 0x00, 0x00) },
	{ "movl $5,0x10(%ebx)", P32, BYTES(0xc7, 0x43, 0x10, 0x05, 0x00, 0x00, 0x00) },
	{ "mov %cx,(%esi,%edi,2)", P32, BYTES(0x66, 0x89, 0x0c, 0x7e) },
	{ "movb $1,%es:(%bp,%si)", P32, BYTES(0x26, 0x67, 0xc6, 0x02, 0x01) },
	{ "movw $0,(%bx)", R16, BYTES(0xc7, 0x07, 0x00, 0x00) },
	{ "movw $0x1234,0x10(%bp,%di)", R16, BYTES(0xc7, 0x43, 0x10, 0x34, 0x12) },
	{ "movl $5,(%si)", P16, BYTES(0x66, 0xc7, 0x04, 0x05, 0x00, 0x00, 0x00) },
	{ "mov %eax,(%eax)", R16, BYTES(0x67, 0x66, 0x89, 0x00) },
	{ "movb $1,0x1234", R16, BYTES(0xc6, 0x06, 0x34, 0x12, 0x01) },
};

/* Each store: its length, decode_mmio()'s, and refused when one byte short. */
static void test_stores(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(stores) / sizeof(stores[0]); i++) {
		const struct store *s = &stores[i];
		uint8_t buf[MAXB];
		struct mmio_insn in;
		const char *why;

		memset(buf, 0x90, sizeof(buf)); /* NOPs after it change nothing */
		memcpy(buf, s->b, s->n);
		print_message("%s\n", s->asm_text);
		assert_int_equal(decode_store_len(buf, sizeof(buf), s->mode), (int)s->n);
		assert_int_equal(decode_store_len(s->b, s->n, s->mode), (int)s->n);
		assert_int_equal(decode_store_len(s->b, s->n - 1, s->mode), -1);
		assert_int_equal(decode_mmio(buf, sizeof(buf), s->mode, &in, &why), 0);
		assert_int_equal(in.op, MMIO_STORE);
		assert_int_equal(in.len, s->n);
	}
}

/* Forms the fast path must leave to the full emulator. */
static const struct store others[] = {
	{ "mov (%rdi),%eax (a load)", L64, BYTES(0x8b, 0x07) },
	{ "mov %eax,0x12345678 (moffs)", P32, BYTES(0xa3, 0x78, 0x56, 0x34, 0x12) },
	{ "movnti %eax,(%rdi)", L64, BYTES(0x0f, 0xc3, 0x07) },
	{ "rep stos", L64, BYTES(0xf3, 0xab) },
	{ "lock mov (#UD)", L64, BYTES(0xf0, 0x89, 0x07) },
	{ "rep mov", L64, BYTES(0xf3, 0x89, 0x07) },
	{ "repne mov", L64, BYTES(0xf2, 0x89, 0x07) },
	{ "mov %eax,%edi (a register)", L64, BYTES(0x89, 0xc7) },
	{ "movl $1,%eax via C7 (a register)", L64, BYTES(0xc7, 0xc0, 0x01, 0x00, 0x00, 0x00) },
	{ "C7 /1 (not a MOV)", L64, BYTES(0xc7, 0x08, 0x01, 0x00, 0x00, 0x00) },
	{ "C6 /7", L64, BYTES(0xc6, 0x38, 0x01) },
	{ "or %eax,(%rdi) (read-modify-write)", L64, BYTES(0x09, 0x07) },
	{ "xchg", L64, BYTES(0x87, 0x07) },
	{ "40 is INC outside 64-bit code", P32, BYTES(0x40, 0x89, 0x07) },
	{ "prefixes only", L64, BYTES(0x66, 0x67, 0x2e, 0x48) },
	{ "nothing", L64, { 0 }, 0 },
	{ "SIB missing", L64, BYTES(0x89, 0x04) },
	{ "displacement cut", L64, BYTES(0x89, 0x05, 0x00, 0x30) },
	{ "immediate cut", L64, BYTES(0xc7, 0x00, 0x01, 0x00, 0x00) },
	{ "14 prefixes then a store: 16 bytes", L64,
	  BYTES(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x89, 0x07) },
};

static void test_others_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		print_message("%s\n", others[i].asm_text);
		assert_int_equal(decode_store_len(others[i].b, others[i].n, others[i].mode), -1);
	}
}

/* 14 prefixes and a 1-byte store fit the architectural 15; one more does not. */
static void test_fifteen(void **state)
{
	uint8_t b[MAXB];

	(void)state;
	memset(b, 0x2e, sizeof(b));
	b[13] = 0x88;
	b[14] = 0x07; /* 13 prefixes, opcode, ModRM: 15 bytes */
	assert_int_equal(decode_store_len(b, sizeof(b), L64), 15);
	b[13] = 0x2e;
	b[14] = 0x88;
	b[15] = 0x07;
	assert_int_equal(decode_store_len(b, sizeof(b), L64), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stores),
		cmocka_unit_test(test_others_refused),
		cmocka_unit_test(test_fifteen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
