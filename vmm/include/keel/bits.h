/* SPDX-License-Identifier: MIT */
#ifndef KEEL_BITS_H
#define KEEL_BITS_H

#define BIT(n)         (1ULL << (n))
#define GENMASK(h, l)  ((~0ULL >> (63 - (h))) & ~((1ULL << (l)) - 1))
#define ARRAY_SIZE(a)  (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + (a) - 1) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define PAGE_SIZE      4096UL
#define KiB            1024UL
#define MiB            (1024UL * KiB)
#define GiB            (1024UL * MiB)
#define likely(x)      __builtin_expect(!!(x), 1)
#define unlikely(x)    __builtin_expect(!!(x), 0)

#endif
