/* SPDX-License-Identifier: MIT */
/* What Keel's identity map gives each page (arch/x86/page_map.c, host-tested). */
#ifndef ARCH_PAGE_MAP_H
#define ARCH_PAGE_MAP_H

#include <stdbool.h>
#include <stdint.h>

/* Keel's image, each boundary 4 KiB-aligned (keel.lds), and the NX bit to use (0: none). */
struct page_layout {
	uint64_t image_start, text_end, rodata_end, image_end;
	uint64_t nx;
};

/* Whether the 2 MiB page at base needs 4 KiB entries (page 0, or part of Keel's image). */
bool page_needs_split(const struct page_layout *l, uint64_t base);
/* The identity entry for the page at addr: a 2 MiB leaf (large) or a 4 KiB one. */
uint64_t page_pte(const struct page_layout *l, uint64_t addr, bool large);

#endif
