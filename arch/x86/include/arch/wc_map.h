/* SPDX-License-Identifier: MIT */
/* Device memory Keel writes a lot and never reads (the framebuffer): arch/x86/wc_map.c. */
#ifndef ARCH_WC_MAP_H
#define ARCH_WC_MAP_H

#include <stdint.h>

/*
 * Map [base, base + size) in Keel's identity map as write-combining where
 * the CPU has PAT, else uncached; not executable. Returns the address to
 * write through (the identity address) and names the type in *type.
 */
void *arch_map_wc(uint64_t base, uint64_t size, const char **type);

#endif
