/* SPDX-License-Identifier: MIT */
/*
 * The callback entries Keel jumps to (docs/abi.md, KEEL_HC_SET_CALLBACKS).
 * Keel enters them as if the interrupted code had called them, with RFLAGS
 * (and for a fault the frame) pushed too: they keep every register, the
 * x87/SSE state included (the C handlers may use SSE), and return with
 * POPFQ; RET, which restores RFLAGS, RSP and RIP together.
 */
.macro SAVE_SCRATCH
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%rbp
.endm
.macro RESTORE_SCRATCH
	pop	%rbp
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
.endm
/* Call \fn with the FPU/SSE state saved on an aligned part of the stack. */
.macro CALL_SAVING_FPU fn
	mov	%rsp, %rbp
	and	$-16, %rsp
	sub	$512, %rsp
	fxsave64 (%rsp)
	call	\fn
	fxrstor64 (%rsp)
	mov	%rbp, %rsp
.endm

	.text
/* [RSP] = RFLAGS, [RSP+8] = RIP of the interrupted code. */
	.globl keel_upcall_entry
keel_upcall_entry:
	SAVE_SCRATCH
	CALL_SAVING_FPU keel_upcall_dispatch
	RESTORE_SCRATCH
	popfq
	ret

/* [RSP] = struct keel_fault_frame: vector, error, address, rsp, rflags, rip. */
	.globl keel_fault_entry
keel_fault_entry:
	SAVE_SCRATCH
	lea	80(%rsp), %rdi		/* the frame, above the ten saved registers */
	CALL_SAVING_FPU keel_fault_dispatch
	RESTORE_SCRATCH
	add	$32, %rsp		/* vector, error, address, rsp */
	popfq
	ret

	.section .note.GNU-stack, "", @progbits
