/* SPDX-License-Identifier: MIT */
/*
 * ring3_xsetbv(xcr, value): saves the callee-saved registers and RSP,
 * IRETQs to CPL 3 (selectors of ring3.c's GDT) where XSETBV runs with
 * ECX = xcr, EDX:EAX = value, then HLT, which is #GP at CPL 3 (SDM 2A
 * HLT). The first #GP lands in ring3_gp (the #GP gate while this runs, on
 * the TSS's RSP0 stack), which records the error code and the RIP that
 * faulted, drops the frame and returns that RIP to ring3_xsetbv's caller.
 */
	.text
	.globl ring3_xsetbv, ring3_gp, ring3_xsetbv_insn, ring3_hlt_insn
ring3_xsetbv:
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, ring0_rsp(%rip)
	mov	%edi, %ecx
	mov	%rsi, %rax
	mov	%rsi, %rdx
	shr	$32, %rdx
	pushq	$0x1b			/* SS: user data, RPL 3 */
	lea	ring3_stack_top(%rip), %r8
	push	%r8			/* RSP */
	pushq	$0x2			/* RFLAGS: IF = 0 */
	pushq	$0x23			/* CS: user 64-bit code, RPL 3 */
	lea	ring3_xsetbv_insn(%rip), %r8
	push	%r8			/* RIP */
	iretq
ring3_xsetbv_insn:
	xsetbv
ring3_hlt_insn:
	hlt
	jmp	ring3_hlt_insn

ring3_gp:
	popq	ring3_gp_error(%rip)
	mov	(%rsp), %rax		/* the RIP that faulted */
	mov	$0x10, %ecx		/* a CPL 3 -> 0 interrupt left SS null: Keel's data segment */
	mov	%cx, %ss
	mov	%cx, %ds
	mov	%cx, %es
	mov	ring0_rsp(%rip), %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	ret

	.bss
	.balign 16
ring0_rsp:
	.quad	0
	.globl ring3_gp_error
ring3_gp_error:
	.quad	0
	.balign 16
	.space	4096
ring3_stack_top:

	.section .note.GNU-stack, "", @progbits
