/* SPDX-License-Identifier: MIT */
/*
 * Loading and storing every AVX (YMM0-15) or AVX-512 (ZMM0-31, K1-7)
 * register from a test guest compiled with -mgeneral-regs-only: the
 * compiler never touches these registers, so a value loaded here stays
 * until the guest stores it back, unless a context switch loses it.
 */
#ifndef AVX_REGS_H
#define AVX_REGS_H

#include <stdint.h>

/* One register's load or store at its slot of the buffer. */
#define AVX_LD(i, sz, reg, op) op " " #i "*" #sz "(%0), %%" reg #i "\n\t"
#define AVX_ST(i, sz, reg, op) op " %%" reg #i ", " #i "*" #sz "(%0)\n\t"
#define AVX_YMM(m, op) \
	m(0, 32, "ymm", op) m(1, 32, "ymm", op) m(2, 32, "ymm", op) m(3, 32, "ymm", op) \
	m(4, 32, "ymm", op) m(5, 32, "ymm", op) m(6, 32, "ymm", op) m(7, 32, "ymm", op) \
	m(8, 32, "ymm", op) m(9, 32, "ymm", op) m(10, 32, "ymm", op) m(11, 32, "ymm", op) \
	m(12, 32, "ymm", op) m(13, 32, "ymm", op) m(14, 32, "ymm", op) m(15, 32, "ymm", op)
#define AVX_ZMM(m, op) \
	m(0, 64, "zmm", op) m(1, 64, "zmm", op) m(2, 64, "zmm", op) m(3, 64, "zmm", op) \
	m(4, 64, "zmm", op) m(5, 64, "zmm", op) m(6, 64, "zmm", op) m(7, 64, "zmm", op) \
	m(8, 64, "zmm", op) m(9, 64, "zmm", op) m(10, 64, "zmm", op) m(11, 64, "zmm", op) \
	m(12, 64, "zmm", op) m(13, 64, "zmm", op) m(14, 64, "zmm", op) m(15, 64, "zmm", op) \
	m(16, 64, "zmm", op) m(17, 64, "zmm", op) m(18, 64, "zmm", op) m(19, 64, "zmm", op) \
	m(20, 64, "zmm", op) m(21, 64, "zmm", op) m(22, 64, "zmm", op) m(23, 64, "zmm", op) \
	m(24, 64, "zmm", op) m(25, 64, "zmm", op) m(26, 64, "zmm", op) m(27, 64, "zmm", op) \
	m(28, 64, "zmm", op) m(29, 64, "zmm", op) m(30, 64, "zmm", op) m(31, 64, "zmm", op)
#define AVX_K(m, op) \
	m(1, 2, "k", op) m(2, 2, "k", op) m(3, 2, "k", op) m(4, 2, "k", op) \
	m(5, 2, "k", op) m(6, 2, "k", op) m(7, 2, "k", op)

/* YMM0-15 from/to 16 x 32 bytes. */
static inline void ymm_load(const uint8_t *p)
{
	__asm__ volatile(AVX_YMM(AVX_LD, "vmovdqu") ::"r"(p) : "memory");
}

static inline void ymm_store(uint8_t *p)
{
	__asm__ volatile(AVX_YMM(AVX_ST, "vmovdqu") ::"r"(p) : "memory");
}

/* ZMM0-31 from/to 32 x 64 bytes, K1-7 from/to k[1..7] (16 bits each, AVX512F's KMOVW). */
static inline void zmm_load(const uint8_t *p, const uint16_t *k)
{
	__asm__ volatile(AVX_ZMM(AVX_LD, "vmovdqu64") ::"r"(p) : "memory");
	__asm__ volatile(AVX_K(AVX_LD, "kmovw") ::"r"(k) : "memory");
}

static inline void zmm_store(uint8_t *p, uint16_t *k)
{
	__asm__ volatile(AVX_ZMM(AVX_ST, "vmovdqu64") ::"r"(p) : "memory");
	__asm__ volatile(AVX_K(AVX_ST, "kmovw") ::"r"(k) : "memory");
}

#endif
