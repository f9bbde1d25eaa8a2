/* SPDX-License-Identifier: MIT */
/*
 * The guest's CPUID as one model derived from the host's (vmm/cpuid.c): a
 * feature Keel cannot virtualise is hidden in every leaf it shows in, and
 * a feature that depends on another (AVX on XSAVE state, FMA and AVX2 on
 * AVX, AVX-512 on its three XSAVE components) goes with it. Pure logic:
 * the host's answers come from a function, so host tests feed it the CPUID
 * tables of the CPU models they check. Where the vCPU's state changes an
 * answer (MSRs, CR4.OSXSAVE, XCR0), the caller passes that state in.
 */
#ifndef KEEL_CPUID_H
#define KEEL_CPUID_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/cpu.h>
#include <keel/abi.h>
#include <keel/bits.h>

struct vmsr;

/* XCR0 state components (SDM 1 13.1, Table 13-1). */
#define XFEATURE_X87      BIT(0)
#define XFEATURE_SSE      BIT(1)
#define XFEATURE_AVX      BIT(2)
#define XFEATURE_BNDREGS  BIT(3)
#define XFEATURE_BNDCSR   BIT(4)
#define XFEATURE_OPMASK   BIT(5)
#define XFEATURE_ZMM_H256 BIT(6)
#define XFEATURE_HI16_ZMM BIT(7)
#define XFEATURE_AVX512   (XFEATURE_OPMASK | XFEATURE_ZMM_H256 | XFEATURE_HI16_ZMM)
#define XFEATURE_PKRU     BIT(9)
#define XFEATURE_TILECFG  BIT(17)
#define XFEATURE_TILEDATA BIT(18)
/* What Keel saves and restores for a guest: x87 through the AVX-512 registers. */
#define XFEATURE_KEEL     (XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX | XFEATURE_AVX512)
#define XSAVE_LEGACY_SIZE 576 /* legacy region (512) and XSAVE header (64) */
#define XSAVE_MAX_SIZE    2688 /* up to Hi16_ZMM's end in the standard format */
#define XCR0_POWER_ON     XFEATURE_X87

/* Where the guest's CPUID differs from the host's per vCPU. */
struct cpuid_vcpu {
	const struct vmsr *msr; /* APIC_BASE, MISC_ENABLE, the model's x2APIC/TSC-deadline flags */
	uint64_t xcr0;          /* the vCPU's XCR0 */
	bool osxsave;           /* the guest's CR4.OSXSAVE (only read for leaf 1) */
	uint32_t apic_id;       /* its initial APIC ID: its index in the guest (leaves 1, 0xb) */
};

/* Host CPUID as a function: the instruction in Keel, a table in host tests. */
typedef struct cpuid_regs cpuid_host_fn(uint32_t leaf, uint32_t sub);

struct cpuid_model {
	cpuid_host_fn *host;
	uint32_t basic_max;     /* the host's highest basic leaf */
	uint64_t xcr0_mask;     /* XCR0 bits a guest may set; 0 if XSAVE is hidden */
	uint32_t xsave_max;     /* XSAVE area size for every bit of xcr0_mask */
	uint16_t xoff[8], xsize[8]; /* standard-format offset and size of components 2-7 */
	uint8_t xalign;         /* components 2-7 that start 64-byte aligned when compacted */
	bool tsc_adjust;        /* Keel can offset the TSC: IA32_TSC_ADJUST exists */
};

/* Derive the model from the host (once, at start). */
void cpuid_model_init(struct cpuid_model *m, cpuid_host_fn *host, bool tsc_offsetting);
/*
 * The guest's answer for leaf/sub. h is the host's answer for the same
 * leaf and sub-leaf; s the vCPU's state, or NULL for the power-on view of
 * a vCPU with a local APIC device (what the MSR model and CR4 derive from).
 */
struct cpuid_regs cpuid_guest(const struct cpuid_model *m, uint32_t leaf, uint32_t sub,
			      struct cpuid_regs h, const struct cpuid_vcpu *s);
/* XSAVE area size in the standard format for the components of xcr0. */
uint32_t cpuid_xsave_size(const struct cpuid_model *m, uint64_t xcr0);
/* The same in the compacted format of XSAVEC (SDM 1 13.4.3), IA32_XSS being 0. */
uint32_t cpuid_xsave_compacted_size(const struct cpuid_model *m, uint64_t xcr0);
/*
 * XSETBV's rules for XCR0 (SDM 1 13.3, SDM 2B XSETBV): x87 set, nothing
 * outside what the model offers, AVX only with SSE, the three AVX-512
 * components together and only with AVX, MPX's two together.
 */
bool cpuid_xcr0_valid(const struct cpuid_model *m, uint64_t xcr0);

/* KVM's CPUID signature block, offered above Keel's own (docs/cpuid.md). */
#define CPUID_KVM_BASE     0x40000100u
#define CPUID_KVM_FEATURES 0x40000101u
#define CPUID_KVM_SIG_EBX  0x4b4d564bu /* "KVMK" */
#define CPUID_KVM_SIG_ECX  0x564b4d56u /* "VMKV" */
#define CPUID_KVM_SIG_EDX  0x0000004du /* "M\0\0\0" */
/*
 * The hypervisor range 0x40000000-0x4fffffff. Keel's own leaves come first
 * (docs/abi.md); at 0x40000100 a block with KVM's signature and no KVM
 * feature (docs/cpuid.md): Linux looks for "KVMKVMKVM\0\0\0" every 0x100
 * leaves from 0x40000000, and under a hypervisor it knows turns x2APIC mode
 * on without interrupt remapping. Every paravirtual KVM interface (kvmclock,
 * PV EOI, steal time, async #PF, PV IPIs...) is gated on a bit of
 * 0x40000101 EAX, all 0 here, and its hints (EDX) are 0 too. Inline: a
 * call here costs the CPUID exit's hot path 8 instructions (make bench).
 */
static inline struct cpuid_regs cpuid_hv_leaf(uint32_t leaf)
{
	switch (leaf) {
	case KEEL_CPUID_BASE:
		return (struct cpuid_regs){ KEEL_CPUID_FEATURES, KEEL_CPUID_SIG_EBX,
					    KEEL_CPUID_SIG_ECX, KEEL_CPUID_SIG_EDX };
	case KEEL_CPUID_FEATURES:
		return (struct cpuid_regs){ KEEL_ABI_VERSION, 0, 0, 0 };
	case CPUID_KVM_BASE:
		return (struct cpuid_regs){ CPUID_KVM_FEATURES, CPUID_KVM_SIG_EBX, CPUID_KVM_SIG_ECX,
					    CPUID_KVM_SIG_EDX };
	default: /* CPUID_KVM_FEATURES too: no KVM feature, no hint */
		return (struct cpuid_regs){ 0, 0, 0, 0 };
	}
}

#endif
