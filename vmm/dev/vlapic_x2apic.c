/* SPDX-License-Identifier: MIT */
/*
 * The local APIC's registers as x2APIC MSRs (Intel SDM Vol. 3A 11.12.1.2,
 * Table 11-6): MSR 0x800 + offset / 16 of the xAPIC page, with these
 * differences (11.12.1.3, 11.12.9-11.12.11): the ID is the 32-bit x2APIC
 * ID and read-only, the LDR is read-only (derived from the ID), there is
 * no DFR, the ICR is one 64-bit MSR whose high half is the destination
 * (no ICR2), SELF IPI is new, and every access the table does not allow
 * is #GP: reserved MSRs, reads of write-only and writes of read-only
 * registers, bits 63:32 set anywhere but the ICR, a non-zero EOI or ESR
 * write. Outside x2APIC mode the whole range is #GP.
 */
#include <keel/bits.h>
#include "vlapic_priv.h"

#define GP (-1)

enum access { NONE, RO, WO, RW };

/* What Table 11-6 allows at each offset (of the xAPIC page, 16-byte granules). */
static enum access access_of(unsigned off)
{
	if (off >= REG_ISR && off < REG_ESR)
		return RO; /* ISR, TMR, IRR */
	if (off >= REG_LVTT && off <= REG_LVTE)
		return RW;
	switch (off) {
	case REG_ID:
	case REG_VER:
	case REG_PPR:
	case REG_LDR:
	case REG_TMCCT:
		return RO;
	case REG_EOI:
	case REG_SELF_IPI:
		return WO;
	case REG_TPR:
	case REG_SVR:
	case REG_ESR:
	case REG_CMCI:
	case REG_ICR:
	case REG_TMICT:
	case REG_TDCR:
		return RW;
	default:
		return NONE; /* DFR, ICR2, APR, RRD and the reserved ones */
	}
}

static int msr_offset(const struct vlapic *a, uint32_t msr, unsigned *off)
{
	if (!a->hw_enabled || !a->x2apic || msr < VLAPIC_MSR_FIRST || msr > VLAPIC_MSR_LAST)
		return GP;
	*off = (msr - VLAPIC_MSR_FIRST) * 16;
	return 0;
}

int vlapic_msr_read(struct vlapic *a, uint32_t msr, uint64_t now, uint64_t *val)
{
	unsigned off;
	enum access acc;

	a->stats.msr++;
	if (msr_offset(a, msr, &off))
		return GP;
	acc = access_of(off);
	if (acc != RO && acc != RW)
		return GP;
	vlapic_update(a, now);
	if (off == REG_ID)
		*val = a->id >> 24; /* the x2APIC ID: the xAPIC ID, zero-extended */
	else if (off == REG_ICR)
		*val = (uint64_t)a->icr_hi << 32 | a->icr_lo;
	else
		*val = vlapic_reg_read(a, off, now);
	return 0;
}

int vlapic_msr_write(struct vlapic *a, uint32_t msr, uint64_t val, uint64_t now)
{
	unsigned off;
	enum access acc;

	a->stats.msr++;
	if (msr_offset(a, msr, &off))
		return GP;
	acc = access_of(off);
	if (acc != WO && acc != RW)
		return GP;
	if (off != REG_ICR && (val >> 32))
		return GP;
	if ((off == REG_EOI || off == REG_ESR) && val)
		return GP;
	vlapic_update(a, now);
	switch (off) {
	case REG_ICR:
		/* One write sends: destination in 63:32 (SDM 11.12.9). */
		a->icr_hi = (uint32_t)(val >> 32);
		vlapic_reg_write(a, REG_ICR, (uint32_t)val, now);
		break;
	case REG_SELF_IPI:
		/* SDM 11.12.11: a fixed, edge interrupt of vector 7:0 to this APIC. */
		vlapic_send_ipi(a, ((uint32_t)val & 0xff) | 1u << 18 /* shorthand: self */, 0);
		break;
	default:
		vlapic_reg_write(a, off, (uint32_t)val, now);
		break;
	}
	return 0;
}
