/* SPDX-License-Identifier: MIT */
/*
 * The protection of each page of Keel's identity map (see paging.c): pure
 * policy, so the host tests can check every boundary.
 */
#include <arch/page_map.h>
#include <arch/paging.h>

#define SIZE_4K 0x1000ULL
#define SIZE_2M 0x200000ULL

static bool overlaps(uint64_t base, uint64_t size, uint64_t start, uint64_t end)
{
	return base < end && start < base + size;
}

bool page_needs_split(const struct page_layout *l, uint64_t base)
{
	return base == 0 || overlaps(base, SIZE_2M, l->image_start, l->image_end);
}

uint64_t page_pte(const struct page_layout *l, uint64_t addr, bool large)
{
	uint64_t pte = addr | PTE_P;

	if (large)
		return page_needs_split(l, addr) ? 0 : pte | PTE_W | PTE_PS | l->nx;
	if (addr < SIZE_4K)
		return 0; /* page 0: a NULL dereference in Keel faults */
	if (addr >= l->image_start && addr < l->text_end)
		return pte; /* text: read-only, executable */
	if (addr >= l->image_start && addr < l->rodata_end)
		return pte | l->nx;
	return pte | PTE_W | l->nx;
}
