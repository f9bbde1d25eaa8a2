/* SPDX-License-Identifier: MIT */
/*
 * ELF64 images as the EFI loader (keel.elf) and Keel (elf64 guests) check
 * them with boot/elf64.c: any bytes. An accepted image must be loadable as
 * vm_load_elf64() then loads it: every segment's bytes inside the file,
 * segments apart, the entry in an executable one.
 */
#include <string.h>

#include <boot/elf64.h>

#include "fuzz.h"

#define PF_X 1

static void check_image(const uint8_t *img, size_t len, const struct elf64_image *e)
{
	bool entry_ok = false;
	uint64_t sum = 0;

	FUZZ_CHECK(e->nr_segs >= 1 && e->nr_segs <= ELF64_SEGS_MAX, "1..ELF64_SEGS_MAX segments");
	for (unsigned i = 0; i < e->nr_segs; i++) {
		const struct elf64_seg *s = &e->segs[i];

		FUZZ_CHECK(s->file_off <= len && s->file_size <= len - s->file_off,
			   "a segment's bytes lie inside the file");
		FUZZ_CHECK(s->file_size <= s->mem_size && s->mem_size,
			   "a segment's file part fits its non-empty memory");
		FUZZ_CHECK(s->mem_size <= UINT64_MAX - s->addr, "a segment does not wrap");
		FUZZ_CHECK(s->addr >= e->lowest && s->addr + s->mem_size <= e->highest,
			   "[lowest, highest) covers every segment");
		for (unsigned k = 0; k < i; k++) {
			const struct elf64_seg *o = &e->segs[k];

			FUZZ_CHECK(s->addr >= o->addr + o->mem_size || o->addr >= s->addr + s->mem_size,
				   "segments do not overlap");
		}
		if ((s->flags & PF_X) && e->entry >= s->addr && e->entry - s->addr < s->mem_size)
			entry_ok = true;
		/* What the loader copies: ASan sees a read outside the file. */
		for (uint64_t b = 0; b < s->file_size; b += 64)
			sum += img[s->file_off + b];
	}
	FUZZ_CHECK(entry_ok, "the entry is in an executable segment");
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf64_image img;
	char err[96];

	memset(err, 'x', sizeof(err));
	if (elf64_check(data, size, &img, err, sizeof(err))) {
		FUZZ_CHECK(err[0] && strnlen(err, sizeof(err)) < sizeof(err),
			   "a refusal says why, in a terminated message");
		return 0;
	}
	FUZZ_CHECK(!err[0], "an accepted image leaves no message");
	check_image(data, size, &img);
	return 0;
}
