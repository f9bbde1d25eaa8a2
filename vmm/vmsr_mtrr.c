/* SPDX-License-Identifier: MIT */
/*
 * The guest's MTRRs (SDM 3A 12.11): MTRRCAP says 8 variable ranges, the
 * fixed ranges and WC; MTRRdefType, the 11 fixed-range and the 16
 * variable-range MSRs are kept per vCPU. A write with a reserved bit or an
 * undefined memory type is #GP (12.11.2.1, 12.11.2.2, 12.11.2.3). Keel
 * does not apply them to EPT (docs/msrs.md says why); vmsr_mtrr_type()
 * says what they give an address, by the precedence rules of 12.11.4.1.
 */
#include <keel/vmsr.h>

bool vmsr_mtrr_type_ok(uint64_t type)
{
	return type == MT_UC || type == MT_WC || type == MT_WT || type == MT_WP || type == MT_WB;
}

static bool bytes_ok(uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		if (!vmsr_mtrr_type_ok(v >> (8 * i) & 0xff))
			return false;
	return true;
}

/* The fixed-range MSR's slot in mtrr_fixed[], or -1. */
static int fixed_index(uint32_t msr)
{
	if (msr == MSR_IA32_MTRR_FIX64K)
		return 0;
	if (msr == MSR_IA32_MTRR_FIX16K_80 || msr == MSR_IA32_MTRR_FIX16K_A0)
		return 1 + (int)(msr - MSR_IA32_MTRR_FIX16K_80);
	if (msr - MSR_IA32_MTRR_FIX4K_C0 < 8)
		return 3 + (int)(msr - MSR_IA32_MTRR_FIX4K_C0);
	return -1;
}

static uint64_t phys_bits(const struct vmsr *s)
{
	return GENMASK(s->cpu.maxphyaddr - 1, 12);
}

int vmsr_mtrr_read(const struct vmsr *s, uint32_t msr, uint64_t *val)
{
	int i;

	if (!s->cpu.mtrr)
		return VMSR_GP;
	if (msr == MSR_IA32_MTRRCAP) {
		*val = MTRR_CAP_VALUE;
		return 0;
	}
	if (msr == MSR_IA32_MTRR_DEF_TYPE) {
		*val = s->mtrr_def;
		return 0;
	}
	if (msr - MSR_IA32_MTRR_PHYSBASE0 < 2 * MTRR_VCNT) {
		*val = s->mtrr_var[msr - MSR_IA32_MTRR_PHYSBASE0];
		return 0;
	}
	i = fixed_index(msr);
	if (i < 0)
		return VMSR_GP;
	*val = s->mtrr_fixed[i];
	return 0;
}

int vmsr_mtrr_write(struct vmsr *s, uint32_t msr, uint64_t val)
{
	int i;

	if (!s->cpu.mtrr)
		return VMSR_GP;
	if (msr == MSR_IA32_MTRR_DEF_TYPE) {
		/* Type in 7:0, FE 10, E 11; the rest reserved (Figure 12-6). */
		if ((val & ~(GENMASK(7, 0) | MTRR_DEF_FE | MTRR_DEF_E)) ||
		    !vmsr_mtrr_type_ok(val & 0xff))
			return VMSR_GP;
		s->mtrr_def = val;
		return VMSR_CHG_MTRR;
	}
	if (msr - MSR_IA32_MTRR_PHYSBASE0 < 2 * MTRR_VCNT) {
		unsigned n = msr - MSR_IA32_MTRR_PHYSBASE0;

		/* PHYSBASE: type 7:0, base 12 up to MAXPHYADDR; PHYSMASK: V 11, mask (Figure 12-7). */
		if (n % 2 == 0 && ((val & ~(phys_bits(s) | GENMASK(7, 0))) ||
				   !vmsr_mtrr_type_ok(val & 0xff)))
			return VMSR_GP;
		if (n % 2 == 1 && (val & ~(phys_bits(s) | MTRR_MASK_V)))
			return VMSR_GP;
		s->mtrr_var[n] = val;
		return VMSR_CHG_MTRR;
	}
	i = fixed_index(msr);
	if (i < 0 || !bytes_ok(val))
		return VMSR_GP; /* MTRRCAP is read-only too */
	s->mtrr_fixed[i] = val;
	return VMSR_CHG_MTRR;
}

static int fixed_type(const struct vmsr *s, uint64_t pa)
{
	unsigned msr, byte;

	if (pa < 0x80000) {
		msr = 0, byte = (unsigned)(pa >> 16);
	} else if (pa < 0xc0000) {
		msr = 1 + (unsigned)((pa - 0x80000) >> 17);
		byte = (unsigned)((pa - 0x80000) >> 14) & 7;
	} else {
		msr = 3 + (unsigned)((pa - 0xc0000) >> 15);
		byte = (unsigned)((pa - 0xc0000) >> 12) & 7;
	}
	return (int)(s->mtrr_fixed[msr] >> (8 * byte) & 0xff);
}

int vmsr_mtrr_type(const struct vmsr *s, uint64_t pa)
{
	bool uc = false, undefined = false;
	int type = -1;

	if (!s->cpu.mtrr || !(s->mtrr_def & MTRR_DEF_E))
		return MT_UC;
	if ((s->mtrr_def & MTRR_DEF_FE) && pa < 0x100000)
		return fixed_type(s, pa);
	for (unsigned i = 0; i < MTRR_VCNT; i++) {
		uint64_t base = s->mtrr_var[2 * i], mask = s->mtrr_var[2 * i + 1];
		int t = (int)(base & 0xff);

		if (!(mask & MTRR_MASK_V) || ((pa ^ base) & mask & phys_bits(s)))
			continue;
		if (t == MT_UC)
			uc = true; /* UC wins over any overlap */
		else if (type < 0 || type == t)
			type = t;
		else if ((type == MT_WT && t == MT_WB) || (type == MT_WB && t == MT_WT))
			type = MT_WT;
		else
			undefined = true;
	}
	if (uc)
		return MT_UC;
	if (undefined)
		return -1;
	return type < 0 ? (int)(s->mtrr_def & 0xff) : type;
}
