/* SPDX-License-Identifier: MIT */
/*
 * An hvm test disk for a guest with several vCPUs (keel.cfg vcpus=N): the
 * BSP reads the CPU count from fw_cfg, starts the APs with INIT-SIPI-SIPI
 * (SDM 3A 8.4.4.1; SeaBIOS started and parked them once before), and then
 * sends fixed IPIs with every destination kind: physical, logical flat and
 * cluster, the physical broadcast, the shorthands self, all and all but
 * self, lowest priority, an NMI, and in x2APIC mode physical and logical.
 * Each CPU counts what it receives; every count is checked, and the IPI
 * round trip to CPU 1 (an IPI there, one back) is timed in TSC ticks.
 */
#include <bench_stats.h>
#include <stdbool.h>
#include <stdint.h>
#include "disk.h"

#define MAX_CPUS  8
#define LAPIC     0xfee00000UL
#define TRAMP     0x6000UL /* the APs' start-up page: SIPI vector 6 */
#define WAIT      200000   /* PAUSEs before a wait gives up */
#define RTT_RUNS  21

#define REG_ID  0x020
#define REG_TPR 0x080
#define REG_EOI 0x0b0
#define REG_LDR 0x0d0
#define REG_DFR 0x0e0
#define REG_SVR 0x0f0
#define REG_ICR 0x300
#define REG_ICR2 0x310

#define ICR_LOGICAL (1u << 11)
#define ICR_INIT    0x00004500u /* level assert */
#define ICR_SIPI    0x00004600u
#define ICR_NMI     0x00000400u
#define ICR_LOWEST  0x00000100u
#define SH_SELF     (1u << 18)
#define SH_ALL      (2u << 18)
#define SH_OTHERS   (3u << 18)

/* Test vectors: hits[cpu][vector - V_BASE]. */
enum { V_BASE = 0x40, V_PHYS = 0x40, V_FLAT, V_BCAST, V_OTHERS, V_ALL, V_SELF, V_LOWEST, V_PING,
       V_CLUSTER_SET, V_CLUSTER, V_X2_SET, V_X2_PHYS, V_X2_LOGICAL, V_RESET, V_END };

extern char ap_tramp[], ap_tramp_end[];
uint32_t ap_cr3;
volatile uint32_t ap_arrived;
static volatile uint32_t started, ran[MAX_CPUS], nmis[MAX_CPUS], x2on[MAX_CPUS];
#define CMOS_BOOTS 0x4e /* a byte SeaBIOS leaves alone (hvmfault.S counts its boots there too) */

static volatile uint32_t hits[MAX_CPUS][V_END - V_BASE];
static unsigned ncpus, failures;

static inline uint64_t rdmsr(uint32_t m)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(m));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t m, uint64_t v)
{
	__asm__ volatile("wrmsr" ::"c"(m), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint32_t rd(unsigned r)
{
	return *(volatile uint32_t *)(LAPIC + r);
}

static void wr(unsigned r, uint32_t v)
{
	*(volatile uint32_t *)(LAPIC + r) = v;
}

/* The initial APIC ID from CPUID (the MMIO page is gone in x2APIC mode). */
static unsigned my_id(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return b >> 24;
}

static void send(uint32_t dest, uint32_t lo)
{
	if (x2on[my_id()]) {
		wrmsr(0x830, (uint64_t)dest << 32 | lo);
		return;
	}
	wr(REG_ICR2, dest << 24);
	wr(REG_ICR, lo);
}

/* Whether *p reaches want, PAUSEing meanwhile (the other vCPUs may share one host CPU). */
static bool wait_for(volatile uint32_t *p, uint32_t want)
{
	for (unsigned i = 0; i < WAIT; i++) {
		if (*p >= want)
			return true;
		__asm__ volatile("pause");
	}
	return *p >= want;
}

static void check(bool ok, const char *what)
{
	if (!ok)
		failures++;
	print("smptest: %s: %s\n", what, ok ? "ok" : "FAIL");
}

/* Flat model: bit n for APIC n; cluster model: cluster 1 + n / 4, bit n % 4. */
static void set_logical(unsigned id, bool cluster)
{
	wr(REG_DFR, cluster ? 0x0fffffffu : 0xffffffffu);
	wr(REG_LDR, (cluster ? (1u + id / 4) << 4 | 1u << (id % 4) : 1u << id) << 24);
}

void isr(uint64_t vec)
{
	unsigned id = my_id();

	if (vec == 2) {
		nmis[id]++;
		return;
	}
	if (vec < V_BASE || vec >= V_END)
		return; /* the 8259 is masked: nothing else is expected */
	hits[id][vec - V_BASE]++;
	if (vec == V_PING && id != 0)
		send(0, V_PING); /* the answer of a round trip */
	if (vec == V_RESET)
		outb(0xcf9, 0x06); /* hard reset (RST_CPU | SYS_RST): the whole PC, this CPU too */
	if (vec == V_CLUSTER_SET)
		set_logical(id, true);
	if (vec == V_X2_SET) {
		wrmsr(0x1b, rdmsr(0x1b) | 0x400); /* IA32_APIC_BASE.EXTD */
		x2on[id] = 1;
	}
	if (x2on[id])
		wrmsr(0x80b, 0);
	else
		wr(REG_EOI, 0);
}

static void apic_on(unsigned id)
{
	wr(REG_SVR, 0x1ff);
	wr(REG_TPR, 0);
	set_logical(id, false);
}

void ap_main(unsigned order)
{
	unsigned id = rd(REG_ID) >> 24;

	(void)order;
	idt_init(); /* the same table again, and loaded on this CPU */
	apic_on(id);
	ran[id] = my_id() == id ? 1 : 2; /* CPUID's APIC ID agrees with the register */
	__atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
	for (;;)
		__asm__ volatile("sti; hlt");
}

/* CMOS byte CMOS_BOOTS: boots before this one; counted up. */
static unsigned cmos_boots(void)
{
	uint8_t n;

	outb(0x70, CMOS_BOOTS);
	n = inb(0x71);
	outb(0x70, CMOS_BOOTS);
	outb(0x71, (uint8_t)(n + 1));
	return n;
}

static unsigned fw_cfg_cpus(void)
{
	/* Select FW_CFG_NB_CPUS (a 16-bit selector write), read its 16-bit value. */
	__asm__ volatile("outw %0, %1" ::"a"((uint16_t)0x05), "Nd"((uint16_t)0x510));
	return inb(0x511) | inb(0x511) << 8;
}

/* How many CPUs took vector v, and whether exactly those in mask did (once each). */
static bool took(unsigned v, uint32_t mask)
{
	for (unsigned i = 0; i < ncpus; i++) {
		uint32_t want = (mask >> i) & 1;

		if (!wait_for(&hits[i][v - V_BASE], want) || hits[i][v - V_BASE] != want)
			return false;
	}
	for (unsigned i = 0; i < WAIT / 10; i++)
		__asm__ volatile("pause"); /* time for a stray one to arrive */
	for (unsigned i = 0; i < ncpus; i++)
		if (hits[i][v - V_BASE] != ((mask >> i) & 1))
			return false;
	return true;
}

static void start_aps(void)
{
	uint32_t cr3;

	for (char *s = ap_tramp, *d = (char *)TRAMP; s < ap_tramp_end; s++, d++)
		*d = *s;
	__asm__ volatile("mov %%cr3, %q0" : "=r"(cr3));
	ap_cr3 = cr3;
	send(0, ICR_INIT | SH_OTHERS);
	send(0, ICR_SIPI | SH_OTHERS | (TRAMP >> 12));
	wait_for(&started, 1);
	send(0, ICR_SIPI | SH_OTHERS | (TRAMP >> 12)); /* the second SIPI: started CPUs ignore it */
	check(wait_for(&started, ncpus - 1) && started == ncpus - 1, "INIT-SIPI-SIPI started the APs");
	for (unsigned i = 1; i < ncpus; i++)
		print("smptest: cpu %u %s\n", i, ran[i] == 1 ? "ran (APIC ID = CPUID's)" :
					       ran[i] ? "ran, CPUID's APIC ID differs" : "did not run");
	check(ap_arrived == ncpus - 1, "each AP started once");
}

/*
 * An IPI to CPU 1 and its answer, RTT_RUNS times: min and median as a
 * BENCH line for `make bench` (tools/bench.sh), ticks from the send to the
 * answer's handler having run here.
 */
static void round_trip(void)
{
	uint64_t samples[RTT_RUNS], min;
	uint32_t lost = 0;

	BENCH_SAMPLE(samples, RTT_RUNS, min, {
		uint32_t before = hits[0][V_PING - V_BASE];

		send(1, V_PING);
		lost += !wait_for(&hits[0][V_PING - V_BASE], before + 1);
	});
	check(!lost, "IPI round trips");
	print("smptest: IPI round trip to cpu 1: %lu ticks (best of %u)\n", (unsigned long)min,
	      RTT_RUNS);
	print("BENCH ipi-rtt  min %6lu median %6lu\n", (unsigned long)min,
	      (unsigned long)bench_median(samples, RTT_RUNS));
}

static void x2apic_ipis(uint32_t aps)
{
	uint32_t c = 1, b, d, ecx = 0;

	__asm__ volatile("cpuid" : "+a"(c), "=b"(b), "+c"(ecx), "=d"(d));
	if (!(ecx & (1u << 21))) {
		print("smptest: x2APIC not offered\n");
		return;
	}
	send(0, V_X2_SET | SH_ALL);
	check(took(V_X2_SET, aps | 1), "x2APIC mode on every CPU");
	for (unsigned i = 1; i < ncpus; i++)
		send(i, V_X2_PHYS);
	check(took(V_X2_PHYS, aps), "x2APIC physical destinations");
	/* Logical: cluster ID[19:4] = 0, bit ID[3:0] (SDM 3A 11.12.10.2). */
	send(aps, V_X2_LOGICAL | ICR_LOGICAL);
	check(took(V_X2_LOGICAL, aps), "x2APIC logical destination");
}

int main(void)
{
	uint32_t all, aps;

	idt_init();
	outb(0x21, 0xff); /* 8259s masked: only the local APICs interrupt */
	outb(0xa1, 0xff);
	ncpus = fw_cfg_cpus();
	print("smptest: %u CPUs (fw_cfg)\n", ncpus);
	if (ncpus < 2 || ncpus > MAX_CPUS)
		return 1;
	all = (1u << ncpus) - 1;
	aps = all & ~1u;
	apic_on(0);
	__asm__ volatile("sti");
	start_aps();
	/*
	 * The first boot ends in a reset an AP makes (the BSP may run on another
	 * host CPU then); the CMOS, which a reset keeps, counts the boots.
	 */
	if (cmos_boots() == 0) {
		print("smptest: cpu 1 resets the PC\n");
		send(1, V_RESET);
		for (;;)
			__asm__ volatile("pause");
	}
	print("smptest: booted again after cpu 1 reset the PC\n");
	for (unsigned i = 1; i < ncpus; i++)
		send(i, V_PHYS);
	check(took(V_PHYS, aps), "physical destinations");
	send(aps, V_FLAT | ICR_LOGICAL);
	check(took(V_FLAT, aps), "logical flat destination");
	send(0xff, V_BCAST);
	check(took(V_BCAST, all), "physical broadcast");
	send(0, V_OTHERS | SH_OTHERS);
	check(took(V_OTHERS, aps), "all excluding self");
	send(0, V_ALL | SH_ALL);
	check(took(V_ALL, all), "all including self");
	send(0, V_SELF | SH_SELF);
	check(took(V_SELF, 1), "self");
	send(aps, V_LOWEST | ICR_LOWEST | ICR_LOGICAL);
	check(took(V_LOWEST, 2), "lowest priority (one AP, the first on a tie)");
	send(1, ICR_NMI);
	check(wait_for(&nmis[1], 1) && nmis[1] == 1 && !nmis[0], "NMI");
	round_trip();
	send(0, V_CLUSTER_SET | SH_ALL);
	check(took(V_CLUSTER_SET, all), "cluster model on every CPU");
	send(0x10 | (aps & 0xe), V_CLUSTER | ICR_LOGICAL); /* cluster 1: APICs 1-3 */
	check(took(V_CLUSTER, aps & 0xe), "logical cluster destination");
	x2apic_ipis(aps);
	if (failures)
		return 1;
	print("smptest: all %u CPUs ran, every IPI arrived\n", ncpus);
	print("smptest: done\n");
	return 0;
}
