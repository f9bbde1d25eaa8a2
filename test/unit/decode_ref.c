/* SPDX-License-Identifier: MIT */
/*
 * Keel's MMIO decoder against Capstone 4; see decode_ref.h. Capstone's
 * detail (Intel syntax) gives each operand's type, size and access; Keel's
 * result says the same things in its own terms, translated below.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <capstone/capstone.h>

#include "decode_ref.h"

static csh handles[3];
static cs_insn *insns[3];

static int fail(char *why, size_t whylen, const cs_insn *in, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	if (in && n >= 0 && (size_t)n < whylen)
		snprintf(why + n, whylen - n, " (Capstone: %s %s)", in->mnemonic, in->op_str);
	return 1;
}

static bool is_prefix(uint8_t b, int mode)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65: case 0x66: case 0x67:
	case 0xf0: case 0xf2: case 0xf3:
		return true;
	}
	return mode == CPU_MODE_LONG64 && (b & 0xf0) == 0x40;
}

/*
 * Capstone 4 drops the operand size a 66 gives when the 66 comes before an
 * F2 or F3 in 32- and 64-bit mode, taking it for an SSE mandatory prefix:
 * 66 f3 ab is "rep stosd", 66 f3 89 07 "mov dword ptr [rdi], ax". Legacy
 * prefixes may come in any order (SDM Vol. 2A 2.1.1) and none of the
 * opcodes compared here has a mandatory prefix, so Capstone is shown the
 * same prefixes with those 66s moved right after the last F2/F3 (a REX
 * before them is followed by a legacy prefix either way, so stays dropped).
 * Returns false when there is nothing to move.
 */
static bool reorder_66(const uint8_t *b, size_t len, int mode, uint8_t out[16])
{
	size_t end = 0, last = 0, n = 0, moved = 0;

	while (end < len && end < 15 && is_prefix(b[end], mode)) {
		if (b[end] == 0xf2 || b[end] == 0xf3)
			last = end + 1;
		end++;
	}
	for (size_t i = 0; i < last; i++)
		if (b[i] != 0x66)
			out[n++] = b[i];
		else
			moved++;
	if (!moved)
		return false;
	while (moved--)
		out[n++] = 0x66;
	for (size_t i = last; n < 16 && i < len; i++)
		out[n++] = b[i];
	return true;
}

/*
 * Capstone 4 takes a 66 or F3 as the mandatory prefix of 0F 6E/7E/6F/7F/D6
 * only right before the opcode (66 26 0f d6 07 is refused, 66 36 0f 6e 17
 * is "movd mm2"), and in 16-bit mode not at all (66 0f 6e 07 is "movd mm0,
 * dword ptr [bx]"); GNU objdump and the SDM make both MOVD/MOVQ with an
 * XMM register, as legacy prefixes come in any order (SDM Vol. 2A 2.1.1).
 * So Capstone is shown those forms with the 66s and F3s moved right before
 * the REX that counts (or the 0F), and 16-bit code in 32-bit mode with the
 * address size kept: every 67 dropped (32-bit addressing either way), or
 * one added (16-bit addressing). An added byte that could pass the 15
 * allowed replaces an earlier copy of a prefix repeated later, which
 * changes nothing (nor does the REX.W cleared below). Returns false when
 * the bytes are no such form; else *shorter is how many bytes fewer than
 * the guest's Capstone is shown.
 */
static bool sse_for_capstone(const uint8_t *b, size_t len, int mode, uint8_t out[16],
			     size_t *outlen, int *shorter)
{
	size_t end = 0, n = 0, drop = 16, rex;
	bool mode16 = mode == CPU_MODE_REAL16 || mode == CPU_MODE_PROT16;

	while (end < len && end < 15 && is_prefix(b[end], mode))
		end++;
	if (end + 1 >= len || b[end] != 0x0f ||
	    !(b[end + 1] == 0x6e || b[end + 1] == 0x7e || b[end + 1] == 0x6f ||
	      b[end + 1] == 0x7f || b[end + 1] == 0xd6))
		return false;
	rex = end && mode == CPU_MODE_LONG64 && (b[end - 1] & 0xf0) == 0x40 ? end - 1 : end;
	*shorter = 0;
	if (mode16 && !memchr(b, 0x67, end)) {
		out[n++] = 0x67;
		*shorter = -1;
		for (size_t i = 0; len >= 15 && i < end && drop == 16; i++)
			if (memchr(b + i + 1, b[i], end - i - 1))
				drop = i;
	}
	for (size_t i = 0; i < rex; i++) {
		if (i == drop || (mode16 && b[i] == 0x67))
			(*shorter)++;
		else if (b[i] != 0x66 && b[i] != 0xf3)
			out[n++] = b[i];
	}
	for (size_t i = 0; i < rex; i++)
		if (i != drop && (b[i] == 0x66 || b[i] == 0xf3))
			out[n++] = b[i];
	/* F3 REX.W 0F 7E is MOVQ xmm, m64 (W is ignored); Capstone 4 makes it an MMX MOVD */
	if (rex < end && b[end + 1] == 0x7e && memchr(b, 0xf3, rex) && !memchr(b, 0x66, rex) &&
	    n < 16)
		out[n++] = b[rex++] & ~8;
	for (size_t i = rex; i < len && n < 16; i++)
		out[n++] = b[i];
	*outlen = n;
	return true;
}

/*
 * Capstone's first instruction in bytes[0..len), or NULL if it has none;
 * *shorter: how many bytes fewer than the guest's it was shown.
 */
static const cs_insn *ref_disasm(const uint8_t *bytes, size_t len, int mode, int *shorter)
{
	static const cs_mode modes[] = { CS_MODE_16, CS_MODE_32, CS_MODE_64 };
	unsigned i = mode == CPU_MODE_LONG64 ? 2 : mode == CPU_MODE_PROT32 ? 1 : 0;
	uint64_t addr = 0;
	uint8_t fixed[16];
	size_t n;

	*shorter = 0;
	if (sse_for_capstone(bytes, len, mode, fixed, &n, shorter)) {
		bytes = fixed;
		len = n;
		i = i ? i : 1;
	} else if (reorder_66(bytes, len, mode, fixed)) {
		bytes = fixed;
		len = len < 16 ? len : 16;
	}
	if (!insns[i]) {
		if (cs_open(CS_ARCH_X86, modes[i], &handles[i]) != CS_ERR_OK) {
			fprintf(stderr, "decode_ref: Capstone has no x86 support\n");
			abort();
		}
		cs_option(handles[i], CS_OPT_DETAIL, CS_OPT_ON);
		insns[i] = cs_malloc(handles[i]);
	}
	return cs_disasm_iter(handles[i], &bytes, &len, &addr, insns[i]) ? insns[i] : NULL;
}

void decode_ref_fini(void)
{
	for (unsigned i = 0; i < 3; i++) {
		if (!insns[i])
			continue;
		cs_free(insns[i], 1);
		cs_close(&handles[i]);
		insns[i] = NULL;
	}
}

/* A general register as Keel names it: SDM number, width, AH-BH. */
struct gpr {
	unsigned num, size;
	bool high8;
};

static bool gpr_of(x86_reg r, struct gpr *g)
{
	static const x86_reg by_size[4][16] = {
		{ X86_REG_AL, X86_REG_CL, X86_REG_DL, X86_REG_BL, X86_REG_SPL, X86_REG_BPL,
		  X86_REG_SIL, X86_REG_DIL, X86_REG_R8B, X86_REG_R9B, X86_REG_R10B, X86_REG_R11B,
		  X86_REG_R12B, X86_REG_R13B, X86_REG_R14B, X86_REG_R15B },
		{ X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX, X86_REG_SP, X86_REG_BP,
		  X86_REG_SI, X86_REG_DI, X86_REG_R8W, X86_REG_R9W, X86_REG_R10W, X86_REG_R11W,
		  X86_REG_R12W, X86_REG_R13W, X86_REG_R14W, X86_REG_R15W },
		{ X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX, X86_REG_ESP, X86_REG_EBP,
		  X86_REG_ESI, X86_REG_EDI, X86_REG_R8D, X86_REG_R9D, X86_REG_R10D, X86_REG_R11D,
		  X86_REG_R12D, X86_REG_R13D, X86_REG_R14D, X86_REG_R15D },
		{ X86_REG_RAX, X86_REG_RCX, X86_REG_RDX, X86_REG_RBX, X86_REG_RSP, X86_REG_RBP,
		  X86_REG_RSI, X86_REG_RDI, X86_REG_R8, X86_REG_R9, X86_REG_R10, X86_REG_R11,
		  X86_REG_R12, X86_REG_R13, X86_REG_R14, X86_REG_R15 },
	};
	static const x86_reg high[4] = { X86_REG_AH, X86_REG_CH, X86_REG_DH, X86_REG_BH };

	for (unsigned i = 0; i < 4; i++)
		if (r == high[i]) {
			*g = (struct gpr){ i, 1, true };
			return true;
		}
	for (unsigned s = 0; s < 4; s++)
		for (unsigned i = 0; i < 16; i++)
			if (r == by_size[s][i]) {
				*g = (struct gpr){ i, 1u << s, false };
				return true;
			}
	return false;
}

/* An XMM register: Keel's number for it, or -1. */
static int xmm_of(x86_reg r)
{
	return r >= X86_REG_XMM0 && r <= X86_REG_XMM15 ? (int)(r - X86_REG_XMM0) : -1;
}

static bool is_xmm_op(const struct mmio_insn *k)
{
	return k->op == MMIO_XMM_LOAD || k->op == MMIO_XMM_STORE;
}

/* The instruction Keel's result describes, as Capstone's instruction ID. */
static bool same_insn(const struct mmio_insn *k, unsigned id)
{
	static const unsigned strings[2][8] = {
		{ X86_INS_STOSB, X86_INS_STOSW, 0, X86_INS_STOSD, 0, 0, 0, X86_INS_STOSQ },
		{ X86_INS_MOVSB, X86_INS_MOVSW, 0, X86_INS_MOVSD, 0, 0, 0, X86_INS_MOVSQ },
	};
	/* by enum alu_op; AND and SUB without writeback are TEST and CMP */
	static const unsigned alu[ALU_NR] = {
		[ALU_ADD] = X86_INS_ADD, [ALU_OR] = X86_INS_OR, [ALU_ADC] = X86_INS_ADC,
		[ALU_SBB] = X86_INS_SBB, [ALU_AND] = X86_INS_AND, [ALU_SUB] = X86_INS_SUB,
		[ALU_XOR] = X86_INS_XOR, [ALU_INC] = X86_INS_INC, [ALU_DEC] = X86_INS_DEC,
		[ALU_NOT] = X86_INS_NOT, [ALU_NEG] = X86_INS_NEG, [ALU_BT] = X86_INS_BT,
		[ALU_BTS] = X86_INS_BTS, [ALU_BTR] = X86_INS_BTR, [ALU_BTC] = X86_INS_BTC,
	};

	switch (k->op) {
	case MMIO_LOAD: /* 66 0F B7 (MOVZX r16, m16) is a plain load of the same width */
		if (k->sign_extend)
			return id == X86_INS_MOVSX;
		if (k->dst_size != k->size)
			return id == X86_INS_MOVZX;
		return id == X86_INS_MOV || id == X86_INS_MOVABS || id == X86_INS_MOVZX;
	case MMIO_STORE:
		return id == X86_INS_MOV || id == X86_INS_MOVABS || id == X86_INS_MOVNTI;
	case MMIO_ALU:
		if ((unsigned)k->alu >= ALU_NR)
			return false;
		/* only TEST, CMP and BT keep memory as it was */
		if (!k->writeback)
			return k->alu == ALU_AND ? id == X86_INS_TEST :
			       k->alu == ALU_SUB ? id == X86_INS_CMP :
			       k->alu == ALU_BT && id == X86_INS_BT;
		return k->alu != ALU_BT && id == alu[k->alu];
	case MMIO_STOS:
	case MMIO_MOVS: /* k->size is 1, 2, 4 or 8 */
		return id == strings[k->op == MMIO_MOVS][k->size - 1];
	case MMIO_XCHG:
		return id == X86_INS_XCHG;
	case MMIO_CMPXCHG:
		return id == X86_INS_CMPXCHG;
	case MMIO_XMM_LOAD:
	case MMIO_XMM_STORE: /* MOVDQA and MOVDQU differ only in the alignment they demand */
		return k->size == 4 ? id == X86_INS_MOVD : k->size == 8 ? id == X86_INS_MOVQ :
		       id == X86_INS_MOVDQA || id == X86_INS_MOVDQU;
	}
	return false;
}

/* How the instruction Keel describes uses its memory operand (the destination for MOVS). */
static unsigned mem_access(const struct mmio_insn *k)
{
	switch (k->op) {
	case MMIO_LOAD:
	case MMIO_XMM_LOAD:
		return CS_AC_READ;
	case MMIO_ALU:
		return k->writeback && !k->reg_left ? CS_AC_READ | CS_AC_WRITE : CS_AC_READ;
	case MMIO_XCHG:
	case MMIO_CMPXCHG:
		return CS_AC_READ | CS_AC_WRITE;
	default:
		return CS_AC_WRITE;
	}
}

static unsigned reg_access(const struct mmio_insn *k)
{
	switch (k->op) {
	case MMIO_LOAD:
	case MMIO_XMM_LOAD:
		return CS_AC_WRITE;
	case MMIO_XCHG:
		return CS_AC_READ | CS_AC_WRITE;
	case MMIO_ALU:
		return k->writeback && k->reg_left ? CS_AC_READ | CS_AC_WRITE : CS_AC_READ;
	default:
		return CS_AC_READ;
	}
}

static bool is_si(x86_reg r)
{
	return r == X86_REG_RSI || r == X86_REG_ESI || r == X86_REG_SI;
}

/* Capstone names segments by register; Keel by the sreg encoding. */
static unsigned seg_of(x86_reg r)
{
	switch (r) {
	case X86_REG_ES: return SEG_ES;
	case X86_REG_CS: return SEG_CS;
	case X86_REG_SS: return SEG_SS;
	case X86_REG_FS: return SEG_FS;
	case X86_REG_GS: return SEG_GS;
	default: return SEG_DS; /* DS, or no override */
	}
}

static int compare_mem(const struct mmio_insn *k, const cs_insn *in, const cs_x86_op *op,
		       char *why, size_t whylen)
{
	unsigned want = mem_access(k);

	if (op->size != k->size)
		return fail(why, whylen, in, "memory width %u, Capstone %u", k->size, op->size);
	if (k->op == MMIO_MOVS && is_si(op->mem.base)) {
		if (seg_of(op->mem.segment) != k->seg)
			return fail(why, whylen, in, "MOVS source segment %u", k->seg);
		want = CS_AC_READ;
	}
	/*
	 * Capstone 4 marks the memory operand of TEST r/m, imm (F6/F7 /0) as
	 * written (f6 07 01: access 3), though TEST only sets the flags (SDM
	 * Vol. 2B "TEST"): only the read is compared there. It marks the
	 * memory of CMPXCHG (0f b1 0f), MOVNTI (0f c3 07), MOVQ m64, xmm
	 * (66 0f d6 07) and MOVDQA m128, xmm (66 0f 7f 07) as only read:
	 * there the instruction and, for the SSE moves, the operand order
	 * (decode_ref_compare) show the direction instead.
	 */
	if (in->id == X86_INS_TEST && k->has_imm)
		return (op->access & CS_AC_READ) ? 0 :
			fail(why, whylen, in, "TEST imm: memory not read");
	if (in->id == X86_INS_CMPXCHG || in->id == X86_INS_MOVNTI || is_xmm_op(k))
		return 0;
	if (op->access != want)
		return fail(why, whylen, in, "memory access %u, Capstone %u", want, op->access);
	return 0;
}

static int compare_reg(const struct mmio_insn *k, const cs_insn *in, const cs_x86_op *op,
		       char *why, size_t whylen)
{
	unsigned size = k->op == MMIO_LOAD ? k->dst_size : k->size;
	struct gpr g;

	if (is_xmm_op(k)) {
		if (xmm_of(op->reg) != k->reg || op->size != 16 || k->high8)
			return fail(why, whylen, in, "register xmm%u", k->reg);
	} else if (!gpr_of(op->reg, &g)) {
		return fail(why, whylen, in, "Capstone's register is not a GPR");
	} else if (g.num != k->reg || g.high8 != k->high8 || g.size != size) {
		return fail(why, whylen, in, "register %u%s width %u", k->reg,
			    k->high8 ? " (high byte)" : "", size);
	}
	if (op->access != reg_access(k))
		return fail(why, whylen, in, "register access %u, Capstone %u", reg_access(k),
			    op->access);
	return 0;
}

static int compare_imm(const struct mmio_insn *k, const cs_insn *in, const cs_x86_op *op,
		       char *why, size_t whylen)
{
	uint64_t mask = k->size >= 8 ? ~0ULL : (1ULL << (8 * k->size)) - 1;
	uint64_t low = k->imm & mask;
	uint64_t sx = (low >> (8 * k->size - 1)) & 1 ? low | ~mask : low;

	/* Capstone gives an Ib as 0..255 or sign-extended: only the operand's bits count. */
	if (low != ((uint64_t)op->imm & mask))
		return fail(why, whylen, in, "immediate 0x%llx", (unsigned long long)k->imm);
	/* arch/decode.h: already sign-extended, but BT's bit offset is the imm8 as is */
	if (k->op == MMIO_ALU && k->alu >= ALU_BT ? k->imm > 0xff : k->imm != sx)
		return fail(why, whylen, in, "immediate 0x%llx not %s", (unsigned long long)k->imm,
			    k->alu >= ALU_BT ? "an imm8" : "sign-extended");
	return 0;
}

/* STOS/MOVS: rep (F3 only; Keel refuses F2) and the width of rSI/rDI/rCX. */
static int compare_string(const struct mmio_insn *k, const cs_insn *in, char *why,
			  size_t whylen)
{
	const cs_x86 *x = &in->detail->x86;

	if (k->rep != (x->prefix[0] == X86_PREFIX_REP))
		return fail(why, whylen, in, "rep %d, Capstone prefix %02x", k->rep, x->prefix[0]);
	if (k->addr_size != x->addr_size)
		return fail(why, whylen, in, "address size %u, Capstone %u", k->addr_size,
			    x->addr_size);
	return 0;
}

/* Which operands Keel's result has besides memory, and in which order. */
static int compare_shape(const struct mmio_insn *k, const cs_insn *in, unsigned nmem,
			 unsigned nreg, unsigned nimm, char *why, size_t whylen)
{
	const cs_x86 *x = &in->detail->x86;
	bool unary = k->op == MMIO_ALU && alu_unary(k->alu);
	unsigned want_mem = k->op == MMIO_MOVS ? 2 : 1;

	if (nmem != want_mem || nimm != k->has_imm ||
	    nreg != (unsigned)(!k->has_imm && k->op != MMIO_MOVS && !unary))
		return fail(why, whylen, in, "operands: %u memory, %u register, %u immediate", nmem,
			    nreg, nimm);
	/* Intel order: the destination, the left operand of CMP, comes first. */
	if (k->op == MMIO_ALU && !k->has_imm && !unary &&
	    k->reg_left != (x->operands[0].type == X86_OP_REG))
		return fail(why, whylen, in, "register on the %s", k->reg_left ? "left" : "right");
	if (is_xmm_op(k) && (k->op == MMIO_XMM_LOAD) != (x->operands[0].type == X86_OP_REG))
		return fail(why, whylen, in, "an XMM %s",
			    k->op == MMIO_XMM_LOAD ? "load" : "store");
	if (k->lock != (x->prefix[0] == X86_PREFIX_LOCK))
		return fail(why, whylen, in, "lock %d, Capstone prefix %02x", k->lock,
			    x->prefix[0]);
	return 0;
}

int decode_ref_compare(const uint8_t *bytes, size_t len, int mode, const struct mmio_insn *k,
		       char *why, size_t whylen)
{
	int shorter;
	const cs_insn *in = ref_disasm(bytes, len, mode, &shorter);
	unsigned nmem = 0, nreg = 0, nimm = 0;
	bool string = k->op == MMIO_STOS || k->op == MMIO_MOVS;
	const cs_x86 *x;
	int rc;

	if (!in)
		return fail(why, whylen, NULL, "Keel accepts (len %u), Capstone refuses", k->len);
	if (k->size != 1 && k->size != 2 && k->size != 4 && k->size != 8 &&
	    !(k->size == 16 && is_xmm_op(k)))
		return fail(why, whylen, in, "size %u", k->size);
	if (in->size + shorter != k->len)
		return fail(why, whylen, in, "length %u, Capstone %u", k->len, in->size + shorter);
	if (!same_insn(k, in->id))
		return fail(why, whylen, in, "another instruction: op %d alu %d writeback %d",
			    k->op, k->alu, k->writeback);
	x = &in->detail->x86;
	for (unsigned i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];

		rc = 0;
		if (op->type == X86_OP_MEM) {
			nmem++;
			rc = compare_mem(k, in, op, why, whylen);
		} else if (op->type == X86_OP_REG) {
			nreg++;
			rc = compare_reg(k, in, op, why, whylen);
		} else if (op->type == X86_OP_IMM) {
			nimm++;
			rc = k->has_imm ? compare_imm(k, in, op, why, whylen) : 0;
		}
		if (rc)
			return rc;
	}
	rc = compare_shape(k, in, nmem, nreg, nimm, why, whylen);
	if (rc)
		return rc;
	if (string)
		return compare_string(k, in, why, whylen);
	return k->rep ? fail(why, whylen, in, "rep outside STOS/MOVS") : 0;
}

int decode_ref_check(const uint8_t *bytes, size_t len, int mode, char *why, size_t whylen)
{
	struct mmio_insn k;
	const char *reason;

	if (mode < CPU_MODE_REAL16 || mode > CPU_MODE_LONG64)
		return fail(why, whylen, NULL, "bad mode %d", mode);
	if (decode_mmio(bytes, (unsigned)(len > 64 ? 64 : len), (enum cpu_mode)mode, &k, &reason))
		return 0;
	return decode_ref_compare(bytes, len, mode, &k, why, whylen);
}

/* What Capstone says about an instruction, as decode_ref_claimed needs it. */
struct claim {
	unsigned o, o2, digit; /* opcode, the byte after 0F, ModRM's reg field */
	bool mem, mem_first, xmm, string, sse, lockable;
};

/*
 * The prefixes before the opcode (and, in 64-bit mode, REX), against what
 * arch/decode.h allows: REPNE never; REP on STOS/MOVS, and on SSE forms
 * without a 66 as their mandatory prefix; LOCK on the lockable forms with
 * memory as the destination; on SSE forms exactly one of 66 and F3; 66
 * never on MOVNTI. Read from the bytes: Capstone keeps only the last of
 * F0/F2/F3.
 */
static bool prefixes_refused(const uint8_t *b, size_t len, int mode, const struct claim *c,
			     unsigned id)
{
	bool p66 = false, pf3 = false, lock = false;

	for (size_t i = 0; i < len && i < 15; i++) {
		switch (b[i]) {
		case 0xf2:
			return true;
		case 0xf3:
			pf3 = true;
			continue;
		case 0xf0:
			lock = true;
			continue;
		case 0x66:
			p66 = true;
			continue;
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65: case 0x67:
			continue;
		}
		if (mode != CPU_MODE_LONG64 || (b[i] & 0xf0) != 0x40)
			break;
	}
	if (pf3 && !c->string && !c->sse)
		return true;
	if (lock && !(c->lockable && c->mem_first))
		return true;
	/* and Capstone 4 takes REX 0F D6 (4f 0f d6 07) for MOVQ m64, xmm: it needs a 66 */
	return (c->sse && p66 == pf3) || (id == X86_INS_MOVNTI && p66);
}

bool decode_ref_claimed(const uint8_t *bytes, size_t len, int mode, char *why, size_t whylen)
{
	int shorter;
	const cs_insn *in = ref_disasm(bytes, len, mode, &shorter);
	const cs_x86 *x;
	struct claim c = { 0 };
	bool claimed;

	if (!in || in->size + shorter > 15) /* the guest's bytes are longer than Capstone's */
		return false;
	x = &in->detail->x86;
	c.o = x->opcode[0];
	c.o2 = x->opcode[1];
	c.digit = (x->modrm >> 3) & 7;
	for (unsigned i = 0; i < x->op_count; i++) {
		c.mem |= x->operands[i].type == X86_OP_MEM;
		c.xmm |= x->operands[i].type == X86_OP_REG && xmm_of(x->operands[i].reg) >= 0;
	}
	c.mem_first = x->op_count && x->operands[0].type == X86_OP_MEM;
	switch (in->id) {
	case X86_INS_MOV:
	case X86_INS_MOVABS:
		claimed = (c.o >= 0x88 && c.o <= 0x8b) || c.o == 0xc6 || c.o == 0xc7 ||
			  (c.o >= 0xa0 && c.o <= 0xa3);
		break;
	case X86_INS_MOVZX:
	case X86_INS_MOVSX:
	case X86_INS_MOVNTI:
		claimed = c.o == 0x0f;
		break;
	case X86_INS_ADD: case X86_INS_ADC: case X86_INS_SBB: case X86_INS_SUB:
	case X86_INS_OR: case X86_INS_AND: case X86_INS_XOR:
		c.lockable = true;
		/* fall through */
	case X86_INS_CMP: /* the r/m forms and group 1 but 82 (invalid in 64-bit mode) */
		claimed = (c.o < 0x40 && (c.o & 7) < 4) || c.o == 0x80 || c.o == 0x81 ||
			  c.o == 0x83;
		break;
	case X86_INS_TEST: /* F6/F7 /1 is an undocumented alias Keel leaves alone */
		claimed = c.o == 0x84 || c.o == 0x85 ||
			  ((c.o == 0xf6 || c.o == 0xf7) && c.digit == 0);
		break;
	case X86_INS_INC: case X86_INS_DEC: /* 40-4F are register forms */
		claimed = c.lockable = c.o == 0xfe || c.o == 0xff;
		break;
	case X86_INS_NOT: case X86_INS_NEG:
		claimed = c.lockable = c.o == 0xf6 || c.o == 0xf7;
		break;
	case X86_INS_XCHG: /* 90+r are register forms */
		claimed = c.lockable = c.o == 0x86 || c.o == 0x87;
		break;
	case X86_INS_CMPXCHG: case X86_INS_BTS: case X86_INS_BTR: case X86_INS_BTC:
		claimed = c.lockable = c.o == 0x0f;
		break;
	case X86_INS_BT:
		claimed = c.o == 0x0f;
		break;
	case X86_INS_MOVD: case X86_INS_MOVQ: case X86_INS_MOVDQA: case X86_INS_MOVDQU:
		claimed = c.sse = c.xmm && c.o == 0x0f &&
			  (c.o2 == 0x6e || c.o2 == 0x7e || c.o2 == 0x6f || c.o2 == 0x7f ||
			   c.o2 == 0xd6);
		break;
	case X86_INS_STOSB: case X86_INS_STOSW: case X86_INS_STOSD: case X86_INS_STOSQ:
	case X86_INS_MOVSB: case X86_INS_MOVSW: case X86_INS_MOVSD: case X86_INS_MOVSQ:
		claimed = c.string = c.o == 0xa4 || c.o == 0xa5 || c.o == 0xaa || c.o == 0xab;
		break;
	default:
		claimed = false;
	}
	if (!claimed || !c.mem || prefixes_refused(bytes, len, mode, &c, in->id))
		return false;
	snprintf(why, whylen, "%s %s", in->mnemonic, in->op_str);
	return true;
}
