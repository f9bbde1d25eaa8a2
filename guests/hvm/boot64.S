/* SPDX-License-Identifier: MIT */
/*
 * The boot sector of the hvm test disks written in C (hvmdisk.lds): SeaBIOS
 * runs it at 0x7c00; it loads the rest of the image with INT 13h, enters
 * protected mode, clears the BSS, maps 0-4 GiB with 2 MiB pages (the
 * chipset's MMIO at the top included), enters long mode (SDM 3A 10.8.5)
 * and calls main(). main's return value goes to the debug-exit port.
 * Every interrupt vector has a stub that calls isr(vector).
 */
#include "long_mode.h"

	.section .boot, "ax"
	.code16
	.globl _start
_start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$0x7c00, %sp
	ljmp	$0, $1f
1:	mov	$dap, %si		/* DL: the boot drive, from SeaBIOS */
	mov	$0x42, %ah
	int	$0x13
	jc	2f
	LM_ENTER_PMODE gdt_ptr, pmode
2:	mov	$1, %eax		/* the disk could not be read */
	mov	$0xf4, %dx
	out	%eax, %dx
	hlt

	.balign 4
dap:	.byte	0x10, 0
	.word	_stage2_sectors
	.word	0x7e00, 0
	.quad	1
	LM_GDT	gdt

	.org	446
	.byte	0x80, 0, 2, 0, 0x83, 0, 0, 0	/* one partition entry for firmware that wants a table */
	.long	1, 2047
	.org	510
	.word	0xaa55

	.section .text.entry, "ax"
	.code32
pmode:
	LM_DATA_SEGS
	mov	$_bss_start, %edi
	mov	$_bss_end, %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	cld
	rep	stosb
	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages. */
	movl	$(pdpt + 3), pml4
	mov	$pdpt, %edi
	mov	$(pd + 3), %eax
	mov	$4, %ecx
3:	mov	%eax, (%edi)
	add	$4096, %eax
	add	$8, %edi
	loop	3b
	mov	$pd, %edi
	mov	$0x83, %eax		/* present, writable, 2 MiB */
	mov	$2048, %ecx
4:	mov	%eax, (%edi)
	add	$0x200000, %eax
	add	$8, %edi
	loop	4b
	LM_ENTER_LONG $pml4, lmode

	.code64
lmode:
	mov	$stack_top, %rsp
	call	main
	mov	$0xf4, %dx
	out	%eax, %dx
5:	cli
	hlt
	jmp	5b

/* isr_stubs + 16 * n: push the vector, save what C may clobber, isr(vector), iretq. */
	.balign 16
	.globl isr_stubs
isr_stubs:
	.set	vec, 0
	.rept	256
	.balign	16
	pushq	$vec
	jmp	isr_common
	.set	vec, vec + 1
	.endr

isr_common:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	mov	72(%rsp), %rdi
	sub	$8, %rsp		/* 16-byte aligned at the call */
	cld
	call	isr
	add	$8, %rsp
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	add	$8, %rsp
	iretq

	.section .bss
	.balign	4096
pml4:	.skip	4096
pdpt:	.skip	4096
pd:	.skip	4 * 4096
	.skip	16384
stack_top:

	.section .note.GNU-stack, "", @progbits
