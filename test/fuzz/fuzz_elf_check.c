/* SPDX-License-Identifier: MIT */
/*
 * Kernels the PV boot loader chain-loads (guests/pv/loader/elf_check.c), any
 * bytes, checked for the window pvboot_load.c gives them: from 1 MiB up to
 * where the loader staged the file. What it accepts must be safe to copy.
 */
#include <string.h>

#include "elf_check.h"
#include "fuzz.h"

#define LOAD_MIN 0x100000u   /* pvboot_load.c */
#define LOAD_END 0x4000000u  /* a 64 MiB guest with the file staged at the top */

static void check_image(const uint8_t *file, size_t size, const struct elf_image *img)
{
	bool entry_ok = false;
	uint64_t end = 0, sum = 0;

	FUZZ_CHECK(img->nr_segments >= 1 && img->nr_segments <= ELF_SEGMENTS_MAX,
		   "1..ELF_SEGMENTS_MAX segments");
	for (uint32_t i = 0; i < img->nr_segments; i++) {
		const struct elf_segment *s = &img->seg[i];

		FUZZ_CHECK(s->offset <= size && s->filesz <= size - s->offset,
			   "a segment's bytes lie inside the file");
		FUZZ_CHECK(s->filesz <= s->memsz && s->memsz, "a segment's file part fits its memory");
		FUZZ_CHECK(s->vaddr >= LOAD_MIN && s->vaddr <= LOAD_END &&
			   s->memsz <= LOAD_END - s->vaddr, "a segment lies inside the load window");
		for (uint32_t k = 0; k < i; k++) {
			const struct elf_segment *o = &img->seg[k];

			FUZZ_CHECK(s->vaddr >= o->vaddr + o->memsz || o->vaddr >= s->vaddr + s->memsz,
				   "segments do not overlap");
		}
		if (img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
			entry_ok = true;
		if (s->vaddr + s->memsz > end)
			end = s->vaddr + s->memsz;
		for (uint64_t b = 0; b < s->filesz; b += 64)
			sum += file[s->offset + b];
	}
	FUZZ_CHECK(entry_ok, "the entry is inside a segment");
	FUZZ_CHECK(img->end == end, "end is the highest segment end");
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image img;
	int rc = elf_check(data, size, LOAD_MIN, LOAD_END, &img);
	const char *why = elf_strerror(rc);

	FUZZ_CHECK(rc <= ELF_OK && rc >= ELF_E_ENTRY, "a status of enum elf_status");
	FUZZ_CHECK(why && why[0] && strcmp(why, "unknown ELF status"), "every status has a description");
	if (rc == ELF_OK)
		check_image(data, size, &img);
	return 0;
}
