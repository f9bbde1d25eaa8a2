/* SPDX-License-Identifier: MIT */
/* The page-table work of a write-combining window (arch/x86/page_wc.c, host-tested). */
#ifndef ARCH_PAGE_WC_H
#define ARCH_PAGE_WC_H

#include <stdint.h>

/*
 * In the 4-level identity map at pml4, give every 4 KiB page of
 * [start, end) (page-aligned) the entry `pa | P | W | bits`: 2 MiB pages
 * wholly inside become leaves with bits, ones partly inside are split
 * into 512 entries that keep their protection and type, missing tables are
 * made with alloc_page (a zeroed, identity-mapped 4 KiB page). bits holds
 * the type (PWT, PCD) and NX; for a 2 MiB leaf the PAT bit is bit 12, which
 * bits never sets (PAT entries 0-3 only).
 */
void page_wc_map(uint64_t *pml4, uint64_t start, uint64_t end, uint64_t bits,
		 void *(*alloc_page)(void));

#endif
