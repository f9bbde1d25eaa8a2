/* SPDX-License-Identifier: MIT */
/*
 * MSRs a guest in a VM may write without an exit (the MSR bitmap passes
 * them through; the VMCS or Keel switches them per vCPU), and a marker
 * value for each that names the guest: two hostile guests write their
 * markers, yield to each other, and each must read back only its own.
 * Header-only, for test guests and PV guests alike.
 */
#ifndef GUESTS_MSR_MARKS_H
#define GUESTS_MSR_MARKS_H

#include <stdint.h>

static const uint32_t msr_marked[] = {
	0xc0000100, /* FS_BASE (VMCS) */
	0xc0000101, /* GS_BASE (VMCS) */
	0xc0000102, /* KERNEL_GS_BASE (Keel) */
	0xc0000081, /* STAR (Keel) */
	0xc0000082, /* LSTAR (Keel) */
	0xc0000083, /* CSTAR (Keel) */
	0xc0000084, /* SFMASK (Keel) */
	0x174,      /* SYSENTER_CS (VMCS) */
	0x175,      /* SYSENTER_ESP (VMCS) */
	0x176,      /* SYSENTER_EIP (VMCS) */
};
#define MSR_MARKED (sizeof(msr_marked) / sizeof(msr_marked[0]))

/*
 * Canonical (bases and entry points must be) and within each MSR's valid
 * bits: SFMASK has 32, SYSENTER_CS is a selector (16).
 */
static inline uint64_t msr_mark(unsigned i, unsigned tag)
{
	uint32_t msr = msr_marked[i];

	if (msr == 0x174)
		return 0x5000u | (tag & 0xff) << 4 | i;
	if (msr == 0xc0000084)
		return 0x5a000000u | (tag & 0xff) << 8 | i;
	return 0x00005a5a00000000ULL | (uint64_t)(tag & 0xffff) << 16 | i << 4;
}

#endif
