/* SPDX-License-Identifier: MIT */
/*
 * Entry of a 64-bit test guest. Keel enters in long mode with paging on
 * (0-4 GiB identity), RSP at the top of RAM, RDI = args string, RSI = RAM
 * size. main()'s return value goes to the debug-exit port.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	and	$-16, %rsp
	mov	%rdi, %rbx		/* guest_init may clobber the arguments */
	mov	%rsi, %r12
	call	guest_init
	mov	%rbx, %rdi
	mov	%r12, %rsi
	call	main
	mov	%eax, %eax
	mov	$0xf4, %dx
	out	%eax, %dx
1:	cli
	hlt
	jmp	1b

/* Exception entry: push the vector (and a dummy error code where the CPU pushes none). */
.macro VEC n, err
	.globl guest_vec\n
guest_vec\n:
	.if \err == 0
	pushq	$0
	.endif
	pushq	$\n
	jmp	guest_trap_common
.endm
VEC 0,0; VEC 1,0; VEC 2,0; VEC 3,0; VEC 4,0; VEC 5,0; VEC 6,0; VEC 7,0
VEC 8,1; VEC 9,0; VEC 10,1; VEC 11,1; VEC 12,1; VEC 13,1; VEC 14,1; VEC 15,0
VEC 16,0; VEC 17,1; VEC 18,0; VEC 19,0

guest_trap_common:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	mov	%rsp, %rdi
	call	guest_trap
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

	.section .note.GNU-stack, "", @progbits
