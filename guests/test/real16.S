/* SPDX-License-Identifier: MIT */
#include <keel/abi.h>
/*
 * real16: a real-mode guest (needs unrestricted guest). Keel loads it at
 * 0000:7c00 like a boot sector. It prints through the UART, checks Keel's
 * CPUID leaf and the version hypercall, and ends on the debug-exit port
 * with 0 on success.
 */
	.code16
	.text
	.globl _start
_start:
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %ss
	mov	$0x7000, %sp
	mov	$0x3fb, %dx		/* 8N1 */
	mov	$0x03, %al
	out	%al, %dx
	mov	$msg_hello, %si
	call	puts
	xor	%di, %di		/* failure count (CPUID clobbers EBX) */

	mov	$0x40000000, %eax
	cpuid
	cmp	$0x6c65654b, %ebx	/* "Keel" */
	je	1f
	inc	%di
	mov	$msg_cpuid_bad, %si
	call	puts
	jmp	2f
1:	mov	$msg_cpuid_ok, %si
	call	puts
2:
	xor	%eax, %eax		/* KEEL_HC_VERSION */
	vmcall
	cmp	$KEEL_ABI_VERSION, %eax
	je	3f
	inc	%di
	mov	$msg_vmcall_bad, %si
	call	puts
	jmp	4f
3:	mov	$msg_vmcall_ok, %si
	call	puts
4:
	mov	%cr0, %eax
	test	$1, %al
	jz	5f
	inc	%di
5:	mov	$msg_done, %si
	call	puts
	movzx	%di, %eax
	mov	$0xf4, %dx
	out	%eax, %dx
	cli
	hlt

puts:
	mov	$0x3f8, %dx
1:	lodsb
	test	%al, %al
	jz	2f
	out	%al, %dx
	jmp	1b
2:	ret

msg_hello:	.asciz "real16: hello from real mode at 0000:7c00\n"
msg_cpuid_ok:	.asciz "PASS real-mode cpuid 0x40000000 signature\n"
msg_cpuid_bad:	.asciz "FAIL real-mode cpuid 0x40000000 signature\n"
msg_vmcall_ok:	.asciz "PASS real-mode vmcall version\n"
msg_vmcall_bad:	.asciz "FAIL real-mode vmcall version\n"
msg_done:	.asciz "real16: done, CR0.PE clear as expected\n"
