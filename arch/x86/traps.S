/* SPDX-License-Identifier: MIT */
/*
 * Exception entry stubs: each pushes a dummy error code where the CPU does
 * not, then its vector, and joins trap_common, which saves the GPRs in the
 * order of struct trap_frame (arch/x86/include/arch/desc.h).
 */
	.text
.macro TRAP vec, has_err
	.balign 16
trap_\vec:
	.if \has_err == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	trap_common
.endm

/* Vectors that push an error code: 8, 10-14, 17, 21, 29, 30. SDM 3A 6.13. */
.irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,31
	TRAP \v, 0
.endr
.irp v, 8,10,11,12,13,14,17,21,29,30
	TRAP \v, 1
.endr

/*
 * From ring 3 GS is a PV guest's: SWAPGS makes it Keel's (pv_enter swaps
 * back before its IRETQ). CS of the interrupted code is above the vector
 * and error code. A trap from ring 0 leaves GS as it is: it is fatal, and
 * trap_handler makes GS Keel's itself (it may have come between a SWAPGS
 * and the ring change, arch/x86/pv/pv_entry.S).
 */
	.globl trap_common		/* also the PV timer's way in (host_timer_irq.S) */
trap_common:
	testb	$3, 24(%rsp)
	jz	1f
	swapgs
1:	push	%rax
	push	%rcx
	push	%rdx
	push	%rbx
	push	%rbp
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rdi
	and	$-16, %rsp
	call	trap_handler		/* reports and halts: traps in Keel are fatal */
2:	hlt
	jmp	2b

	/* Absolute addresses: relocated at entry, so not in read-only .rodata. */
	.section .data.rel.ro, "aw"
	.balign 8
	.globl trap_stubs
trap_stubs:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad	trap_\v
.endr

	.section .note.GNU-stack, "", @progbits
