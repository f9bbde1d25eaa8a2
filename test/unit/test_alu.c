/* SPDX-License-Identifier: MIT */
/*
 * Host tests for arch/x86/alu.c: results and RFLAGS for every operation at
 * every operand size, first by hand from SDM Vol. 2 (each instruction's
 * "Flags Affected"), then against the host CPU's own result and flags
 * from both all-clear and all-set flags, undefined ones included (Keel
 * leaves them as Intel CPUs do; see arch/alu.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <arch/alu.h>
#include <arch/cpu.h>
#include <keel/bits.h>

#define CF RFLAGS_CF
#define PF RFLAGS_PF
#define AF RFLAGS_AF
#define ZF RFLAGS_ZF
#define SF RFLAGS_SF
#define OF RFLAGS_OF
#define STATUS (CF | PF | AF | ZF | SF | OF)

struct alu_case {
	enum alu_op op;
	unsigned size;
	uint64_t a, b, in, result, flags; /* in, flags: the status flags before and after */
};

static const struct alu_case cases[] = {
	/* logic: CF = OF = AF = 0, SF/ZF/PF from the result (PF: low byte only) */
	{ ALU_AND, 1, 0xf0, 0x0f, 0, 0x00, ZF | PF },
	{ ALU_AND, 1, 0xff, 0x81, STATUS, 0x81, SF | PF },
	{ ALU_AND, 1, 0x1ff, 0x101, 0, 0x01, 0 }, /* bits above the size are ignored */
	{ ALU_OR, 1, 0x01, 0x02, 0, 0x03, PF },
	{ ALU_XOR, 1, 0x80, 0x81, AF, 0x01, 0 },
	{ ALU_AND, 2, 0x8000, 0xffff, 0, 0x8000, SF | PF },
	{ ALU_OR, 2, 0x0100, 0x0001, 0, 0x0101, 0 },
	{ ALU_XOR, 2, 0xffff, 0xffff, 0, 0, ZF | PF },
	{ ALU_AND, 4, 0x80000000, 0xffffffff, 0, 0x80000000, SF | PF },
	{ ALU_OR, 4, 0x12345678, 0x80000000, 0, 0x92345678, SF | PF },
	{ ALU_XOR, 4, 0x100000000ULL, 0, 0, 0, ZF | PF }, /* 32-bit: bit 32 is outside */
	{ ALU_AND, 8, 0x8000000000000000ULL, ~0ULL, 0, 0x8000000000000000ULL, SF | PF },
	{ ALU_OR, 8, 0x0100000000000000ULL, 0x7, 0, 0x0100000000000007ULL, 0 },
	{ ALU_XOR, 8, ~0ULL, ~0ULL, 0, 0, ZF | PF },
	/* SUB (and CMP): CF borrow, OF signed overflow, AF borrow from bit 4 */
	{ ALU_SUB, 1, 5, 5, 0, 0, ZF | PF },
	{ ALU_SUB, 1, 0, 1, 0, 0xff, CF | SF | PF | AF },
	{ ALU_SUB, 1, 0x80, 1, 0, 0x7f, OF | AF },
	{ ALU_SUB, 1, 0x7f, 0xff, 0, 0x80, CF | SF | OF },
	{ ALU_SUB, 1, 0x10, 0x01, 0, 0x0f, AF | PF },
	{ ALU_SUB, 1, 0x20, 0x10, STATUS, 0x10, 0 },
	{ ALU_SUB, 2, 0x8000, 1, 0, 0x7fff, OF | AF | PF },
	{ ALU_SUB, 2, 1, 2, 0, 0xffff, CF | SF | AF | PF },
	{ ALU_SUB, 4, 0x80000000, 1, 0, 0x7fffffff, OF | AF | PF },
	{ ALU_SUB, 4, 3, 5, 0, 0xfffffffe, CF | SF | AF },
	{ ALU_SUB, 4, 0x7fffffff, 0xffffffff, 0, 0x80000000, CF | SF | OF | PF },
	{ ALU_SUB, 8, 0x8000000000000000ULL, 1, 0, 0x7fffffffffffffffULL, OF | AF | PF },
	{ ALU_SUB, 8, 0, 1, 0, ~0ULL, CF | SF | AF | PF },
	{ ALU_SUB, 8, 100, 7, 0, 93, AF },
	{ ALU_SUB, 8, 0x100000000ULL, 1, 0, 0xffffffffULL, AF | PF },
	/* ADD: CF carry out, AF carry out of bit 3, OF signed overflow */
	{ ALU_ADD, 1, 0xff, 1, 0, 0, CF | ZF | AF | PF },
	{ ALU_ADD, 1, 0x08, 0x08, 0, 0x10, AF }, /* AF: the carry into bit 4, not into bit 3 */
	{ ALU_ADD, 1, 0x04, 0x0c, 0, 0x10, AF },
	{ ALU_SUB, 1, 0x10, 0x08, 0, 0x08, AF },
	{ ALU_ADD, 1, 0x7f, 1, 0, 0x80, OF | SF | AF },
	{ ALU_ADD, 1, 0x80, 0x80, 0, 0, CF | OF | ZF | PF },
	{ ALU_ADD, 2, 0x7ff0, 0x10, STATUS, 0x8000, OF | SF | PF },
	{ ALU_ADD, 4, 0xffffffff, 0xffffffff, 0, 0xfffffffe, CF | SF | AF },
	{ ALU_ADD, 8, ~0ULL, 1, 0, 0, CF | ZF | AF | PF },
	{ ALU_ADD, 8, 0x7fffffffffffffffULL, 1, 0, 0x8000000000000000ULL, OF | SF | AF | PF },
	/* ADC/SBB: CF comes in */
	{ ALU_ADC, 1, 0xff, 0, CF, 0, CF | ZF | AF | PF },
	{ ALU_ADC, 1, 0xff, 0, 0, 0xff, SF | PF },
	{ ALU_ADC, 2, 0xffff, 0xffff, CF, 0xffff, CF | SF | AF | PF },
	{ ALU_ADC, 4, 0x7fffffff, 0, CF, 0x80000000, OF | SF | AF | PF },
	{ ALU_ADC, 8, ~0ULL, ~0ULL, CF, ~0ULL, CF | SF | AF | PF },
	{ ALU_SBB, 1, 0, 0, CF, 0xff, CF | SF | AF | PF },
	{ ALU_SBB, 1, 5, 5, CF, 0xff, CF | SF | AF | PF },
	{ ALU_SBB, 1, 5, 5, 0, 0, ZF | PF },
	{ ALU_SBB, 2, 0, 0xffff, CF, 0, CF | ZF | AF | PF }, /* 0 - 0xffff - 1 borrows */
	{ ALU_SBB, 4, 0x80000000, 0, CF, 0x7fffffff, OF | AF | PF },
	{ ALU_SBB, 8, 0, ~0ULL, CF, 0, CF | ZF | AF | PF },
	/* INC/DEC keep CF, whatever it was */
	{ ALU_INC, 1, 0xff, 0, CF, 0, CF | ZF | AF | PF },
	{ ALU_INC, 1, 0xff, 0, 0, 0, ZF | AF | PF },
	{ ALU_INC, 2, 0x7fff, 0, 0, 0x8000, OF | SF | AF | PF },
	{ ALU_INC, 8, 0x7fffffffffffffffULL, 0, CF, 0x8000000000000000ULL, CF | OF | SF | AF | PF },
	{ ALU_DEC, 1, 0, 0, 0, 0xff, SF | AF | PF },
	{ ALU_DEC, 4, 0x80000000, 0, CF, 0x7fffffff, CF | OF | AF | PF },
	{ ALU_DEC, 8, 1, 0, STATUS, 0, CF | ZF | PF },
	/* NEG: CF unless the operand was 0; OF for the most negative value */
	{ ALU_NEG, 1, 0, 0, STATUS, 0, ZF | PF },
	{ ALU_NEG, 1, 0x80, 0, 0, 0x80, CF | OF | SF },
	{ ALU_NEG, 2, 1, 0, 0, 0xffff, CF | SF | AF | PF },
	{ ALU_NEG, 4, 0x10, 0, 0, 0xfffffff0, CF | SF | PF },
	{ ALU_NEG, 8, 0x8000000000000000ULL, 0, 0, 0x8000000000000000ULL, CF | OF | SF | PF },
	/* NOT changes no flag */
	{ ALU_NOT, 1, 0x0f, 0, 0, 0xf0, 0 },
	{ ALU_NOT, 2, 0, 0, STATUS, 0xffff, STATUS },
	{ ALU_NOT, 4, 0x12345678, 0, ZF, 0xedcba987, ZF },
	{ ALU_NOT, 8, 0, 0, 0, ~0ULL, 0 },
	/* BT*: CF is the bit (offset modulo the width); the other flags are kept */
	{ ALU_BT, 2, 0x8000, 15, 0, 0x8000, CF },
	{ ALU_BT, 2, 0x8000, 31, 0, 0x8000, CF }, /* 31 mod 16 */
	{ ALU_BT, 4, 0x8000, 15, STATUS, 0x8000, STATUS },
	{ ALU_BT, 4, 0x8000, 14, STATUS, 0x8000, STATUS & ~CF },
	{ ALU_BTS, 4, 0, 33, 0, 2, 0 },
	{ ALU_BTS, 8, 0, 63, ZF, 0x8000000000000000ULL, ZF },
	{ ALU_BTS, 8, 1, 64, 0, 1, CF }, /* 64 mod 64: bit 0 */
	{ ALU_BTR, 4, 0xffffffff, 0, 0, 0xfffffffe, CF },
	{ ALU_BTR, 2, 0x00ff, 8, SF | OF, 0x00ff, SF | OF },
	{ ALU_BTC, 8, 0x10, 4, 0, 0, CF },
	{ ALU_BTC, 4, 0x10, 0xffffffff, 0, 0x80000010, 0 }, /* -1: bit 31 */
};

static void test_results_and_flags(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct alu_case *t = &cases[i];
		uint64_t keep = RFLAGS_RSVD | RFLAGS_IF | RFLAGS_DF, fl = keep | t->in;
		uint64_t r = alu_compute(t->op, t->size, t->a, t->b, &fl);

		if (r != t->result || fl != (keep | t->flags))
			fail_msg("case %zu: op %d size %u 0x%llx, 0x%llx, flags in 0x%llx: result "
				 "0x%llx flags 0x%llx, expected 0x%llx flags 0x%llx",
				 i, t->op, t->size, (unsigned long long)t->a,
				 (unsigned long long)t->b, (unsigned long long)t->in,
				 (unsigned long long)r, (unsigned long long)fl,
				 (unsigned long long)t->result,
				 (unsigned long long)(keep | t->flags));
	}
}

/*
 * The host CPU's result and RFLAGS for the same operation, started from
 * the status flags in (pushfq writes below RSP, so this file is built
 * with -mno-red-zone). BT* use their register form, whose bit offset is
 * taken modulo the width as for a memory operand's word.
 */
#define RUN(text, T, ...)                                                                     \
	do {                                                                                 \
		T x = (T)a, y = (T)b;                                                        \
		(void)y;                                                                     \
		__asm__("pushq %3\n\tpopfq\n\t" text "\n\tpushfq\n\tpopq %1"                 \
			: "+r"(x), "=r"(*out)                                                \
			: "r"(y), "r"(in)                                                    \
			: "cc");                                                             \
		return (uint64_t)x;                                                          \
	} while (0)
#define SIZES(insn, operands)                                                                 \
	switch (size) {                                                                      \
	case 1: RUN(insn "b " operands, uint8_t);                                            \
	case 2: RUN(insn "w " operands, uint16_t);                                           \
	case 4: RUN(insn "l " operands, uint32_t);                                           \
	default: RUN(insn "q " operands, uint64_t);                                          \
	}
#define BINARY(insn) SIZES(insn, "%2, %0")
#define UNARY(insn)  SIZES(insn, "%0")
/* BT has no byte form: the tests do not ask for one. */
#define BITS(insn)                                                                            \
	switch (size) {                                                                      \
	case 2: RUN(insn "w %2, %0", uint16_t);                                              \
	case 4: RUN(insn "l %2, %0", uint32_t);                                              \
	default: RUN(insn "q %2, %0", uint64_t);                                             \
	}

static uint64_t host_alu(enum alu_op op, unsigned size, uint64_t a, uint64_t b, uint64_t in,
			 uint64_t *out)
{
	switch (op) {
	case ALU_ADD: BINARY("add");
	case ALU_OR: BINARY("or");
	case ALU_ADC: BINARY("adc");
	case ALU_SBB: BINARY("sbb");
	case ALU_AND: BINARY("and");
	case ALU_SUB: BINARY("sub");
	case ALU_XOR: BINARY("xor");
	case ALU_INC: UNARY("inc");
	case ALU_DEC: UNARY("dec");
	case ALU_NOT: UNARY("not");
	case ALU_NEG: UNARY("neg");
	case ALU_BT: BITS("bt");
	case ALU_BTS: BITS("bts");
	case ALU_BTR: BITS("btr");
	case ALU_BTC: BITS("btc");
	default: fail_msg("no host instruction for op %d", op);
	}
	return 0;
}

/* alu_compute() and the host CPU on the same operation from the same flags. */
static void compare_with_host(enum alu_op op, unsigned size, uint64_t a, uint64_t b,
			      uint64_t start)
{
	uint64_t mask = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
	uint64_t fl = start, host_fl, r, host;

	r = alu_compute(op, size, a, b, &fl);
	host = host_alu(op, size, a, b, start, &host_fl) & mask;
	host_fl = (host_fl & STATUS) | RFLAGS_RSVD; /* IF and the like are the test's own */
	if (r != host || fl != host_fl)
		fail_msg("op %d size %u 0x%llx, 0x%llx, flags in 0x%llx: 0x%llx flags 0x%llx, "
			 "host 0x%llx flags 0x%llx",
			 op, size, (unsigned long long)a, (unsigned long long)b,
			 (unsigned long long)start, (unsigned long long)r, (unsigned long long)fl,
			 (unsigned long long)host, (unsigned long long)host_fl);
}

static void test_against_host_cpu(void **state)
{
	/* edges of every width, and bit patterns whose carries into bits 3 and 4 differ */
	static const uint64_t vals[] = { 0, 1, 2, 0x08, 0x0f, 0x10, 0x1f, 0x20, 0x3f, 0x40,
					 0x55, 0x7f, 0x80, 0xaa, 0xff, 0x100, 0x7fff, 0x8000,
					 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
					 0x123456789abcdef0ULL, 0x5555555555555555ULL,
					 0xaaaaaaaaaaaaaaaaULL, 0x7fffffffffffffffULL,
					 0x8000000000000000ULL, ~0ULL };
	static const unsigned sizes[] = { 1, 2, 4, 8 };
	static const uint64_t starts[] = { RFLAGS_RSVD, RFLAGS_RSVD | STATUS };
	unsigned compared = 0;

	(void)state;
	for (unsigned op = 0; op < ALU_NR; op++)
		for (size_t s = op >= ALU_BT; s < ARRAY_SIZE(sizes); s++) /* BT: no byte form */
			for (size_t i = 0; i < ARRAY_SIZE(vals); i++)
				for (size_t j = 0; j < ARRAY_SIZE(vals); j++)
					for (size_t f = 0; f < ARRAY_SIZE(starts); f++, compared++)
						compare_with_host(op, sizes[s], vals[i], vals[j],
								  starts[f]);
	/* every op in every width (BT* without bytes), every pair, both starts */
	assert_int_equal(compared, (ALU_NR * 4 - 4) * ARRAY_SIZE(vals) * ARRAY_SIZE(vals) * 2);
}

/*
 * exit_ept.c emulates CMPXCHG as CMP rAX, memory and decides by ZF: the
 * host's CMPXCHG must agree on the flags and on which way it went.
 */
static void test_cmpxchg_flags(void **state)
{
	static const uint64_t vals[] = { 0, 1, 0x7f, 0x80, 0xffffffff, 0x8000000000000000ULL,
					 ~0ULL };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(vals); i++)
		for (size_t j = 0; j < ARRAY_SIZE(vals); j++) {
			uint64_t acc = vals[i], mem = vals[j], src = 0x5a5a5a5a5a5a5a5aULL;
			uint64_t fl = RFLAGS_RSVD, host_fl, rax = acc;

			alu_compute(ALU_SUB, 8, acc, mem, &fl);
			__asm__("cmpxchgq %3, %1\n\tpushfq\n\tpopq %2"
				: "+a"(rax), "+m"(mem), "=r"(host_fl)
				: "r"(src)
				: "cc");
			assert_int_equal(fl & STATUS, host_fl & STATUS);
			/* equal: memory took src and rAX is kept; else rAX took memory */
			assert_int_equal(mem, (fl & ZF) ? src : vals[j]);
			assert_int_equal(rax, (fl & ZF) ? acc : vals[j]);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_results_and_flags),
		cmocka_unit_test(test_against_host_cpu),
		cmocka_unit_test(test_cmpxchg_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
