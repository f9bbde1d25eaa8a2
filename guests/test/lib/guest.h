/* SPDX-License-Identifier: MIT */
/* The tiny runtime of Keel's 64-bit test guests. */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/abi.h>

void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void guest_puts(const char *s);

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint16_t inw(uint16_t p) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static inline long hypercall3(long nr, long a0, long a1, long a2)
{
	long ret;
	__asm__ volatile("vmcall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "d"(a2) : "memory");
	return ret;
}

/*
 * Run an instruction that may fault: the trap handler records the vector
 * and resumes after `len` bytes. Returns the vector, or -1 if none.
 */
extern volatile int guest_fault_vector;
extern volatile unsigned guest_fault_skip;

/* Check helper: prints PASS/FAIL lines and counts failures. */
extern unsigned guest_failures, guest_checks;
void check(bool ok, const char *what, uint64_t got, uint64_t want);

#endif
