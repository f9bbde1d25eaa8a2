/* SPDX-License-Identifier: MIT */
/*
 * The way from real mode to long mode that the hvm test disks' boot code
 * (boot64.S, mbrtest.S) and smptest's APs (smptest_ap.S) take, as assembler
 * macros: LM_GDT lays out the flat GDT, LM_ENTER_PMODE goes from real to
 * protected mode, LM_DATA_SEGS loads the data segments there, and
 * LM_ENTER_LONG turns on PAE paging and long mode (SDM 3A 10.8.5). Only
 * for .S files: the C preprocessor includes it.
 */
#ifndef GUESTS_HVM_LONG_MODE_H
#define GUESTS_HVM_LONG_MODE_H

#define LM_CODE32	0x08	/* LM_GDT's selectors */
#define LM_DATA		0x10
#define LM_CODE64	0x18

#define LM_CR0_PE	0x1
#define LM_CR0_PG	0x80000000
#define LM_CR4_PAE	0x20
#define LM_MSR_EFER	0xc0000080
#define LM_EFER_LME	0x100
#define LM_EFER_LMA	0x400

/*
 * NAME: a GDT with flat 32-bit code (LM_CODE32), data (LM_DATA) and 64-bit
 * code (LM_CODE64) descriptors; NAME_ptr: its pseudo-descriptor for lgdt.
 */
.macro LM_GDT name
	.balign 8
\name:	.quad	0
	.quad	0x00cf9a000000ffff	/* LM_CODE32: base 0, 4 GiB, execute/read */
	.quad	0x00cf92000000ffff	/* LM_DATA: base 0, 4 GiB, read/write */
	.quad	0x00209a0000000000	/* LM_CODE64: L=1, D=0 */
\name\()_ptr:
	.word	\name\()_ptr - \name - 1
	.long	\name
.endm

/*
 * From real mode (.code16, DS = 0, interrupts off): load the GDT at
 * gdt_ptr, set CR0.PE and reload CS with a far jump to target, 32-bit code
 * (SDM 3A 10.9.1). The 32-bit operand forms take a GDT and a target
 * anywhere below 4 GiB.
 */
.macro LM_ENTER_PMODE gdt_ptr, target
	lgdtl	\gdt_ptr
	mov	%cr0, %eax
	or	$LM_CR0_PE, %eax
	mov	%eax, %cr0
	ljmpl	$LM_CODE32, $\target
.endm

/* First thing in protected mode: every data segment register gets LM_DATA. */
.macro LM_DATA_SEGS
	mov	$LM_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%ax, %fs
	mov	%ax, %gs
.endm

/*
 * From protected mode with paging off: CR3 = pml4 (any source operand of a
 * mov to EAX: $label or a memory cell), CR4.PAE, EFER.LME, then CR0.PG
 * activates long mode (EFER.LMA; SDM 3A 10.8.5), and the far jump to the
 * 64-bit code segment runs target as 64-bit code. Clobbers EAX, ECX, EDX.
 */
.macro LM_ENTER_LONG pml4, target
	mov	\pml4, %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	or	$LM_CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$LM_MSR_EFER, %ecx
	rdmsr
	or	$LM_EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$LM_CR0_PG, %eax
	mov	%eax, %cr0
	ljmp	$LM_CODE64, $\target
.endm

#endif
