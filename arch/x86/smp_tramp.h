/* SPDX-License-Identifier: MIT */
/* What the boot CPU hands an AP it starts (arch/x86/smp_boot.S reads it). */
#ifndef ARCH_X86_SMP_TRAMP_H
#define ARCH_X86_SMP_TRAMP_H

#include <stdint.h>

struct smp_tramp_data {
	uint64_t entry;  /* smp_ap_entry64 */
	uint64_t percpu; /* the AP's struct percpu */
	uint64_t stack;  /* top of its stack */
	uint64_t cr0, cr3, cr4; /* Keel's, as the boot CPU has them (without VMXE) */
	uint64_t pat;    /* the boot CPU's IA32_PAT (arch/x86/wc_map.c changes it); 0: no PAT */
	uint32_t pml4;   /* the temporary page tables, below 4 GiB */
	uint32_t efer;   /* EFER bits to set beside LME: NXE if the boot CPU set it */
};

#endif
