/* SPDX-License-Identifier: MIT */
/*
 * Keel's public guest ABI (docs/abi.md). Guests include this one header.
 * Hypercalls: number in RAX, arguments in RDI, RSI, RDX, R10, R8; the
 * result, or -errno, comes back in RAX.
 */
#ifndef KEEL_ABI_H
#define KEEL_ABI_H

/* CPUID leaves 0x40000000+: "KeelKeelKeel" in EBX, ECX, EDX. */
#define KEEL_CPUID_BASE       0x40000000u
#define KEEL_CPUID_FEATURES   0x40000001u
#define KEEL_CPUID_SIG_EBX    0x6c65654bu /* "Keel" */
#define KEEL_CPUID_SIG_ECX    0x6c65654bu
#define KEEL_CPUID_SIG_EDX    0x6c65654bu
#define KEEL_ABI_VERSION      0x00000001u /* EAX of KEEL_CPUID_FEATURES */

/* Hypercall numbers. */
#define KEEL_HC_VERSION       0 /* returns KEEL_ABI_VERSION: the null call */
#define KEEL_HC_CONSOLE_WRITE 1 /* (const char *gva, size_t len) -> bytes written */
#define KEEL_HC_YIELD         2 /* let other vCPUs run first -> 0 */

/* Devices every Keel test VM has. */
#define KEEL_DEBUG_EXIT_PORT  0xf4       /* write: end the run with this value */
#define KEEL_TESTDEV_MMIO     0xfeb00000 /* 4 KiB of test registers */
#define KEEL_TESTDEV_ID       0x0        /* reads "KEEL" (0x4c45454b) */
#define KEEL_TESTDEV_SCRATCH  0x8        /* read/write 64-bit scratch */
#define KEEL_TESTDEV_ID_VALUE 0x4c45454bu

#endif
