/* SPDX-License-Identifier: MIT */
/*
 * xsavetest: XSAVE, XCR0 and the AVX registers as the guest's own, from an
 * elf64 guest. CPUID shows XSAVE and AVX where the host has them, OSXSAVE
 * follows the guest's CR4, leaf 0xd's size follows XCR0; XSETBV is #UD
 * before CR4.OSXSAVE and #GP for every value SDM 1 13.3 forbids (x87 clear,
 * AVX without SSE, part of AVX-512, AVX-512 without AVX, MPX and PKRU that
 * are not offered, an XCR other than 0) and for a good value at CPL 3
 * (ring3.c; Bochs exits before its own CPL check, so Keel's answers);
 * good values read back with XGETBV. Then every YMM (or ZMM and opmask) register holds a pattern of
 * this guest's own while it is descheduled (seen as a jump of its TSC):
 * run two of it beside each other and each proves the switch keeps its
 * state (a round gives up waiting after 40 gaps' worth of TSC ticks). AVX-512 is only tried where CPUID offers it. Ends with the number
 * of failed checks on the debug-exit port.
 */
#include "lib/guest.h"
#include "avx_regs.h"
#include "ring3.h"

#define UD 6
#define GP 13
#define OK (-1)
#define CR4_OSXSAVE (1ULL << 18)
#define ROUNDS 3 /* unless args say rounds=N */
#define SWITCH_GAP 200000 /* TSC ticks between two reads that mean another guest ran */

enum { EAX, EBX, ECX, EDX };

static uint32_t leaf(uint32_t l, uint32_t sub, unsigned reg)
{
	uint32_t r[4];

	cpuid(l, sub, r);
	return r[reg];
}

static int xsetbv(uint32_t xcr, uint64_t v)
{
	guest_fault_vector = -1;
	guest_fault_skip = 3; /* 0f 01 d1 */
	__asm__ volatile("xsetbv" ::"c"(xcr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
	guest_fault_skip = 0;
	return guest_fault_vector;
}

/* XSAVES of x87 state into buf: the fault vector, or OK. */
static int xsaves(void *buf)
{
	guest_fault_vector = -1;
	guest_fault_skip = 3; /* 0f c7 2f: xsaves (%rdi) */
	__asm__ volatile(".byte 0x0f, 0xc7, 0x2f" ::"D"(buf), "a"(1), "d"(0) : "memory");
	guest_fault_skip = 0;
	return guest_fault_vector;
}

static uint64_t xgetbv(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

static void set_cr4(uint64_t set)
{
	uint64_t cr4;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | set));
}

static bool avx512; /* CPUID offers AVX-512F and its three XSAVE components */

static void test_xsetbv(void)
{
	uint64_t offered = leaf(0xd, 0, EAX) | (uint64_t)leaf(0xd, 0, EDX) << 32;
	uint64_t all = avx512 ? 0xe7 : 7;
	int v;

	check(leaf(1, 0, ECX) & (1u << 26), "cpuid 1: XSAVE", leaf(1, 0, ECX), 1u << 26);
	check(leaf(1, 0, ECX) & (1u << 28), "cpuid 1: AVX", leaf(1, 0, ECX), 1u << 28);
	check(!(leaf(1, 0, ECX) & (1u << 27)), "cpuid 1: OSXSAVE clear with CR4.OSXSAVE clear",
	      leaf(1, 0, ECX), 0);
	check((offered & 7) == 7 && !(offered & 0x318), "cpuid d: x87 SSE AVX, no MPX or PKRU",
	      offered, all);
	check(!(leaf(0xd, 1, EAX) & 8), "cpuid d.1: XSAVES hidden", leaf(0xd, 1, EAX), 0);
	v = xsetbv(0, 3);
	check(v == UD, "XSETBV without CR4.OSXSAVE -> #UD", (uint64_t)v, UD);
	set_cr4(CR4_OSXSAVE);
	check(leaf(1, 0, ECX) & (1u << 27), "cpuid 1: OSXSAVE follows CR4", leaf(1, 0, ECX), 1u << 27);
	check(xgetbv() == 1, "XCR0 power-on value 1", xgetbv(), 1);
	check(leaf(0xd, 0, EBX) == 576, "cpuid d: size for XCR0 = 1", leaf(0xd, 0, EBX), 576);
	static const struct { uint32_t xcr; uint64_t val; const char *what; } bad[] = {
		{ 0, 0, "XSETBV x87 clear -> #GP" },
		{ 0, 2, "XSETBV SSE without x87 -> #GP" },
		{ 0, 5, "XSETBV AVX without SSE -> #GP" },
		{ 0, 0x1f, "XSETBV MPX (not offered) -> #GP" },
		{ 0, 0x207, "XSETBV PKRU (not offered) -> #GP" },
		{ 0, 0x27, "XSETBV opmask alone -> #GP" },
		{ 0, 0xe3, "XSETBV AVX-512 without AVX -> #GP" },
		{ 0, 1ULL << 63, "XSETBV bit 63 -> #GP" },
		{ 1, 1, "XSETBV XCR1 -> #GP" },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = xsetbv(bad[i].xcr, bad[i].val);
		check(v == GP && xgetbv() == 1, bad[i].what, (uint64_t)v, GP);
	}
	v = ring3_xsetbv_gp0(0, 3);
	check(v == 0 && xgetbv() == 1, "XSETBV at CPL 3 -> #GP(0)", xgetbv(), 1);
	{
		static uint8_t area[4096] __attribute__((aligned(64)));

		/* Hidden in CPUID, so absent: #UD as on a CPU without it (SDM 3C 25.3). */
		v = xsaves(area);
		check(v == UD, "XSAVES (hidden) -> #UD", (uint64_t)v, UD);
	}
	if (!avx512) {
		v = xsetbv(0, 0xe7);
		check(v == GP, "XSETBV AVX-512 (not offered) -> #GP", (uint64_t)v, GP);
	}
	v = xsetbv(0, 3);
	check(v == OK && xgetbv() == 3, "XSETBV x87|SSE", xgetbv(), 3);
	v = xsetbv(0, 7);
	check(v == OK && xgetbv() == 7, "XSETBV x87|SSE|AVX", xgetbv(), 7);
	check(leaf(0xd, 0, EBX) == 832, "cpuid d: size follows XCR0", leaf(0xd, 0, EBX), 832);
	if (avx512) {
		v = xsetbv(0, 0xe7);
		check(v == OK && xgetbv() == 0xe7, "XSETBV AVX-512", xgetbv(), 0xe7);
		check(leaf(0xd, 0, EBX) == leaf(0xd, 0, ECX), "cpuid d: size for all of XCR0",
		      leaf(0xd, 0, EBX), leaf(0xd, 0, ECX));
	}
}

static uint8_t want[32 * 64] __attribute__((aligned(64))), got[32 * 64] __attribute__((aligned(64)));
static uint16_t kwant[8], kgot[8];

static void fill(uint64_t seed)
{
	for (unsigned i = 0; i < sizeof(want); i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		want[i] = (uint8_t)(seed >> 56);
	}
	for (unsigned i = 1; i < 8; i++)
		kwant[i] = (uint16_t)(seed >> (8 * i));
}

/* Spin until the TSC jumped twice (two other guests' slices, or one twice). */
static unsigned wait_for_switches(void)
{
	uint64_t last = rdtsc(), start = last;
	unsigned jumps = 0;

	while (jumps < 2 && last - start < 40ULL * SWITCH_GAP) {
		uint64_t now = rdtsc();

		if (now - last > SWITCH_GAP)
			jumps++;
		last = now;
	}
	return jumps;
}

static void test_state_survives(unsigned rounds)
{
	unsigned bytes = avx512 ? 32 * 64 : 16 * 32;

	for (unsigned r = 0; r < rounds; r++) {
		unsigned jumps, bad = 0;

		fill(rdtsc() ^ (uint64_t)r << 40);
		if (avx512)
			zmm_load(want, kwant);
		else
			ymm_load(want);
		jumps = wait_for_switches();
		if (avx512)
			zmm_store(got, kgot);
		else
			ymm_store(got);
		for (unsigned i = 0; i < bytes; i++)
			bad += got[i] != want[i];
		for (unsigned i = 1; i < 8 && avx512; i++)
			bad += kgot[i] != kwant[i];
		gprintf("xsavetest: round %u: %u descheduling(s), %u bytes of %s differ\n", r, jumps,
			bad, avx512 ? "ZMM0-31/K1-7" : "YMM0-15");
		check(bad == 0, "AVX registers kept while descheduled", bad, 0);
	}
}

int main(const char *args, uint64_t ram);
/* "rounds=N" in the guest's args: a longer run, as another guest's companion. */
static unsigned rounds_from(const char *args)
{
	unsigned n = 0;

	for (const char *p = args; *p; p++) {
		if (p[0] == 'r' && p[1] == 'o' && p[2] == 'u' && p[3] == 'n' && p[4] == 'd' &&
		    p[5] == 's' && p[6] == '=') {
			for (p += 7; *p >= '0' && *p <= '9'; p++)
				n = n * 10 + (unsigned)(*p - '0');
			return n ? n : ROUNDS;
		}
	}
	return ROUNDS;
}

int main(const char *args, uint64_t ram)
{
	(void)ram;
	avx512 = (leaf(7, 0, EBX) & (1u << 16)) && (leaf(0xd, 0, EAX) & 0xe0) == 0xe0;
	gprintf("xsavetest: cpuid 1 ecx %08x, 7 ebx %08x, d eax %08x ecx %u, avx512 %s\n",
		leaf(1, 0, ECX), leaf(7, 0, EBX), leaf(0xd, 0, EAX), leaf(0xd, 0, ECX),
		avx512 ? "offered" : "not offered (CPUID)");
	check(!(leaf(1, 0, ECX) & (1u << 21)) && !(leaf(1, 0, ECX) & (1u << 24)),
	      "cpuid 1: no x2APIC or TSC-deadline without a local APIC", leaf(1, 0, ECX), 0);
	test_xsetbv();
	test_state_survives(rounds_from(args));
	gprintf("xsavetest: %u checks, %u failed\n", guest_checks, guest_failures);
	return (int)guest_failures;
}
