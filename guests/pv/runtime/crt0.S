/* SPDX-License-Identifier: MIT */
/*
 * Entry of a PV guest: Keel starts it in 64-bit mode with RDI = the
 * start-info page and RSP = the top of its stack, SSE already usable.
 */
	.section .text.start, "ax"
	.globl _start
_start:
	and	$-16, %rsp		/* the ABI's alignment at a call */
	xor	%ebp, %ebp		/* the end of the frame chain */
	call	keel_pv_start		/* never returns */
1:	ud2
	jmp	1b
