/* SPDX-License-Identifier: MIT */
/* Entry of the newlib link test, a static Linux program with no C runtime:
 * the ABI wants %rsp 16-byte aligned at each call (libc's SSE code relies
 * on it), and main's status leaves through _exit (stubs.c). */
	.text
	.globl _start
_start:
	xor	%ebp, %ebp
	and	$-16, %rsp
	call	main
	mov	%eax, %edi
	call	_exit
	hlt
	.section .note.GNU-stack, "", @progbits
