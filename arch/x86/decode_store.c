/* SPDX-License-Identifier: MIT */
/*
 * The length of a plain MOV store, for doorbells (arch/decode.h): where
 * the exit already says which register was written and the value does
 * not matter, only RIP has to move, and an EPT violation gives no
 * instruction length (SDM 3C 28.2.5 defines the VM-exit instruction-length
 * field only for the exits it lists; EPT violations are not among them).
 * The instruction format is SDM Vol. 2A 2.1-2.2; this agrees with
 * decode_mmio() on every form it accepts (test/fuzz/fuzz_decode.c checks).
 */
#include <arch/decode.h>

static bool seg_prefix(uint8_t b)
{
	return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65;
}

/* Bytes after ModRM: SIB and displacement (Vol. 2A tables 2-1 to 2-3); -1 if past avail. */
static int modrm_tail(const uint8_t *b, unsigned pos, unsigned avail, uint8_t modrm, bool addr16)
{
	unsigned mod = modrm >> 6, rm = modrm & 7;

	if (addr16)
		return mod == 1 ? 1 : (mod == 2 || (mod == 0 && rm == 6)) ? 2 : 0;
	if (rm == 4) { /* a SIB byte; base 5 with mod 0: disp32 and no base */
		if (pos >= avail)
			return -1;
		return 1 + (mod == 1 ? 1 : (mod == 2 || (mod == 0 && (b[pos] & 7) == 5)) ? 4 : 0);
	}
	return mod == 1 ? 1 : (mod == 2 || (mod == 0 && rm == 5)) ? 4 : 0;
}

int decode_store_len(const uint8_t *b, unsigned avail, enum cpu_mode mode)
{
	bool long64 = mode == CPU_MODE_LONG64;
	bool def16 = mode == CPU_MODE_REAL16 || mode == CPU_MODE_PROT16;
	bool opsize = false, addrsize = false;
	unsigned pos = 0, imm = 0;
	uint8_t opc, modrm, rex = 0;
	int tail;

	if (avail > 15)
		avail = 15;
	/* Legacy prefixes in any order; a REX counts only right before the opcode (2.2.1). */
	for (;; pos++) {
		if (pos >= avail)
			return -1;
		opc = b[pos];
		if (long64 && (opc & 0xf0) == 0x40) {
			rex = opc;
			continue;
		}
		if (opc == 0x66)
			opsize = true;
		else if (opc == 0x67)
			addrsize = true;
		else if (!seg_prefix(opc))
			break; /* LOCK, REP and REPNE too: not on a MOV Keel emulates */
		rex = 0;
	}
	if ((opc & 0xfe) != 0x88 && (opc & 0xfe) != 0xc6)
		return -1;
	if (++pos >= avail)
		return -1;
	modrm = b[pos++];
	if ((modrm >> 6) == 3 || (opc >= 0xc6 && (modrm & 0x38))) /* a register, or not /0 */
		return -1;
	tail = modrm_tail(b, pos, avail, modrm, !long64 && def16 != addrsize);
	if (tail < 0)
		return -1;
	if (opc == 0xc6)
		imm = 1;
	else if (opc == 0xc7) /* Iz: 16 bits with a 16-bit operand, else 32 (REX.W too) */
		imm = !(rex & 8) && def16 != opsize ? 2 : 4;
	pos += (unsigned)tail + imm;
	return pos <= avail ? (int)pos : -1;
}
