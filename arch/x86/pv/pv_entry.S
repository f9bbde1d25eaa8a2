/* SPDX-License-Identifier: MIT */
/*
 * Deprivileged PV guests (no VT-x): into ring 3 and back. The guest runs on
 * page tables of its own (Keel's, plus its RAM as user pages), which map
 * Keel's image at the same addresses, so this code, the vCPU structures
 * and the stacks below are reachable under either CR3. Keel switches to
 * its own page tables first thing on every way in.
 */
#include <asm-offsets.h>

	.text
/*
 * pv_enter(struct vcpu *v): resume v in ring 3 from v->gpr and v->arch.pv
 * (the IRETQ frame: RIP, CS, RFLAGS, RSP, SS). Never returns.
 */
	.globl pv_enter
	.balign 16
pv_enter:
	mov	pv_stack_top(%rip), %rsp
	pushq	VCPU_PV_FRAME+32(%rdi)	/* SS */
	pushq	VCPU_PV_FRAME+24(%rdi)	/* RSP */
	pushq	VCPU_PV_FRAME+16(%rdi)	/* RFLAGS */
	pushq	VCPU_PV_FRAME+8(%rdi)	/* CS */
	pushq	VCPU_PV_FRAME(%rdi)	/* RIP */
	mov	VCPU_PV_CR3(%rdi), %rax
	mov	%rax, %cr3
	mov	%rdi, pv_current(%rip)
	mov	0x00(%rdi), %rax
	mov	0x08(%rdi), %rcx
	mov	0x10(%rdi), %rdx
	mov	0x18(%rdi), %rbx
	mov	0x28(%rdi), %rbp
	mov	0x30(%rdi), %rsi
	mov	0x40(%rdi), %r8
	mov	0x48(%rdi), %r9
	mov	0x50(%rdi), %r10
	mov	0x58(%rdi), %r11
	mov	0x60(%rdi), %r12
	mov	0x68(%rdi), %r13
	mov	0x70(%rdi), %r14
	mov	0x78(%rdi), %r15
	mov	0x38(%rdi), %rdi
	iretq

/*
 * SYSCALL from ring 3: a hypercall through the hypercall page. The CPU put
 * the guest's RIP in RCX and RFLAGS in R11 and masked IF (IA32_FMASK); RSP
 * is still the guest's. The GPRs go into the current vCPU's register block
 * as the VMX exit stub stores them, then C takes over on Keel's stack.
 */
	.globl pv_syscall_entry
	.balign 16
pv_syscall_entry:
	mov	%rsp, pv_user_rsp(%rip)
	mov	pv_current(%rip), %rsp
	lea	VCPU_GPR_END(%rsp), %rsp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%r11
	push	%r10
	push	%r9
	push	%r8
	push	%rdi
	push	%rsi
	push	%rbp
	sub	$8, %rsp		/* RSP slot: kept in arch.pv */
	push	%rbx
	push	%rdx
	push	%rcx
	push	%rax
	mov	pv_keel_cr3(%rip), %rax
	mov	%rax, %cr3
	mov	%rsp, %rdi		/* struct vcpu * */
	mov	pv_user_rsp(%rip), %rsi
	mov	VCPU_HOST_STACK(%rdi), %rsp
	call	pv_syscall		/* handles the call and re-enters: no return */
	ud2

	.bss
	.balign 8
	.globl pv_current, pv_keel_cr3, pv_stack_top
pv_current:	.quad 0	/* the vCPU in ring 3 now */
pv_keel_cr3:	.quad 0	/* Keel's own page tables */
pv_stack_top:	.quad 0	/* where pv_enter builds the IRETQ frame */
pv_user_rsp:	.quad 0

	.section .note.GNU-stack, "", @progbits
