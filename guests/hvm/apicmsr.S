/* SPDX-License-Identifier: MIT */
/*
 * apicmsr: a disk whose MBR turns the local APIC off and on through
 * IA32_APIC_BASE (SDM 3A 11.4.3, 11.12.5.1) and reports what it sees, for
 * test/system/test_msr.py to judge:
 *   - the MTRRs as SeaBIOS left them (the test works out each address's
 *     memory type from them: the MMIO hole must be UC);
 *   - with the LAPIC timer ticking, IA32_APIC_BASE[11] cleared: no more
 *     ticks, the APIC page reads all ones and ignores writes, CPUID.1:EDX
 *     loses the APIC flag;
 *   - set again: the APIC is back in its power-up state (SVR 0xff, LVTs
 *     masked, TPR and the timer 0), keeps its ID, and ticks once
 *     programmed again;
 *   - xAPIC to x2APIC works, x2APIC straight back to xAPIC and a moved
 *     base are #GP, and x2APIC leaves through the disabled state.
 * Lines go straight to COM1 as "apicmsr: NAME VALUE"; the run ends on the
 * debug-exit port (0, or 3 for an unexpected interrupt or exception).
 */
#define LAPIC       0xfee00000
#define TIMER_VEC   0x40
#define TIMER_COUNT 1000000	/* 1 ms at the vLAPIC's 1 GHz bus clock, divide by 1 */
#define WAIT_TSC    4000000	/* TSC ticks to watch the timer for (tens of periods) */

	.code16
	.section .text
	.globl _start
_start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$0x7c00, %sp
	ljmp	$0, $1f
1:	sti
	/* INT 13h AH=42h: read STAGE2_SECTORS from LBA 1 to 0000:7e00. */
	mov	$dap, %si
	mov	$0x42, %ah
	int	$0x13
	cli
	jc	2f
	jmp	stage2
2:	mov	$1, %eax
	mov	$0xf4, %dx
	out	%eax, %dx
	hlt

	.balign 4
dap:	.byte	0x10, 0
	.word	STAGE2_SECTORS
	.word	0x7e00, 0
	.quad	1

	.org	446
	.byte	0x80, 0, 2, 0, 0x83, 0, 0, 0
	.long	1, 2047
	.org	510
	.word	0xaa55

/* ---- stage 2: sector 1 onwards, at 0x7e00 ---- */
stage2:
	/* The 8259s stay masked: their vectors would land on exceptions. */
	mov	$0xff, %al
	out	%al, $0x21
	out	%al, $0xa1
	lgdt	gdt_ptr
	mov	%cr0, %eax
	or	$1, %eax
	mov	%eax, %cr0
	ljmp	$0x08, $pmode

	.code32
pmode:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$0x7000, %esp
	call	build_idt
	lidt	idt_ptr
	call	crlf			/* SeaBIOS's last line has no end */

	/* The MTRRs SeaBIOS programmed, and what the CPU says it has. */
	mov	$0xfe, %ecx
	mov	$s_mtrrcap, %esi
	call	msr_line
	mov	$0x2ff, %ecx
	mov	$s_deftype, %esi
	call	msr_line
	mov	$fixed_msrs, %ebx
3:	movzwl	(%ebx), %ecx
	test	%ecx, %ecx
	jz	4f
	mov	$s_fixed, %esi
	call	say
	mov	%ecx, %eax
	call	hex32
	mov	$s_space, %esi
	call	msr_line
	add	$2, %ebx
	jmp	3b
4:	mov	$0x200, %ecx
5:	mov	$s_var, %esi
	call	say
	mov	%ecx, %eax
	call	hex32
	mov	$s_space, %esi
	call	msr_line
	inc	%ecx
	cmp	$0x210, %ecx
	jb	5b

	/* The APIC as SeaBIOS left it, then ticking. */
	mov	$0x1b, %ecx
	mov	$s_base, %esi
	call	msr_line
	call	cpuid_line
	call	program_timer
	call	count_ticks
	mov	$s_ticks_on, %esi
	call	line32

	/* Global disable: no APIC at all. */
	mov	$0x1b, %ecx
	mov	$0xfee00100, %eax
	xor	%edx, %edx
	wrmsr
	mov	$s_base, %esi
	call	msr_line
	call	cpuid_line
	call	count_ticks
	mov	$s_ticks_off, %esi
	call	line32
	movl	$0x1ff, LAPIC + 0xf0		/* dropped: nothing is there */
	movl	$0x40, LAPIC + 0x80
	call	apic_regs
	/* Disabled to x2APIC is #GP (and x2APIC is not offered anyway). */
	mov	$0x1b, %ecx
	mov	$0xfee00d00, %eax
	xor	%edx, %edx
	call	wrmsr_gp
	mov	$s_gp_x2_off, %esi
	call	line32

	/* Enabled again: the power-up state, the ID kept. */
	mov	$0x1b, %ecx
	mov	$0xfee00900, %eax
	xor	%edx, %edx
	wrmsr
	mov	$s_base, %esi
	call	msr_line
	call	cpuid_line
	call	apic_regs
	call	count_ticks
	mov	$s_ticks_reset, %esi
	call	line32
	call	program_timer
	call	count_ticks
	mov	$s_ticks_again, %esi
	call	line32
	movl	$0, LAPIC + 0x380		/* timer off */

	/* xAPIC to x2APIC is legal; back to xAPIC only through disabled. */
	mov	$0x1b, %ecx
	mov	$0xfee00d00, %eax
	xor	%edx, %edx
	call	wrmsr_gp
	mov	$s_gp_x2, %esi
	call	line32
	mov	$0x1b, %ecx
	mov	$0xfee00900, %eax
	xor	%edx, %edx
	call	wrmsr_gp
	mov	$s_gp_x2_x, %esi
	call	line32
	mov	$0x1b, %ecx
	mov	$0xfed00d00, %eax
	xor	%edx, %edx
	call	wrmsr_gp
	mov	$s_gp_move, %esi
	call	line32
	mov	$0x1b, %ecx
	mov	$0xfee00100, %eax
	xor	%edx, %edx
	wrmsr
	mov	$0xfee00900, %eax
	wrmsr
	mov	$s_base, %esi
	call	msr_line

	cli
	mov	$s_done, %esi
	call	say
	xor	%eax, %eax
	mov	$0xf4, %dx
	out	%eax, %dx
	hlt

/* Software-enable the APIC and start its timer: periodic, TIMER_VEC. */
program_timer:
	movl	$0x1ff, LAPIC + 0xf0		/* SVR: enabled, spurious vector 0xff */
	movl	$0, LAPIC + 0x80		/* TPR */
	movl	$0xb, LAPIC + 0x3e0		/* divide by 1 */
	movl	$0x20000 | TIMER_VEC, LAPIC + 0x320
	movl	$TIMER_COUNT, LAPIC + 0x380
	ret

/* EAX = timer interrupts taken in WAIT_TSC ticks with interrupts on. */
count_ticks:
	push	%ebx
	push	%edx
	movl	$0, ticks
	rdtsc
	mov	%eax, %ebx
	sti
6:	rdtsc
	sub	%ebx, %eax
	cmp	$WAIT_TSC, %eax
	jb	6b
	cli
	mov	ticks, %eax
	pop	%edx
	pop	%ebx
	ret

/* WRMSR ECX <- EDX:EAX expecting #GP; EAX = the vectors it raised (1 = one #GP). */
wrmsr_gp:
	movl	$0, gp_count
	movl	$2, gp_skip
	wrmsr
	movl	$0, gp_skip
	mov	gp_count, %eax
	ret

/* The registers the SDM's power-up state names (11.4.7.1), read through the page. */
apic_regs:
	mov	$apic_offsets, %ebx
7:	movzwl	(%ebx), %ecx
	test	%ecx, %ecx
	jz	8f
	mov	$s_reg, %esi
	call	say
	mov	%ecx, %eax
	call	hex32
	mov	$s_space, %esi
	call	say
	mov	LAPIC(%ecx), %eax
	call	hex32
	call	crlf
	add	$2, %ebx
	jmp	7b
8:	mov	$s_reg, %esi			/* and the ID at 0x20 */
	call	say
	mov	$0x20, %eax
	call	hex32
	mov	$s_space, %esi
	call	say
	mov	LAPIC + 0x20, %eax
	call	hex32
	jmp	crlf

cpuid_line:
	push	%ebx
	mov	$1, %eax
	xor	%ecx, %ecx
	cpuid
	mov	%edx, %eax
	mov	$s_cpuid, %esi
	call	line32
	pop	%ebx
	ret

/* "apicmsr: <ESI>" then RDMSR ECX as 16 hex digits. */
msr_line:
	push	%ecx
	call	say
	rdmsr
	push	%eax
	mov	%edx, %eax
	call	hex32
	pop	%eax
	call	hex32
	call	crlf
	pop	%ecx
	ret

/* "apicmsr: <ESI>" then EAX. */
line32:
	call	say
	call	hex32
	jmp	crlf

say:
	push	%eax
	push	%edx
	mov	$0x3f8, %dx
9:	lodsb
	test	%al, %al
	jz	10f
	out	%al, %dx
	jmp	9b
10:	pop	%edx
	pop	%eax
	ret

crlf:
	push	%esi
	mov	$s_crlf, %esi
	call	say
	pop	%esi
	ret

hex32:
	push	%ecx
	push	%edx
	push	%eax
	mov	%eax, %edx
	mov	$8, %ecx
11:	rol	$4, %edx
	mov	%dl, %al
	and	$0xf, %al
	add	$'0', %al
	cmp	$'9', %al
	jbe	12f
	add	$7, %al
12:	push	%edx
	mov	$0x3f8, %dx
	out	%al, %dx
	pop	%edx
	loop	11b
	pop	%eax
	pop	%edx
	pop	%ecx
	ret

/* Every vector unexpected, but #GP (skips gp_skip bytes), the timer and spurious. */
build_idt:
	mov	$idt, %edi
	xor	%ecx, %ecx
13:	mov	$isr_unexpected, %eax
	cmp	$13, %ecx
	jne	14f
	mov	$isr_gp, %eax
14:	cmp	$TIMER_VEC, %ecx
	jne	15f
	mov	$isr_timer, %eax
15:	cmp	$0xff, %ecx
	jne	16f
	mov	$isr_spurious, %eax
16:	mov	%ax, (%edi)
	movw	$0x08, 2(%edi)
	movw	$0x8e00, 4(%edi)
	shr	$16, %eax
	mov	%ax, 6(%edi)
	add	$8, %edi
	inc	%ecx
	cmp	$256, %ecx
	jb	13b
	ret

isr_gp:
	cmpl	$0, gp_skip
	je	isr_unexpected
	incl	gp_count
	add	$4, %esp			/* the error code */
	push	%eax
	mov	gp_skip, %eax
	add	%eax, 4(%esp)			/* resume after the instruction */
	pop	%eax
	iret

isr_timer:
	incl	ticks
	movl	$0, LAPIC + 0xb0		/* EOI */
	iret

isr_spurious:
	iret					/* no EOI for the spurious vector */

isr_unexpected:
	mov	$s_unexpected, %esi
	call	say
	mov	$3, %eax
	mov	$0xf4, %dx
	out	%eax, %dx
	hlt

	.balign 8
gdt:	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
gdt_ptr:
	.word	gdt_ptr - gdt - 1
	.long	gdt
idt_ptr:
	.word	256 * 8 - 1
	.long	idt
ticks:		.long 0
gp_count:	.long 0
gp_skip:	.long 0
fixed_msrs:
	.word	0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b, 0x26c, 0x26d, 0x26e, 0x26f, 0
apic_offsets:	/* VER, TPR, LDR, DFR, SVR, ISR, IRR, LVT timer, LINT0, LINT1, error, TMICT, TDCR */
	.word	0x30, 0x80, 0xd0, 0xe0, 0xf0, 0x170, 0x270, 0x320, 0x350, 0x360, 0x370, 0x380
	.word	0x3e0, 0

s_mtrrcap:	.asciz "apicmsr: MTRRCAP "
s_deftype:	.asciz "apicmsr: MTRRdefType "
s_fixed:	.asciz "apicmsr: MTRRfix "
s_var:		.asciz "apicmsr: MTRRvar "
s_space:	.asciz " "
s_base:		.asciz "apicmsr: APIC_BASE "
s_cpuid:	.asciz "apicmsr: CPUID.1:EDX "
s_reg:		.asciz "apicmsr: reg "
s_ticks_on:	.asciz "apicmsr: ticks enabled "
s_ticks_off:	.asciz "apicmsr: ticks disabled "
s_ticks_reset:	.asciz "apicmsr: ticks after enable "
s_ticks_again:	.asciz "apicmsr: ticks reprogrammed "
s_gp_x2_off:	.asciz "apicmsr: #GP disabled to x2APIC "
s_gp_x2:	.asciz "apicmsr: #GP x2APIC "
s_gp_x2_x:	.asciz "apicmsr: #GP x2APIC to xAPIC "
s_gp_move:	.asciz "apicmsr: #GP move "
s_done:		.asciz "apicmsr: done\r\n"
s_unexpected:	.asciz "apicmsr: unexpected interrupt or exception\r\n"
s_crlf:		.asciz "\r\n"

	.balign 512
stage2_end:
	.set	STAGE2_SECTORS, (stage2_end - stage2) / 512

	.section .bss
	.balign 8
idt:	.space	256 * 8
