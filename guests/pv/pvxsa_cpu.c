/* SPDX-License-Identifier: MIT */
/*
 * pvxsa's other CPU probes: software interrupts of every vector, RDMSR and
 * WRMSR over the MSR ranges, MSRs and CR8 that must stay its own while
 * xsa64 runs (in a VM), and memory outside its RAM (in ring 3).
 */
#include <keel_pv.h>
#include <msr_marks.h>
#include <msr_sweep.h>
#include <probe.h>
#include <stdio.h>
#include "pvxsa.h"

#define GP 13
#define PF 14

/*
 * INT n for every vector: a software interrupt through a gate the guest
 * may not use raises #GP with error n*8+2 (SDM 3A 6.13: the IDT bit, EXT
 * 0). In ring 3 Keel's gates are all DPL 0; in a VM the guest's IDT is
 * empty. QEMU's TCG (ring 3 runs) reports n*16+2, the gate's byte offset
 * in a 64-bit IDT: also counted, apart. Each stub is "int $n; ret"; a
 * fault resumes at its RET.
 */
__asm__(".pushsection .text\n\t.balign 4\nint_stubs:\n\t"
	".irp hi,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
	".irp lo,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n\t"
	".byte 0xcd, \\hi*16+\\lo, 0xc3, 0xcc\n\t.endr\n\t.endr\n\t.popsection");
extern const uint8_t int_stubs[];

unsigned pvxsa_int_flood(void)
{
	unsigned sdm = 0, tcg = 0, bad = 0;

	for (unsigned n = 0; n < 256; n++) {
		probe_vector = PROBE_NONE;
		probe_resume = (uint64_t)&int_stubs[4 * n + 2];
		__asm__ volatile("call *%0" : : "r"(&int_stubs[4 * n]) : "memory", "cc");
		probe_resume = 0;
		if (probe_vector == GP && probe_error == n * 8 + 2) {
			sdm++;
		} else if (probe_vector == GP && probe_error == n * 16 + 2 && !pvxsa_vmx) {
			tcg++;
		} else if (bad++ < 4) {
			printf("pvxsa: int %u -> vector %d error 0x%lx\n", n, probe_vector,
			       (unsigned long)probe_error);
		}
	}
	printf("pvxsa: int n: 256 vectors, %u #GP (error n*8+2: %u, n*16+2: %u)\n", sdm + tcg,
	       sdm, tcg);
	return bad;
}

unsigned pvxsa_msrs(void)
{
	struct msr_sweep s = { 0 };

	msr_sweep_all(&s);
	if (s.odd)
		printf("pvxsa: msr 0x%x: read vector %d, write 0 vector %d, write ~0 vector %d\n",
		       s.odd, s.odd_vec[0], s.odd_vec[1], s.odd_vec[2]);
	printf("pvxsa: msrs: %u probed, %u readable, %u writable, %u written blind, %u bad "
	       "vectors\n", s.probed, s.readable, s.writable, s.blind, s.bad);
	/* In ring 3 RDMSR and WRMSR are privileged: nothing may read or write. */
	return s.bad + s.blind + (pvxsa_vmx ? 0 : s.readable + s.writable);
}

/* In a VM: markers in the pass-through MSRs and CR8 stay its own (as xsa64_msr_switch). */
unsigned pvxsa_msr_switch(void)
{
	uint64_t saved[MSR_MARKED], v;
	unsigned changed = 0, faults = 0, cr8 = 0;

	if (!pvxsa_vmx) {
		printf("pvxsa: msr switch: not in ring 3 (RDMSR is privileged)\n");
		return 0;
	}
	for (unsigned i = 0; i < MSR_MARKED; i++)
		faults += probe_rdmsr(msr_marked[i], &saved[i]) != PROBE_NONE;
	for (unsigned round = 0; round < 20; round++) {
		for (unsigned i = 0; i < MSR_MARKED; i++)
			faults += probe_wrmsr(msr_marked[i], msr_mark(i, 0x70)) != PROBE_NONE;
		__asm__ volatile("mov %0, %%cr8" : : "r"(9ULL));
		keel_hcall(KEEL_HC_YIELD, 0, 0, 0);
		for (unsigned i = 0; i < MSR_MARKED; i++)
			if ((probe_rdmsr(msr_marked[i], &v) != PROBE_NONE ||
			     v != msr_mark(i, 0x70)) && changed++ < 4)
				printf("pvxsa: msr 0x%x is 0x%lx after a yield, I wrote 0x%lx\n",
				       msr_marked[i], (unsigned long)v,
				       (unsigned long)msr_mark(i, 0x70));
		__asm__ volatile("mov %%cr8, %0" : "=r"(v));
		if (v != 9 && cr8++ < 4)
			printf("pvxsa: cr8 is %lu after a yield, I wrote 9\n", (unsigned long)v);
	}
	__asm__ volatile("mov %0, %%cr8" : : "r"(0ULL));
	for (unsigned i = 0; i < MSR_MARKED; i++)
		probe_wrmsr(msr_marked[i], saved[i]);
	printf("pvxsa: msr switch: %u MSRs x 20 yields, %u changed, %u faults\n",
	       (unsigned)MSR_MARKED, changed, faults);
	printf("pvxsa: cr8 switch: 20 yields, %u changed\n", cr8);
	return changed + faults + cr8;
}

/*
 * Ring 3: everything outside its RAM is a fault to its fault entry, Keel's
 * own memory (mapped supervisor-only in the same address space) included:
 * #PF naming the address, or #GP for a non-canonical one. Every 2 MiB from
 * the end of RAM to 4 GiB, the grant window's slots, and far addresses.
 */
static unsigned touch(uint64_t a, unsigned *faults)
{
	uint64_t v = 0;
	bool canonical = a < (1ULL << 47) || a >= 0xffff800000000000ULL;
	unsigned bad = 0;

	for (int w = 0; w < 2; w++) {
		probe_vector = PROBE_NONE;
		probe_cr2 = 0;
		if (w)
			__asm__ volatile(PROBE_BEGIN "movq $0, (%0)" PROBE_END : : "r"(a)
					 : PROBE_CLOBBERS);
		else
			__asm__ volatile(PROBE_BEGIN "mov (%1), %0" PROBE_END : "+r"(v) : "r"(a)
					 : PROBE_CLOBBERS);
		if (canonical ? probe_vector == PF && probe_cr2 == a : probe_vector == GP) {
			(*faults)++;
		} else if (bad++ == 0) {
			printf("pvxsa: %s 0x%lx -> vector %d address 0x%lx\n", w ? "write" : "read",
			       (unsigned long)a, probe_vector, (unsigned long)probe_cr2);
		}
	}
	return bad;
}

unsigned pvxsa_memory(void)
{
	static const uint64_t far[] = { 1ULL << 32, 1ULL << 40, (1ULL << 47) - 8,
					0xffff800000000000ULL, 0xfffffffffffff000ULL,
					0x8000000000000000ULL, 1ULL << 47 };
	uint64_t ram = keel_start_info->ram_size;
	unsigned n = 0, faults = 0, bad = 0;

	if (pvxsa_vmx) {
		printf("pvxsa: memory: in a VM, outside RAM is an EPT violation (mode gpa=)\n");
		return 0;
	}
	bad += touch(ram, &faults), n++;
	bad += touch(ram + 4095, &faults), n++;
	for (uint64_t a = ram + (2 << 20); a < (4ULL << 30); a += 2 << 20)
		bad += touch(a, &faults), n++;
	for (uint64_t s = 0; s <= KEEL_GRANT_SLOTS; s += 73)
		bad += touch(KEEL_GRANT_BASE + s * 4096, &faults), n++;
	for (unsigned i = 0; i < sizeof(far) / sizeof(far[0]); i++)
		bad += touch(far[i], &faults), n++;
	printf("pvxsa: memory: %u addresses outside my RAM read and written, %u faults, %u "
	       "unexpected\n", n, faults, bad);
	return bad;
}
