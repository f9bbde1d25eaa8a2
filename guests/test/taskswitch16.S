/* SPDX-License-Identifier: MIT */
/*
 * taskswitch16: enters 32-bit protected mode and jumps to a TSS selector.
 * A task switch always exits (SDM 3C 26.4.2) and Keel has no handler for
 * it, so Keel must stop this guest with a report, not crash.
 */
	.code16
	.text
	.globl _start
_start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	lgdt	gdt_ptr
	mov	%cr0, %eax
	or	$1, %eax
	mov	%eax, %cr0
	ljmp	$0x08, $pm32

	.code32
pm32:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	$0x3f8, %dx
	mov	$msg, %esi
1:	lodsb
	test	%al, %al
	jz	2f
	out	%al, %dx
	jmp	1b
2:	ljmp	$0x18, $0		/* task switch through the TSS descriptor */
	mov	$1, %eax		/* not reached: Keel stops the guest */
	mov	$0xf4, %dx
	out	%eax, %dx
	hlt

	.balign 8
gdt:	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
	/* 0x18: 32-bit available TSS at tss, limit 0x67 */
	.word	0x67
	.word	tss
	.byte	0, 0x89, 0, 0
gdt_ptr:
	.word	gdt_ptr - gdt - 1
	.long	gdt
msg:	.asciz "taskswitch16: jumping to a TSS\n"
	.balign 16
tss:	.skip	0x68
