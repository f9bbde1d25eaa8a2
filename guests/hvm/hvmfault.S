/* SPDX-License-Identifier: MIT */
/*
 * hvmfault: a disk whose MBR misuses the PC on purpose and checks that it
 * gets what real hardware gives, then resets the machine every way a PC
 * can be reset. A boot counter in CMOS byte 0x4e (battery-backed, so it
 * survives the resets) says which step this boot does:
 *   boot 0: probes with wrong or pointless accesses (a PCI function that
 *           does not exist, an fw_cfg item that does not exist, ATA commands
 *           the disk must refuse, writes to the write-protected BIOS area,
 *           garbage to the PIT and PICs, unclaimed MMIO), reporting each
 *           result, then pulses RESET through the 8042 (command 0xfe);
 *   boot 1: resets through port 0xcf9;  boot 2: through port 0x92;
 *   boot 3: triple-faults (IDT limit 0, then INT3);
 *   boot 4: reports that every reset came back and ends the run on the
 *           debug-exit port (status 0).
 * Reports go straight to COM1 as "hvmfault: ..." lines.
 */
#define CMOS_BOOT_COUNT 0x4e

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
1:	mov	%dl, boot_drive
	sti
	/* INT 13h AH=42h: read STAGE2_SECTORS from LBA 1 to 0000:7e00. */
	mov	$dap, %si
	mov	$0x42, %ah
	int	$0x13
	cli
	jc	2f
	jmp	stage2
2:	mov	$msg_disk_error, %si
	call	print
	mov	$1, %al
	jmp	fail

/* Print the NUL-terminated string at DS:SI on COM1. */
print:
	push	%dx
	mov	$0x3f8, %dx
3:	lodsb
	test	%al, %al
	jz	4f
	out	%al, %dx
	jmp	3b
4:	pop	%dx
	ret

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
msg_disk_error:	.asciz "hvmfault: INT 13h read failed\r\n"

	.org	446
	.byte	0x80, 0, 2, 0, 0x83, 0, 0, 0
	.long	1, 2047
	.org	510
	.word	0xaa55

/* ---- stage 2: sector 1 onwards, at 0x7e00 ---- */
stage2:
	mov	$CMOS_BOOT_COUNT, %al
	out	%al, $0x70
	in	$0x71, %al
	mov	%al, %bl
	inc	%al
	mov	%al, %ah
	mov	$CMOS_BOOT_COUNT, %al
	out	%al, $0x70
	mov	%ah, %al
	out	%al, $0x71
	mov	$msg_boot, %si
	call	print
	mov	%bl, %al
	call	print_hex8
	call	crlf
	call	write_last_sector	/* every boot: Keel says once that the disk is in memory */
	cmp	$0, %bl
	je	probes
	cmp	$1, %bl
	je	reset_cf9
	cmp	$2, %bl
	je	reset_port92
	cmp	$3, %bl
	je	triple_fault
	mov	$msg_done, %si
	call	print
	xor	%eax, %eax
	mov	$0xf4, %dx
	out	%eax, %dx
	hlt

reset_cf9:
	mov	$msg_cf9, %si
	call	print
	mov	$0xcf9, %dx
	mov	$0x02, %al		/* SYS_RST: the next RST_CPU is a hard reset */
	out	%al, %dx
	mov	$0x06, %al
	out	%al, %dx
	jmp	no_reset

reset_port92:
	mov	$msg_port92, %si
	call	print
	in	$0x92, %al
	and	$0xfe, %al
	out	%al, $0x92
	or	$1, %al			/* INIT on the rising edge of bit 0 */
	out	%al, $0x92
	jmp	no_reset

triple_fault:
	mov	$msg_triple, %si
	call	print
	lidt	idt_empty
	int3				/* beyond the IDT limit: #GP, #DF, shutdown */
	jmp	no_reset

no_reset:
	mov	$msg_no_reset, %si
	call	print
	mov	$2, %al
	jmp	fail

probes:
	/* A PCI function that does not exist reads as all ones (00:1f.0). */
	mov	$msg_pci, %si
	call	print
	mov	$0xcf8, %dx
	mov	$0x8000f800, %eax
	out	%eax, %dx
	mov	$0xcfc, %dx
	in	%dx, %eax
	call	print_hex32
	call	crlf

	/* An fw_cfg item that does not exist reads as zeros. */
	mov	$msg_fwcfg, %si
	call	print
	mov	$0x510, %dx
	mov	$0x7fff, %ax
	out	%ax, %dx
	mov	$0x511, %dx
	mov	$4, %cx
5:	in	%dx, %al
	call	print_hex8
	loop	5b
	call	crlf

	/* The disk aborts a command it does not know (status ERR, error ABRT). */
	mov	$msg_ata_bad, %si
	call	print
	mov	$0x1f6, %dx
	mov	$0xe0, %al		/* LBA, drive 0 */
	out	%al, %dx
	mov	$0x1f7, %dx
	mov	$0x99, %al
	out	%al, %dx
	call	ata_report
	/* READ SECTORS past the end of the 1 MiB disk: error IDNF. */
	mov	$msg_ata_far, %si
	call	print
	mov	$0x1f2, %dx
	mov	$1, %al
	out	%al, %dx
	mov	$0x1f3, %dx
	mov	$0xff, %al		/* LBA 0x0fffffff */
	out	%al, %dx
	inc	%dx
	out	%al, %dx
	inc	%dx
	out	%al, %dx
	inc	%dx
	mov	$0xef, %al
	out	%al, %dx
	inc	%dx
	mov	$0x20, %al
	out	%al, %dx
	call	ata_report

	/* After POST the BIOS area is read-only (PAM): a write is lost. */
	mov	$msg_pam_ro, %si
	call	print
	call	poke_bios
	call	crlf
	/* PAM0 = 0x30 (write enable) through 0xcf8/0xcfd: now it sticks. */
	mov	$0x30, %al
	call	set_pam0
	mov	$msg_pam_rw, %si
	call	print
	call	poke_bios
	mov	$msg_then, %si
	call	print
	call	poke_bios		/* and back to the original byte */
	call	crlf
	mov	$0x10, %al		/* read-only again */
	call	set_pam0
	mov	$msg_pam_ro2, %si
	call	print
	call	poke_bios
	call	crlf
	call	keel_writes_bios
	call	hypercall_sweep


	/* Garbage to the PIT (mode 7, count 1) and half an 8259 init sequence. */
	mov	$0x3e, %al
	out	%al, $0x43
	mov	$1, %al
	out	%al, $0x40
	xor	%al, %al
	out	%al, $0x40
	mov	$0x11, %al
	out	%al, $0x20
	mov	$0xff, %al
	out	%al, $0x21
	out	%al, $0xa1
	mov	$msg_garbage, %si
	call	print

	/* Protected mode for MMIO above 1 MiB (SDM 3A 10.9.1). */
	lgdt	gdt_ptr
	mov	%cr0, %eax
	or	$1, %eax
	mov	%eax, %cr0
	ljmp	$0x08, $pmode

/* WRITE SECTORS: the boot count into the disk's last sector (LBA 2047 of 1 MiB). */
write_last_sector:
	push	%bx
	mov	$0x1f6, %dx
	mov	$0xe0, %al
	out	%al, %dx
	mov	$0x1f2, %dx
	mov	$1, %al
	out	%al, %dx
	mov	$0x1f3, %dx
	mov	$0xff, %al		/* LBA 0x0007ff */
	out	%al, %dx
	inc	%dx
	mov	$0x07, %al
	out	%al, %dx
	inc	%dx
	xor	%al, %al
	out	%al, %dx
	mov	$0x1f7, %dx
	mov	$0x30, %al
	out	%al, %dx
	mov	$0x1000, %cx
14:	in	%dx, %al		/* wait for DRQ, boundedly */
	test	$8, %al
	loopz	14b
	mov	$0x1f0, %dx
	xor	%ah, %ah
	mov	%bl, %al
	mov	$256, %cx
15:	out	%ax, %dx
	loop	15b
	pop	%bx
	ret

/* Read ATA status and error registers and print them. */
ata_report:
	mov	$0x1f7, %dx
	in	%dx, %al
	call	print_hex8
	mov	$msg_error, %si
	call	print
	mov	$0x1f1, %dx
	in	%dx, %al
	call	print_hex8
	jmp	crlf

/* PAM0 (i440FX config 0x59) = AL. */
set_pam0:
	push	%ax
	mov	$0xcf8, %dx
	mov	$0x80000058, %eax
	out	%eax, %dx
	pop	%ax
	mov	$0xcfd, %dx
	out	%al, %dx
	ret

/* Invert the byte at F000:0000, then print what it was and what it is. */
poke_bios:
	push	%ds
	mov	$0xf000, %ax
	mov	%ax, %ds
	mov	(0), %al
	mov	%al, %ah
	not	%al
	mov	%al, (0)
	mov	(0), %al
	pop	%ds
	push	%ax
	mov	%ah, %al
	call	print_hex8
	mov	$msg_arrow, %si
	call	print
	pop	%ax
	jmp	print_hex8

/*
 * Keel writes guest memory for the guest too (string I/O, hypercall
 * results); those writes obey PAM as the guest's own do (issue 8). With
 * F000:0000 read-only: REP INSW from the disk (Keel's fast path), REP INSB
 * from the UART scratch register (the slow path), and KEEL_HC_MEMORY_QUERY
 * into it (-EFAULT), after the same call into RAM as a control (0).
 */
keel_writes_bios:
	push	%es
	mov	$0xf000, %ax
	mov	%ax, %es
	mov	%es:(0), %bl		/* the byte every probe must leave alone */
	mov	$msg_ins_disk, %si
	call	print
	mov	$0x1f6, %dx		/* READ SECTORS, LBA 0: the MBR, first byte FA */
	mov	$0xe0, %al
	out	%al, %dx
	mov	$0x1f2, %dx
	mov	$1, %al
	out	%al, %dx
	mov	$0x1f3, %dx
	xor	%al, %al
	out	%al, %dx
	inc	%dx
	out	%al, %dx
	inc	%dx
	out	%al, %dx
	mov	$0x1f7, %dx
	mov	$0x20, %al
	out	%al, %dx
	mov	$0x1000, %cx
13:	in	%dx, %al		/* wait for DRQ, boundedly */
	test	$8, %al
	loopz	13b
	mov	$0x1f0, %dx
	xor	%di, %di
	mov	$256, %cx
	cld
	rep	insw
	call	bios_byte_report
	mov	$msg_ins_uart, %si
	call	print
	mov	%bl, %al
	not	%al
	mov	$0x3ff, %dx
	out	%al, %dx
	xor	%di, %di
	mov	$4, %cx
	rep	insb
	call	bios_byte_report
	mov	$msg_hc_ram, %si
	call	print
	mov	$14, %eax		/* KEEL_HC_MEMORY_QUERY */
	mov	$0x70000, %edi
	vmcall
	call	print_hex32
	mov	$msg_hc_bios, %si
	call	print
	mov	$14, %eax
	mov	$0xf0000, %edi
	vmcall
	call	print_hex32
	mov	$msg_comma, %si
	call	print
	call	bios_byte_report
	pop	%es
	ret

/*
 * An hvm guest makes every hypercall number 0-24 but SHUTDOWN (5), with
 * zero or harmless arguments, and compares the low 32 bits of each result
 * with docs/abi.md: the calls any guest may make work, the PV-only ones are
 * -EPERM (-1), numbers past the table -ENOSYS (-38). Prints the count of
 * calls and of unexpected results, and the number of the first unexpected.
 */
hypercall_sweep:
	mov	$msg_hc_sweep, %si
	call	print
	xor	%bp, %bp		/* unexpected results */
	mov	$0xff, %bl		/* the first unexpected call, 0xff if none */
	xor	%cx, %cx
16:	cmp	$5, %cx
	je	17f
	/* Each call its own 64-byte RAM buffer at 0x70800 + 64n, starting with a 0 byte. */
	mov	%cx, %di
	shl	$6, %di
	add	$0x800, %di
	push	%es
	mov	$0x7000, %ax
	mov	%ax, %es
	movb	$0, %es:(%di)
	pop	%es
	movzx	%di, %edi
	add	$0x70000, %edi
	movzx	%cx, %eax
	xor	%esi, %esi
	xor	%edx, %edx
	push	%cx
	vmcall
	pop	%cx
	mov	%cx, %si
	shl	$2, %si
	cmp	hc_expect(%si), %eax
	je	17f
	inc	%bp
	cmp	$0xff, %bl
	jne	17f
	mov	%cl, %bl
17:	inc	%cx
	cmp	$25, %cx
	jb	16b
	mov	$24, %al
	call	print_hex8
	mov	$msg_hc_unexp, %si
	call	print
	mov	%bp, %ax
	call	print_hex8
	mov	$msg_hc_first, %si
	call	print
	mov	%bl, %al
	call	print_hex8
	jmp	crlf

/* Print "BL -> ES:0" and a line end. */
bios_byte_report:
	mov	%bl, %al
	call	print_hex8
	mov	$msg_arrow, %si
	call	print
	mov	%es:(0), %al
	call	print_hex8
	jmp	crlf

	.code32
pmode:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	/* Nothing decodes 0xfebf0000: reads are all ones, writes are lost. */
	movl	$0x12345678, 0xfebf0000
	mov	0xfebf0000, %ebx
	mov	$msg_mmio, %esi
	mov	$0x3f8, %dx
6:	lodsb
	test	%al, %al
	jz	7f
	out	%al, %dx
	jmp	6b
7:	mov	$8, %ecx
8:	rol	$4, %ebx
	mov	%bl, %al
	and	$0xf, %al
	add	$'0', %al
	cmp	$'9', %al
	jbe	9f
	add	$7, %al
9:	out	%al, %dx
	loop	8b
	mov	$'\r', %al
	out	%al, %dx
	mov	$'\n', %al
	out	%al, %dx
	/* RESET through the keyboard controller. */
	mov	$0xfe, %al
	out	%al, $0x64
10:	hlt
	jmp	10b

	.code16
crlf:
	mov	$msg_crlf, %si
	jmp	print

/* Print EAX as eight hex digits. */
print_hex32:
	push	%eax
	shr	$16, %eax
	call	print_hex16
	pop	%eax
print_hex16:
	push	%ax
	mov	%ah, %al
	call	print_hex8
	pop	%ax
/* Print AL as two hex digits. */
print_hex8:
	push	%ax
	push	%dx
	mov	$0x3f8, %dx
	mov	%al, %ah
	shr	$4, %al
	call	11f
	mov	%ah, %al
	and	$0xf, %al
	call	11f
	pop	%dx
	pop	%ax
	ret
11:	add	$'0', %al
	cmp	$'9', %al
	jbe	12f
	add	$7, %al
12:	out	%al, %dx
	ret

	.balign 8
gdt:	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
gdt_ptr:
	.word	gdt_ptr - gdt - 1
	.long	gdt
idt_empty:
	.word	0
	.long	0

msg_boot:	.asciz "\r\nhvmfault: boot "
msg_crlf:	.asciz "\r\n"
msg_pci:	.asciz "hvmfault: PCI 00:1f.0 id "
msg_fwcfg:	.asciz "hvmfault: fw_cfg item 7fff reads "
msg_ata_bad:	.asciz "hvmfault: ATA command 99: status "
msg_ata_far:	.asciz "hvmfault: ATA read past the end: status "
msg_error:	.asciz " error "
msg_pam_ro:	.asciz "hvmfault: BIOS byte read-only: "
msg_pam_rw:	.asciz "hvmfault: BIOS byte with PAM0=30: "
msg_pam_ro2:	.asciz "hvmfault: BIOS byte with PAM0=10: "
msg_arrow:	.asciz " -> "
msg_ins_disk:	.asciz "hvmfault: REP INSW from the disk into read-only BIOS: "
msg_ins_uart:	.asciz "hvmfault: REP INSB from the UART into read-only BIOS: "
msg_hc_ram:	.asciz "hvmfault: MEMORY_QUERY into RAM "
msg_hc_bios:	.asciz ", into read-only BIOS "
msg_comma:	.asciz ", byte "
msg_hc_sweep:	.asciz "hvmfault: hypercalls: "
msg_hc_unexp:	.asciz " calls, unexpected "
msg_hc_first:	.asciz ", first "
	.balign 4
/* What docs/abi.md says each call returns here (low 32 bits); 5 is skipped. */
hc_expect:
	.long	2			/*  0 VERSION: KEEL_ABI_VERSION */
	.long	0			/*  1 CONSOLE_WRITE of 0 bytes */
	.long	-1			/*  2 CONSOLE_READ: PV only */
	.long	0			/*  3 YIELD */
	.long	-1			/*  4 BLOCK: PV only */
	.long	0			/*  5 SHUTDOWN: not made */
	.long	-1, -1, -1, -1, -1, -1, -1, -1	/* 6-13 timer, events, grants: PV only */
	.long	0			/* 14 MEMORY_QUERY into RAM */
	.long	-22			/* 15 DOMAIN_FIND of an empty name: -EINVAL */
	.long	-1			/* 16 SET_CALLBACKS: PV only */
	.long	-1, -1, -1, -1		/* 17-20 network: PV only */
	.long	-38, -38, -38, -38	/* 21-24: no such call */
msg_then:	.asciz ", then "
msg_garbage:	.asciz "hvmfault: PIT and PIC garbage taken\r\n"
msg_mmio:	.asciz "hvmfault: unclaimed MMIO reads "
msg_cf9:	.asciz "hvmfault: reset through port 0xcf9\r\n"
msg_port92:	.asciz "hvmfault: reset through port 0x92\r\n"
msg_triple:	.asciz "hvmfault: triple fault\r\n"
msg_no_reset:	.asciz "hvmfault: still running after a reset\r\n"
msg_done:	.asciz "hvmfault: every reset came back\r\n"

	.balign 512
stage2_end:
	.set	STAGE2_SECTORS, (stage2_end - stage2) / 512
