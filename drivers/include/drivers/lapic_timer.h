/* SPDX-License-Identifier: MIT */
/*
 * The local APIC timer as a one-shot deadline timer on the TSC's time
 * line. Its rate is the bus or crystal clock, which CPUID does not always
 * report (and emulators report inconsistently), so it is measured against
 * the calibrated TSC.
 */
#ifndef DRIVERS_LAPIC_TIMER_H
#define DRIVERS_LAPIC_TIMER_H

#include <stdbool.h>
#include <stdint.h>

/* One-shot counts per second (divide by 1); 0 until lapic_timer_init() succeeds. */
extern uint64_t lapic_timer_hz;

/*
 * Measure the timer against the TSC (tsc_hz must be known, the APIC
 * enabled: lapic_enable) and route it, one-shot, to vector; the timer
 * stays idle until armed. 0, or -ENODEV
 * (reported) if there is no local APIC or its timer does not count.
 */
int lapic_timer_init(uint8_t vector);
/* On an AP: its timer's divider and LVT as the boot CPU's (same vector and mode). */
void lapic_timer_init_ap(void);

enum lapic_timer_mode {
	LAPIC_TIMER_OFF,          /* not usable: arming does nothing */
	LAPIC_TIMER_ONE_SHOT,     /* counts at lapic_timer_hz; what lapic_timer_init leaves */
	LAPIC_TIMER_TSC_DEADLINE, /* fires when the TSC reaches IA32_TSC_DEADLINE */
};

/*
 * After lapic_timer_init: TSC-deadline mode where CPUID.1:ECX[24] offers
 * it, one-shot, or off (a timer that does not interrupt). Any change
 * disarms the timer. 0, or -ENODEV.
 */
int lapic_timer_set_mode(enum lapic_timer_mode m);
/* Interrupt at host TSC tsc_deadline (at once if it has passed); ~0 disarms. */
void lapic_timer_arm(uint64_t tsc_deadline);

/* Pure arithmetic, host-tested (drivers/timer/lapic_timer_calc.c). */
/* Counts per second from `counted` timer counts over tsc_ticks of a tsc_hz TSC; 0 if unusable. */
uint64_t lapic_timer_rate(uint64_t counted, uint64_t tsc_ticks, uint64_t tsc_hz);
/*
 * The initial count that spans tsc_ticks: at least 1 (0 would stop the
 * timer), at most 2^32-1. Exact for any rates (no 64-bit wrap).
 */
uint32_t lapic_timer_count(uint64_t tsc_ticks, uint64_t timer_hz, uint64_t tsc_hz);

#endif
