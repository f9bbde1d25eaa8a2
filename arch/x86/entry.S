/* SPDX-License-Identifier: MIT */
/*
 * keel_entry: called by the loader with the SysV ABI, RDI = struct boot_info.
 * Keel is a PIE linked at 0: first apply its R_X86_64_RELATIVE relocations
 * (the only kind a static PIE has) for the address it was loaded at, then
 * switch to the boot stack and call keel_main, which never returns.
 * The loader zeroed .bss when it loaded the segments.
 */
#define R_X86_64_RELATIVE 8

	.section .text.entry, "ax"
	.globl keel_entry
keel_entry:
	cli
	cld
	lea	__keel_start(%rip), %rbx	/* load base = link-to-run delta */
	lea	__rela_start(%rip), %rsi
	lea	__rela_end(%rip), %rcx
1:	cmp	%rcx, %rsi
	jae	3f
	cmpl	$R_X86_64_RELATIVE, 8(%rsi)	/* r_info: type in the low half */
	jne	2f
	mov	(%rsi), %rdx			/* r_offset */
	mov	16(%rsi), %rax			/* r_addend */
	add	%rbx, %rax
	mov	%rax, (%rbx, %rdx)
2:	add	$24, %rsi
	jmp	1b
3:	lea	boot_stack_top(%rip), %rsp
	xor	%ebp, %ebp
	call	keel_main
4:	hlt
	jmp	4b

	.section .bss
	.balign 4096
boot_stack:
	.skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
