/* SPDX-License-Identifier: MIT */
/*
 * The local APIC timer in one-shot mode (SDM 3A 11.5.4): an initial count
 * that counts down at the timer's rate and interrupts once at zero. Keel
 * keeps deadlines as host TSC values, so arming converts the time left
 * into counts at the rate measured here against the TSC. Measured like the
 * TSC itself: three ~10 ms runs, the median kept.
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

uint64_t lapic_timer_hz;

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
	/* One-shot (mode 00), unmasked: nothing happens until an initial count is written. */
	lapic_write(LAPIC_LVT_TIMER, vector);
	printk("lapic: timer %lu kHz (calibrated against the TSC), vector 0x%x\n",
	       lapic_timer_hz / 1000, vector);
	return 0;
}

void lapic_timer_arm(uint64_t tsc_deadline)
{
	uint64_t now;

	if (!lapic_timer_hz)
		return;
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
