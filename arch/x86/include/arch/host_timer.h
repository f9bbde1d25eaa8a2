/* SPDX-License-Identifier: MIT */
/*
 * The host's LAPIC timer, one owner (arch/x86/host_timer.c) for its two
 * users: the idle CPU, which halts until the next deadline, and the end of
 * a ring-3 PV guest's slice (arch/x86/pv/pv_timer.c).
 */
#ifndef ARCH_HOST_TIMER_H
#define ARCH_HOST_TIMER_H

#define HOST_TIMER_VECTOR    0xf0
#define HOST_SPURIOUS_VECTOR 0xff /* bits 3:0 all set, as P6-family APICs require (SDM 3A 11.9) */

#ifndef __ASSEMBLY__
#include <stdbool.h>
#include <stdint.h>
#include <drivers/lapic_timer.h>

/*
 * Gates for every interrupt vector, the APIC enabled, the timer calibrated
 * (TSC-deadline mode where offered) and seen to interrupt; says how idle
 * will wait. Once; later calls return at once.
 */
void host_timer_init(void);
/* False: no usable timer (idle spins, ring-3 guests run unpreempted). */
bool host_timer_ready(void);
/*
 * Interrupt at host TSC tsc_deadline (at once if passed); ~0 disarms. A
 * timer found unusable was turned off, so this does nothing then. Inline:
 * a ring-3 guest's switches arm it, and cost one call for it, not two.
 */
static inline void host_timer_arm(uint64_t tsc_deadline)
{
	lapic_timer_arm(tsc_deadline);
}

/* The idle CPU (arch/x86/idle.c), for the scheduler. */
void arch_cpu_idle_init(void);
/*
 * Return once the TSC reaches tsc_until or a wake-up IPI reaches CPU cpu (this
 * one): halted meanwhile where the timer works, else spinning.
 */
void arch_cpu_idle(unsigned cpu, uint64_t tsc_until);
/* An AP with nothing to run halts here for good (arch/x86/idle.c). */
__attribute__((noreturn)) void arch_cpu_idle_ap(void);
/* One line: how long Keel idled, and how (halts and wakes, or spinning). */
void arch_cpu_idle_report(void);
#endif

#endif
