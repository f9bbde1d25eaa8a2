/* SPDX-License-Identifier: MIT */
/*
 * The guest MSR model (keel/vmsr.h): which MSRs a vCPU has, what reads
 * back, which writes #GP. The MTRRs are in vmsr_mtrr.c. An MSR that is not
 * here does not exist for the guest, and RDMSR/WRMSR of it is #GP, as on a
 * CPU without it (SDM Vol. 4, 2.1: "reserved" MSRs).
 */
#include <keel/vmsr.h>
#include <keel/string.h>

void vmsr_reset(struct vmsr *s, const struct vmsr_cpu *cpu, uint64_t tsc_offset)
{
	memset(s, 0, sizeof(*s));
	s->cpu = *cpu;
	if (s->cpu.maxphyaddr < 36 || s->cpu.maxphyaddr > 52)
		s->cpu.maxphyaddr = 36; /* the SDM's value when leaf 80000008H is absent */
	if (!s->cpu.tsc_writable)
		s->cpu.tsc_adjust = false; /* it could not move the TSC */
	s->apic_base = APIC_BASE_POWER_ON; /* the one vCPU is the BSP */
	s->misc_enable = MISC_POWER_ON;
	s->pat = PAT_POWER_ON;
	s->tsc_offset = tsc_offset;
	/* MTRRs: E = FE = 0 (all UC) at RESET; the ranges are undefined, here 0 (12.11.5). */
}

bool vmsr_pat_ok(uint64_t pat)
{
	/* SDM 3A 12.12.2: encodings 2, 3 and 8-0xff are reserved; writing one is #GP. */
	for (unsigned i = 0; i < 8; i++) {
		uint8_t t = pat >> (8 * i) & 0xff;

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/*
 * SDM 3A 11.12.5.1 (Figure 11-27): xAPIC <-> disabled, xAPIC -> x2APIC,
 * x2APIC -> disabled are the legal moves; EN=0 with EXTD=1 is invalid,
 * and x2APIC -> xAPIC or disabled -> x2APIC is #GP. EXTD is reserved
 * while the model has no x2APIC. Keel's vLAPIC cannot move: a write that
 * changes the base address is #GP too (Linux never moves it).
 */
static int apic_base_write(struct vmsr *s, uint64_t val)
{
	uint64_t rsvd = GENMASK(63, s->cpu.maxphyaddr) | GENMASK(7, 0) | BIT(9) |
			(s->cpu.x2apic ? 0 : APIC_BASE_EXTD);
	uint64_t old = s->apic_base;
	bool en = val & APIC_BASE_EN, x2 = val & APIC_BASE_EXTD;

	if (val & rsvd)
		return VMSR_GP;
	if (x2 && !en)
		return VMSR_GP; /* the invalid state */
	if ((old & APIC_BASE_EXTD) && en && !x2)
		return VMSR_GP; /* x2APIC straight to xAPIC */
	if (!(old & APIC_BASE_EN) && x2)
		return VMSR_GP; /* disabled straight to x2APIC */
	if ((val ^ old) & ~(APIC_BASE_BSP | APIC_BASE_EN | APIC_BASE_EXTD))
		return VMSR_GP; /* relocation: not supported (docs/msrs.md) */
	s->apic_base = val; /* BSP is R/W (Vol. 4 Table 2-2) and changes nothing else here */
	return (val ^ old) & (APIC_BASE_EN | APIC_BASE_EXTD) ? VMSR_CHG_APIC : 0;
}

/*
 * Vol. 4 Table 2-2: the bits this model has. RO bits keep their value
 * whatever is written; any other bit set is #GP. XD disable (34) exists
 * only where the CPU has XD, and Keel refuses to set it while EFER.NXE is
 * 1: the hardware would go on honouring NXE underneath.
 */
static int misc_enable_write(struct vmsr *s, uint64_t val, const struct vmsr_ctx *c)
{
	uint64_t rw = MISC_FAST_STRINGS | MISC_LIMIT_CPUID | MISC_XTPR_DISABLE |
		      (s->cpu.nx ? MISC_XD_DISABLE : 0);
	uint64_t ro = MISC_PERFMON | MISC_BTS_UNAVAIL | MISC_PEBS_UNAVAIL;

	if (val & ~(rw | ro))
		return VMSR_GP;
	if ((val & MISC_XD_DISABLE) && (c->efer & EFER_NXE_BIT))
		return VMSR_GP;
	s->misc_enable = (val & rw) | (s->misc_enable & ro);
	return 0;
}

/*
 * EFER (Vol. 4 Table 2-2, SDM 3A 2.2.1): SCE, LME, NXE as CPUID offers
 * them (NXE not while XD is disabled); LMA is the CPU's and a written LMA
 * is ignored; LME may not change while paging is on.
 */
static int efer_write(struct vmsr *s, uint64_t val, struct vmsr_ctx *c)
{
	bool nx = s->cpu.nx && !(s->misc_enable & MISC_XD_DISABLE);
	uint64_t rw = EFER_SCE_BIT | (s->cpu.lm ? EFER_LME_BIT : 0) | (nx ? EFER_NXE_BIT : 0);

	if (val & ~(rw | EFER_LMA_BIT))
		return VMSR_GP;
	if (((val ^ c->efer) & EFER_LME_BIT) && c->paging)
		return VMSR_GP;
	c->efer = (val & rw) | (c->efer & EFER_LMA_BIT);
	return VMSR_CHG_EFER;
}

/*
 * SDM 3A 18.17.3: WRMSR to IA32_TSC moving the TSC by X moves TSC_ADJUST
 * by X, and the other way round; so tsc_offset - tsc_adjust never changes.
 */
static int tsc_write(struct vmsr *s, uint32_t msr, uint64_t val, const struct vmsr_ctx *c)
{
	uint64_t delta;

	if (!s->cpu.tsc_writable)
		return VMSR_GP;
	if (msr == MSR_IA32_TSC)
		delta = val - (c->host_tsc + s->tsc_offset);
	else
		delta = val - s->tsc_adjust;
	s->tsc_offset += delta;
	s->tsc_adjust += delta;
	return VMSR_CHG_TSC;
}

int vmsr_read(const struct vmsr *s, uint32_t msr, const struct vmsr_ctx *c, uint64_t *val)
{
	switch (msr) {
	case MSR_IA32_APIC_BASE:
		*val = s->apic_base;
		return 0;
	case MSR_IA32_TSC:
		*val = c->host_tsc + s->tsc_offset;
		return 0;
	case MSR_IA32_TSC_ADJUST:
		if (!s->cpu.tsc_adjust)
			return VMSR_GP;
		*val = s->tsc_adjust;
		return 0;
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_BIOS_SIGN_ID: /* no microcode revision to report */
		*val = 0;
		return 0;
	case MSR_IA32_FEATURE_CONTROL:
		*val = BIT(0); /* locked with VMX off: no nested VMX */
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*val = s->misc_enable;
		return 0;
	case MSR_IA32_PAT:
		if (!s->cpu.pat)
			return VMSR_GP;
		*val = s->pat;
		return 0;
	case MSR_IA32_EFER:
		*val = c->efer;
		return 0;
	}
	return vmsr_mtrr_read(s, msr, val);
}

int vmsr_write(struct vmsr *s, uint32_t msr, uint64_t val, struct vmsr_ctx *c)
{
	switch (msr) {
	case MSR_IA32_APIC_BASE:
		return apic_base_write(s, val);
	case MSR_IA32_TSC:
		return tsc_write(s, msr, val, c);
	case MSR_IA32_TSC_ADJUST:
		return s->cpu.tsc_adjust ? tsc_write(s, msr, val, c) : VMSR_GP;
	case MSR_IA32_BIOS_SIGN_ID:
		return 0; /* microcode loaders write 0 before CPUID; nothing to load */
	case MSR_IA32_PLATFORM_ID:  /* read-only */
	case MSR_IA32_FEATURE_CONTROL: /* locked */
		return VMSR_GP;
	case MSR_IA32_MISC_ENABLE:
		return misc_enable_write(s, val, c);
	case MSR_IA32_PAT:
		if (!s->cpu.pat || !vmsr_pat_ok(val))
			return VMSR_GP;
		s->pat = val;
		return VMSR_CHG_PAT;
	case MSR_IA32_EFER:
		return efer_write(s, val, c);
	}
	return vmsr_mtrr_write(s, msr, val);
}
