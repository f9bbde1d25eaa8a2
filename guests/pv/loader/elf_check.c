/* SPDX-License-Identifier: MIT */
/*
 * ELF64 executable checks for the PV boot loader (elf_check.h). Sizes come
 * from a file on a guest's disk, so every sum is checked in a form that
 * cannot wrap: a + b <= lim is tested as b <= lim && a <= lim - b.
 */
#include <stdint.h>
#include <string.h>

#include "elf_check.h"

#define EI_CLASS    4
#define EI_DATA     5
#define EI_VERSION  6
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define EM_X86_64   62
#define PT_LOAD     1
#define PF_X        1

struct ehdr {
	uint8_t  ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

_Static_assert(sizeof(struct ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct phdr) == 56, "ELF64 program header is 56 bytes");

/* a + b <= lim without overflow. */
static int fits(uint64_t a, uint64_t b, uint64_t lim)
{
	return b <= lim && a <= lim - b;
}

static int check_header(const uint8_t *p, size_t size, struct ehdr *h)
{
	if (size < sizeof(*h))
		return ELF_E_NOT_EXEC;
	memcpy(h, p, sizeof(*h)); /* the file may sit at any alignment */
	if (memcmp(h->ident, "\177ELF", 4) || h->ident[EI_CLASS] != ELFCLASS64 ||
	    h->ident[EI_DATA] != ELFDATA2LSB || h->ident[EI_VERSION] != EV_CURRENT ||
	    h->type != ET_EXEC || h->machine != EM_X86_64)
		return ELF_E_NOT_EXEC;
	if (h->phentsize != sizeof(struct phdr) ||
	    !fits(h->phoff, (uint64_t)h->phnum * sizeof(struct phdr), size))
		return ELF_E_PHDRS;
	return ELF_OK;
}

static int check_segment(const struct phdr *ph, size_t size, uint64_t load_min,
			 uint64_t load_end)
{
	if (ph->filesz > ph->memsz || !fits(ph->offset, ph->filesz, size))
		return ELF_E_SEGMENT_FILE;
	if (ph->vaddr < load_min)
		return ELF_E_SEGMENT_LOW;
	if (!fits(ph->vaddr, ph->memsz, load_end))
		return ELF_E_SEGMENT_HIGH;
	return ELF_OK;
}

static int overlaps(const struct elf_image *img, const struct phdr *ph)
{
	for (uint32_t i = 0; i < img->nr_segments; i++) {
		const struct elf_segment *s = &img->seg[i];

		if (ph->vaddr < s->vaddr + s->memsz && s->vaddr < ph->vaddr + ph->memsz)
			return 1;
	}
	return 0;
}

int elf_check(const void *file, size_t size, uint64_t load_min, uint64_t load_end,
	      struct elf_image *img)
{
	const uint8_t *p = file;
	int entry_ok = 0;
	struct ehdr h;
	int rc;

	memset(img, 0, sizeof(*img));
	rc = check_header(p, size, &h);
	if (rc)
		return rc;
	for (uint32_t i = 0; i < h.phnum; i++) {
		struct phdr ph;

		memcpy(&ph, p + h.phoff + i * sizeof(ph), sizeof(ph));
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		rc = check_segment(&ph, size, load_min, load_end);
		if (rc)
			return rc;
		if (img->nr_segments == ELF_SEGMENTS_MAX)
			return ELF_E_TOO_MANY;
		if (overlaps(img, &ph))
			return ELF_E_OVERLAP;
		img->seg[img->nr_segments++] = (struct elf_segment){ ph.offset, ph.vaddr,
								     ph.filesz, ph.memsz };
		if (ph.vaddr + ph.memsz > img->end)
			img->end = ph.vaddr + ph.memsz;
		if ((ph.flags & PF_X) && h.entry >= ph.vaddr && h.entry - ph.vaddr < ph.memsz)
			entry_ok = 1;
	}
	if (!img->nr_segments)
		return ELF_E_NO_LOAD;
	if (!entry_ok)
		return ELF_E_ENTRY;
	img->entry = h.entry;
	return ELF_OK;
}

const char *elf_strerror(int status)
{
	switch (status) {
	case ELF_OK: return "ok";
	case ELF_E_NOT_EXEC: return "not an ELF64 x86-64 executable";
	case ELF_E_PHDRS: return "program headers outside the file";
	case ELF_E_NO_LOAD: return "no loadable segment";
	case ELF_E_TOO_MANY: return "too many loadable segments";
	case ELF_E_SEGMENT_FILE: return "segment data outside the file";
	case ELF_E_SEGMENT_LOW: return "segment below the lowest load address";
	case ELF_E_SEGMENT_HIGH:
		return "segment past the free RAM (end of RAM or the loader's buffers)";
	case ELF_E_OVERLAP: return "segments overlap";
	case ELF_E_ENTRY: return "entry point outside the executable segments";
	default: return "unknown ELF status";
	}
}
