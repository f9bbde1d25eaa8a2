/* SPDX-License-Identifier: MIT */
/*
 * The MSRs Keel emulates for a guest's vCPU, as a pure model: per-vCPU
 * state, and read/write functions that give the value or say #GP by the
 * rules of the Intel SDM (Vol. 4 for each MSR; the others cited where
 * used). It touches no hardware: the caller (arch/x86/vmx/exit_msr.c)
 * passes what it needs of the live vCPU in a struct vmsr_ctx and applies
 * what a write changed (VMSR_CHG_*) to the VMCS and the vLAPIC, so host
 * tests and a fuzzer can check every rule. docs/msrs.md is the table.
 */
#ifndef KEEL_VMSR_H
#define KEEL_VMSR_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/bits.h>

#define MSR_IA32_TSC             0x010
#define MSR_IA32_PLATFORM_ID     0x017
#define MSR_IA32_APIC_BASE       0x01b
#define MSR_IA32_FEATURE_CONTROL 0x03a
#define MSR_IA32_TSC_ADJUST      0x03b
#define MSR_IA32_SPEC_CTRL       0x048
#define MSR_IA32_PRED_CMD        0x049
#define MSR_IA32_BIOS_SIGN_ID    0x08b
#define MSR_IA32_MTRRCAP         0x0fe
#define MSR_IA32_ARCH_CAPS       0x10a
#define MSR_IA32_FLUSH_CMD       0x10b
#define MSR_IA32_MISC_ENABLE     0x1a0
#define MSR_IA32_MTRR_PHYSBASE0  0x200 /* PHYSBASEn = 0x200 + 2n, PHYSMASKn = 0x201 + 2n */
#define MSR_IA32_MTRR_FIX64K     0x250
#define MSR_IA32_MTRR_FIX16K_80  0x258
#define MSR_IA32_MTRR_FIX16K_A0  0x259
#define MSR_IA32_MTRR_FIX4K_C0   0x268 /* ... 0x26f: FIX4K_F8000 */
#define MSR_IA32_PAT             0x277
#define MSR_IA32_MTRR_DEF_TYPE   0x2ff
#define MSR_IA32_TSC_DEADLINE    0x6e0
#define MSR_IA32_EFER            0xc0000080

/* IA32_APIC_BASE (SDM 3A 11.4.4, 11.12.1). */
#define APIC_BASE_BSP      BIT(8)
#define APIC_BASE_EXTD     BIT(10) /* x2APIC mode */
#define APIC_BASE_EN       BIT(11) /* xAPIC global enable */
#define APIC_BASE_ADDR     0xfee00000ULL
#define APIC_BASE_POWER_ON (APIC_BASE_ADDR | APIC_BASE_EN | APIC_BASE_BSP)

/* IA32_MISC_ENABLE (SDM Vol. 4 Table 2-2): the bits Keel's model has. */
#define MISC_FAST_STRINGS  BIT(0)  /* R/W */
#define MISC_PERFMON       BIT(7)  /* RO: 0, there is no virtual PMU */
#define MISC_BTS_UNAVAIL   BIT(11) /* RO: 1, no DS */
#define MISC_PEBS_UNAVAIL  BIT(12) /* RO: 1 */
#define MISC_LIMIT_CPUID   BIT(22) /* R/W: CPUID.0 reports at most leaf 2 */
#define MISC_XTPR_DISABLE  BIT(23) /* R/W: no effect (one vCPU, no xTPR messages) */
#define MISC_XD_DISABLE    BIT(34) /* R/W: CPUID hides NX, EFER.NXE is reserved */
#define MISC_POWER_ON      (MISC_FAST_STRINGS | MISC_BTS_UNAVAIL | MISC_PEBS_UNAVAIL)

/* IA32_MTRRCAP (SDM 3A 12.11.1): 8 variable ranges, fixed ranges, WC; no SMRR. */
#define MTRR_VCNT      8
#define MTRR_CAP_FIX   BIT(8)
#define MTRR_CAP_WC    BIT(10)
#define MTRR_CAP_VALUE (MTRR_VCNT | MTRR_CAP_FIX | MTRR_CAP_WC)
#define MTRR_FIXED     11 /* 64K_00000, 16K_80000, 16K_A0000, 4K_C0000 ... 4K_F8000 */
#define MTRR_DEF_E     BIT(11)
#define MTRR_DEF_FE    BIT(10)
#define MTRR_MASK_V    BIT(11)

/* Memory types (SDM 3A Table 12-8, PAT Table 12-10). */
enum { MT_UC = 0, MT_WC = 1, MT_WT = 4, MT_WP = 5, MT_WB = 6, MT_UC_MINUS = 7 };

#define PAT_POWER_ON 0x0007040600070406ULL

#define EFER_SCE_BIT BIT(0)
#define EFER_LME_BIT BIT(8)
#define EFER_LMA_BIT BIT(10)
#define EFER_NXE_BIT BIT(11)

/*
 * The virtual CPU as its CPUID describes it (exit_cpuid.c derives it): an
 * MSR exists only where CPUID says so, and its reserved bits follow.
 */
struct vmsr_cpu {
	uint8_t maxphyaddr; /* CPUID.80000008H:EAX[7:0] */
	bool pat;           /* CPUID.01H:EDX[16] */
	bool mtrr;          /* CPUID.01H:EDX[12] */
	bool tsc_adjust;    /* CPUID.(EAX=07H,ECX=0):EBX[1] (only with tsc_writable) */
	bool x2apic;        /* CPUID.01H:ECX[21]: the vCPU has a vLAPIC with x2APIC mode */
	bool tsc_deadline;  /* CPUID.01H:ECX[24]: its LVT timer has TSC-deadline mode */
	bool nx;            /* CPUID.80000001H:EDX[20] */
	bool lm;            /* CPUID.80000001H:EDX[29] */
	bool tsc_writable;  /* the VMCS can offset the TSC: IA32_TSC and TSC_ADJUST writes work */
};

/* One vCPU's MSRs. The TSC is the host's plus tsc_offset (VMCS TSC offset). */
struct vmsr {
	struct vmsr_cpu cpu;
	uint64_t apic_base;
	uint64_t misc_enable;
	uint64_t pat;
	uint64_t tsc_offset;
	uint64_t tsc_adjust;
	uint64_t mtrr_def;
	uint64_t mtrr_fixed[MTRR_FIXED];
	uint64_t mtrr_var[2 * MTRR_VCNT]; /* PHYSBASE0, PHYSMASK0, PHYSBASE1, ... */
};

/* What the model needs of the live vCPU. */
struct vmsr_ctx {
	uint64_t host_tsc; /* the host TSC now */
	uint64_t efer;     /* guest IA32_EFER; a successful EFER write leaves the new value */
	bool paging;       /* guest CR0.PG (EFER.LME may not change while it is set) */
};

/* What a successful write changed, for the caller to apply. */
#define VMSR_CHG_TSC  BIT(0) /* tsc_offset: the VMCS TSC offset */
#define VMSR_CHG_PAT  BIT(1) /* pat: the VMCS guest PAT */
#define VMSR_CHG_APIC BIT(2) /* APIC_BASE_EN or EXTD: the vLAPIC's mode */
#define VMSR_CHG_EFER BIT(3) /* ctx->efer: the VMCS guest EFER */
#define VMSR_CHG_MTRR BIT(4) /* an MTRR (nothing to apply: see docs/msrs.md) */
#define VMSR_GP       (-1)   /* the instruction raises #GP(0) */

/* Power-on (RESET) values (SDM 3A 10.1.1, Table 10-1; Vol. 4), the TSC at tsc_offset. */
void vmsr_reset(struct vmsr *s, const struct vmsr_cpu *cpu, uint64_t tsc_offset);
/* 0 and the value, or VMSR_GP if the MSR does not exist for this CPU. */
int vmsr_read(const struct vmsr *s, uint32_t msr, const struct vmsr_ctx *c, uint64_t *val);
/* VMSR_CHG_* bits (0 if nothing to apply) or VMSR_GP, in which case nothing changed. */
int vmsr_write(struct vmsr *s, uint32_t msr, uint64_t val, struct vmsr_ctx *c);

/* Valid memory type encodings for an MTRR (no 2, 3, 7 or above) and for a PAT entry. */
bool vmsr_mtrr_type_ok(uint64_t type);
bool vmsr_pat_ok(uint64_t pat);
/* MTRR reads and writes (vmsr_mtrr.c): the same contract as vmsr_read/vmsr_write. */
int vmsr_mtrr_read(const struct vmsr *s, uint32_t msr, uint64_t *val);
int vmsr_mtrr_write(struct vmsr *s, uint32_t msr, uint64_t val);
/*
 * The memory type the guest's MTRRs give a physical address (SDM 3A
 * 12.11.4.1), or -1 where the SDM leaves it undefined (overlapping variable
 * ranges other than UC over anything or WT over WB).
 */
int vmsr_mtrr_type(const struct vmsr *s, uint64_t pa);

#endif
