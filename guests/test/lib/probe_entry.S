/* SPDX-License-Identifier: MIT */
/* The probe IDT's 32 entries: push the vector (and a 0 where the CPU pushes no error code). */
	.text
.macro STUB n
probe_stub\n:
	/* SDM 3A 6.15: 8, 10-14, 17 and 21 push an error code. */
	.if \n <> 8 && (\n < 10 || \n > 14) && \n <> 17 && \n <> 21
	pushq	$0
	.endif
	pushq	$\n
	jmp	probe_common
.endm
.altmacro
.set n, 0
.rept 32
	STUB %n
	.set n, n + 1
.endr

probe_common:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	cld
	mov	%rsp, %rdi
	call	probe_trap
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	add	$16, %rsp
	iretq

	.section .rodata
	.balign 8
	.globl probe_stubs
probe_stubs:
.macro ADDR n
	.quad	probe_stub\n
.endm
.set n, 0
.rept 32
	ADDR %n
	.set n, n + 1
.endr

	.section .note.GNU-stack, "", @progbits
