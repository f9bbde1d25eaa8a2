/* SPDX-License-Identifier: MIT */
/*
 * Where an AP starts: smp_tramp is copied to the pages below 1 MiB that the
 * loader reserved (struct boot_info.trampoline), and a STARTUP IPI with
 * vector base >> 12 starts the AP in real mode at base:0, CS = base >> 4
 * (SDM 3A 8.4.4, 10.6.1). From there: a GDT of its own, protected mode,
 * then long mode (SDM 3A 9.8.5: PAE, CR3, EFER.LME, CR0.PG) on temporary
 * page tables that smp.c builds in the next pages: 0-4 GiB identity-mapped
 * with 2 MiB pages and no NX, so this page and Keel's text can both run.
 * Keel's own tables make this page non-executable, so the switch to them
 * happens in Keel's text (smp_ap_entry64), not here. Nothing is patched
 * into the code: its base comes from CS, the rest from smp_tramp_data,
 * which the boot CPU fills before each STARTUP IPI (one AP at a time).
 */
#include <asm-offsets.h>

#define TRAMP_CODE32 0x18
#define TRAMP_CODE64 0x08
#define TRAMP_DATA   0x10
#define CR0_PE       0x1
#define CR0_PG       0x80000000
#define CR4_PAE      0x20
#define MSR_EFER     0xc0000080
#define MSR_PAT      0x277
#define EFER_LME     0x100

	.section .rodata.smp_tramp, "a"
	.globl smp_tramp, smp_tramp_end, smp_tramp_data
	.balign 16
	.code16
smp_tramp:
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	mov	%ax, %ss
	mov	$0x1000, %sp			/* the top of this page */
	movzwl	%ax, %ebx
	shl	$4, %ebx			/* ebx: the page's address, kept to the end */
	lea	(tramp_gdt - smp_tramp)(%ebx), %eax
	mov	%eax, (tramp_gdtr + 2 - smp_tramp)
	lgdtl	(tramp_gdtr - smp_tramp)
	mov	%cr0, %eax
	or	$CR0_PE, %eax
	mov	%eax, %cr0
	/* A far return loads CS from the new GDT: 32-bit code at the absolute address. */
	lea	(tramp_pm32 - smp_tramp)(%ebx), %eax
	pushl	$TRAMP_CODE32
	pushl	%eax
	lretl

	.code32
tramp_pm32:
	mov	$TRAMP_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	lea	0x1000(%ebx), %esp
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	(smp_tramp_data - smp_tramp + TRAMP_PML4)(%ebx), %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$EFER_LME, %eax
	wrmsr
	mov	%cr0, %eax
	or	$CR0_PG, %eax
	mov	%eax, %cr0			/* IA-32e mode, compatibility mode until CS changes */
	lea	(tramp_lm64 - smp_tramp)(%ebx), %eax
	pushl	$TRAMP_CODE64
	pushl	%eax
	lret

	.code64
tramp_lm64:
	mov	%ebx, %ebx			/* upper halves are undefined after the switch */
	lea	(smp_tramp_data - smp_tramp)(%rbx), %rbx
	jmp	*TRAMP_ENTRY(%rbx)		/* smp_ap_entry64, in Keel's text */

	.balign 16
tramp_gdt:
	.quad	0
	.quad	0x00209a0000000000		/* 0x08 64-bit code */
	.quad	0x00cf92000000ffff		/* 0x10 flat data */
	.quad	0x00cf9a000000ffff		/* 0x18 flat 32-bit code */
tramp_gdtr:
	.word	tramp_gdtr - tramp_gdt - 1
	.long	0				/* base: filled in above */
	.balign 8
smp_tramp_data:
	.skip	TRAMP_DATA_SIZE
smp_tramp_end:

/*
 * In Keel's text, on the temporary tables, RBX = smp_tramp_data in low
 * memory: take the boot CPU's IA32_PAT before any of Keel's mappings is
 * used (every CPU must have the same PAT, SDM 3A 11.12.4), then Keel's
 * EFER.NXE, CR4, CR3 and CR0 (in that order: Keel's tables set NX bits,
 * which fault as reserved without EFER.NXE; SDM 3A 4.1.1), then its stack,
 * and call smp_ap_main(percpu) for good.
 */
	.text
	.globl smp_ap_entry64
smp_ap_entry64:
	mov	TRAMP_PAT(%rbx), %eax
	mov	TRAMP_PAT + 4(%rbx), %edx
	test	%eax, %eax
	jz	1f
	mov	$MSR_PAT, %ecx
	wrmsr
1:	mov	$MSR_EFER, %ecx
	rdmsr
	or	TRAMP_EFER(%rbx), %eax
	wrmsr
	mov	TRAMP_CR4(%rbx), %rax
	mov	%rax, %cr4
	mov	TRAMP_CR3(%rbx), %rax
	mov	%rax, %cr3
	mov	TRAMP_CR0(%rbx), %rax
	mov	%rax, %cr0
	mov	TRAMP_STACK(%rbx), %rsp
	mov	TRAMP_PERCPU(%rbx), %rdi
	xor	%ebp, %ebp
	call	smp_ap_main
2:	cli
	hlt
	jmp	2b

	.section .note.GNU-stack, "", @progbits
