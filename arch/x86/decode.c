/* SPDX-License-Identifier: MIT */
/*
 * MMIO instruction decoder; see arch/decode.h. SDM Vol. 2 ch. 2 for the
 * instruction format, Vol. 2D A.3 for the opcode map. One table lookup
 * classifies each byte, so a plain MOV costs no more than the forms added.
 */
#include <arch/decode.h>

/* What a one-byte opcode is to this decoder; prefixes sort last. */
enum form {
	F_NONE,    /* not emulated */
	F_MOV,     /* 88-8B: MOV Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev; bit 1: to the register */
	F_ALU,     /* OR/AND/XOR/CMP with a register, same layout; bits 5:3: the operation */
	F_TEST,    /* 84/85: TEST Eb,Gb / Ev,Gv */
	F_MOV_IMM, /* C6/C7: MOV Eb,Ib / Ev,Iz (group 11, /0) */
	F_GRP1,    /* 80/81/83: ALU Eb,Ib / Ev,Iz / Ev,Ib; /digit: the operation */
	F_GRP3,    /* F6/F7: only /0, TEST Eb,Ib / Ev,Iz */
	F_TWOBYTE, /* 0F: MOVZX/MOVSX */
	F_MOFFS,   /* A0-A3: MOV AL/eAX <-> moffs */
	F_STRING,  /* A4/A5 MOVS, AA/AB STOS */
	F_PREFIX,  /* prefixes from here on */
	F_OPSIZE = F_PREFIX,
	F_ADDRSIZE,
	F_SEG,
	F_REP,
	F_LOCK,    /* LOCK and REPNE: refused */
};

static const uint8_t forms[256] = {
	[0x08 ... 0x0b] = F_ALU, [0x20 ... 0x23] = F_ALU, [0x30 ... 0x33] = F_ALU,
	[0x38 ... 0x3b] = F_ALU, [0x80] = F_GRP1, [0x81] = F_GRP1, [0x83] = F_GRP1,
	[0x84 ... 0x85] = F_TEST, [0x88 ... 0x8b] = F_MOV, [0xc6 ... 0xc7] = F_MOV_IMM,
	[0xf6 ... 0xf7] = F_GRP3, [0x0f] = F_TWOBYTE, [0xa0 ... 0xa3] = F_MOFFS,
	[0xa4 ... 0xa5] = F_STRING, [0xaa ... 0xab] = F_STRING,
	[0x66] = F_OPSIZE, [0x67] = F_ADDRSIZE, [0x26] = F_SEG, [0x2e] = F_SEG, [0x36] = F_SEG,
	[0x3e] = F_SEG, [0x64] = F_SEG, [0x65] = F_SEG, [0xf3] = F_REP, [0xf0] = F_LOCK,
	[0xf2] = F_LOCK,
};

/*
 * The ALU operations by number: bits 5:3 of 00-3F and the /digit of group
 * 1 agree (0 ADD, 1 OR, 2 ADC, 3 SBB, 4 AND, 5 SUB, 6 XOR, 7 CMP). -1: not
 * emulated. CMP is a SUB that keeps only the flags.
 */
static const signed char alu_ops[8] = { -1, ALU_OR, -1, -1, ALU_AND, -1, ALU_XOR, ALU_SUB };
#define ALU_CMP 7

struct cursor {
	const uint8_t *b;
	unsigned pos, end; /* end: the bytes available, at most the architectural 15 */
};

static bool get8(struct cursor *c, uint8_t *v)
{
	if (c->pos >= c->end)
		return false;
	*v = c->b[c->pos++];
	return true;
}

/* n bytes, little-endian, sign-extended from bit 8n-1 when sx. */
static bool get(struct cursor *c, unsigned n, bool sx, uint64_t *v)
{
	if (c->pos + n > c->end)
		return false;
	*v = 0;
	for (unsigned i = 0; i < n; i++)
		*v |= (uint64_t)c->b[c->pos + i] << (8 * i);
	c->pos += n;
	if (sx && n < 8 && (*v >> (8 * n - 1)) & 1)
		*v |= ~0ULL << (8 * n);
	return true;
}

/* Skip ModRM's addressing bytes (SIB, displacement). Register forms are refused. */
static int skip_modrm(struct cursor *c, uint8_t modrm, bool addr16)
{
	unsigned mod = modrm >> 6, rm = modrm & 7, disp = 0;
	uint64_t tmp;

	if (mod == 0 && (0x8f >> rm) & 1) /* (reg): no SIB or displacement in any mode */
		return 0;
	if (mod == 3)
		return -1;
	if (addr16) {
		disp = mod == 1 ? 1 : mod == 2 ? 2 : (mod == 0 && rm == 6) ? 2 : 0;
	} else {
		if (rm == 4) {
			uint8_t sib;

			if (!get8(c, &sib))
				return -1;
			if (mod == 0 && (sib & 7) == 5)
				disp = 4;
		}
		if (mod == 1)
			disp = 1;
		else if (mod == 2 || (mod == 0 && rm == 5))
			disp = 4;
	}
	return disp && !get(c, disp, false, &tmp) ? -1 : 0;
}

/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
static void byte_reg(struct mmio_insn *out, uint8_t rex)
{
	if (out->size == 1 && !rex && out->reg >= 4 && out->reg < 8) {
		out->reg -= 4;
		out->high8 = true;
	}
}

/* The forms with a ModRM memory operand, once the opcode is known to be one. */
static int decode_modrm_form(struct cursor *c, unsigned form, uint8_t opc, uint8_t rex,
			     unsigned osize, bool addr16, struct mmio_insn *out, const char **why)
{
	unsigned isize = osize == 2 ? 2 : 4; /* Iz: 16 or 32 bits, sign-extended with REX.W */
	unsigned digit;
	uint8_t modrm;

	if (!get8(c, &modrm))
		return -1;
	digit = (modrm >> 3) & 7;
	out->reg = (uint8_t)(digit | ((rex & 4) ? 8 : 0));
	if (skip_modrm(c, modrm, addr16)) {
		if ((modrm >> 6) == 3)
			*why = "register operand, not memory";
		return -1;
	}
	out->dst_size = out->size;
	switch (form) {
	case F_MOV:
		out->op = (opc & 2) ? MMIO_LOAD : MMIO_STORE;
		byte_reg(out, rex);
		return 0;
	case F_ALU:
		out->op = MMIO_ALU;
		out->alu = (enum alu_op)alu_ops[opc >> 3];
		out->writeback = (opc >> 3) != ALU_CMP;
		out->reg_left = opc & 2;
		byte_reg(out, rex);
		return 0;
	case F_TEST: /* an AND for the flags only */
		out->op = MMIO_ALU;
		out->alu = ALU_AND;
		byte_reg(out, rex);
		return 0;
	case F_TWOBYTE: /* opc is the second byte, B6/B7/BE/BF */
		out->op = MMIO_LOAD;
		out->size = (opc & 1) ? 2 : 1;
		out->dst_size = (uint8_t)osize;
		out->sign_extend = opc >= 0xbe;
		return 0;
	}
	/* The rest take an immediate in place of the register. */
	out->reg = 0;
	out->has_imm = true;
	if (form == F_MOV_IMM) {
		if (digit) {
			*why = "C6/C7 with a reg field other than 0";
			return -1;
		}
		out->op = MMIO_STORE;
	} else if (form == F_GRP1) {
		if (alu_ops[digit] < 0) {
			*why = "80/81/83 other than OR, AND, XOR, CMP";
			return -1;
		}
		out->op = MMIO_ALU;
		out->alu = (enum alu_op)alu_ops[digit];
		out->writeback = digit != ALU_CMP;
	} else {
		if (digit) {
			*why = "F6/F7 other than TEST";
			return -1;
		}
		out->op = MMIO_ALU;
		out->alu = ALU_AND;
	}
	return get(c, (opc & 1) && opc != 0x83 ? isize : 1, true, &out->imm) ? 0 : -1;
}

int decode_mmio(const uint8_t *b, unsigned avail, enum cpu_mode mode, struct mmio_insn *out,
		const char **why)
{
	struct cursor c = { b, 0, avail < 15 ? avail : 15 };
	bool opsize = false, addrsize = false, rep = false, long64 = mode == CPU_MODE_LONG64;
	bool def16 = mode == CPU_MODE_REAL16 || mode == CPU_MODE_PROT16;
	uint8_t rex = 0, seg = SEG_DS, opc;
	unsigned form, osize, asize;
	uint64_t moffs;

	*out = (struct mmio_insn){ 0 };
	*why = "instruction truncated";
	/*
	 * Legacy prefixes come in any order. A REX prefix (64-bit mode only;
	 * elsewhere 40-4F are INC/DEC) counts only when the opcode or its 0F
	 * escape follows it: one followed by a legacy prefix or another REX is
	 * ignored, so only the last REX before the opcode is kept (SDM Vol. 2A
	 * 2.2.1). The cursor stops at 15 bytes, so a long prefix run is truncated.
	 */
	for (;;) {
		if (!get8(&c, &opc))
			return -1;
		if (long64 && (opc & 0xf0) == 0x40) {
			rex = opc;
			continue;
		}
		form = forms[opc];
		if (form < F_PREFIX)
			break;
		rex = 0;
		if (form == F_OPSIZE)
			opsize = true;
		else if (form == F_ADDRSIZE)
			addrsize = true;
		else if (form == F_REP)
			rep = true;
		else if (form == F_SEG) /* 26/2E/36/3E: bits 4:3 are the Sreg; 64 FS, 65 GS */
			seg = opc >= 0x64 ? (uint8_t)(SEG_FS + (opc & 1)) : (uint8_t)((opc >> 3) & 3);
		else {
			*why = "LOCK/REP prefix on MMIO";
			return -1;
		}
	}
	if (rep && form != F_STRING) {
		*why = "LOCK/REP prefix on MMIO";
		return -1;
	}
	osize = (rex & 8) ? 8 : (def16 != opsize) ? 2 : 4;
	asize = long64 ? (addrsize ? 4 : 8) : (def16 != addrsize) ? 2 : 4;
	out->size = (opc & 1) ? (uint8_t)osize : 1; /* bit 0 of these opcodes: byte or full size */
	switch (form) {
	case F_NONE:
		*why = "unsupported opcode";
		return -1;
	case F_STRING: /* rSI, rDI and rCX are as wide as the address size */
		out->op = opc >= 0xaa ? MMIO_STOS : MMIO_MOVS;
		out->rep = rep;
		out->addr_size = (uint8_t)asize;
		out->seg = seg;
		break;
	case F_MOFFS: /* the offset is as wide as the address size */
		if (!get(&c, asize, false, &moffs))
			return -1;
		out->op = (opc & 2) ? MMIO_STORE : MMIO_LOAD;
		out->dst_size = out->size;
		break;
	case F_TWOBYTE:
		if (!get8(&c, &opc))
			return -1;
		if (opc != 0xb6 && opc != 0xb7 && opc != 0xbe && opc != 0xbf) {
			*why = "unsupported two-byte opcode";
			return -1;
		}
		/* fall through */
	default:
		if (decode_modrm_form(&c, form, opc, rex, osize, !long64 && asize == 2, out, why))
			return -1;
	}
	out->len = (uint8_t)c.pos;
	*why = 0;
	return 0;
}
