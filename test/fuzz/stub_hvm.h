/* SPDX-License-Identifier: MIT */
/*
 * What fuzz_hvm_platform.c sees of the host stand-ins in stub_hvm.c: the
 * vCPU's side of interrupt delivery, Keel's console input, and the jumps
 * that replace the calls that never return (entering the guest, blocking
 * it, stopping it).
 */
#ifndef TEST_FUZZ_STUB_HVM_H
#define TEST_FUZZ_STUB_HVM_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

/* Fake TSC = this + guest ns: far above the host's real rdtsc(), which
 * hvm_events.c compares with deadlines, so only the ops decide when timers run. */
#define STUB_TSC_BASE (1ULL << 62)

enum stub_jump { STUB_ENTERED = 1, STUB_BLOCKED };

extern jmp_buf stub_entry; /* arch_vcpu_run: STUB_ENTERED; sched_block: STUB_BLOCKED */
extern jmp_buf stub_stop;  /* sched_exit: the guest is stopped */
extern uint64_t stub_block_until; /* sched_block's TSC deadline */
extern bool stub_if;          /* the guest's RFLAGS.IF: arch_vcpu_can_inject_irq() */
extern int stub_injected;     /* the last vector injected, -1 if none since cleared */
extern unsigned stub_setup_resets; /* arch_vcpu_setup_reset() calls */

/* A byte typed on Keel's console, for uart_getc(). */
void stub_console_type(uint8_t c);
void stub_hvm_clear(void);

#endif
