/* SPDX-License-Identifier: MIT */
/*
 * pvboot's last step, run from a copy at the top of RAM: the kernel is linked
 * at 1 MiB like pvboot itself, so the code that copies it there must live
 * elsewhere. Position-independent (no absolute addresses, no stack until the
 * kernel's), unprivileged (it also runs in ring 3 when Keel has no VT-x).
 *
 * pvboot_tramp(copies RDI, n RSI, entry RDX, stack_top RCX, start_info R8)
 */
#include "pvboot.h"

	.text
	.globl pvboot_tramp, pvboot_tramp_end
pvboot_tramp:
	cld
	mov	%rdi, %r9		/* rep movs/stos need RDI, RSI, RCX */
	mov	%rsi, %r10
	mov	%rdx, %r11
1:	test	%r10, %r10
	jz	2f
	mov	%rcx, %rdx		/* keep stack_top across the string ops */
	mov	PVBOOT_COPY_SRC(%r9), %rsi
	mov	PVBOOT_COPY_DST(%r9), %rdi
	mov	PVBOOT_COPY_FILESZ(%r9), %rcx
	rep movsb
	mov	PVBOOT_COPY_MEMSZ(%r9), %rcx
	sub	PVBOOT_COPY_FILESZ(%r9), %rcx
	xor	%eax, %eax
	rep stosb			/* the BSS: RDI is already at dst + filesz */
	mov	%rdx, %rcx
	add	$PVBOOT_COPY_SIZE, %r9
	dec	%r10
	jmp	1b

	/* The entry state Keel's ABI promises: x87 after FNINIT, MXCSR 0x1f80. */
2:	mov	%rcx, %rsp
	pushq	$0x1f80
	ldmxcsr	(%rsp)
	add	$8, %rsp
	fninit
	mov	%r8, %rdi
	xor	%ebp, %ebp
	jmp	*%r11
pvboot_tramp_end:			/* about 90 bytes: pvboot_boot gives it a page */

