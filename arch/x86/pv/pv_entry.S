/* SPDX-License-Identifier: MIT */
/*
 * Deprivileged PV guests (no VT-x): into ring 3 and back. The guest runs on
 * page tables of its own (Keel's, plus its RAM as user pages), which map
 * Keel's image at the same addresses, so this code, the vCPU structures,
 * every CPU's struct percpu and its stacks (all in Keel's image,
 * arch/x86/smp.c) are reachable under either CR3. Keel switches to its own
 * page tables first thing on every way in.
 *
 * GS: while a guest runs in ring 3, IA32_GS_BASE is the guest's (it may load
 * GS, SDM 3A 3.4.4) and IA32_KERNEL_GS_BASE holds this CPU's struct percpu.
 * Every way into Keel from ring 3 SWAPGSes before it reads %gs (here, and
 * trap_common in arch/x86/traps.S for traps and interrupts), and the one
 * way out (pv_enter) SWAPGSes right before its IRETQ (SDM 2B SWAPGS). The
 * per-CPU fields these use are in struct percpu (PERCPU_PV_*).
 */
#include <asm-offsets.h>

	.text
/*
 * pv_enter(struct vcpu *v): resume v in ring 3 from v->gpr and v->arch.pv
 * (the IRETQ frame: RIP, CS, RFLAGS, RSP, SS). Never returns. Called with
 * interrupts off and GS Keel's.
 */
	.globl pv_enter
	.balign 16
pv_enter:
	mov	%gs:PERCPU_PV_STACK_TOP, %rsp
	pushq	VCPU_PV_FRAME+32(%rdi)	/* SS */
	pushq	VCPU_PV_FRAME+24(%rdi)	/* RSP */
	pushq	VCPU_PV_FRAME+16(%rdi)	/* RFLAGS */
	pushq	VCPU_PV_FRAME+8(%rdi)	/* CS */
	pushq	VCPU_PV_FRAME(%rdi)	/* RIP */
	mov	VCPU_PV_CR3(%rdi), %rax
	mov	%rax, %cr3
	mov	%rdi, %gs:PERCPU_PV_CURRENT
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
	/* From here to the IRETQ, GS is the guest's in ring 0: see trap_handler. */
	swapgs
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
	swapgs				/* GS: Keel's struct percpu */
	mov	%rsp, %gs:PERCPU_PV_USER_RSP
	mov	%gs:PERCPU_PV_CURRENT, %rsp
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
	/* The way back (pv_enter's IRETQ frame): RIP, RFLAGS and RSP as SYSCALL left them. */
	mov	%rcx, VCPU_PV_FRAME(%rsp)
	mov	%r11, VCPU_PV_FRAME+16(%rsp)
	mov	%gs:PERCPU_PV_USER_RSP, %rax
	mov	%rax, VCPU_PV_FRAME+24(%rsp)
	mov	pv_keel_cr3(%rip), %rax
	mov	%rax, %cr3
	mov	%rsp, %rdi		/* struct vcpu * */
	mov	%gs:PERCPU_PV_STACK_TOP, %rsp
	call	pv_syscall		/* handles the call and re-enters: no return */
	ud2

	.bss
	.balign 8
	.globl pv_keel_cr3
pv_keel_cr3:	.quad 0	/* Keel's own page tables, the same on every CPU */

	.section .note.GNU-stack, "", @progbits
