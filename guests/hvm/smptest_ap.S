/* SPDX-License-Identifier: MIT */
/*
 * smptest's application processors: smptest.c copies ap_tramp to a page
 * below 1 MiB and names that page in its SIPI, so each AP starts there in
 * real mode (SDM 3A 8.4.4.1). It takes the BSP's GDT layout and page
 * tables (ap_cr3) into long mode, like boot64.S, takes a stack of its own
 * by its arrival order and calls ap_main(order).
 */
	.section .text, "ax"
	.code16
	.globl ap_tramp, ap_tramp_end
ap_tramp:
	cli
	xor	%ax, %ax
	mov	%ax, %ds		/* ap_gdt_ptr lies below 64 KiB */
	lgdtl	ap_gdt_ptr
	mov	%cr0, %eax
	or	$1, %eax
	mov	%eax, %cr0
	ljmpl	$0x08, $ap_pm32
ap_tramp_end:

	.code32
ap_pm32:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	ap_cr3, %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	or	$0x20, %eax		/* PAE */
	mov	%eax, %cr4
	mov	$0xc0000080, %ecx	/* EFER.LME */
	rdmsr
	or	$0x100, %eax
	wrmsr
	mov	%cr0, %eax
	or	$0x80000000, %eax
	mov	%eax, %cr0
	ljmp	$0x18, $ap_lm

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

	.balign 8
ap_gdt:	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
	.quad	0x00209a0000000000	/* 0x18: 64-bit code */
ap_gdt_ptr:
	.word	ap_gdt_ptr - ap_gdt - 1
	.long	ap_gdt

	.section .bss
	.balign	4096
ap_stacks:
	.skip	8 * 4096

	.section .note.GNU-stack, "", @progbits
