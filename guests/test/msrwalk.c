/* SPDX-License-Identifier: MIT */
/*
 * msrwalk: every MSR Keel's virtual CPU has (docs/msrs.md), read, written
 * and faulted from inside a guest, each checked against the Intel SDM and
 * against the guest's own CPUID: IA32_APIC_BASE (disable, enable, x2APIC
 * and the illegal transitions), TSC and TSC_ADJUST, the MTRRs, MISC_ENABLE,
 * PAT, EFER and the MSRs CPUID does not advertise. An elf64 guest has no
 * local APIC device, so the APIC checks stop at the MSR and CPUID; the hvm
 * disk apicmsr checks the vLAPIC itself. Ends with the number of failed
 * checks on the debug-exit port.
 */
#include "lib/guest.h"

#define GP 13
#define OK (-1)

static uint64_t rd(uint32_t msr, int *vector)
{
	uint32_t lo = 0, hi = 0;

	guest_fault_vector = -1;
	guest_fault_skip = 2; /* rdmsr is 0f 32 */
	__asm__ volatile("rdmsr" : "+a"(lo), "+d"(hi) : "c"(msr));
	guest_fault_skip = 0;
	*vector = guest_fault_vector;
	return (uint64_t)hi << 32 | lo;
}

static int wr(uint32_t msr, uint64_t v)
{
	guest_fault_vector = -1;
	guest_fault_skip = 2; /* wrmsr is 0f 30 */
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
	guest_fault_skip = 0;
	return guest_fault_vector;
}

/* Reads without a fault, or counts as a failure. */
static uint64_t rd_ok(uint32_t msr)
{
	int vec;
	uint64_t v = rd(msr, &vec);

	if (vec != OK)
		check(false, "rdmsr faulted", msr, (uint64_t)vec);
	return v;
}

/* The write faults with #GP and the MSR reads as before. */
static void gp_unchanged(uint32_t msr, uint64_t val, const char *what)
{
	uint64_t before = rd_ok(msr);
	int vec = wr(msr, val);

	check(vec == GP && rd_ok(msr) == before, what, (uint64_t)vec, GP);
}

/* The write works and reads back as written. */
static void round_trip(uint32_t msr, uint64_t val, const char *what)
{
	int vec = wr(msr, val);
	uint64_t got = rd_ok(msr);

	check(vec == OK && got == val, what, got, val);
}

static uint32_t leaf(uint32_t l, uint32_t sub, unsigned reg)
{
	uint32_t r[4];

	cpuid(l, sub, r);
	return r[reg];
}
enum { EAX, EBX, ECX, EDX };

static unsigned maxphyaddr(void)
{
	return leaf(0x80000000, 0, EAX) >= 0x80000008 ? leaf(0x80000008, 0, EAX) & 0xff : 36;
}

static void test_cpuid_agrees(void)
{
	check(leaf(1, 0, EDX) & (1u << 12), "cpuid 1: MTRR advertised", leaf(1, 0, EDX), 1u << 12);
	check(leaf(1, 0, EDX) & (1u << 16), "cpuid 1: PAT advertised", leaf(1, 0, EDX), 1u << 16);
	check(!(leaf(1, 0, ECX) & (1u << 21)), "cpuid 1: x2APIC hidden", leaf(1, 0, ECX), 0);
	check(!(leaf(1, 0, ECX) & (1u << 24)), "cpuid 1: TSC-deadline hidden", leaf(1, 0, ECX), 0);
	if (leaf(0, 0, EAX) >= 7) {
		check(leaf(7, 0, EBX) & 2, "cpuid 7: TSC_ADJUST advertised", leaf(7, 0, EBX), 2);
		check(leaf(7, 0, EDX) == 0, "cpuid 7: no speculation-control MSRs", leaf(7, 0, EDX), 0);
	}
}

static void test_apic_base(void)
{
	unsigned pa = maxphyaddr();

	check(rd_ok(0x1b) == 0xfee00900, "APIC_BASE power-on: fee00000, EN, BSP", rd_ok(0x1b),
	      0xfee00900);
	check(leaf(1, 0, EDX) & (1u << 9), "cpuid 1: APIC flag while enabled", leaf(1, 0, EDX), 1u << 9);
	gp_unchanged(0x1b, 0xfee00d00, "APIC_BASE: x2APIC enable (not advertised) -> #GP");
	gp_unchanged(0x1b, 0xfee00901, "APIC_BASE: reserved bit 0 -> #GP");
	gp_unchanged(0x1b, 0xfee00b00, "APIC_BASE: reserved bit 9 -> #GP");
	gp_unchanged(0x1b, 0xfee00900 | 1ULL << pa, "APIC_BASE: bit MAXPHYADDR -> #GP");
	gp_unchanged(0x1b, 0xfed00900, "APIC_BASE: moving the base -> #GP");
	round_trip(0x1b, 0xfee00100, "APIC_BASE: global disable");
	check(!(leaf(1, 0, EDX) & (1u << 9)), "cpuid 1: APIC flag clear while disabled",
	      leaf(1, 0, EDX), 0);
	gp_unchanged(0x1b, 0xfee00500, "APIC_BASE: disabled -> invalid (EXTD without EN) -> #GP");
	gp_unchanged(0x1b, 0xfee00d00, "APIC_BASE: disabled -> x2APIC -> #GP");
	round_trip(0x1b, 0xfee00900, "APIC_BASE: enable again");
	check(leaf(1, 0, EDX) & (1u << 9), "cpuid 1: APIC flag back", leaf(1, 0, EDX), 1u << 9);
	round_trip(0x1b, 0xfee00800, "APIC_BASE: BSP flag clear (R/W)");
	round_trip(0x1b, 0xfee00900, "APIC_BASE: BSP flag set");
}

/*
 * SDM 3A 18.17.3: IA32_TSC and IA32_TSC_ADJUST move together. Timed steps
 * are tried a few times: another guest may run in between (its time slice
 * is 10 ms of guest TSC, longer than the slack).
 */
#define TRIES 5
static void test_tsc(void)
{
	const uint64_t x = 1ULL << 40, slack = 1000000, jump = 5000000;
	uint64_t t0 = 0, t1, adj = 0, now = 0;
	int vec = 0, i;

	check(rd_ok(0x3b) == 0, "TSC_ADJUST power-on 0", rd_ok(0x3b), 0);
	for (i = 0; i < TRIES; i++) {
		wr(0x3b, 0);
		t0 = rdtsc();
		vec = wr(0x10, x);
		now = rdtsc();
		adj = rd_ok(0x3b);
		if (vec == OK && now >= x && now < x + slack)
			break;
	}
	check(vec == OK && now >= x && now < x + slack, "TSC write then RDTSC", now, x);
	now = rd_ok(0x10);
	check(now >= x && now < x + 100 * slack, "TSC write then RDMSR", now, x);
	check(adj <= x - t0 && adj > x - t0 - slack, "TSC write moved TSC_ADJUST by as much", adj,
	      x - t0);
	for (i = 0; i < TRIES; i++) {
		adj = rd_ok(0x3b);
		t1 = rdtsc();
		vec = wr(0x3b, adj + jump);
		now = rdtsc() - t1;
		if (vec == OK && now >= jump && now < jump + slack)
			break;
	}
	check(vec == OK && now >= jump && now < jump + slack, "TSC_ADJUST write moved the TSC", now,
	      jump);
	check(rd_ok(0x3b) == adj + jump, "TSC_ADJUST reads back", rd_ok(0x3b), adj + jump);
	vec = wr(0x3b, 0);
	now = rdtsc();
	check(vec == OK && now < x, "TSC_ADJUST 0: the TSC is back on its own time line", now, t0);
}

static void test_mtrr(void)
{
	unsigned pa = maxphyaddr();
	uint64_t cap = rd_ok(0xfe), physmask = (1ULL << pa) - 1;
	int vec;

	check((cap & 0xff) == 8 && (cap & 0x100) && (cap & 0x400) && !(cap & 0x800),
	      "MTRRCAP: 8 variable, fixed, WC, no SMRR", cap, 0x508);
	gp_unchanged(0xfe, cap, "MTRRCAP write -> #GP");
	round_trip(0x2ff, 0xc06, "MTRRdefType: E, FE, WB");
	gp_unchanged(0x2ff, 0xc02, "MTRRdefType: type 2 -> #GP");
	gp_unchanged(0x2ff, 0xc07, "MTRRdefType: type 7 (UC- is PAT only) -> #GP");
	gp_unchanged(0x2ff, 0x1c06, "MTRRdefType: reserved bit 12 -> #GP");
	round_trip(0x250, 0x0606060606060606ULL, "MTRRfix64K_00000 WB");
	round_trip(0x259, 0x0000000000000000ULL, "MTRRfix16K_A0000 UC");
	round_trip(0x26f, 0x0505050505050505ULL, "MTRRfix4K_F8000 WP");
	gp_unchanged(0x268, 0x0606060606060306ULL, "MTRRfix4K_C0000: one bad byte -> #GP");
	round_trip(0x200, 0xc0000000, "MTRRphysBase0: 3 GiB UC");
	round_trip(0x201, (~0x3fffffffULL & physmask) | 0x800, "MTRRphysMask0: 1 GiB, valid");
	round_trip(0x20e, 0x4, "MTRRphysBase7: WT");
	gp_unchanged(0x202, 0xc0000100, "MTRRphysBase1: reserved bit 8 -> #GP");
	gp_unchanged(0x202, 1ULL << pa, "MTRRphysBase1: bit MAXPHYADDR -> #GP");
	gp_unchanged(0x203, 0x801, "MTRRphysMask1: reserved bit 0 -> #GP");
	gp_unchanged(0x203, (1ULL << pa) | 0x800, "MTRRphysMask1: bit MAXPHYADDR -> #GP");
	rd(0x210, &vec);
	check(vec == GP, "MTRRphysBase8 (no ninth pair) -> #GP", (uint64_t)vec, GP);
	round_trip(0x2ff, 0, "MTRRdefType: off again");
}

static void test_misc_enable(void)
{
	uint64_t misc = rd_ok(0x1a0), efer = rd_ok(0xc0000080);
	uint32_t max = leaf(0, 0, EAX);

	check(misc == 0x1801, "MISC_ENABLE: fast strings, no BTS, no PEBS", misc, 0x1801);
	gp_unchanged(0x1a0, misc | 1ULL << 18, "MISC_ENABLE: MONITOR FSM (MONITOR hidden) -> #GP");
	gp_unchanged(0x1a0, misc | 1ULL << 3, "MISC_ENABLE: reserved bit 3 -> #GP");
	round_trip(0x1a0, misc | 1ULL << 22, "MISC_ENABLE: limit CPUID");
	check(leaf(0, 0, EAX) == (max > 2 ? 2 : max), "cpuid 0 limited to leaf 2", leaf(0, 0, EAX), 2);
	round_trip(0x1a0, misc, "MISC_ENABLE: limit off");
	check(leaf(0, 0, EAX) == max, "cpuid 0 back to its maximum", leaf(0, 0, EAX), max);
	if (!(leaf(0x80000001, 0, EDX) & (1u << 20)))
		return;
	check(!(efer & (1u << 11)), "EFER.NXE clear (as Keel starts elf64 guests)", efer, 0);
	round_trip(0x1a0, misc | 1ULL << 34, "MISC_ENABLE: XD disable");
	check(!(leaf(0x80000001, 0, EDX) & (1u << 20)), "cpuid 80000001: NX hidden while XD disabled",
	      leaf(0x80000001, 0, EDX), 0);
	gp_unchanged(0xc0000080, efer | 1u << 11, "EFER.NXE while XD disabled -> #GP");
	round_trip(0x1a0, misc, "MISC_ENABLE: XD enabled again");
	round_trip(0xc0000080, efer | 1u << 11, "EFER.NXE set");
	gp_unchanged(0x1a0, misc | 1ULL << 34, "MISC_ENABLE: XD disable while EFER.NXE -> #GP");
	round_trip(0xc0000080, efer, "EFER restored");
}

static void test_others(void)
{
	static const struct {
		uint32_t msr;
		const char *what;
	} absent[] = {
		{ 0x6e0, "TSC_DEADLINE (not in CPUID) -> #GP" },
		{ 0x48, "SPEC_CTRL (not in CPUID) -> #GP" },
		{ 0x49, "PRED_CMD (not in CPUID) -> #GP" },
		{ 0x10a, "ARCH_CAPABILITIES (not in CPUID) -> #GP" },
		{ 0x10b, "FLUSH_CMD (not in CPUID) -> #GP" },
		{ 0x802, "x2APIC ID register (no x2APIC) -> #GP" },
		{ 0x179, "MCG_CAP (MCA hidden) -> #GP" },
	};

	round_trip(0x277, 0x0007010600070106ULL, "PAT: Linux's value");
	gp_unchanged(0x277, 0x0007010600070206ULL, "PAT: reserved type 2 -> #GP");
	round_trip(0x277, 0x0007040600070406ULL, "PAT: power-on value again");
	check(rd_ok(0x3a) == 1, "FEATURE_CONTROL: locked, VMX off", rd_ok(0x3a), 1);
	gp_unchanged(0x3a, 5, "FEATURE_CONTROL write (locked) -> #GP");
	for (unsigned i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		int rv, w0, w1;

		rd(absent[i].msr, &rv);
		w0 = wr(absent[i].msr, 0);
		w1 = wr(absent[i].msr, 1);
		check(rv == GP && w0 == GP && w1 == GP, absent[i].what, (uint64_t)rv, GP);
	}
}

int main(const char *args, uint64_t ram);
int main(const char *args, uint64_t ram)
{
	(void)args;
	(void)ram;
	gprintf("msrwalk: MAXPHYADDR %u, cpuid max leaf %u\n", maxphyaddr(), leaf(0, 0, EAX));
	test_cpuid_agrees();
	test_apic_base();
	test_tsc();
	test_mtrr();
	test_misc_enable();
	test_others();
	gprintf("msrwalk: %u checks, %u failed\n", guest_checks, guest_failures);
	return (int)guest_failures;
}
