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
 * after (SDM 3A 11.12.4). Without PAT, PCD and PWT give UC.
 *
 * Every CPU must have the same PAT (a type conflict between CPUs is
 * undefined, SDM 3A 11.12.4): an AP copies the boot CPU's IA32_PAT.
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <arch/wc_map.h>
#include <keel/bits.h>
#include <keel/frames.h>

#define CPUID_1_PAT   BIT(16) /* CPUID 1 EDX */
#define PAT_WC        0x01ULL
#define PAT_1_SHIFT   8
#define PTE_PAT_LARGE BIT(12) /* the PAT bit of a 2 MiB entry */
#define PTE_TYPE      (PTE_PWT | PTE_PCD)
#define SIZE_2M       (2 * MiB)

/* The next table below *e, a fresh empty one if there is none. */
static uint64_t *next_table(uint64_t *e)
{
	if (!(*e & PTE_P))
		*e = (uint64_t)frame_alloc(PAGE_SIZE, PAGE_SIZE) | PTE_P | PTE_W;
	return (uint64_t *)(*e & PTE_ADDR);
}

/* The 2 MiB leaf *pde as 512 4 KiB entries of the same protection and type. */
static void split(uint64_t *pde)
{
	uint64_t *pt = frame_alloc(PAGE_SIZE, PAGE_SIZE);
	uint64_t base = *pde & PTE_ADDR & ~(SIZE_2M - 1);
	uint64_t flags = *pde & (PTE_P | PTE_W | PTE_NX | PTE_TYPE);

	for (unsigned i = 0; i < 512; i++)
		pt[i] = (base + i * PAGE_SIZE) | flags;
	*pde = (uint64_t)pt | PTE_P | PTE_W;
}

static void map_2m(uint64_t *pde, uint64_t va, uint64_t start, uint64_t end, uint64_t bits)
{
	uint64_t *pt;

	if (start <= va && va + SIZE_2M <= end) {
		*pde = va | PTE_P | PTE_W | PTE_PS | bits;
		return;
	}
	if ((*pde & PTE_P) && (*pde & PTE_PS))
		split(pde);
	pt = next_table(pde);
	for (unsigned i = 0; i < 512; i++) {
		uint64_t pa = va + i * PAGE_SIZE;

		if (pa >= start && pa < end)
			pt[i] = pa | PTE_P | PTE_W | bits;
	}
}

void *arch_map_wc(uint64_t base, uint64_t size, const char **type)
{
	uint64_t start = ALIGN_DOWN(base, PAGE_SIZE), end = ALIGN_UP(base + size, PAGE_SIZE);
	uint64_t *pml4 = (uint64_t *)(read_cr3() & PTE_ADDR);
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
	for (uint64_t va = ALIGN_DOWN(start, SIZE_2M); va < end; va += SIZE_2M) {
		uint64_t *pdpt = next_table(&pml4[(va >> 39) & 511]);
		uint64_t *pd = next_table(&pdpt[(va >> 30) & 511]);

		map_2m(&pd[(va >> 21) & 511], va, start, end, bits);
	}
	__asm__ volatile("wbinvd" ::: "memory");
	write_cr3(read_cr3());
	return (void *)base;
}
