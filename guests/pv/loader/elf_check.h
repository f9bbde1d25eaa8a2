/* SPDX-License-Identifier: MIT */
/*
 * ELF64 checks for the kernels the PV boot loader chain-loads: a static
 * x86-64 executable (ET_EXEC) whose PT_LOAD segments lie inside a window of
 * guest RAM, [load_min, load_end): at or above 1 MiB and below the buffers
 * the loader keeps at the top of RAM. Every header field is checked against
 * the file before use, so a corrupt kernel gets a status, never a wild copy.
 *
 * Portable C11 calling only <string.h>, like menu_lst.c and fat.c.
 */
#ifndef PV_LOADER_ELF_CHECK_H
#define PV_LOADER_ELF_CHECK_H

#include <stddef.h>
#include <stdint.h>

#define ELF_SEGMENTS_MAX 8

enum elf_status {
	ELF_OK = 0,
	ELF_E_NOT_EXEC = -1,     /* not an ELF64 little-endian x86-64 ET_EXEC */
	ELF_E_PHDRS = -2,        /* program header table outside the file, or odd entry size */
	ELF_E_NO_LOAD = -3,      /* no PT_LOAD segment with memory */
	ELF_E_TOO_MANY = -4,     /* more than ELF_SEGMENTS_MAX PT_LOAD segments */
	ELF_E_SEGMENT_FILE = -5, /* segment bytes outside the file, or filesz > memsz */
	ELF_E_SEGMENT_LOW = -6,  /* segment below load_min */
	ELF_E_SEGMENT_HIGH = -7, /* segment reaches past load_end */
	ELF_E_OVERLAP = -8,      /* two segments share an address */
	ELF_E_ENTRY = -9,        /* entry not in an executable segment */
};

/* One PT_LOAD segment: copy filesz bytes from the file, zero up to memsz. */
struct elf_segment {
	uint64_t offset; /* in the file */
	uint64_t vaddr;  /* = guest-physical: PV RAM is mapped 1:1 */
	uint64_t filesz;
	uint64_t memsz;
};

struct elf_image {
	uint64_t entry;
	uint64_t end;         /* highest vaddr + memsz over the segments */
	uint32_t nr_segments; /* PT_LOADs with memsz > 0, in file order */
	struct elf_segment seg[ELF_SEGMENTS_MAX];
};

/* Checks file[0..size) and fills img; 0 or ELF_E_*. */
int elf_check(const void *file, size_t size, uint64_t load_min, uint64_t load_end,
	      struct elf_image *img);

/* A short English description, e.g. "not an ELF64 x86-64 executable". */
const char *elf_strerror(int status);

#endif
