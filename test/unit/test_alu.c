/* SPDX-License-Identifier: MIT */
/*
 * Host tests for arch/x86/alu.c: results and RFLAGS for AND/OR/XOR/TEST
 * and CMP at every operand size. Expected flags follow SDM Vol. 2 ("AND",
 * "CMP", "SUB") and were cross-checked against the host CPU's own flags.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <arch/alu.h>
#include <arch/cpu.h>

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
	uint64_t a, b, result, flags; /* flags: the status flags after the operation */
};

static const struct alu_case cases[] = {
	/* logic: CF = OF = 0, SF/ZF/PF from the result (PF: low byte only) */
	{ ALU_AND, 1, 0xf0, 0x0f, 0x00, ZF | PF },
	{ ALU_AND, 1, 0xff, 0x81, 0x81, SF | PF },
	{ ALU_AND, 1, 0x1ff, 0x101, 0x01, 0 }, /* bits above the size are ignored */
	{ ALU_OR, 1, 0x01, 0x02, 0x03, PF },
	{ ALU_XOR, 1, 0x80, 0x81, 0x01, 0 },
	{ ALU_AND, 2, 0x8000, 0xffff, 0x8000, SF | PF },
	{ ALU_OR, 2, 0x0100, 0x0001, 0x0101, 0 },
	{ ALU_XOR, 2, 0xffff, 0xffff, 0, ZF | PF },
	{ ALU_AND, 4, 0x80000000, 0xffffffff, 0x80000000, SF | PF },
	{ ALU_OR, 4, 0x12345678, 0x80000000, 0x92345678, SF | PF },
	{ ALU_XOR, 4, 0x100000000ULL, 0, 0, ZF | PF }, /* 32-bit: bit 32 is outside */
	{ ALU_AND, 8, 0x8000000000000000ULL, ~0ULL, 0x8000000000000000ULL, SF | PF },
	{ ALU_OR, 8, 0x0100000000000000ULL, 0x7, 0x0100000000000007ULL, 0 },
	{ ALU_XOR, 8, ~0ULL, ~0ULL, 0, ZF | PF },
	/* CMP (SUB): CF borrow, OF signed overflow, AF borrow from bit 4 */
	{ ALU_SUB, 1, 5, 5, 0, ZF | PF },
	{ ALU_SUB, 1, 0, 1, 0xff, CF | SF | PF | AF },
	{ ALU_SUB, 1, 0x80, 1, 0x7f, OF | AF },
	{ ALU_SUB, 1, 0x7f, 0xff, 0x80, CF | SF | OF },
	{ ALU_SUB, 1, 0x10, 0x01, 0x0f, AF | PF },
	{ ALU_SUB, 1, 0x20, 0x10, 0x10, 0 },
	{ ALU_SUB, 2, 0x8000, 1, 0x7fff, OF | AF | PF },
	{ ALU_SUB, 2, 1, 2, 0xffff, CF | SF | AF | PF },
	{ ALU_SUB, 2, 0x1234, 0x1234, 0, ZF | PF },
	{ ALU_SUB, 4, 0x80000000, 1, 0x7fffffff, OF | AF | PF },
	{ ALU_SUB, 4, 3, 5, 0xfffffffe, CF | SF | AF },
	{ ALU_SUB, 4, 0x7fffffff, 0xffffffff, 0x80000000, CF | SF | OF | PF },
	{ ALU_SUB, 8, 0x8000000000000000ULL, 1, 0x7fffffffffffffffULL, OF | AF | PF },
	{ ALU_SUB, 8, 0, 1, ~0ULL, CF | SF | AF | PF },
	{ ALU_SUB, 8, 100, 7, 93, AF },
	{ ALU_SUB, 8, 0x100000000ULL, 1, 0xffffffffULL, AF | PF },
};

static void test_results_and_flags(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct alu_case *t = &cases[i];
		/* The non-status bits survive; AF survives logic ops (undefined there). */
		uint64_t keep = RFLAGS_RSVD | RFLAGS_IF | RFLAGS_DF, fl = keep | STATUS;
		uint64_t r = alu_compute(t->op, t->size, t->a, t->b, &fl);
		uint64_t want = keep | t->flags | (t->op != ALU_SUB ? AF : 0);

		if (r != t->result || fl != want)
			fail_msg("case %zu: op %d size %u 0x%llx, 0x%llx: result 0x%llx flags 0x%llx, "
				 "expected 0x%llx flags 0x%llx",
				 i, t->op, t->size, (unsigned long long)t->a,
				 (unsigned long long)t->b, (unsigned long long)r,
				 (unsigned long long)fl, (unsigned long long)t->result,
				 (unsigned long long)want);
		fl = keep; /* and from all flags clear: AF stays clear for logic ops */
		alu_compute(t->op, t->size, t->a, t->b, &fl);
		assert_int_equal(fl, keep | t->flags);
	}
}

/*
 * The host CPU's own flags for the same operation (pushfq writes below
 * RSP, so this file is built with -mno-red-zone).
 */
static uint64_t host_flags(enum alu_op op, unsigned size, uint64_t a, uint64_t b)
{
	uint64_t fl = 0, x = a, y = b;

	switch (size * 4 + op) {
#define CASE(sz, o, mnem, sfx, bits)                                                           \
	case sz * 4 + o: {                                                                     \
		uint##bits##_t p = (uint##bits##_t)x, q = (uint##bits##_t)y;                    \
		__asm__(mnem sfx " %2, %0\n\tpushfq\n\tpopq %1"                                  \
			: "+r"(p), "=r"(fl)                                                      \
			: "r"(q)                                                                 \
			: "cc");                                                                 \
		break;                                                                         \
	}
		CASE(1, ALU_AND, "and", "b", 8) CASE(1, ALU_OR, "or", "b", 8)
		CASE(1, ALU_XOR, "xor", "b", 8) CASE(1, ALU_SUB, "sub", "b", 8)
		CASE(2, ALU_AND, "and", "w", 16) CASE(2, ALU_OR, "or", "w", 16)
		CASE(2, ALU_XOR, "xor", "w", 16) CASE(2, ALU_SUB, "sub", "w", 16)
		CASE(4, ALU_AND, "and", "l", 32) CASE(4, ALU_OR, "or", "l", 32)
		CASE(4, ALU_XOR, "xor", "l", 32) CASE(4, ALU_SUB, "sub", "l", 32)
		CASE(8, ALU_AND, "and", "q", 64) CASE(8, ALU_OR, "or", "q", 64)
		CASE(8, ALU_XOR, "xor", "q", 64) CASE(8, ALU_SUB, "sub", "q", 64)
#undef CASE
	}
	return fl;
}

static void test_against_host_cpu(void **state)
{
	static const uint64_t vals[] = { 0, 1, 2, 0x0f, 0x10, 0x7f, 0x80, 0xff, 0x100, 0x7fff,
					 0x8000, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
					 0x123456789abcdef0ULL, 0x7fffffffffffffffULL,
					 0x8000000000000000ULL, ~0ULL };
	static const unsigned sizes[] = { 1, 2, 4, 8 };

	(void)state;
	for (unsigned op = ALU_AND; op <= ALU_SUB; op++)
		for (size_t s = 0; s < 4; s++)
			for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++)
				for (size_t j = 0; j < sizeof(vals) / sizeof(vals[0]); j++) {
					/* AF is undefined for logic ops: compare it only for SUB. */
					uint64_t mask = STATUS & ~(op == ALU_SUB ? 0 : AF);
					uint64_t fl = 0;

					alu_compute(op, sizes[s], vals[i], vals[j], &fl);
					if ((fl & mask) !=
					    (host_flags(op, sizes[s], vals[i], vals[j]) & mask))
						fail_msg("op %u size %u 0x%llx, 0x%llx: flags 0x%llx, "
							 "host 0x%llx",
							 op, sizes[s], (unsigned long long)vals[i],
							 (unsigned long long)vals[j],
							 (unsigned long long)(fl & mask),
							 (unsigned long long)(host_flags(op, sizes[s],
								vals[i], vals[j]) & mask));
				}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_results_and_flags),
		cmocka_unit_test(test_against_host_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
