/* SPDX-License-Identifier: MIT */
/* Preempting deprivileged PV guests with the local APIC timer (arch/x86/pv/pv_timer.c). */
#ifndef ARCH_PV_TIMER_H
#define ARCH_PV_TIMER_H

#define PV_TIMER_VECTOR    0xf0
#define PV_SPURIOUS_VECTOR 0xff /* bits 3:0 all set, as P6-family APICs require (SDM 3A 11.9) */

#ifndef __ASSEMBLY__
#include <stdint.h>

struct trap_frame;

/* Gates for both vectors, the LAPIC timer calibrated; without one, guests run unpreempted. */
void pv_timer_init(void);
/* Interrupt the ring-3 guest at host TSC tsc_deadline; ~0 disarms. */
void pv_timer_set(uint64_t tsc_deadline);
/* The timer interrupted ring 3 (trap_handler sends it here). */
__attribute__((noreturn)) void pv_timer_interrupt(struct trap_frame *f);
#endif

#endif
