/* SPDX-License-Identifier: MIT */
/*
 * ELF64 image checks shared by the loader (keel.elf) and Keel (guest
 * images): everything is bounds-checked against the file size before use.
 */
#ifndef BOOT_ELF64_H
#define BOOT_ELF64_H

#include <stddef.h>
#include <stdint.h>

#define ELF64_SEGS_MAX 16

struct elf64_seg {
	uint64_t file_off;  /* offset of the bytes in the file */
	uint64_t file_size; /* bytes to copy */
	uint64_t addr;      /* physical (p_paddr) load address */
	uint64_t mem_size;  /* bytes in memory; the rest is zeroed */
	uint32_t flags;     /* PF_X=1, PF_W=2, PF_R=4 */
};

struct elf64_image {
	uint64_t entry;
	int relocatable; /* ET_DYN: addresses are offsets from where it is loaded */
	uint64_t lowest, highest; /* [lowest, highest) covers every segment */
	unsigned nr_segs;
	struct elf64_seg segs[ELF64_SEGS_MAX];
};

/*
 * Check that img[0..len) is a little-endian x86-64 ELF64 executable whose
 * (ET_EXEC, or ET_DYN linked at 0 to be loaded anywhere) whose
 * PT_LOAD segments lie inside the file, do not overlap, do not wrap, and
 * whose entry point is inside an executable segment. Returns 0 and fills
 * out, or -1 with a message in err (errlen bytes).
 */
int elf64_check(const void *img, size_t len, struct elf64_image *out, char *err,
		size_t errlen);

#endif
