/* SPDX-License-Identifier: MIT */
/* MMIO instruction decoder; see arch/decode.h. SDM Vol. 2 ch. 2 for formats. */
#include <arch/decode.h>

struct cursor {
	const uint8_t *b;
	unsigned pos, avail;
};

static bool get(struct cursor *c, unsigned n, uint64_t *v)
{
	if (c->pos + n > c->avail || c->pos + n > 15)
		return false;
	*v = 0;
	for (unsigned i = 0; i < n; i++)
		*v |= (uint64_t)c->b[c->pos + i] << (8 * i);
	c->pos += n;
	return true;
}

/* Skip ModRM's addressing bytes (SIB, displacement). Register forms are refused. */
static int skip_modrm(struct cursor *c, uint8_t modrm, bool addr16)
{
	unsigned mod = modrm >> 6, rm = modrm & 7, disp = 0;
	uint64_t tmp;

	if (mod == 3)
		return -1;
	if (addr16) {
		disp = mod == 1 ? 1 : mod == 2 ? 2 : (mod == 0 && rm == 6) ? 2 : 0;
	} else {
		if (rm == 4) {
			uint64_t sib;

			if (!get(c, 1, &sib))
				return -1;
			if (mod == 0 && (sib & 7) == 5)
				disp = 4;
		}
		if (mod == 1)
			disp = 1;
		else if (mod == 2 || (mod == 0 && rm == 5))
			disp = 4;
	}
	return disp && !get(c, disp, &tmp) ? -1 : 0;
}

int decode_mmio(const uint8_t *b, unsigned avail, enum cpu_mode mode, struct mmio_insn *out,
		const char **why)
{
	struct cursor c = { b, 0, avail };
	bool opsize = false, addrsize = false, long64 = mode == CPU_MODE_LONG64;
	bool def16 = mode == CPU_MODE_REAL16 || mode == CPU_MODE_PROT16;
	uint8_t rex = 0, opc;
	uint64_t v, modrm;
	unsigned osize;

	*out = (struct mmio_insn){ 0 };
	*why = "instruction truncated";
	for (;;) {
		if (!get(&c, 1, &v))
			return -1;
		if (v == 0x66)
			opsize = true;
		else if (v == 0x67)
			addrsize = true;
		else if (v == 0x26 || v == 0x2e || v == 0x36 || v == 0x3e || v == 0x64 || v == 0x65)
			continue;
		else if (v == 0xf0 || v == 0xf2 || v == 0xf3) {
			*why = "LOCK/REP prefix on MMIO";
			return -1;
		} else
			break;
	}
	if (long64 && (v & 0xf0) == 0x40) {
		rex = (uint8_t)v;
		if (!get(&c, 1, &v))
			return -1;
	}
	opc = (uint8_t)v;
	osize = (rex & 8) ? 8 : (def16 != opsize) ? 2 : 4;
	bool addr16 = long64 ? false : (def16 != addrsize);
	bool twobyte = opc == 0x0f;

	if (twobyte) {
		if (!get(&c, 1, &v))
			return -1;
		opc = (uint8_t)v;
		if (opc != 0xb6 && opc != 0xb7 && opc != 0xbe && opc != 0xbf) {
			*why = "unsupported two-byte opcode";
			return -1;
		}
	} else if (opc >= 0xa0 && opc <= 0xa3) {
		/* MOV AL/eAX <-> moffs: the offset is as wide as the address size. */
		unsigned asize = long64 ? (addrsize ? 4 : 8) : (def16 != addrsize) ? 2 : 4;
		uint64_t moffs;

		if (!get(&c, asize, &moffs))
			return -1;
		out->op = (opc & 2) ? MMIO_STORE : MMIO_LOAD;
		out->size = (opc & 1) ? (uint8_t)osize : 1;
		out->dst_size = out->size;
		out->reg = 0;
		out->len = (uint8_t)c.pos;
		*why = 0;
		return 0;
	} else if (opc != 0x88 && opc != 0x89 && opc != 0x8a && opc != 0x8b && opc != 0xc6 &&
		   opc != 0xc7) {
		*why = "unsupported opcode";
		return -1;
	}
	if (!get(&c, 1, &modrm))
		return -1;
	out->reg = ((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0);
	if (skip_modrm(&c, (uint8_t)modrm, addr16)) {
		*why = (modrm >> 6) == 3 ? "register operand, not memory" : "instruction truncated";
		return -1;
	}
	if (twobyte) {
		out->op = MMIO_LOAD;
		out->size = (opc & 1) ? 2 : 1;
		out->dst_size = (uint8_t)osize;
		out->sign_extend = opc >= 0xbe;
	} else if (opc == 0xc6 || opc == 0xc7) {
		unsigned isz = opc == 0xc6 ? 1 : osize == 2 ? 2 : 4;

		if ((modrm >> 3) & 7) {
			*why = "C6/C7 with a reg field other than 0";
			return -1;
		}
		out->op = MMIO_STORE;
		out->has_imm = true;
		out->size = opc == 0xc6 ? 1 : (uint8_t)osize;
		if (!get(&c, isz, &out->imm)) {
			*why = "instruction truncated";
			return -1;
		}
		if (isz < 8 && (out->imm >> (8 * isz - 1)) & 1)
			out->imm |= ~0ULL << (8 * isz);
		out->reg = 0;
	} else {
		out->op = (opc & 2) ? MMIO_LOAD : MMIO_STORE;
		out->size = (opc & 1) ? (uint8_t)osize : 1;
		out->dst_size = out->size;
		/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
		if (out->size == 1 && !rex && out->reg >= 4 && out->reg < 8) {
			out->reg -= 4;
			out->high8 = true;
		}
	}
	out->len = (uint8_t)c.pos;
	*why = 0;
	return 0;
}
