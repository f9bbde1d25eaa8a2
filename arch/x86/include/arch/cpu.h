/* SPDX-License-Identifier: MIT */
/* Control registers, MSRs, CPUID, TSC. */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdint.h>
#include <keel/bits.h>

#define CR0_PE BIT(0)
#define CR0_MP BIT(1)
#define CR0_EM BIT(2)
#define CR0_TS BIT(3)
#define CR0_ET BIT(4)
#define CR0_NE BIT(5)
#define CR0_WP BIT(16)
#define CR0_NW BIT(29)
#define CR0_CD BIT(30)
#define CR0_PG BIT(31)

#define CR4_PAE        BIT(5)
#define CR4_PGE        BIT(7)
#define CR4_OSFXSR     BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define CR4_VMXE       BIT(13)
#define CR4_OSXSAVE    BIT(18)
#define CR4_SMEP       BIT(20)
#define CR4_SMAP       BIT(21)

#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)

#define RFLAGS_CF   BIT(0)
#define RFLAGS_RSVD BIT(1)
#define RFLAGS_PF   BIT(2)
#define RFLAGS_AF   BIT(4)
#define RFLAGS_ZF   BIT(6)
#define RFLAGS_SF   BIT(7)
#define RFLAGS_TF   BIT(8)
#define RFLAGS_IF   BIT(9)
#define RFLAGS_DF   BIT(10)
#define RFLAGS_OF   BIT(11)
#define RFLAGS_NT   BIT(14)
#define RFLAGS_AC   BIT(18)
#define RFLAGS_VM   BIT(17)

#define MSR_IA32_FEATURE_CONTROL 0x03a
#define MSR_IA32_SYSENTER_CS     0x174
#define MSR_IA32_SYSENTER_ESP    0x175
#define MSR_IA32_SYSENTER_EIP    0x176
#define MSR_IA32_PAT             0x277
#define MSR_IA32_VMX_BASIC       0x480
#define MSR_IA32_EFER            0xc0000080
#define MSR_FS_BASE              0xc0000100
#define MSR_GS_BASE              0xc0000101
#define MSR_KERNEL_GS_BASE       0xc0000102

#define FEATURE_CONTROL_LOCK        BIT(0)
#define FEATURE_CONTROL_VMX_OUTSIDE BIT(2)

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* RDTSC's two halves as it returns them, for a caller that stores them apart. */
static inline void rdtsc_halves(uint32_t *lo, uint32_t *hi)
{
	__asm__ volatile("rdtsc" : "=a"(*lo), "=d"(*hi));
}

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(sub));
	return r;
}

#define DEFINE_CR(n)                                                                          \
	static inline uint64_t read_cr##n(void)                                               \
	{                                                                                     \
		uint64_t v;                                                                   \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                             \
		return v;                                                                     \
	}                                                                                     \
	static inline void write_cr##n(uint64_t v) { __asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory"); }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline uint64_t read_rflags(void)
{
	uint64_t v;
	__asm__ volatile("pushfq; pop %0" : "=r"(v));
	return v;
}

__attribute__((noreturn)) static inline void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

#endif
