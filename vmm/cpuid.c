/* SPDX-License-Identifier: MIT */
/*
 * The guest's CPUID (keel/cpuid.h): the host's answer minus what a guest
 * must not see, leaf by leaf, with every feature's dependants hidden along
 * with it. Hidden: VMX and SMX (no nested VMX), MONITOR/MWAIT (they exit
 * and #UD), MCA/MCE, thermal and power management, debug store, the PMU,
 * PT, SGX, MPX, TSX, CET, PKU (PKRU would need switching without XSAVE's
 * help), WAITPKG, AMX, XSAVES (no IA32_XSS), speculation control (leaf 7
 * EDX). Shown by Keel whatever the host has: MTRR and TSC_ADJUST (the MSR
 * model's), x2APIC and the TSC-deadline timer (the vLAPIC's, for vCPUs
 * that have one), the hypervisor bit. XSAVE and AVX (and AVX-512 where the
 * host has all three of its components) are shown because Keel switches
 * XCR0 and the XSAVE state per vCPU (arch/x86/fpu.c).
 */
#include <keel/cpuid.h>
#include <keel/vmsr.h>

/* Leaf 1 (SDM 2A CPUID, Table 3-10, 3-11). */
#define L1_ECX_FMA      BIT(12)
#define L1_ECX_X2APIC   BIT(21)
#define L1_ECX_DEADLINE BIT(24)
#define L1_ECX_XSAVE    BIT(26)
#define L1_ECX_OSXSAVE  BIT(27)
#define L1_ECX_AVX      BIT(28)
#define L1_ECX_F16C     BIT(29)
#define L1_ECX_HV       BIT(31)
#define L1_ECX_HIDE     (BIT(2) /* DTES64 */ | BIT(3) /* MONITOR */ | BIT(4) /* DS-CPL */ | \
			 BIT(5) /* VMX */ | BIT(6) /* SMX */ | BIT(7) /* EST */ | BIT(8) /* TM2 */ | \
			 BIT(14) /* xTPR */ | BIT(15) /* PDCM */ | BIT(18) /* DCA */ | \
			 L1_ECX_X2APIC | L1_ECX_DEADLINE | L1_ECX_XSAVE | L1_ECX_OSXSAVE | \
			 L1_ECX_AVX | L1_ECX_FMA | L1_ECX_F16C)
#define L1_EDX_APIC     BIT(9)
#define L1_EDX_MTRR     BIT(12)
#define L1_EDX_HIDE     (BIT(7) /* MCE */ | BIT(14) /* MCA */ | BIT(21) /* DS */ | \
			 BIT(22) /* ACPI thermal */ | BIT(29) /* TM */ | BIT(31) /* PBE */)
/* Leaf 7 sub-leaf 0. */
#define L7_EBX_TSC_ADJUST BIT(1)
#define L7_EBX_AVX2       BIT(5)
#define L7_EBX_AVX512F    BIT(16)
#define L7_EBX_AVX512     (BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | BIT(28) | \
			   BIT(30) | BIT(31)) /* F DQ IFMA PF ER CD BW VL */
#define L7_EBX_HIDE       (L7_EBX_TSC_ADJUST | BIT(2) /* SGX */ | BIT(4) /* HLE */ | \
			   BIT(11) /* RTM */ | BIT(12) /* PQM */ | BIT(14) /* MPX */ | \
			   BIT(15) /* PQE */ | BIT(25) /* PT */ | L7_EBX_AVX2 | L7_EBX_AVX512)
#define L7_ECX_AVX512     (BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14)) /* VBMI VBMI2 VNNI BITALG VPOPCNTDQ */
#define L7_ECX_AVX        (BIT(9) | BIT(10)) /* VAES, VPCLMULQDQ (VEX-encoded) */
#define L7_ECX_HIDE       (BIT(3) /* PKU */ | BIT(4) /* OSPKE */ | BIT(5) /* WAITPKG */ | \
			   BIT(7) /* CET_SS */ | BIT(13) /* TME */ | BIT(30) /* SGX_LC */ | \
			   L7_ECX_AVX512 | L7_ECX_AVX)
/* Leaf 0xd sub-leaf 1: XSAVEOPT, XSAVEC, XGETBV with ECX = 1; not XSAVES (bit 3). */
#define LD1_EAX_SHOW      (BIT(0) | BIT(1) | BIT(2))
#define X1_EDX_NX         BIT(20)

static uint64_t host_xcr0_mask(cpuid_host_fn *host, uint32_t basic_max)
{
	struct cpuid_regs l1 = host(1, 0), l7 = { 0, 0, 0, 0 }, ld;
	uint64_t mask;

	if (basic_max < 0xd || !(l1.ecx & L1_ECX_XSAVE))
		return 0;
	if (basic_max >= 7)
		l7 = host(7, 0);
	ld = host(0xd, 0);
	mask = ((uint64_t)ld.edx << 32 | ld.eax) & XFEATURE_KEEL;
	if (!(mask & XFEATURE_X87) || !(mask & XFEATURE_SSE))
		return 0;
	if (!(l1.ecx & L1_ECX_AVX) || !(mask & XFEATURE_AVX))
		mask &= ~(uint64_t)(XFEATURE_AVX | XFEATURE_AVX512);
	if ((mask & XFEATURE_AVX512) != XFEATURE_AVX512 || !(l7.ebx & L7_EBX_AVX512F))
		mask &= ~(uint64_t)XFEATURE_AVX512;
	return mask;
}

void cpuid_model_init(struct cpuid_model *m, cpuid_host_fn *host, bool tsc_offsetting)
{
	*m = (struct cpuid_model){ .host = host, .basic_max = host(0, 0).eax,
				   .tsc_adjust = tsc_offsetting };
	m->xcr0_mask = host_xcr0_mask(host, m->basic_max);
	for (unsigned i = 2; i < 8; i++) {
		struct cpuid_regs c;

		if (!(m->xcr0_mask & BIT(i)))
			continue;
		c = host(0xd, i);
		/* A component that would not fit Keel's save area is not offered. */
		if (c.ebx + c.eax > XSAVE_MAX_SIZE || c.ebx < XSAVE_LEGACY_SIZE) {
			m->xcr0_mask &= i == 2 ? ~(uint64_t)(XFEATURE_AVX | XFEATURE_AVX512) :
						 ~(uint64_t)XFEATURE_AVX512;
			continue;
		}
		m->xoff[i] = (uint16_t)c.ebx;
		m->xsize[i] = (uint16_t)c.eax;
		if (c.ecx & BIT(1))
			m->xalign |= (uint8_t)BIT(i);
	}
	m->xsave_max = m->xcr0_mask ? cpuid_xsave_size(m, m->xcr0_mask) : 0;
}

uint32_t cpuid_xsave_size(const struct cpuid_model *m, uint64_t xcr0)
{
	uint32_t size = XSAVE_LEGACY_SIZE;

	for (unsigned i = 2; i < 8; i++)
		if ((xcr0 & m->xcr0_mask & BIT(i)) && m->xoff[i] + m->xsize[i] > size)
			size = m->xoff[i] + m->xsize[i];
	return size;
}

uint32_t cpuid_xsave_compacted_size(const struct cpuid_model *m, uint64_t xcr0)
{
	uint32_t size = XSAVE_LEGACY_SIZE;

	for (unsigned i = 2; i < 8; i++) {
		if (!(xcr0 & m->xcr0_mask & BIT(i)))
			continue;
		if (m->xalign & BIT(i))
			size = (size + 63) & ~63u;
		size += m->xsize[i];
	}
	return size;
}

bool cpuid_xcr0_valid(const struct cpuid_model *m, uint64_t xcr0)
{
	uint64_t avx512 = xcr0 & XFEATURE_AVX512;

	if (!(xcr0 & XFEATURE_X87) || (xcr0 & ~m->xcr0_mask))
		return false;
	if ((xcr0 & XFEATURE_AVX) && !(xcr0 & XFEATURE_SSE))
		return false;
	if (avx512 && (avx512 != XFEATURE_AVX512 || !(xcr0 & XFEATURE_AVX)))
		return false;
	/* MPX's and AMX's pairs: never in the mask, the rule kept for when they are. */
	if (!(xcr0 & XFEATURE_BNDREGS) != !(xcr0 & XFEATURE_BNDCSR) ||
	    !(xcr0 & XFEATURE_TILECFG) != !(xcr0 & XFEATURE_TILEDATA))
		return false;
	return true;
}

static void leaf1(const struct cpuid_model *m, struct cpuid_regs *c, const struct cpuid_vcpu *s)
{
	uint32_t ecx = c->ecx & ~(uint32_t)L1_ECX_HIDE;
	bool x2apic = s ? s->msr->cpu.x2apic : true, deadline = s ? s->msr->cpu.tsc_deadline : true;

	if (m->xcr0_mask) {
		ecx |= L1_ECX_XSAVE | (s && s->osxsave ? L1_ECX_OSXSAVE : 0);
		if (m->xcr0_mask & XFEATURE_AVX)
			ecx |= c->ecx & (L1_ECX_AVX | L1_ECX_FMA | L1_ECX_F16C);
	}
	c->ecx = ecx | L1_ECX_HV | (x2apic ? L1_ECX_X2APIC : 0) | (deadline ? L1_ECX_DEADLINE : 0);
	c->edx = (c->edx & ~(uint32_t)L1_EDX_HIDE) | L1_EDX_MTRR;
	/* SDM 3A 11.4.3: a globally disabled APIC clears the APIC flag. */
	if (s && !(s->msr->apic_base & APIC_BASE_EN))
		c->edx &= ~(uint32_t)L1_EDX_APIC;
	/* One logical CPU per package, initial APIC ID = the vCPU's index. */
	c->ebx = (c->ebx & 0xffff) | (1u << 16) | (s ? s->apic_id << 24 : 0);
}

/*
 * Sub-leaf 0 only (EAX = 0: no further sub-leaves). EDX stays 0, so the
 * speculation-control MSRs do not exist and are #GP (docs/msrs.md).
 */
static void leaf7(const struct cpuid_model *m, uint32_t sub, struct cpuid_regs *c)
{
	struct cpuid_regs h = *c;

	*c = (struct cpuid_regs){ 0, 0, 0, 0 };
	if (sub != 0)
		return;
	c->ebx = h.ebx & ~(uint32_t)L7_EBX_HIDE;
	c->ecx = h.ecx & ~(uint32_t)L7_ECX_HIDE;
	if (m->tsc_adjust)
		c->ebx |= L7_EBX_TSC_ADJUST;
	if (m->xcr0_mask & XFEATURE_AVX) {
		c->ebx |= h.ebx & L7_EBX_AVX2;
		c->ecx |= h.ecx & L7_ECX_AVX;
	}
	if (m->xcr0_mask & XFEATURE_AVX512) {
		c->ebx |= h.ebx & L7_EBX_AVX512;
		c->ecx |= h.ecx & L7_ECX_AVX512;
	}
}

/* SDM 1 13.2: the XSAVE features and state components, as far as the model offers them. */
static void leaf_d(const struct cpuid_model *m, uint32_t sub, struct cpuid_regs *c,
		   const struct cpuid_vcpu *s)
{
	struct cpuid_regs h = *c;

	*c = (struct cpuid_regs){ 0, 0, 0, 0 };
	if (!m->xcr0_mask)
		return;
	if (sub == 0) {
		c->eax = (uint32_t)m->xcr0_mask;
		c->edx = (uint32_t)(m->xcr0_mask >> 32);
		c->ebx = cpuid_xsave_size(m, s ? s->xcr0 : XCR0_POWER_ON);
		c->ecx = m->xsave_max;
	} else if (sub == 1) {
		/*
		 * EBX: the XSAVEC area for XCR0 | IA32_XSS (0 here). Linux sizes its
		 * compacted buffers from it when XSAVEC is offered, and turns XSAVE
		 * off if it disagrees with the components' sizes.
		 */
		c->eax = h.eax & LD1_EAX_SHOW;
		if (c->eax & BIT(1))
			c->ebx = cpuid_xsave_compacted_size(m, s ? s->xcr0 : XCR0_POWER_ON);
	} else if (sub < 64 && (m->xcr0_mask & BIT(sub))) {
		*c = h;
	}
}

struct cpuid_regs cpuid_guest(const struct cpuid_model *m, uint32_t leaf, uint32_t sub,
			      struct cpuid_regs h, const struct cpuid_vcpu *s)
{
	struct cpuid_regs c = h;

	switch (leaf) {
	case 0: /* Vol. 4 IA32_MISC_ENABLE[22]: limit CPUID maxval to 2 */
		if (s && (s->msr->misc_enable & MISC_LIMIT_CPUID) && c.eax > 2)
			c.eax = 2;
		break;
	case 1:
		leaf1(m, &c, s);
		break;
	case 7:
		leaf7(m, sub, &c);
		break;
	case 0xb:  /* topology: EDX is the vCPU's x2APIC ID, its index */
	case 0x1f:
		c.edx = s ? s->apic_id : 0;
		break;
	case 0xd:
		leaf_d(m, sub, &c, s);
		break;
	case 0x80000001: /* Vol. 4 IA32_MISC_ENABLE[34]: XD disabled hides NX */
		if (s && (s->msr->misc_enable & MISC_XD_DISABLE))
			c.edx &= ~(uint32_t)X1_EDX_NX;
		break;
	case 0x5:  /* MONITOR/MWAIT: hidden */
	case 0x6:  /* no thermal/power management MSRs */
	case 0xa:  /* no virtual PMU */
	case 0xf:  /* no resource monitoring (PQM) */
	case 0x10: /* nor allocation (PQE) */
	case 0x12: /* no SGX */
	case 0x14: /* no PT */
	case 0x15: /* TSC/crystal ratio and frequencies: guests calibrate against */
	case 0x16: /* the emulated PIT instead (Bochs's values are not its rate)   */
		c = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	}
	return c;
}
