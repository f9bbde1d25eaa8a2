/* SPDX-License-Identifier: MIT */
/*
 * pvboot, Keel's PV boot loader (docs/pv-loader.md): its parts and the
 * copy list it hands to its trampoline (pvboot_tramp.S).
 */
#ifndef PVBOOT_H
#define PVBOOT_H

/* struct pvboot_copy for the assembly; pvboot_load.c checks them against the C. */
#define PVBOOT_COPY_SRC    0
#define PVBOOT_COPY_DST    8
#define PVBOOT_COPY_FILESZ 16
#define PVBOOT_COPY_MEMSZ  24
#define PVBOOT_COPY_SIZE   32

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "loader/fat.h"
#include "loader/menu_lst.h"

/* Exit statuses: each refusal has its own (docs/pv-loader.md). */
enum pvboot_status {
	PVBOOT_E_NO_DISK = 2,  /* no module= */
	PVBOOT_E_NOT_FAT = 3,
	PVBOOT_E_NO_MENU = 4,  /* neither /boot/menu.lst nor /menu.lst */
	PVBOOT_E_MENU = 5,     /* menu.lst refused by the parser, or unusable entry */
	PVBOOT_E_FILE = 6,     /* kernel or module missing or unreadable */
	PVBOOT_E_ELF = 7,      /* kernel refused by elf_check */
	PVBOOT_E_NO_ROOM = 8,  /* kernel and module do not fit in free RAM */
};

/* Copy filesz bytes from src to dst, then zero dst up to memsz. */
struct pvboot_copy {
	uint64_t src, dst, filesz, memsz;
};

/* Prints "pvboot: <message>" and shuts the guest down with status. */
__attribute__((noreturn, format(printf, 2, 3))) void pvboot_fail(int status, const char *fmt,
								  ...);

/* Prints the menu and returns the entry to boot (the default, or a key typed in time). */
uint32_t pvboot_choose(const struct menu *m);

/* Loads entry e's kernel and module from v and starts the kernel in place of pvboot. */
__attribute__((noreturn)) void pvboot_boot(const struct fat_volume *v,
					   const struct menu_entry *e);

/*
 * Position-independent: pvboot_boot runs a copy of it from the top of RAM.
 * Performs the n copies, then enters the kernel at entry with RSP =
 * stack_top and RDI = start_info.
 */
__attribute__((noreturn)) void pvboot_tramp(const struct pvboot_copy *copies, uint64_t n,
					    uint64_t entry, uint64_t stack_top,
					    uint64_t start_info);
extern const char pvboot_tramp_end[];
#endif

#endif
