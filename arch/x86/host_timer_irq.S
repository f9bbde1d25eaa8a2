/* SPDX-License-Identifier: MIT */
/*
 * Interrupt gates for the host's interrupts. Keel runs with IF clear except
 * in ring 3 (PV guests) and in its idle halt (arch/x86/idle.c), so these
 * arrive from one of the two. The CPU aligns RSP to 16 before it pushes the
 * 5-word frame (SDM 3A 6.14.2), so after the 9 caller-saved registers the
 * stack is aligned for a C call. Keel's C has no red zone.
 */
#include <arch/host_timer.h>
#include <arch/smp.h>

/* Save what a C call may clobber, call fn, restore, return from the interrupt. */
.macro CALL_AND_IRET fn
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	call	\fn
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	iretq
.endm

	.text
/*
 * The LAPIC timer. From ring 3 it ends a PV guest's slice: it joins
 * trap_common like an exception without an error code, whose handler
 * sends it to pv_timer_interrupt. From ring 0 it woke the idle halt:
 * acknowledge it and resume after the HLT, which re-checks the TSC.
 */
	.globl host_timer_stub
	.balign 16
host_timer_stub:
	testb	$3, 8(%rsp)		/* CS of the interrupted code */
	jz	1f
	pushq	$0			/* error code slot */
	pushq	$HOST_TIMER_VECTOR
	jmp	trap_common
1:	CALL_AND_IRET host_timer_irq

/*
 * Another CPU's wake-up IPI (arch/x86/smp.c): a vCPU of this CPU's became
 * runnable. From ring 3 it ends the PV guest's turn as the timer does
 * (trap_handler sends it to pv_timer_interrupt, whose sched_tick switches
 * if the woken one should run now); in an idle halt it only counts.
 */
	.globl host_wake_stub
	.balign 16
host_wake_stub:
	testb	$3, 8(%rsp)
	jz	1f
	pushq	$0
	pushq	$SMP_WAKE_VECTOR
	jmp	trap_common
1:	CALL_AND_IRET smp_wake_irq

/*
 * A posted-interrupt notification (arch/x86/vmx/posted.c) that found this
 * CPU in its idle halt, not in the guest it was for: acknowledged only.
 */
	.globl host_posted_stub
	.balign 16
host_posted_stub:
	CALL_AND_IRET lapic_eoi

/* Any other vector: acknowledged and counted, the interrupted code resumes. */
	.globl host_stray_stub
	.balign 16
host_stray_stub:
	CALL_AND_IRET host_stray_irq

/*
 * A spurious interrupt (the APIC withdrew the one it signalled) is not in
 * service and must not be EOIed (SDM 3A 11.9): resume whatever was running.
 */
	.globl host_spurious_stub
	.balign 16
host_spurious_stub:
	iretq

	.section .note.GNU-stack, "", @progbits
