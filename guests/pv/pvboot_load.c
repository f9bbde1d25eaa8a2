/* SPDX-License-Identifier: MIT */
/*
 * pvboot's hand-over. The kernel is linked at 1 MiB, where pvboot itself
 * runs, so everything the last step needs goes to the top of RAM first,
 * just below the stack, in memory taken off malloc's heap:
 *
 *   [kernel file][trampoline][start info + copy list][module] stack
 *   ^ staged (page-aligned)                                   ^ heap_end
 *
 * The trampoline copies the kernel's segments to their addresses, the new
 * start info over Keel's start-info page, and enters the kernel as Keel
 * would have: RSP = stack_top, RDI = the start-info page.
 */
#include <inttypes.h>
#include <keel_pv.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "loader/elf_check.h"
#include "pvboot.h"

#define PAGE      4096u
#define LOAD_MIN  0x100000u /* PV guests load at or above 1 MiB (docs/abi.md) */

_Static_assert(offsetof(struct pvboot_copy, src) == PVBOOT_COPY_SRC, "copy layout");
_Static_assert(offsetof(struct pvboot_copy, dst) == PVBOOT_COPY_DST, "copy layout");
_Static_assert(offsetof(struct pvboot_copy, filesz) == PVBOOT_COPY_FILESZ, "copy layout");
_Static_assert(offsetof(struct pvboot_copy, memsz) == PVBOOT_COPY_MEMSZ, "copy layout");
_Static_assert(sizeof(struct pvboot_copy) == PVBOOT_COPY_SIZE, "copy layout");
_Static_assert(sizeof(struct keel_start_info) +
	       (ELF_SEGMENTS_MAX + 1) * sizeof(struct pvboot_copy) <= PAGE,
	       "start info and copy list share a page");

struct staging {
	uintptr_t kernel, tramp, info, module;
};

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

/*
 * The one module Keel's start info carries: the entry's first module, or
 * its initrd when it has none.
 */
static const char *module_path(const struct menu_entry *e)
{
	const char *path = e->nr_modules ? e->modules[0].path : e->initrd;

	if (e->nr_modules > 1 || (e->nr_modules && e->initrd[0]))
		printf("pvboot: warning: Keel hands a kernel one module; only %s is loaded\n",
		       path);
	return path[0] ? path : NULL;
}

static void open_file(const struct fat_volume *v, const char *path, struct fat_file *f)
{
	int rc = fat_open(v, path, f);

	if (!rc && f->is_dir)
		rc = FAT_E_IS_DIR;
	if (rc)
		pvboot_fail(PVBOOT_E_FILE, "%s: %s", path, fat_strerror(rc));
}

static void read_file(const struct fat_volume *v, const char *path, const struct fat_file *f,
		      uintptr_t to)
{
	size_t len;
	int rc = fat_read(v, f, (void *)to, f->size, &len);

	if (rc)
		pvboot_fail(PVBOOT_E_FILE, "%s: %s", path, fat_strerror(rc));
}

/* Reserves the top of the heap for the kernel file, trampoline, start info and module. */
static struct staging stage(const char *kernel, uint32_t kernel_size, uint32_t module_size)
{
	uint64_t need = page_up(kernel_size) + 2 * PAGE + page_up(module_size);
	uintptr_t at = keel_heap_reserve_top(need); /* two 32-bit sizes: no overflow */
	struct staging s;

	if (!at)
		pvboot_fail(PVBOOT_E_NO_ROOM, "%s and its module (%" PRIu64 " KiB) do not fit in "
			    "this guest's free RAM", kernel, need / 1024);
	s.kernel = at;
	s.tramp = s.kernel + page_up(kernel_size);
	s.info = s.tramp + PAGE;
	s.module = s.info + PAGE;
	return s;
}

/* Keel's start info with the new image's cmdline, module and free RAM. */
static void start_info(struct keel_start_info *to, const struct menu_entry *e,
		       const struct elf_image *img, uintptr_t module, uint32_t module_size)
{
	const struct keel_start_info *si = keel_start_info;

	*to = *si; /* magic, domid, flags, hypercall page, shared info, RAM, name */
	to->module_start = module_size ? module : 0;
	to->module_size = module_size;
	to->heap_start = page_up(img->end);
	to->heap_end = module_size ? module : si->heap_end;
	memset(to->cmdline, 0, sizeof(to->cmdline));
	memcpy(to->cmdline, e->cmdline, strlen(e->cmdline));
}

void pvboot_boot(const struct fat_volume *v, const struct menu_entry *e)
{
	const char *mpath = module_path(e);
	struct fat_file kf, mf = { 0 };
	struct pvboot_copy *copies;
	struct keel_start_info *info;
	struct elf_image img;
	struct staging s;
	uint32_t n = 0;
	int rc;

	if (strlen(e->cmdline) >= sizeof(info->cmdline))
		pvboot_fail(PVBOOT_E_MENU, "%s: arguments longer than %zu characters", e->kernel,
			    sizeof(info->cmdline) - 1);
	open_file(v, e->kernel, &kf);
	if (mpath)
		open_file(v, mpath, &mf);
	s = stage(e->kernel, kf.size, mf.size);
	read_file(v, e->kernel, &kf, s.kernel);
	if (mpath)
		read_file(v, mpath, &mf, s.module);
	rc = elf_check((const void *)s.kernel, kf.size, LOAD_MIN, s.kernel, &img);
	if (rc == ELF_E_SEGMENT_LOW || rc == ELF_E_SEGMENT_HIGH)
		pvboot_fail(PVBOOT_E_ELF, "%s: %s (it may use 0x%x-0x%" PRIxPTR ")", e->kernel,
			    elf_strerror(rc), LOAD_MIN, s.kernel);
	if (rc)
		pvboot_fail(PVBOOT_E_ELF, "%s: %s", e->kernel, elf_strerror(rc));

	info = (struct keel_start_info *)s.info;
	start_info(info, e, &img, s.module, mf.size);
	copies = (struct pvboot_copy *)(info + 1);
	for (; n < img.nr_segments; n++)
		copies[n] = (struct pvboot_copy){ s.kernel + img.seg[n].offset, img.seg[n].vaddr,
						  img.seg[n].filesz, img.seg[n].memsz };
	copies[n++] = (struct pvboot_copy){ s.info, (uintptr_t)keel_start_info, sizeof(*info),
					    sizeof(*info) };
	memcpy((void *)s.tramp, (const void *)pvboot_tramp,
	       (size_t)(pvboot_tramp_end - (const char *)pvboot_tramp));

	printf("pvboot: %s: %u segment(s) up to 0x%" PRIx64 ", entry 0x%" PRIx64 "\n",
	       e->kernel, img.nr_segments, img.end, img.entry);
	if (mpath)
		printf("pvboot: %s: module of %" PRIu32 " bytes at 0x%" PRIxPTR "\n", mpath,
		       mf.size, s.module);
	fflush(stdout); /* nothing of pvboot survives the trampoline */
	((__typeof__(&pvboot_tramp))s.tramp)(copies, n, img.entry, info->stack_top,
					      (uintptr_t)keel_start_info);
}
