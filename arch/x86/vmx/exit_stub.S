/* SPDX-License-Identifier: MIT */
/*
 * The VM-exit path (STYLE.md 4). HOST_RSP in every VMCS points at the end of
 * that vCPU's register block, so on an exit the pushes below store the
 * guest's GPRs straight into vcpu->gpr.r[] in SDM order (RAX lowest). Then
 * we switch to Keel's stack and call the C dispatcher, which returns the
 * vCPU to resume (RAX); its register block becomes the stack we pop from.
 *
 * No exit logic lives here. VMX entry state: SDM Vol. 3C 27.5 (host state
 * loaded on exit: RSP, RIP from the VMCS; RFLAGS = 0x2, so IF = 0).
 */
#include <asm-offsets.h>

/* Load the guest GPRs from the register block at RSP (RAX first). Leaves
 * the flags alone: vmx_enter tests them after it. */
.macro POP_GUEST_GPRS
	pop	%rax
	pop	%rcx
	pop	%rdx
	pop	%rbx
	lea	8(%rsp), %rsp		/* RSP slot: the VMCS holds the guest's RSP */
	pop	%rbp
	pop	%rsi
	pop	%rdi
	pop	%r8
	pop	%r9
	pop	%r10
	pop	%r11
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
.endm

	.text
	.globl vmx_exit_entry
	.balign 16
vmx_exit_entry:
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
	sub	$8, %rsp		/* RSP slot: the guest's RSP is in the VMCS */
	push	%rbx
	push	%rdx
	push	%rcx
	push	%rax
	mov	%rsp, %rdi		/* struct vcpu *, gpr is its first member */
	mov	VCPU_HOST_STACK(%rdi), %rsp
	call	*VCPU_EXIT_FN(%rdi)	/* a dispatcher: returns the vCPU to resume */
	mov	%rax, %rsp
	POP_GUEST_GPRS
	vmresume
	/* Only a failed VM entry falls through: RSP = end of the register block. */
	lea	-VCPU_GPR_END(%rsp), %rdi
	mov	VCPU_HOST_STACK(%rdi), %rsp
	call	vmx_entry_failed	/* reports and stops the guest; no return */
	ud2

/*
 * vmx_enter(struct vcpu *v): first entry, or entry after a switch. The
 * current VMCS must be v's. Sets HOST_RSP and launches or resumes; exits
 * arrive at vmx_exit_entry, so this never returns.
 */
	.globl vmx_enter
	.balign 16
vmx_enter:
	lea	VCPU_GPR_END(%rdi), %rax
	mov	$VMCS_HOST_RSP_ENC, %edx
	vmwrite	%rax, %rdx
	mov	%rdi, %rsp
	cmpb	$0, VCPU_LAUNCHED(%rdi)	/* flags survive the pops below */
	movb	$1, VCPU_LAUNCHED(%rdi)
	POP_GUEST_GPRS			/* pops and lea keep the flags */
	jne	1f
	vmlaunch
	jmp	2f
1:	vmresume
2:	lea	-VCPU_GPR_END(%rsp), %rdi
	mov	VCPU_HOST_STACK(%rdi), %rsp
	call	vmx_entry_failed
	ud2

	.section .note.GNU-stack, "", @progbits
