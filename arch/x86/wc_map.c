/* SPDX-License-Identifier: MIT */
/*
 * A write-combining window in Keel's identity map, for the framebuffer.
 *
 * PAT entry 1 becomes WC (Linux's choice too; at power-on it is WT and no
 * Keel mapping sets PWT, so nothing changes type under a live mapping) and
 * the window's entries select it with PWT alone. PAT WC wins over the MTRRs'
 * UC or WB for the range (SDM 3A 11.5.2.2, Table 11-7), so the firmware's
 * MTRRs need no change. The window's 2 MiB pages are split where it covers
 * only part of one, so no neighbouring MMIO becomes WC; pages past the top
 * of Keel's map (a 64-bit BAR) are added. The caches and TLBs are flushed
 * after (SDM 3A 11.12.4). Without PAT, PCD and PWT give UC. The page-table
 * work is page_wc.c's.
 *
 * Every CPU must have the same PAT (a type conflict between CPUs is
 * undefined, SDM 3A 11.12.4): an AP copies the boot CPU's IA32_PAT.
 */
#include <arch/cpu.h>
#include <arch/page_wc.h>
#include <arch/paging.h>
#include <arch/wc_map.h>
#include <keel/bits.h>
#include <keel/frames.h>

#define CPUID_1_PAT BIT(16) /* CPUID 1 EDX */
#define PAT_WC      0x01ULL
#define PAT_1_SHIFT 8

static void *zeroed_page(void)
{
	return frame_alloc(PAGE_SIZE, PAGE_SIZE); /* frame_alloc zeroes */
}

void *arch_map_wc(uint64_t base, uint64_t size, const char **type)
{
	uint64_t bits = rdmsr(MSR_IA32_EFER) & EFER_NXE ? PTE_NX : 0;

	if (cpuid(1, 0).edx & CPUID_1_PAT) {
		wrmsr(MSR_IA32_PAT, (rdmsr(MSR_IA32_PAT) & ~(0xffULL << PAT_1_SHIFT)) |
					    PAT_WC << PAT_1_SHIFT);
		bits |= PTE_PWT;
		*type = "write-combining";
	} else {
		bits |= PTE_PWT | PTE_PCD;
		*type = "uncached (no PAT)";
	}
	page_wc_map((uint64_t *)(read_cr3() & PTE_ADDR), ALIGN_DOWN(base, PAGE_SIZE),
		    ALIGN_UP(base + size, PAGE_SIZE), bits, zeroed_page);
	__asm__ volatile("wbinvd" ::: "memory");
	write_cr3(read_cr3());
	return (void *)base;
}
