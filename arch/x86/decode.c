/* SPDX-License-Identifier: MIT */
/*
 * MMIO instruction decoder; see arch/decode.h. SDM Vol. 2 ch. 2 for the
 * instruction format, Vol. 2D A.3 for the opcode map. One table lookup
 * classifies each byte (a second one the byte after 0F), so a plain MOV
 * costs no more than the forms added.
 */
#include <arch/decode.h>

/* What an opcode is to this decoder; prefixes sort last. */
enum form {
	F_NONE,    /* not emulated */
	F_MOFFS,   /* A0-A3: MOV AL/eAX <-> moffs */
	F_STRING,  /* A4/A5 MOVS, AA/AB STOS */
	F_TWOBYTE, /* 0F: the next byte's form is in forms_0f */
	/* ModRM forms whose reg field names a register */
	F_MOV,     /* 88-8B: MOV Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev; bit 1: to the register */
	F_ALU,     /* 00-3B, low bits 0-3: ADD...CMP with a register as F_MOV; bits 5:3: which */
	F_TEST,    /* 84/85: TEST Eb,Gb / Ev,Gv */
	F_XCHG,    /* 86/87: XCHG Eb,Gb / Ev,Gv */
	F_MOVX,    /* 0F B6/B7/BE/BF: MOVZX/MOVSX Gv, Eb/Ew */
	F_CMPXCHG, /* 0F B0/B1: CMPXCHG Eb,Gb / Ev,Gv */
	F_BT,      /* 0F A3/AB/B3/BB: BT/BTS/BTR/BTC Ev,Gv; bits 4:3: which */
	F_MOVNTI,  /* 0F C3: MOVNTI My,Gy */
	F_SSE,     /* 0F 6E/7E/6F/7F/D6: MOVD/MOVQ/MOVDQA/MOVDQU by the mandatory prefix */
	/* ModRM forms whose reg field is part of the opcode (/digit) */
	F_DIGIT,
	F_MOV_IMM = F_DIGIT, /* C6/C7: MOV Eb,Ib / Ev,Iz (group 11, /0) */
	F_GRP1,    /* 80/81/83: ALU Eb,Ib / Ev,Iz / Ev,Ib; /digit: the operation */
	F_GRP3,    /* F6/F7: /0 TEST Eb,Ib / Ev,Iz, /2 NOT, /3 NEG */
	F_GRP45,   /* FE/FF: /0 INC, /1 DEC */
	F_BT_IMM,  /* 0F BA: group 8, /4-/7 BT/BTS/BTR/BTC Ev,Ib */
	F_PREFIX,  /* prefixes from here on */
	F_OPSIZE = F_PREFIX,
	F_ADDRSIZE,
	F_SEG,
	F_REP,
	F_LOCK,
	F_REPNE,   /* refused */
};

static const uint8_t forms[256] = {
	[0x00 ... 0x03] = F_ALU, [0x08 ... 0x0b] = F_ALU, [0x10 ... 0x13] = F_ALU,
	[0x18 ... 0x1b] = F_ALU, [0x20 ... 0x23] = F_ALU, [0x28 ... 0x2b] = F_ALU,
	[0x30 ... 0x33] = F_ALU, [0x38 ... 0x3b] = F_ALU,
	[0x80] = F_GRP1, [0x81] = F_GRP1, [0x83] = F_GRP1, [0x84 ... 0x85] = F_TEST,
	[0x86 ... 0x87] = F_XCHG, [0x88 ... 0x8b] = F_MOV, [0xc6 ... 0xc7] = F_MOV_IMM,
	[0xf6 ... 0xf7] = F_GRP3, [0xfe ... 0xff] = F_GRP45, [0x0f] = F_TWOBYTE,
	[0xa0 ... 0xa3] = F_MOFFS, [0xa4 ... 0xa5] = F_STRING, [0xaa ... 0xab] = F_STRING,
	[0x66] = F_OPSIZE, [0x67] = F_ADDRSIZE, [0x26] = F_SEG, [0x2e] = F_SEG, [0x36] = F_SEG,
	[0x3e] = F_SEG, [0x64] = F_SEG, [0x65] = F_SEG, [0xf3] = F_REP, [0xf0] = F_LOCK,
	[0xf2] = F_REPNE,
};

static const uint8_t forms_0f[256] = {
	[0xb6 ... 0xb7] = F_MOVX, [0xbe ... 0xbf] = F_MOVX, [0xb0 ... 0xb1] = F_CMPXCHG,
	[0xa3] = F_BT, [0xab] = F_BT, [0xb3] = F_BT, [0xbb] = F_BT, [0xba] = F_BT_IMM,
	[0xc3] = F_MOVNTI, [0x6e] = F_SSE, [0x7e] = F_SSE, [0x6f] = F_SSE, [0x7f] = F_SSE,
	[0xd6] = F_SSE,
};

struct prefixes {
	uint8_t rex, seg;
	bool opsize, addrsize, rep, lock;
};

/* The ALU operation numbered n (0-7) by a /digit or bits 5:3: CMP (7) is a SUB. */
static enum alu_op alu_of(unsigned n)
{
	return n == 7 ? ALU_SUB : (enum alu_op)n;
}

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

/*
 * 0F 6E/7E/6F/7F/D6 (SDM Vol. 2D table A-3): the mandatory prefix picks
 * the form. Without one they move MMX registers, which Keel leaves alone;
 * with both 66 and F3 which one counts is not worth guessing.
 */
static int decode_sse(uint8_t opc, const struct prefixes *p, struct mmio_insn *out,
		      const char **why)
{
	bool f3 = p->rep;

	if (p->opsize == f3) {
		*why = f3 ? "SSE form with both 66 and F3" : "MMX register operand";
		return -1;
	}
	out->dst_size = 16;
	if (opc == 0x6f || opc == 0x7f) { /* MOVDQA (66), MOVDQU (F3) */
		out->op = opc == 0x6f ? MMIO_XMM_LOAD : MMIO_XMM_STORE;
		out->size = 16;
	} else if (f3 && opc == 0x7e) { /* MOVQ xmm, m64 */
		out->op = MMIO_XMM_LOAD;
		out->size = 8;
	} else if (f3) { /* F3 0F 6E is undefined; F3 0F D6 (MOVQ2DQ) takes registers only */
		*why = "unsupported SSE form";
		return -1;
	} else { /* 66: MOVD/MOVQ xmm <-> m32/m64 by REX.W (6E, 7E); MOVQ m64, xmm (D6) */
		out->op = opc == 0x6e ? MMIO_XMM_LOAD : MMIO_XMM_STORE;
		out->size = opc == 0xd6 || (p->rex & 8) ? 8 : 4;
	}
	return 0;
}

/* The forms whose ModRM reg field names a register, once the opcode is known to be one. */
static int decode_reg_form(unsigned form, uint8_t opc, const struct prefixes *p, unsigned osize,
			   struct mmio_insn *out, const char **why)
{
	switch (form) {
	case F_MOV:
		out->op = (opc & 2) ? MMIO_LOAD : MMIO_STORE;
		break;
	case F_ALU:
		out->op = MMIO_ALU;
		out->alu = alu_of(opc >> 3);
		out->writeback = (opc >> 3) != 7; /* not CMP */
		out->reg_left = opc & 2;
		break;
	case F_TEST: /* an AND for the flags only */
		out->op = MMIO_ALU;
		out->alu = ALU_AND;
		break;
	case F_XCHG:
		out->op = MMIO_XCHG;
		break;
	case F_CMPXCHG:
		out->op = MMIO_CMPXCHG;
		break;
	case F_BT: /* the bit offset is the register's value, signed (see exit_ept.c) */
		out->op = MMIO_ALU;
		out->alu = (enum alu_op)(ALU_BT + ((opc >> 3) & 3));
		out->writeback = out->alu != ALU_BT;
		break;
	case F_MOVX: /* opc is the second byte, B6/B7/BE/BF */
		out->op = MMIO_LOAD;
		out->size = (opc & 1) ? 2 : 1;
		out->dst_size = (uint8_t)osize;
		out->sign_extend = opc >= 0xbe;
		return 0;
	case F_MOVNTI: /* NP 0F C3: a 66 makes it #UD; 32 bits in every mode unless REX.W */
		if (p->opsize) {
			*why = "MOVNTI with a 66 prefix";
			return -1;
		}
		out->op = MMIO_STORE;
		out->size = (p->rex & 8) ? 8 : 4;
		return 0;
	default:
		return decode_sse(opc, p, out, why);
	}
	byte_reg(out, p->rex);
	return 0;
}

/* The forms with an immediate or no other operand: /digit is part of the opcode. */
static int decode_digit_form(struct cursor *c, unsigned form, uint8_t opc, unsigned digit,
			     unsigned osize, struct mmio_insn *out, const char **why)
{
	unsigned isize = osize == 2 ? 2 : 4; /* Iz: 16 or 32 bits, sign-extended with REX.W */

	out->reg = 0;
	out->op = MMIO_ALU;
	out->writeback = form != F_GRP3 || digit; /* all but TEST; BT and CMP below */
	if (form == F_GRP45 || (form == F_GRP3 && (digit == 2 || digit == 3))) {
		if (digit > 3 || (form == F_GRP45 && digit > 1)) {
			*why = "FE/FF other than INC, DEC";
			return -1;
		}
		/* FE/FF /0 /1 INC, DEC; F6/F7 /2 /3 NOT, NEG: no immediate */
		out->alu = (enum alu_op)(ALU_INC + digit);
		return 0;
	}
	if (form == F_BT_IMM) {
		if (digit < 4) {
			*why = "0F BA other than BT, BTS, BTR, BTC";
			return -1;
		}
		out->alu = (enum alu_op)(ALU_BT + digit - 4);
		out->size = (uint8_t)osize; /* BA is even, but BT has no byte form */
		out->writeback = digit != 4;
		out->has_imm = true;
		return get(c, 1, false, &out->imm) ? 0 : -1; /* a bit offset, not a signed value */
	}
	if (form == F_MOV_IMM) {
		if (digit) {
			*why = "C6/C7 with a reg field other than 0";
			return -1;
		}
		out->op = MMIO_STORE;
		out->writeback = false;
	} else if (form == F_GRP1) {
		out->alu = alu_of(digit);
		out->writeback = digit != 7;
	} else {
		if (digit) {
			*why = "F6/F7 other than TEST, NOT, NEG";
			return -1;
		}
		out->alu = ALU_AND;
	}
	out->has_imm = true;
	return get(c, (opc & 1) && opc != 0x83 ? isize : 1, true, &out->imm) ? 0 : -1;
}

/* The forms with a ModRM memory operand, once the opcode is known to be one. */
static int decode_modrm_form(struct cursor *c, unsigned form, uint8_t opc,
			     const struct prefixes *p, unsigned osize, bool addr16,
			     struct mmio_insn *out, const char **why)
{
	unsigned digit;
	uint8_t modrm;

	if (!get8(c, &modrm))
		return -1;
	digit = (modrm >> 3) & 7;
	out->reg = (uint8_t)(digit | ((p->rex & 4) ? 8 : 0));
	if (skip_modrm(c, modrm, addr16)) {
		if ((modrm >> 6) == 3)
			*why = "register operand, not memory";
		return -1;
	}
	out->dst_size = out->size;
	if (form >= F_DIGIT)
		return decode_digit_form(c, form, opc, digit, osize, out, why);
	return decode_reg_form(form, opc, p, osize, out, why);
}

/*
 * F3 is REP on STOS/MOVS and a mandatory prefix on the SSE forms (checked
 * there). LOCK belongs to the forms that read and write memory (SDM Vol.
 * 2A "LOCK"); on any other the CPU raises #UD before it touches memory.
 */
static int check_rep_lock(unsigned form, const struct prefixes *p, struct mmio_insn *out,
			  const char **why)
{
	bool rmw = out->op == MMIO_XCHG || out->op == MMIO_CMPXCHG ||
		   (out->op == MMIO_ALU && out->writeback && !out->reg_left);

	if (p->rep && form != F_STRING && form != F_SSE) {
		*why = "REP prefix on a form without one";
		return -1;
	}
	if (p->lock && !rmw) {
		*why = "LOCK on a form that is not lockable (the CPU raises #UD)";
		return -1;
	}
	out->lock = p->lock;
	return 0;
}

int decode_mmio(const uint8_t *b, unsigned avail, enum cpu_mode mode, struct mmio_insn *out,
		const char **why)
{
	struct cursor c = { b, 0, avail < 15 ? avail : 15 };
	struct prefixes p = { .seg = SEG_DS };
	bool long64 = mode == CPU_MODE_LONG64;
	bool def16 = mode == CPU_MODE_REAL16 || mode == CPU_MODE_PROT16, addr16;
	unsigned form, osize, asize;
	uint64_t moffs;
	uint8_t opc;

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
			p.rex = opc;
			continue;
		}
		form = forms[opc];
		if (form < F_PREFIX)
			break;
		p.rex = 0;
		if (form == F_OPSIZE)
			p.opsize = true;
		else if (form == F_ADDRSIZE)
			p.addrsize = true;
		else if (form == F_SEG) /* 26/2E/36/3E: bits 4:3 are the Sreg; 64 FS, 65 GS */
			p.seg = opc >= 0x64 ? (uint8_t)(SEG_FS + (opc & 1)) : (uint8_t)((opc >> 3) & 3);
		else if (form == F_REP)
			p.rep = true;
		else if (form == F_LOCK)
			p.lock = true;
		else {
			*why = "REPNE (F2) prefix on MMIO";
			return -1;
		}
	}
	osize = (p.rex & 8) ? 8 : (def16 != p.opsize) ? 2 : 4;
	addr16 = !long64 && def16 != p.addrsize;
	asize = long64 ? (p.addrsize ? 4 : 8) : addr16 ? 2 : 4;
	out->size = (opc & 1) ? (uint8_t)osize : 1; /* bit 0 of these opcodes: byte or full size */
	switch (form) {
	case F_NONE:
		*why = "unsupported opcode";
		return -1;
	case F_STRING: /* rSI, rDI and rCX are as wide as the address size */
		out->op = opc >= 0xaa ? MMIO_STOS : MMIO_MOVS;
		out->rep = p.rep;
		out->addr_size = (uint8_t)asize;
		out->seg = p.seg;
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
		form = forms_0f[opc];
		if (form == F_NONE) {
			*why = "unsupported two-byte opcode";
			return -1;
		}
		out->size = (opc & 1) ? (uint8_t)osize : 1;
		/* fall through */
	default:
		if (decode_modrm_form(&c, form, opc, &p, osize, addr16, out, why))
			return -1;
	}
	if ((p.rep || p.lock) && check_rep_lock(form, &p, out, why))
		return -1;
	out->len = (uint8_t)c.pos;
	*why = 0;
	return 0;
}
