/* SPDX-License-Identifier: MIT */
/*
 * pvbad: a PV guest that misbehaves on purpose, as its first argument says.
 *   oob   reads memory it does not own (128 MiB: past its RAM; in ring 3
 *         Keel's own memory is mapped there, supervisor-only)
 *   priv  executes a privileged instruction (WRMSR to IA32_EFER)
 *   crash gives up with KEEL_SHUTDOWN_CRASH
 * Keel must stop it with a report and go on with the other guests.
 *   gs    (ring 3 only) loads GS with its own data selector, so GS's base is
 *         0 and no longer whatever Keel had there, then makes hypercalls and
 *         spins through timer interrupts, checking after each that GS is
 *         still its own; then the same with a null selector. Keel must keep
 *         its own GS apart (SWAPGS) and this guest runs to its end.
 */
#include <keel_pv.h>
#include <stdio.h>
#include <string.h>

#define SEL_UDATA 0x33 /* Keel's ring-3 data selector: base 0 */
#define ROUND_NS  30000000

static volatile uint64_t gs_probe = 0x6b65656c2d6773; /* at its own address through GS base 0 */

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* GS still sel with base 0: the probe read through GS is the probe. */
static int gs_intact(unsigned sel)
{
	uint64_t x;
	unsigned short now;

	__asm__ volatile("mov %%gs, %0" : "=r"(now));
	__asm__ volatile("mov %%gs:(%1), %0" : "=r"(x) : "r"(&gs_probe) : "memory");
	return now == sel && x == gs_probe;
}

/* Spin for a round of system time, counting TSC gaps (another guest ran: a timer interrupt). */
static unsigned gs_round(unsigned sel, uint64_t gap, unsigned *bad)
{
	uint64_t t0 = keel_time_ns(), last = rdtsc();
	unsigned gaps = 0;

	while (keel_time_ns() - t0 < ROUND_NS) {
		uint64_t t = rdtsc();

		gaps += t - last > gap;
		last = t;
		*bad += !gs_intact(sel);
	}
	return gaps;
}

static int gs_hostile(void)
{
	uint64_t t0 = keel_time_ns(), tsc0 = rdtsc(), gap;
	unsigned sels[2] = { SEL_UDATA, 0 }, calls = 0, gaps = 0, bad = 0;

	while (keel_time_ns() - t0 < 1000000)
		;
	gap = rdtsc() - tsc0; /* 1 ms of TSC: far longer than a loop iteration */
	for (unsigned i = 0; i < 2; i++) {
		__asm__ volatile("mov %0, %%gs" : : "r"(sels[i]) : "memory");
		for (unsigned r = 0; r < 3; r++) {
			gaps += gs_round(sels[i], gap, &bad);
			printf("pvbad: gs 0x%x round %u: %s\n", sels[i], r,
			       gs_intact(sels[i]) ? "intact" : "changed");
			calls++;
			bad += !gs_intact(sels[i]);
		}
	}
	printf("pvbad: gs: %u hypercalls, preempted %u times, GS changed %u times\n", calls, gaps,
	       bad);
	return bad ? 2 : 0;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	printf("pvbad: %s\n", what);
	if (!strcmp(what, "oob")) {
		printf("pvbad: read 0x%x\n", *(volatile unsigned *)0x08000000);
	} else if (!strcmp(what, "priv")) {
		__asm__ volatile("wrmsr" : : "c"(0xc0000080), "a"(0), "d"(0));
	} else if (!strcmp(what, "crash")) {
		keel_shutdown(KEEL_SHUTDOWN_CRASH, 42);
	} else if (!strcmp(what, "gs")) {
		return gs_hostile();
	}
	printf("pvbad: still running\n");
	return 1;
}
