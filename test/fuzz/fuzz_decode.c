/* SPDX-License-Identifier: MIT */
/*
 * The MMIO instruction decoder and its arithmetic (arch/x86/decode.c,
 * alu.c) on any bytes, in each CPU mode. The input: a mode byte, two
 * 64-bit operands and an RFLAGS value for the arithmetic, then the
 * instruction bytes; the mode byte also picks the operation and size the
 * arithmetic is checked with. A decoded instruction must fit the bytes
 * given and 15, decode the same from exactly its own bytes and not from
 * fewer, and agree with Capstone (test/unit/decode_ref.c); the doorbell's
 * length-only decoder (decode_store.c) must give decode_mmio()'s length
 * for a MOV store or refuse. alu_compute() must give the result and the
 * status flags the host CPU gives.
 */
#include <string.h>

#include <arch/alu.h>
#include <arch/cpu.h>
#include <arch/decode.h>

#include "../unit/decode_ref.h"
#include "fuzz.h"

#define HEADER 25 /* mode, a, b, rflags */
#define STATUS (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_OF)

/*
 * The host CPU's answer: op on size bytes from the status flags in, and
 * RFLAGS after it. BT* use their register form (no byte form).
 */
#define HOST(text, T)                                                                       \
	do {                                                                                \
		T x = (T)a, y = (T)b;                                                       \
		(void)y;                                                                    \
		__asm__ volatile("pushq %3\n\tpopfq\n\t" text "\n\tpushfq\n\tpopq %1"       \
				 : "+r"(x), "=r"(*flags) : "r"(y), "r"(in) : "cc");         \
		return x;                                                                   \
	} while (0)
#define HOST_SIZES(insn, operands)                                                          \
	do {                                                                                \
		switch (size) {                                                             \
		case 1: HOST(insn "b " operands, uint8_t);                                 \
		case 2: HOST(insn "w " operands, uint16_t);                                \
		case 4: HOST(insn "l " operands, uint32_t);                                \
		default: HOST(insn "q " operands, uint64_t);                               \
		}                                                                           \
	} while (0)
#define HOST_BITS(insn) /* no byte form */                                                  \
	do {                                                                                \
		switch (size) {                                                             \
		case 2: HOST(insn "w %2, %0", uint16_t);                                   \
		case 4: HOST(insn "l %2, %0", uint32_t);                                   \
		default: HOST(insn "q %2, %0", uint64_t);                                  \
		}                                                                           \
	} while (0)

static uint64_t host_alu(enum alu_op op, unsigned size, uint64_t a, uint64_t b, uint64_t in,
			 uint64_t *flags)
{
	switch (op) {
	case ALU_ADD: HOST_SIZES("add", "%2, %0");
	case ALU_OR: HOST_SIZES("or", "%2, %0");
	case ALU_ADC: HOST_SIZES("adc", "%2, %0");
	case ALU_SBB: HOST_SIZES("sbb", "%2, %0");
	case ALU_AND: HOST_SIZES("and", "%2, %0");
	case ALU_SUB: HOST_SIZES("sub", "%2, %0");
	case ALU_XOR: HOST_SIZES("xor", "%2, %0");
	case ALU_INC: HOST_SIZES("inc", "%0");
	case ALU_DEC: HOST_SIZES("dec", "%0");
	case ALU_NOT: HOST_SIZES("not", "%0");
	case ALU_NEG: HOST_SIZES("neg", "%0");
	case ALU_BT: HOST_BITS("bt");
	case ALU_BTS: HOST_BITS("bts");
	case ALU_BTR: HOST_BITS("btr");
	default: HOST_BITS("btc");
	}
}

/* Every status flag is compared, undefined ones too: Keel leaves them as Intel CPUs do. */
static void check_alu(enum alu_op op, unsigned size, uint64_t a, uint64_t b, uint64_t rflags)
{
	uint64_t host_flags, flags = rflags, in = (rflags & STATUS) | RFLAGS_RSVD;
	uint64_t mask = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
	uint64_t res;

	if (op >= ALU_BT && size == 1) /* BT* have no byte form */
		size = 2, mask = 0xffff;
	res = alu_compute(op, size, a, b, &flags);
	FUZZ_CHECK(res == (host_alu(op, size, a, b, in, &host_flags) & mask),
		   "alu: the result is the host CPU's");
	FUZZ_CHECK((flags & STATUS) == (host_flags & STATUS),
		   "alu: the status flags are the host CPU's");
	FUZZ_CHECK((flags & ~STATUS) == (rflags & ~STATUS), "alu: other RFLAGS bits are kept");
}

static bool one_of(unsigned v, unsigned a, unsigned b, unsigned c, unsigned d)
{
	return v == a || v == b || v == c || v == d;
}

static void check_insn(const uint8_t *b, unsigned avail, enum cpu_mode mode,
		       const struct mmio_insn *in)
{
	struct mmio_insn again;
	const char *why = NULL;
	bool long64 = mode == CPU_MODE_LONG64;

	FUZZ_CHECK(in->len >= 1 && in->len <= 15 && in->len <= avail,
		   "decode: the length is 1..15 and within the bytes given");
	if (in->op == MMIO_XMM_LOAD || in->op == MMIO_XMM_STORE)
		FUZZ_CHECK(one_of(in->size, 4, 8, 16, 16) &&
			   (in->op != MMIO_XMM_LOAD || in->dst_size == 16),
			   "decode: an SSE move is 4, 8 or 16 bytes; a load fills the register");
	else
		FUZZ_CHECK(one_of(in->size, 1, 2, 4, 8) && (long64 || in->size != 8),
			   "decode: an operand is 1, 2, 4 or (64-bit code) 8 bytes");
	if (in->op == MMIO_ALU)
		FUZZ_CHECK(in->alu < ALU_NR && (in->alu < ALU_BT || in->size > 1) &&
			   (!alu_unary(in->alu) || (!in->has_imm && in->writeback)),
			   "decode: an ALU operation Keel has, with the operands it takes");
	FUZZ_CHECK(!in->lock || in->op == MMIO_XCHG || in->op == MMIO_CMPXCHG ||
		   (in->op == MMIO_ALU && in->writeback && !in->reg_left),
		   "decode: LOCK only where the instruction reads and writes memory");
	FUZZ_CHECK(in->reg < (long64 ? 16 : 8) && (!in->high8 || (in->reg < 4 && in->size == 1)),
		   "decode: a register the mode has");
	if (in->op == MMIO_LOAD)
		FUZZ_CHECK(one_of(in->dst_size, 1, 2, 4, 8) && in->dst_size >= in->size &&
			   (long64 || in->dst_size != 8), "decode: a load fills a register of the mode");
	if (in->op == MMIO_STOS || in->op == MMIO_MOVS)
		FUZZ_CHECK((long64 ? in->addr_size == 4 || in->addr_size == 8
				   : in->addr_size == 2 || in->addr_size == 4) && in->seg <= SEG_GS,
			   "decode: a string instruction's address size is one the mode has");
	memset(&again, 0, sizeof(again));
	FUZZ_CHECK(!decode_mmio(b, in->len, mode, &again, &why) && !memcmp(in, &again, sizeof(again)),
		   "decode: the instruction's own bytes decode the same");
	FUZZ_CHECK(decode_mmio(b, in->len - 1u, mode, &again, &why) && why,
		   "decode: fewer bytes than the instruction are refused");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in hdr = { data, size, 0 };
	uint8_t m = fuzz_u8(&hdr);
	uint64_t a = fuzz_le(&hdr, 8), b = fuzz_le(&hdr, 8), rflags = fuzz_le(&hdr, 8);
	enum cpu_mode mode = (enum cpu_mode)(m & 3);
	const uint8_t *insn = size > HEADER ? data + HEADER : data;
	unsigned avail = size > HEADER ? (unsigned)(size - HEADER) : 0;
	struct mmio_insn in;
	const char *why = NULL;
	char ref[256];
	int store_len;

	/* mode: bits 1:0; operation: bits 7:6 and 3:2; size: bits 5:4 */
	check_alu((enum alu_op)(((m >> 2 & 3) | (m >> 6) << 2) % ALU_NR), 1u << (m >> 4 & 3), a,
		  b, rflags);
	if (avail > 32)
		avail = 32;
	memset(&in, 0, sizeof(in));
	store_len = decode_store_len(insn, avail, mode);
	if (decode_mmio(insn, avail, mode, &in, &why)) {
		FUZZ_CHECK(store_len < 0, "decode_store: nothing decode_mmio refuses");
		FUZZ_CHECK(why && why[0], "decode: a refusal says why");
		if (decode_ref_claimed(insn, avail, mode, ref, sizeof(ref))) {
			fprintf(stderr, "fuzz: decode refused a form it claims: %s (%s)\n", ref, why);
			FUZZ_CHECK(0, "decode: a form arch/decode.h claims is not refused");
		}
		return 0;
	}
	check_insn(insn, avail, mode, &in);
	FUZZ_CHECK(store_len < 0 || (in.op == MMIO_STORE && store_len == in.len),
		   "decode_store: a store of decode_mmio's length, or refused");
	if (in.op == MMIO_ALU)
		check_alu(in.alu, in.size, a, b, rflags);
	if (decode_ref_compare(insn, avail, mode, &in, ref, sizeof(ref))) {
		fprintf(stderr, "fuzz: decode disagrees with Capstone: %s\n", ref);
		FUZZ_CHECK(0, "decode: Keel decodes as Capstone does");
	}
	return 0;
}
