/* SPDX-License-Identifier: MIT */
/*
 * Keel's own page tables: an identity map of all RAM and the 32-bit MMIO
 * hole with 2 MiB pages. Memory types come from the firmware's MTRRs, which
 * already make the MMIO hole uncacheable.
 */
#include <arch/paging.h>
#include <arch/cpu.h>
#include <keel/bits.h>
#include <keel/frames.h>
#include <keel/printk.h>

void arch_paging_init(uint64_t top)
{
	uint64_t *pml4 = frame_alloc(PAGE_SIZE, PAGE_SIZE);
	uint64_t gib = ALIGN_UP(top < 4 * GiB ? 4 * GiB : top, GiB) / GiB;

	if (gib > 512 * 512)
		panic("paging: %lu GiB of physical address space is more than Keel maps", gib);
	for (uint64_t g = 0; g < gib; g++) {
		uint64_t *pdpt, *pd;

		if (!(pml4[g / 512] & PTE_P))
			pml4[g / 512] = (uint64_t)frame_alloc(PAGE_SIZE, PAGE_SIZE) | PTE_P | PTE_W;
		pdpt = (uint64_t *)(pml4[g / 512] & PTE_ADDR);
		pd = frame_alloc(PAGE_SIZE, PAGE_SIZE);
		for (uint64_t i = 0; i < 512; i++)
			pd[i] = (g * GiB + i * 2 * MiB) | PTE_P | PTE_W | PTE_PS;
		pdpt[g % 512] = (uint64_t)pd | PTE_P | PTE_W;
	}
	write_cr3((uint64_t)pml4);
}
