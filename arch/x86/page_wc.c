/* SPDX-License-Identifier: MIT */
/*
 * A window of Keel's identity map with its own memory type (see wc_map.c):
 * pure page-table surgery, so the host tests check every edge.
 */
#include <arch/page_wc.h>
#include <arch/paging.h>

#define SIZE_4K   0x1000ULL
#define SIZE_2M   0x200000ULL
#define PTE_TYPE  (PTE_PWT | PTE_PCD)

/* The next table below *e, a fresh empty one if there is none. */
static uint64_t *next_table(uint64_t *e, void *(*alloc_page)(void))
{
	if (!(*e & PTE_P))
		*e = (uint64_t)alloc_page() | PTE_P | PTE_W;
	return (uint64_t *)(*e & PTE_ADDR);
}

/* The 2 MiB leaf *pde as 512 4 KiB entries of the same protection and type. */
static void split(uint64_t *pde, void *(*alloc_page)(void))
{
	uint64_t *pt = alloc_page();
	uint64_t base = *pde & PTE_ADDR & ~(SIZE_2M - 1);
	uint64_t flags = *pde & (PTE_P | PTE_W | PTE_NX | PTE_TYPE);

	for (unsigned i = 0; i < 512; i++)
		pt[i] = (base + i * SIZE_4K) | flags;
	*pde = (uint64_t)pt | PTE_P | PTE_W;
}

static void map_2m(uint64_t *pde, uint64_t va, uint64_t start, uint64_t end, uint64_t bits,
		   void *(*alloc_page)(void))
{
	uint64_t *pt;

	if (start <= va && va + SIZE_2M <= end) {
		*pde = va | PTE_P | PTE_W | PTE_PS | bits;
		return;
	}
	if ((*pde & PTE_P) && (*pde & PTE_PS))
		split(pde, alloc_page);
	pt = next_table(pde, alloc_page);
	for (unsigned i = 0; i < 512; i++) {
		uint64_t pa = va + i * SIZE_4K;

		if (pa >= start && pa < end)
			pt[i] = pa | PTE_P | PTE_W | bits;
	}
}

void page_wc_map(uint64_t *pml4, uint64_t start, uint64_t end, uint64_t bits,
		 void *(*alloc_page)(void))
{
	for (uint64_t va = start & ~(SIZE_2M - 1); va < end; va += SIZE_2M) {
		uint64_t *pdpt = next_table(&pml4[(va >> 39) & 511], alloc_page);
		uint64_t *pd = next_table(&pdpt[(va >> 30) & 511], alloc_page);

		map_2m(&pd[(va >> 21) & 511], va, start, end, bits, alloc_page);
	}
}
