/* SPDX-License-Identifier: MIT */
/*
 * mbrtest: a disk whose MBR exercises the PC firmware the way boot loaders
 * do. Sector 0 prints through INT 10h and loads the rest of the disk's
 * program with INT 13h (LBA extensions); the rest reads the E820 map with
 * INT 15h, enters protected mode and then long mode, writes and reads back
 * RAM above 4 GiB if the map lists some, reports over COM1 and ends the run
 * on the debug-exit port (0 = every step worked).
 */
#include "long_mode.h"

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
	mov	%dl, boot_drive
	mov	$msg_hello, %si
	call	print
	/* INT 13h AH=42h: read STAGE2_SECTORS from LBA 1 to 0000:7e00. */
	mov	$dap, %si
	mov	$0x42, %ah
	mov	boot_drive, %dl
	int	$0x13
	jc	disk_error
	mov	$msg_loaded, %si
	call	print
	jmp	stage2

disk_error:
	mov	$msg_disk_error, %si
	call	print
	mov	$1, %al
	jmp	fail

/* Print the NUL-terminated string at DS:SI through INT 10h teletype. */
print:
	lodsb
	test	%al, %al
	jz	2f
	mov	$0x0e, %ah
	mov	$0x0007, %bx
	int	$0x10
	jmp	print
2:	ret

/* Report failure code AL on the debug-exit port. */
fail:
	movzbl	%al, %eax
	mov	$0xf4, %dx
	out	%eax, %dx
	cli
	hlt

	.balign 4
dap:	.byte	0x10, 0
	.word	STAGE2_SECTORS
	.word	0x7e00, 0
	.quad	1
boot_drive:	.byte 0
msg_hello:	.asciz "mbrtest: MBR running, hello through INT 10h\r\n"
msg_loaded:	.asciz "mbrtest: stage 2 loaded through INT 13h\r\n"
msg_disk_error:	.asciz "mbrtest: INT 13h read failed\r\n"

	.org	446
	/* One partition entry so firmware that checks for a table is content. */
	.byte	0x80, 0, 2, 0, 0x83, 0, 0, 0
	.long	1, 2047
	.org	510
	.word	0xaa55

/* ---- stage 2: sector 1 onwards, at 0x7e00 ---- */
stage2:
	/* INT 15h E820: every entry into e820_buf, count in e820_count. */
	xor	%ebx, %ebx
	mov	$e820_buf, %di
3:	mov	$0xe820, %eax
	mov	$24, %ecx
	mov	$0x534d4150, %edx	/* "SMAP" */
	int	$0x15
	jc	4f
	cmp	$0x534d4150, %eax
	jne	4f
	incw	e820_count
	add	$24, %di
	test	%ebx, %ebx
	jz	4f
	cmpw	$32, e820_count
	jb	3b
4:	mov	$msg_e820, %si
	call	print
	mov	e820_count, %ax
	call	print_hex16
	mov	$msg_crlf, %si
	call	print
	cmpw	$2, e820_count
	jae	5f
	mov	$2, %al
	jmp	fail
5:
	/* Show the entries: base, length, type. */
	mov	$e820_buf, %bp
	mov	e820_count, %cx
6:	push	%cx
	mov	$msg_entry, %si
	call	print
	mov	6(%bp), %ax
	call	print_hex16
	mov	4(%bp), %ax
	call	print_hex16
	mov	2(%bp), %ax
	call	print_hex16
	mov	0(%bp), %ax
	call	print_hex16
	mov	$msg_len, %si
	call	print
	mov	14(%bp), %ax
	call	print_hex16
	mov	12(%bp), %ax
	call	print_hex16
	mov	10(%bp), %ax
	call	print_hex16
	mov	8(%bp), %ax
	call	print_hex16
	mov	$msg_type, %si
	call	print
	mov	16(%bp), %ax
	call	print_hex16
	mov	$msg_crlf, %si
	call	print
	add	$24, %bp
	pop	%cx
	loop	6b

	/*
	 * SeaBIOS's serial console sends INT 10h output lazily, from its timer
	 * interrupt: let two ticks (BDA 0x46c) pass so the last line is out
	 * before interrupts go off for good.
	 */
	sti
	mov	0x46c, %bx
20:	hlt
	mov	0x46c, %ax
	sub	%bx, %ax
	cmp	$2, %ax
	jb	20b

	/* Protected mode, then long mode (SDM 3A 10.8 and 10.8.5). */
	cli
	LM_ENTER_PMODE gdt_ptr, pmode

	.code32
pmode:
	LM_DATA_SEGS
	mov	$0x7000, %esp
	mov	$msg_pmode, %esi
	call	serial_print
	/*
	 * Page tables at 0x10000: PML4 -> PDPT -> two PDs of 2 MiB pages, for
	 * 0-1 GiB (0x12000) and 4-5 GiB (0x13000, where RAM above the PCI hole
	 * starts).
	 */
	mov	$0x10000, %edi
	mov	$(4 * 4096 / 4), %ecx
	xor	%eax, %eax
	rep	stosl
	movl	$0x11003, 0x10000
	movl	$0x12003, 0x11000
	movl	$0x13003, 0x11000 + 4 * 8
	mov	$0x13000, %edi
	mov	$0x83, %eax
	mov	$512, %ecx
15:	mov	%eax, (%edi)
	movl	$1, 4(%edi)		/* bit 32 of the address: 4 GiB + */
	add	$0x200000, %eax
	add	$8, %edi
	loop	15b
	mov	$0x12000, %edi
	mov	$0x83, %eax
	mov	$512, %ecx
7:	mov	%eax, (%edi)
	add	$0x200000, %eax
	add	$8, %edi
	loop	7b
	LM_ENTER_LONG $0x10000, lmode

	.code64
lmode:
	mov	$msg_lmode, %rsi
	call	serial_print64
	/* EFER.LMA must be set now. */
	mov	$LM_MSR_EFER, %ecx
	rdmsr
	test	$LM_EFER_LMA, %eax
	jz	8f
	call	high_ram_check
	mov	$msg_done, %rsi
	call	serial_print64
	xor	%eax, %eax
	mov	$0xf4, %dx
	out	%eax, %dx
8:	mov	$3, %eax
	mov	$0xf4, %dx
	out	%eax, %dx
	hlt

/*
 * The first E820 RAM entry at or above 4 GiB: write a pattern at its first
 * qword and the inverse at its last (within the 4-5 GiB mapped), read both
 * back. Fails with status 4 on a mismatch.
 */
high_ram_check:
	mov	$e820_buf, %esi
	movzwl	e820_count, %ecx
16:	cmpl	$1, 16(%rsi)
	jne	17f
	mov	(%rsi), %rdi
	mov	$0x100000000, %rax
	cmp	%rax, %rdi
	jae	18f
17:	add	$24, %rsi
	loop	16b
	mov	$msg_no_high, %rsi
	jmp	serial_print64
18:	mov	8(%rsi), %rdx
	add	%rdi, %rdx
	mov	$0x140000000, %rax
	cmp	%rax, %rdx
	cmova	%rax, %rdx
	sub	$8, %rdx
	mov	$0x4b65656c3e344769, %rax
	mov	%rax, (%rdi)
	not	%rax
	mov	%rax, (%rdx)
	cmp	%rax, (%rdx)
	jne	19f
	not	%rax
	cmp	%rax, (%rdi)
	jne	19f
	mov	$msg_high, %rsi
	jmp	serial_print64
19:	mov	$4, %eax
	mov	$0xf4, %dx
	out	%eax, %dx
	hlt

serial_print64:
	mov	$0x3f8, %dx
9:	lodsb
	test	%al, %al
	jz	10f
	out	%al, %dx
	jmp	9b
10:	ret

	.code32
serial_print:
	mov	$0x3f8, %dx
11:	lodsb
	test	%al, %al
	jz	12f
	out	%al, %dx
	jmp	11b
12:	ret

	.code16
/* Print AX as four hex digits through INT 10h. */
print_hex16:
	mov	$4, %cx
13:	rol	$4, %ax
	push	%ax
	and	$0xf, %al
	add	$'0', %al
	cmp	$'9', %al
	jbe	14f
	add	$7, %al
14:	push	%cx
	mov	$0x0e, %ah
	mov	$0x0007, %bx
	int	$0x10
	pop	%cx
	pop	%ax
	loop	13b
	ret

	LM_GDT	gdt

e820_count:	.word 0
msg_e820:	.asciz "mbrtest: INT 15h E820 entries: "
msg_entry:	.asciz "mbrtest:   base "
msg_len:	.asciz " length "
msg_type:	.asciz " type "
msg_crlf:	.asciz "\r\n"
msg_pmode:	.asciz "mbrtest: protected mode\r\n"
msg_lmode:	.asciz "mbrtest: long mode\r\n"
msg_high:	.asciz "mbrtest: RAM above 4 GiB written and read back\r\n"
msg_no_high:	.asciz "mbrtest: no RAM above 4 GiB in the E820 map\r\n"
msg_done:	.asciz "mbrtest: EFER.LMA set, all steps passed\r\n"

	.balign 512
stage2_end:
	.set	STAGE2_SECTORS, (stage2_end - stage2) / 512

	.section .bss
e820_buf:	.skip 24 * 32
