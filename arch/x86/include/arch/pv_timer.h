/* SPDX-License-Identifier: MIT */
/* Preempting deprivileged PV guests with the local APIC timer (arch/x86/pv/pv_timer.c). */
#ifndef ARCH_PV_TIMER_H
#define ARCH_PV_TIMER_H

#include <stdint.h>

struct trap_frame;

/* The host timer set up (arch/x86/host_timer.c); without one, guests run unpreempted. */
void pv_timer_init(void);
/* Interrupt the ring-3 guest at host TSC tsc_deadline; ~0 disarms. */
void pv_timer_set(uint64_t tsc_deadline);
/* The timer or a wake-up IPI interrupted ring 3 (trap_handler sends it here). */
__attribute__((noreturn)) void pv_timer_interrupt(struct trap_frame *f);

#endif
