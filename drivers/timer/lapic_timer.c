/* SPDX-License-Identifier: MIT */
/*
 * The local APIC timer in one-shot mode (SDM 3A 11.5.4): an initial count
 * that counts down at the timer's rate and interrupts once at zero. Keel
 * keeps deadlines as host TSC values, so arming converts the time left
 * into counts at the rate measured here against the TSC. Measured like the
 * TSC itself: three ~10 ms runs, the median kept. Where the CPU has it,
 * TSC-deadline mode takes the deadline as it is instead (SDM 3A 11.5.4.1).
 */
#include <arch/cpu.h>
#include <arch/io.h>
#include <drivers/intc.h>
#include <drivers/lapic_timer.h>
#include <drivers/tsc.h>
#include <keel/errno.h>
#include <keel/printk.h>

#define TIMER_DIVIDE_1 0xb /* divide configuration 1011b: by 1 (SDM 3A Figure 11-10) */
#define CAL_RUNS       3
#define CAL_PER_SEC    100 /* 10 ms */
#define LVT_TIMER_TSC_DEADLINE (2u << 17) /* timer mode 10b (SDM 3A Figure 11-8) */
#define CPUID1_ECX_TSC_DEADLINE BIT(24)
#define MSR_IA32_TSC_DEADLINE 0x6e0

uint64_t lapic_timer_hz;
static uint8_t timer_vector;
static enum lapic_timer_mode mode; /* what lapic_timer_arm does: one load decides */

static uint64_t measure_once(void)
{
	uint64_t t0, t1, wait = tsc_hz / CAL_PER_SEC;
	uint32_t left;

	t0 = rdtsc();
	lapic_write(LAPIC_TIMER_INITIAL, UINT32_MAX);
	while (rdtsc() - t0 < wait)
		cpu_relax();
	left = lapic_read(LAPIC_TIMER_CURRENT);
	t1 = rdtsc();
	lapic_write(LAPIC_TIMER_INITIAL, 0);
	return lapic_timer_rate(UINT32_MAX - left, t1 - t0, tsc_hz);
}

static uint64_t median3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t lo = a < b ? a : b, hi = a < b ? b : a;

	return c < lo ? lo : c > hi ? hi : c;
}

int lapic_timer_init(uint8_t vector)
{
	uint64_t r[CAL_RUNS];

	if (!lapic_present() || !tsc_hz) {
		printk("lapic: no local APIC%s: no timer\n", tsc_hz ? "" : " or no TSC rate");
		return -ENODEV;
	}
	lapic_write(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_1);
	lapic_write(LAPIC_LVT_TIMER, LAPIC_LVT_MASKED | vector);
	for (unsigned i = 0; i < CAL_RUNS; i++) {
		r[i] = measure_once();
		if (!r[i]) {
			printk("lapic: the timer does not count: no timer\n");
			return -ENODEV;
		}
	}
	lapic_timer_hz = median3(r[0], r[1], r[2]);
	timer_vector = vector;
	/* One-shot (mode 00), unmasked: nothing happens until an initial count is written. */
	lapic_write(LAPIC_LVT_TIMER, vector);
	mode = LAPIC_TIMER_ONE_SHOT;
	printk("lapic: timer %lu kHz (calibrated against the TSC), vector 0x%x\n",
	       lapic_timer_hz / 1000, vector);
	return 0;
}

/* An AP's own timer registers, as the boot CPU's: calibrated and in the same mode. */
void lapic_timer_init_ap(void)
{
	if (!lapic_timer_hz)
		return;
	lapic_write(LAPIC_TIMER_DIVIDE, TIMER_DIVIDE_1);
	lapic_write(LAPIC_LVT_TIMER, timer_vector | (mode == LAPIC_TIMER_TSC_DEADLINE ?
						      LVT_TIMER_TSC_DEADLINE :
						      mode == LAPIC_TIMER_OFF ? LAPIC_LVT_MASKED : 0));
}

/*
 * TSC-deadline mode (SDM 3A 11.5.4.1) and its caveats: changing the mode
 * disarms the timer; in xAPIC mode the MMIO write that selects it must be
 * ordered before the first WRMSR to IA32_TSC_DEADLINE, which MFENCE does
 * (x2APIC's WRMSRs are ordered already); in any other mode that WRMSR is
 * ignored. Writing 0 disarms and a deadline already passed fires at once.
 * A disarm or a later deadline may race with the interrupt and deliver it
 * anyway: whoever takes it must check the TSC, not trust the interrupt.
 */
int lapic_timer_set_mode(enum lapic_timer_mode m)
{
	if (!lapic_timer_hz ||
	    (m == LAPIC_TIMER_TSC_DEADLINE && !(cpuid(1, 0).ecx & CPUID1_ECX_TSC_DEADLINE)))
		return -ENODEV;
	if (m == LAPIC_TIMER_OFF)
		lapic_timer_arm(~0ULL);
	else
		lapic_write(LAPIC_LVT_TIMER,
			    timer_vector | (m == LAPIC_TIMER_TSC_DEADLINE ? LVT_TIMER_TSC_DEADLINE : 0));
	__asm__ volatile("mfence" ::: "memory");
	mode = m;
	return 0;
}

void lapic_timer_arm(uint64_t tsc_deadline)
{
	uint64_t now;

	if (mode != LAPIC_TIMER_ONE_SHOT) {
		if (mode == LAPIC_TIMER_TSC_DEADLINE)
			wrmsr(MSR_IA32_TSC_DEADLINE,
			      tsc_deadline == ~0ULL ? 0 : tsc_deadline ? tsc_deadline : 1);
		return;
	}
	/* A write of 0 stops the timer (SDM 3A 11.5.4). */
	if (tsc_deadline == ~0ULL) {
		lapic_write(LAPIC_TIMER_INITIAL, 0);
		return;
	}
	now = rdtsc();
	lapic_write(LAPIC_TIMER_INITIAL,
		    lapic_timer_count(tsc_deadline > now ? tsc_deadline - now : 0, lapic_timer_hz,
				      tsc_hz));
}
