/* SPDX-License-Identifier: MIT */
/*
 * xsa64's CPU probes: RDMSR/WRMSR over whole MSR ranges (msr_sweep.h), MSRs
 * that must stay this guest's own while others run, the VMX instructions,
 * and instructions whose exits Keel emulates. Each either works or raises the fault a CPU
 * without VMX (as CPUID describes it to the guest) would raise.
 */
#include "lib/guest.h"
#include <probe.h>
#include "xsa64.h"
#include <keel/printk.h>
#include <msr_marks.h>
#include <msr_sweep.h>

#define CR0_CD  (1ULL << 30)
#define CR0_NW  (1ULL << 29)
#define CR0_PG  (1ULL << 31)
#define CR4_VMXE (1ULL << 13)
#define CR4_SMXE (1ULL << 14)
#define X86_UD 6
#define X86_GP 13

unsigned xsa64_msrs(void)
{
	struct msr_sweep s = { 0 };
	char list[200] = "";
	unsigned len = 0;

	msr_sweep_all(&s);
	for (unsigned i = 0; i < s.kept; i++)
		len += (unsigned)snprintf(list + len, sizeof(list) - len, " 0x%x%s", s.keep[i],
					  s.keep_w[i] ? "w" : "");
	gprintf("xsa64: msrs readable (w: write-back accepted):%s\n", list);
	if (s.odd)
		gprintf("xsa64: msr 0x%x: read vector %d, write 0 vector %d, write ~0 vector %d\n",
			s.odd, s.odd_vec[0], s.odd_vec[1], s.odd_vec[2]);
	gprintf("xsa64: msrs: %u probed, %u readable, %u writable, %u written blind, %u bad "
		"vectors\n", s.probed, s.readable, s.writable, s.blind, s.bad);
	return s.bad + s.blind;
}

/*
 * Markers in the pass-through MSRs and in CR8 (the TPR) must survive other
 * guests' turns: each round writes them, yields, and reads them back.
 * pvxsa does the same at the same time with its own (msr_marks.h; CR8: 5
 * here, 9 there), so a register Keel does not switch shows the other's.
 */
unsigned xsa64_msr_switch(void)
{
	uint64_t saved[MSR_MARKED], v;
	unsigned changed = 0, faults = 0, cr8 = 0;

	for (unsigned i = 0; i < MSR_MARKED; i++)
		faults += probe_rdmsr(msr_marked[i], &saved[i]) != PROBE_NONE;
	for (unsigned round = 0; round < 20; round++) {
		for (unsigned i = 0; i < MSR_MARKED; i++)
			faults += probe_wrmsr(msr_marked[i], msr_mark(i, 0x64)) != PROBE_NONE;
		__asm__ volatile("mov %0, %%cr8" : : "r"(5ULL));
		hypercall3(KEEL_HC_YIELD, 0, 0, 0);
		for (unsigned i = 0; i < MSR_MARKED; i++)
			if ((probe_rdmsr(msr_marked[i], &v) != PROBE_NONE ||
			     v != msr_mark(i, 0x64)) && changed++ < 4)
				gprintf("xsa64: msr 0x%x is 0x%lx after a yield, I wrote 0x%lx\n",
					msr_marked[i], v, msr_mark(i, 0x64));
		__asm__ volatile("mov %%cr8, %0" : "=r"(v));
		if (v != 5 && cr8++ < 4)
			gprintf("xsa64: cr8 is %lu after a yield, I wrote 5\n", v);
	}
	__asm__ volatile("mov %0, %%cr8" : : "r"(0ULL));
	for (unsigned i = 0; i < MSR_MARKED; i++)
		probe_wrmsr(msr_marked[i], saved[i]);
	gprintf("xsa64: msr switch: %u MSRs x 20 yields, %u changed, %u faults\n",
		(unsigned)MSR_MARKED, changed, faults);
	gprintf("xsa64: cr8 switch: 20 yields, %u changed\n", cr8);
	return changed + faults + cr8;
}

/* SDM 3C 26.1.2: in VMX non-root operation each of these exits; Keel answers #UD. */
unsigned xsa64_vmx(void)
{
	static uint64_t region[2] __attribute__((aligned(16)));
	uint64_t field = 0x4400 /* VM-instruction error */, val = 0, type = 1;
	int vec[12];
	unsigned ud = 0;

#define VMX_PROBE(i, insn, ...) \
	do { \
		probe_vector = PROBE_NONE; \
		__asm__ volatile(PROBE_BEGIN insn PROBE_END __VA_ARGS__); \
		vec[i] = probe_vector; \
	} while (0)
	VMX_PROBE(0, "vmxon %0", : : "m"(region) : PROBE_CLOBBERS);
	VMX_PROBE(1, "vmxoff", : : : PROBE_CLOBBERS);
	VMX_PROBE(2, "vmclear %0", : : "m"(region) : PROBE_CLOBBERS);
	VMX_PROBE(3, "vmptrld %0", : : "m"(region) : PROBE_CLOBBERS);
	VMX_PROBE(4, "vmptrst %0", : "=m"(region[0]) : : PROBE_CLOBBERS);
	VMX_PROBE(5, "vmread %1, %0", : "+r"(val) : "r"(field) : PROBE_CLOBBERS);
	VMX_PROBE(6, "vmwrite %0, %1", : : "r"(val), "r"(field) : PROBE_CLOBBERS);
	VMX_PROBE(7, "vmlaunch", : : : PROBE_CLOBBERS);
	VMX_PROBE(8, "vmresume", : : : PROBE_CLOBBERS);
	VMX_PROBE(9, "invept %0, %1", : : "m"(region), "r"(type) : PROBE_CLOBBERS);
	VMX_PROBE(10, "invvpid %0, %1", : : "m"(region), "r"(type) : PROBE_CLOBBERS);
	VMX_PROBE(11, "vmfunc", : : "a"(0), "c"(0) : PROBE_CLOBBERS);
#undef VMX_PROBE
	for (unsigned i = 0; i < 12; i++)
		ud += vec[i] == X86_UD;
	gprintf("xsa64: vmx: vmxon %d vmxoff %d vmclear %d vmptrld %d vmptrst %d vmread %d "
		"vmwrite %d vmlaunch %d vmresume %d invept %d invvpid %d vmfunc %d\n", vec[0],
		vec[1], vec[2], vec[3], vec[4], vec[5], vec[6], vec[7], vec[8], vec[9], vec[10],
		vec[11]);
	gprintf("xsa64: vmx: 12 instructions, %u #UD\n", ud);
	return 12 - ud;
}

static uint64_t read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static uint64_t read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static int write_cr0(uint64_t v)
{
	probe_vector = PROBE_NONE;
	__asm__ volatile(PROBE_BEGIN "mov %0, %%cr0" PROBE_END : : "r"(v) : PROBE_CLOBBERS);
	return probe_vector;
}

static int write_cr4(uint64_t v)
{
	probe_vector = PROBE_NONE;
	__asm__ volatile(PROBE_BEGIN "mov %0, %%cr4" PROBE_END : : "r"(v) : PROBE_CLOBBERS);
	return probe_vector;
}

struct cpu_probe {
	const char *what;
	int want, got;
};

static unsigned report(const struct cpu_probe *p, unsigned n)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < n; i++) {
		if (p[i].got == p[i].want)
			continue;
		bad++;
		gprintf("xsa64: cpu: UNEXPECTED %s: vector %d, want %d\n", p[i].what, p[i].got,
			p[i].want);
	}
	gprintf("xsa64: cpu: %u probes, %u unexpected\n", n, bad);
	return bad;
}

/*
 * Instructions that exit and that Keel emulates or refuses. CPUID tells the
 * guest there is no VMX, SMX, MONITOR or XSAVE, so it must get what such a
 * CPU raises: #GP for the CR4 bits of absent features (SDM 2B MOV CR, "a
 * reserved bit"), #UD for their instructions. INVD/WBINVD are no-ops here.
 */
unsigned xsa64_cpu(void)
{
	uint64_t cr0 = read_cr0(), cr4 = read_cr4(), v = 0;
	struct cpu_probe p[12];
	unsigned n = 0;

	p[n++] = (struct cpu_probe){ "mov to cr4 with VMXE (VMX hidden)", X86_GP,
				     write_cr4(cr4 | CR4_VMXE) };
	if (p[n - 1].got == PROBE_NONE)
		gprintf("xsa64: cpu: cr4 now reads 0x%lx (was 0x%lx)\n", read_cr4(), cr4);
	write_cr4(cr4);
	p[n++] = (struct cpu_probe){ "mov to cr4 with SMXE (SMX hidden)", X86_GP,
				     write_cr4(cr4 | CR4_SMXE) };
	write_cr4(cr4);
	p[n++] = (struct cpu_probe){ "mov to cr0 with bit 32", X86_GP,
				     write_cr0(cr0 | 1ULL << 32) };
	p[n++] = (struct cpu_probe){ "mov to cr0 with NW, not CD", X86_GP,
				     write_cr0(cr0 | CR0_NW) };
	p[n++] = (struct cpu_probe){ "mov to cr0 with CD (caching off)", PROBE_NONE,
				     write_cr0(cr0 | CR0_CD) };
	write_cr0(cr0);
	probe_vector = PROBE_NONE;
	__asm__ volatile(PROBE_BEGIN ".byte 0x0f, 0x37" PROBE_END : : "a"(0) : PROBE_CLOBBERS);
	p[n++] = (struct cpu_probe){ "getsec", X86_UD, probe_vector };
	probe_vector = PROBE_NONE;
	__asm__ volatile(PROBE_BEGIN "xsetbv" PROBE_END : : "a"(1), "d"(0), "c"(0)
			 : PROBE_CLOBBERS);
	p[n++] = (struct cpu_probe){ "xsetbv", X86_UD, probe_vector };
	probe_vector = PROBE_NONE;
	__asm__ volatile(PROBE_BEGIN "monitor" PROBE_END : : "a"(xsa64_scratch), "c"(0), "d"(0)
			 : PROBE_CLOBBERS);
	p[n++] = (struct cpu_probe){ "monitor", X86_UD, probe_vector };
	probe_vector = PROBE_NONE;
	__asm__ volatile(PROBE_BEGIN "wbinvd\n\tinvd" PROBE_END : : : PROBE_CLOBBERS);
	p[n++] = (struct cpu_probe){ "wbinvd, invd", PROBE_NONE, probe_vector };
	/* RDMSR reads ECX: RCX bits 63:32 must not pick another MSR (or fault). */
	{
		uint32_t lo = 0, hi = 0;
		int vec;

		probe_rdmsr(0x1b, &v);
		probe_vector = PROBE_NONE;
		__asm__ volatile(PROBE_BEGIN "rdmsr" PROBE_END : "+a"(lo), "+d"(hi)
				 : "c"(0x10000001bULL) : PROBE_CLOBBERS);
		vec = probe_vector;
		if (vec == PROBE_NONE && ((uint64_t)hi << 32 | lo) != v)
			vec = 99; /* read, but another MSR's value */
		p[n++] = (struct cpu_probe){ "rdmsr 0x1b with RCX bits 63:32 set", PROBE_NONE,
					     vec };
	}
	return report(p, n);
}

/*
 * Clearing CR0.PG in 64-bit mode raises #GP (SDM 2B MOV CR, 64-bit mode
 * exceptions; 3A 10.8.5.4: leave via compatibility mode). Twice: once with
 * no bit Keel owns changing (the CPU checks it itself), once with CD set
 * too, which exits and is checked by Keel (exit_cr.c).
 */
void xsa64_cr0_pg(void)
{
	uint64_t cr0 = read_cr0();
	int native = write_cr0(cr0 & ~CR0_PG);

	gprintf("xsa64: cr0pg: clearing PG in 64-bit mode: vector %d\n", native);
	gprintf("xsa64: cr0pg: clearing PG and setting CD (exits to Keel): vector %d\n",
		write_cr0((cr0 & ~CR0_PG) | CR0_CD));
	write_cr0(cr0);
	gprintf("xsa64: cr0pg: still in 64-bit mode\n");
}
