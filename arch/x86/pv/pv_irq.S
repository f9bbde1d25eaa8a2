/* SPDX-License-Identifier: MIT */
/*
 * Interrupt gates for ring-3 PV guests. The timer's joins trap_common like
 * an exception without an error code, so its frame is a struct trap_frame
 * and trap_handler passes it to pv_timer_interrupt. The CPU has already
 * switched to the TSS's RSP0 stack (only ring 3 runs with IF set).
 */
#include <arch/pv_timer.h>

	.text
	.globl pv_timer_stub
	.balign 16
pv_timer_stub:
	pushq	$0			/* error code slot */
	pushq	$PV_TIMER_VECTOR
	jmp	trap_common

/*
 * A spurious interrupt (the APIC withdrew the one it signalled) is not in
 * service and must not be EOIed (SDM 3A 11.9): resume whatever was running.
 */
	.globl pv_spurious_stub
	.balign 16
pv_spurious_stub:
	iretq

	.section .note.GNU-stack, "", @progbits
