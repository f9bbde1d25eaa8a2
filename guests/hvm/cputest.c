/* SPDX-License-Identifier: MIT */
/*
 * cputest: a disk booted by SeaBIOS (boot64.S) that checks the hvm guest's
 * CPU where it meets the local APIC, and prints a PASS or FAIL line per
 * check for test_cpu.py:
 *   - CPUID offers x2APIC, the TSC-deadline timer and XSAVE (SDM 2A CPUID);
 *   - AVX registers loaded after XSETBV survive while the guest is
 *     descheduled (another guest runs meanwhile: test_cpu gives it one);
 *   - IA32_APIC_BASE: xAPIC to x2APIC, the x2APIC MSRs then (ID, version,
 *     LDR, SVR, TPR; #GP for read-only, write-only, reserved and bad
 *     values), the MMIO page off, a self IPI through SELF IPI and through
 *     the ICR, x2APIC straight to xAPIC #GP, out through the disabled
 *     state, disabled to x2APIC #GP (SDM 3A 11.12);
 *   - the TSC-deadline timer (11.5.4.1): an interrupt at the deadline and
 *     not before, the MSR reading 0 once it fired, a deadline already
 *     passed firing at once, 0 disarming, the MSR reading 0 in other modes.
 * The status on the debug-exit port is the number of failed checks; 0x99
 * for a fault where none was expected.
 */
#include <keel/printk.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include "avx_regs.h"
#include "disk.h"

#define LAPIC        0xfee00000UL
#define APIC_BASE    0x1b
#define TSC_DEADLINE 0x6e0
#define X2(reg)      (0x800 + (reg) / 16)
#define UD           6
#define GP           13
#define OK           (-1)
#define VEC_SELF     0x50
#define VEC_ICR      0x51
#define VEC_OTHER    0x52
#define VEC_TIMER    0x60
#define DEADLINE_LVT (2u << 17)
#define SWITCH_GAP   200000 /* TSC ticks between two reads that mean another guest ran */

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint32_t cpuid_reg(uint32_t leaf, uint32_t sub, unsigned reg)
{
	uint32_t r[4];

	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
	return r[reg];
}

static unsigned failed;

static void check(bool ok, const char *what, uint64_t got, uint64_t want)
{
	if (ok)
		print("cputest: PASS %s\n", what);
	else
		print("cputest: FAIL %s: got %lx, want %lx\n", what, got, want);
	failed += !ok;
}

/* ---- faults and interrupts ---------------------------------------------- */

/* #UD and #GP skip fault_skip bytes and record the vector; any other fault ends the run. */
volatile uint32_t fault_skip, fault_vec;
extern char fault_ud[], fault_gp[];
__asm__(".text\n"
	"fault_ud:\n"
	"	movl	$6, fault_vec(%rip)\n"
	"	jmp	1f\n"
	"fault_gp:\n"
	"	add	$8, %rsp\n" /* the error code */
	"	movl	$13, fault_vec(%rip)\n"
	"1:	cmpl	$0, fault_skip(%rip)\n"
	"	je	2f\n"
	"	push	%rax\n"
	"	mov	fault_skip(%rip), %eax\n"
	"	add	%rax, 8(%rsp)\n"
	"	movl	$0, fault_skip(%rip)\n"
	"	pop	%rax\n"
	"	iretq\n"
	"2:	mov	$0x99, %eax\n"
	"	mov	$0xf4, %dx\n"
	"	out	%eax, %dx\n"
	"	cli\n"
	"	hlt\n");

static volatile unsigned hits[256];
static volatile uint64_t hit_tsc[256];
static bool x2apic; /* EOI through the MSR, not the page */

static void wrmsr_raw(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

void isr(uint64_t vec)
{
	if (vec < 32) {
		print("cputest: exception %lu\n", vec);
		outl(0xf4, 0x80 + (uint32_t)vec);
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	if (!hits[vec])
		hit_tsc[vec] = rdtsc();
	hits[vec]++;
	if (vec == 0xff)
		return; /* spurious: no EOI */
	if (x2apic)
		wrmsr_raw(X2(0xb0), 0);
	else
		*(volatile uint32_t *)(LAPIC + 0xb0) = 0;
}

static void idt_faults(void)
{
	idt_set(UD, (uint64_t)fault_ud);
	idt_set(GP, (uint64_t)fault_gp);
}

/* 8259s masked: only the local APIC interrupts. */
static void pic_off(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static int rdmsr(uint32_t msr, uint64_t *v)
{
	uint32_t lo = 0, hi = 0;

	fault_vec = OK;
	fault_skip = 2;
	__asm__ volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(msr));
	fault_skip = 0;
	*v = (uint64_t)hi << 32 | lo;
	return (int)fault_vec;
}

static int wrmsr(uint32_t msr, uint64_t v)
{
	fault_vec = OK;
	fault_skip = 2;
	wrmsr_raw(msr, v);
	fault_skip = 0;
	return (int)fault_vec;
}

static uint64_t rd(uint32_t msr)
{
	uint64_t v;

	if (rdmsr(msr, &v) != OK)
		check(false, "rdmsr faulted", msr, 0);
	return v;
}

static void gp_rd(uint32_t msr, const char *what)
{
	uint64_t v;
	int f = rdmsr(msr, &v);

	check(f == GP, what, (uint64_t)f, GP);
}

static void gp_wr(uint32_t msr, uint64_t val, const char *what)
{
	int f = wrmsr(msr, val);

	check(f == GP, what, (uint64_t)f, GP);
}

/* ---- the checks ----------------------------------------------------------- */

static void step_cpuid(void)
{
	uint32_t c = cpuid_reg(1, 0, 2), d = cpuid_reg(1, 0, 3);

	print("cputest: cpuid 1 ecx %08x edx %08x\n", c, d);
	check(c & (1u << 21), "cpuid 1: x2APIC", c, 1u << 21);
	check(c & (1u << 24), "cpuid 1: TSC-deadline", c, 1u << 24);
	check(c & (1u << 26), "cpuid 1: XSAVE", c, 1u << 26);
	check(d & (1u << 9), "cpuid 1: APIC", d, 1u << 9);
}

static uint8_t want[16 * 32] __attribute__((aligned(32))), got[16 * 32] __attribute__((aligned(32)));

/* YMM0-15 hold a pattern while the guest spins until another guest ran twice (or a bound). */
static void step_avx(void)
{
	uint64_t seed = rdtsc() | 1, cr4, last, start;
	unsigned jumps = 0, bad = 0;

	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | 1u << 18 | 3u << 9)); /* OSXSAVE, OSFXSR, OSXMMEXCPT */
	__asm__ volatile("xsetbv" ::"c"(0), "a"(7), "d"(0));
	for (unsigned i = 0; i < sizeof(want); i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		want[i] = (uint8_t)(seed >> 56);
	}
	ymm_load(want);
	last = start = rdtsc();
	while (jumps < 2 && last - start < 10000ULL * SWITCH_GAP) {
		uint64_t now = rdtsc();

		jumps += now - last > SWITCH_GAP;
		last = now;
	}
	ymm_store(got);
	for (unsigned i = 0; i < sizeof(want); i++)
		bad += got[i] != want[i];
	print("cputest: YMM0-15 over %u descheduling(s): %u bytes differ\n", jumps, bad);
	check(bad == 0, "YMM registers kept while descheduled", bad, 0);
}

static void step_x2apic(void)
{
	uint64_t v;

	check(rd(APIC_BASE) == 0xfee00900, "APIC_BASE: xAPIC, BSP", rd(APIC_BASE), 0xfee00900);
	gp_rd(X2(0x20), "x2APIC ID in xAPIC mode -> #GP");
	check(wrmsr(APIC_BASE, 0xfee00d00) == OK, "APIC_BASE: xAPIC -> x2APIC", 0, 0);
	x2apic = true;
	check(rd(APIC_BASE) == 0xfee00d00, "APIC_BASE reads x2APIC", rd(APIC_BASE), 0xfee00d00);
	check(rd(X2(0x20)) == 0, "x2APIC ID 0", rd(X2(0x20)), 0);
	check(rd(X2(0x30)) == 0x50014, "x2APIC version", rd(X2(0x30)), 0x50014);
	check(rd(X2(0xd0)) == 1, "x2APIC LDR: cluster 0, bit 0", rd(X2(0xd0)), 1);
	v = *(volatile uint32_t *)(LAPIC + 0x30);
	check(v == 0xffffffff, "MMIO page off in x2APIC mode", v, 0xffffffff);
	check(wrmsr(X2(0xf0), 0x1ff) == OK && rd(X2(0xf0)) == 0x1ff, "x2APIC SVR", rd(X2(0xf0)), 0x1ff);
	check(wrmsr(X2(0x80), 0x20) == OK && rd(X2(0x80)) == 0x20 && rd(X2(0xa0)) == 0x20,
	      "x2APIC TPR and PPR", rd(X2(0xa0)), 0x20);
	wrmsr(X2(0x80), 0);
	gp_wr(X2(0x20), 5, "x2APIC ID write (read-only) -> #GP");
	gp_wr(X2(0xd0), 2, "x2APIC LDR write (read-only) -> #GP");
	gp_rd(X2(0xb0), "x2APIC EOI read (write-only) -> #GP");
	gp_rd(X2(0x3f0), "x2APIC SELF IPI read (write-only) -> #GP");
	gp_rd(X2(0xe0), "x2APIC DFR (none) -> #GP");
	gp_rd(X2(0x310), "x2APIC ICR2 (none) -> #GP");
	gp_wr(X2(0xb0), 1, "x2APIC EOI non-zero -> #GP");
	gp_wr(X2(0x280), 1, "x2APIC ESR non-zero -> #GP");
	gp_wr(X2(0x80), 1ULL << 32, "x2APIC TPR bit 32 -> #GP");
	gp_rd(0x8ff, "x2APIC MSR 0x8ff (reserved) -> #GP");
	__asm__ volatile("sti");
	wrmsr(X2(0x3f0), VEC_SELF);
	check(hits[VEC_SELF] == 1, "SELF IPI arrives", hits[VEC_SELF], 1);
	wrmsr(X2(0x300), 0ULL << 32 | VEC_ICR);
	check(hits[VEC_ICR] == 1, "ICR to x2APIC ID 0 arrives", hits[VEC_ICR], 1);
	check(rd(X2(0x300)) == VEC_ICR, "ICR reads back (one 64-bit MSR)", rd(X2(0x300)), VEC_ICR);
	wrmsr(X2(0x300), 0x100ULL << 32 | VEC_OTHER);
	check(hits[VEC_OTHER] == 0, "ICR to x2APIC ID 0x100 does not", hits[VEC_OTHER], 0);
	gp_wr(APIC_BASE, 0xfee00900, "APIC_BASE: x2APIC -> xAPIC -> #GP");
	check(rd(APIC_BASE) == 0xfee00d00, "APIC_BASE unchanged", rd(APIC_BASE), 0xfee00d00);
}

/* Halt until the n-th interrupt of vec (something must be armed to wake the guest). */
static void wait_for(unsigned vec, unsigned n, uint64_t ticks)
{
	uint64_t t0 = rdtsc();

	while (hits[vec] < n && rdtsc() - t0 < ticks)
		__asm__ volatile("sti; hlt");
}

/* Interrupts on, for so many TSC ticks. */
static void spin(uint64_t ticks)
{
	uint64_t t0 = rdtsc();

	__asm__ volatile("sti");
	while (rdtsc() - t0 < ticks)
		;
}

static void step_deadline(void)
{
	uint64_t dl, t;

	check(rd(TSC_DEADLINE) == 0, "TSC_DEADLINE reads 0 in one-shot mode", rd(TSC_DEADLINE), 0);
	wrmsr(TSC_DEADLINE, rdtsc() + 1000);
	check(rd(TSC_DEADLINE) == 0, "TSC_DEADLINE write ignored in one-shot mode",
	      rd(TSC_DEADLINE), 0);
	wrmsr(X2(0x320), DEADLINE_LVT | VEC_TIMER);
	check(rd(X2(0x320)) == (DEADLINE_LVT | VEC_TIMER), "LVT timer: TSC-deadline mode",
	      rd(X2(0x320)), DEADLINE_LVT | VEC_TIMER);
	dl = rdtsc() + 3000000;
	wrmsr(TSC_DEADLINE, dl);
	check(rd(TSC_DEADLINE) == dl, "TSC_DEADLINE reads back armed", rd(TSC_DEADLINE), dl);
	wait_for(VEC_TIMER, 1, 100000000);
	t = hit_tsc[VEC_TIMER];
	print("cputest: deadline interrupt %lu ticks after the deadline\n", t - dl);
	check(hits[VEC_TIMER] == 1, "TSC-deadline interrupt arrives", hits[VEC_TIMER], 1);
	check(t >= dl, "not before the deadline", t, dl);
	check(rd(TSC_DEADLINE) == 0, "TSC_DEADLINE reads 0 once fired", rd(TSC_DEADLINE), 0);
	spin(6000000);
	check(hits[VEC_TIMER] == 1, "one interrupt per write", hits[VEC_TIMER], 1);
	/* A deadline already passed: the interrupt comes before the next instruction's end. */
	wrmsr(TSC_DEADLINE, rdtsc() - 1000);
	__asm__ volatile("nop");
	check(hits[VEC_TIMER] == 2, "a passed deadline fires at once", hits[VEC_TIMER], 2);
	dl = rdtsc() + 2000000;
	wrmsr(TSC_DEADLINE, dl);
	wrmsr(TSC_DEADLINE, 0);
	spin(6000000);
	check(hits[VEC_TIMER] == 2, "writing 0 disarms", hits[VEC_TIMER], 2);
	/* Leaving the mode disarms too. */
	wrmsr(TSC_DEADLINE, rdtsc() + 2000000);
	wrmsr(X2(0x320), VEC_TIMER);
	check(rd(TSC_DEADLINE) == 0, "TSC_DEADLINE 0 after leaving the mode", rd(TSC_DEADLINE), 0);
	wrmsr(X2(0x320), 1u << 16);
	__asm__ volatile("cli");
}

static void step_leave_x2apic(void)
{
	uint32_t v;

	check(wrmsr(APIC_BASE, 0xfee00100) == OK, "APIC_BASE: x2APIC -> disabled", 0, 0);
	x2apic = false;
	gp_rd(X2(0x30), "x2APIC version while disabled -> #GP");
	check(!(cpuid_reg(1, 0, 3) & (1u << 9)), "cpuid 1: APIC flag clear while disabled",
	      cpuid_reg(1, 0, 3), 0);
	gp_wr(APIC_BASE, 0xfee00d00, "APIC_BASE: disabled -> x2APIC -> #GP");
	gp_wr(APIC_BASE, 0xfee00500, "APIC_BASE: EXTD without EN -> #GP");
	check(wrmsr(APIC_BASE, 0xfee00900) == OK, "APIC_BASE: disabled -> xAPIC", 0, 0);
	v = *(volatile uint32_t *)(LAPIC + 0x30);
	check(v == 0x50014, "MMIO page back in xAPIC mode", v, 0x50014);
	v = *(volatile uint32_t *)(LAPIC + 0xf0);
	check(v == 0xff, "power-up SVR after the disabled state", v, 0xff);
	gp_rd(X2(0x30), "x2APIC MSR in xAPIC mode -> #GP");
}

int main(void);
int main(void)
{
	idt_init();
	idt_faults();
	pic_off();
	step_cpuid();
	step_avx();
	step_x2apic();
	step_deadline();
	step_leave_x2apic();
	print("cputest: %u failed\n", failed);
	return (int)failed;
}
