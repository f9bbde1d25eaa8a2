/* SPDX-License-Identifier: MIT */
/*
 * smptest's application processors: smptest.c copies ap_tramp to a page
 * below 1 MiB and names that page in its SIPI, so each AP starts there in
 * real mode (SDM 3A 8.4.4.1). It takes the BSP's GDT layout and page
 * tables (ap_cr3) into long mode, like boot64.S, takes a stack of its own
 * by its arrival order and calls ap_main(order).
 */
#include "long_mode.h"

	.section .text, "ax"
	.code16
	.globl ap_tramp, ap_tramp_end
ap_tramp:
	cli
	xor	%ax, %ax
	mov	%ax, %ds		/* ap_gdt_ptr lies below 64 KiB */
	LM_ENTER_PMODE ap_gdt_ptr, ap_pm32
ap_tramp_end:

	.code32
ap_pm32:
	LM_DATA_SEGS
	LM_ENTER_LONG ap_cr3, ap_lm

	.code64
ap_lm:
	mov	$1, %eax
	lock xadd %eax, ap_arrived	/* this AP's order: 0, 1, ... */
	mov	%eax, %edi
	mov	%rax, %rsp
	inc	%rsp
	shl	$12, %rsp
	add	$ap_stacks, %rsp
	call	ap_main
1:	cli
	hlt
	jmp	1b

	LM_GDT	ap_gdt

	.section .bss
	.balign	4096
ap_stacks:
	.skip	8 * 4096

	.section .note.GNU-stack, "", @progbits
