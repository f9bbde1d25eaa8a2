/* SPDX-License-Identifier: MIT */
/*
 * Host tests for boot/elf64.c. Images are built in memory with the host's
 * <elf.h> types, which also cross-checks elf64.c's own struct layouts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <cmocka.h>

#include <boot/elf64.h>

#define IMG_SIZE 0x4000

static _Alignas(8) uint8_t img[IMG_SIZE + 1];
static size_t img_len;
static Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
static Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr));
static struct elf64_image out;
static char msg[128];

static void set_phdr(unsigned i, uint32_t type, uint32_t flags, uint64_t off,
		     uint64_t addr, uint64_t filesz, uint64_t memsz)
{
	ph[i] = (Elf64_Phdr){
		.p_type = type, .p_flags = flags, .p_offset = off,
		.p_vaddr = addr, .p_paddr = addr, .p_filesz = filesz,
		.p_memsz = memsz, .p_align = 0x1000,
	};
}

/*
 * A valid image with nr_phdrs program headers: phdr 0 is code (R+X) at
 * 0x100000, phdr 1 data+bss (R+W) at 0x200000, the rest PT_NOTE.
 */
static void build(unsigned nr_phdrs)
{
	memset(img, 0, sizeof(img));
	img_len = IMG_SIZE;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x100010;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = nr_phdrs;
	set_phdr(0, PT_LOAD, PF_R | PF_X, 0x1000, 0x100000, 0x100, 0x100);
	if (nr_phdrs > 1)
		set_phdr(1, PT_LOAD, PF_R | PF_W, 0x1100, 0x200000, 0x80, 0x2000);
	for (unsigned i = 2; i < nr_phdrs; i++)
		set_phdr(i, PT_NOTE, PF_R, 0x1200, 0, 0x10, 0x10);
}

static int check(void)
{
	memset(&out, 0xa5, sizeof(out));
	memset(msg, 'x', sizeof(msg));
	return elf64_check(img, img_len, &out, msg, sizeof(msg));
}

static void good(void)
{
	if (check() != 0)
		fail_msg("rejected: %s", msg);
	assert_string_equal(msg, "");
}

static void bad(const char *expect)
{
	if (check() != -1)
		fail_msg("accepted, expected '%s'", expect);
	if (!strstr(msg, expect))
		fail_msg("got '%s', expected '%s'", msg, expect);
}

static void test_valid(void **state)
{
	(void)state;
	build(3);
	good();
	assert_int_equal(out.entry, 0x100010);
	assert_int_equal(out.nr_segs, 2);
	assert_int_equal(out.lowest, 0x100000);
	assert_int_equal(out.highest, 0x202000);
	assert_int_equal(out.segs[0].file_off, 0x1000);
	assert_int_equal(out.segs[0].file_size, 0x100);
	assert_int_equal(out.segs[0].addr, 0x100000);
	assert_int_equal(out.segs[0].mem_size, 0x100);
	assert_int_equal(out.segs[0].flags, PF_R | PF_X);
	assert_int_equal(out.segs[1].file_off, 0x1100);
	assert_int_equal(out.segs[1].file_size, 0x80);
	assert_int_equal(out.segs[1].addr, 0x200000);
	assert_int_equal(out.segs[1].mem_size, 0x2000);
	assert_int_equal(out.segs[1].flags, PF_R | PF_W);
	for (unsigned i = 2; i < ELF64_SEGS_MAX; i++)
		assert_int_equal(out.segs[i].mem_size, 0);
}

static void test_paddr_and_order(void **state)
{
	(void)state;
	/* Segments listed high-first; addr comes from p_paddr, not p_vaddr. */
	build(2);
	set_phdr(0, PT_LOAD, PF_R | PF_W, 0x1100, 0x300000, 0x80, 0x1000);
	set_phdr(1, PT_LOAD, PF_R | PF_X, 0x1000, 0x80000, 0x100, 0x100);
	ph[1].p_vaddr = 0xffffffff80000000ULL;
	eh->e_entry = 0x80000;
	good();
	assert_int_equal(out.segs[0].addr, 0x300000);
	assert_int_equal(out.segs[1].addr, 0x80000);
	assert_int_equal(out.lowest, 0x80000);
	assert_int_equal(out.highest, 0x301000);
	/* The entry is checked against the load (physical) addresses. */
	eh->e_entry = 0xffffffff80000000ULL;
	bad("entry 0xffffffff80000000 is not in an executable segment");
}

static void test_phdrs_anywhere(void **state)
{
	(void)state;
	/* Program headers at the end of the file, at an odd offset. */
	build(2);
	memcpy(img + IMG_SIZE - 2 * sizeof(Elf64_Phdr) - 3, ph, 2 * sizeof(Elf64_Phdr));
	memset(ph, 0, 2 * sizeof(Elf64_Phdr));
	eh->e_phoff = IMG_SIZE - 2 * sizeof(Elf64_Phdr) - 3;
	good();
	assert_int_equal(out.nr_segs, 2);
	/* The whole image at an odd address. */
	build(2);
	memmove(img + 1, img, IMG_SIZE);
	assert_int_equal(elf64_check(img + 1, IMG_SIZE, &out, msg, sizeof(msg)), 0);
	assert_int_equal(out.highest, 0x202000);
}

static void test_too_small(void **state)
{
	(void)state;
	build(1);
	img_len = sizeof(Elf64_Ehdr) - 1;
	bad("file too small for an ELF header (63 bytes)");
	img_len = 0;
	bad("file too small");
	assert_int_equal(elf64_check(NULL, 100, &out, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "too small"));
}

static void test_ident(void **state)
{
	(void)state;
	build(1);
	eh->e_ident[1] = 'e';
	bad("not an ELF file (bad magic)");
	build(1);
	eh->e_ident[0] = 0;
	bad("not an ELF file (bad magic)");
	build(1);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	bad("not a 64-bit ELF (class 1)");
	build(1);
	eh->e_ident[EI_DATA] = ELFDATA2MSB;
	bad("not little-endian (data 2)");
	build(1);
	eh->e_ident[EI_VERSION] = 0;
	bad("bad ELF version 0");
}

static void test_type_machine(void **state)
{
	(void)state;
	build(1);
	eh->e_type = ET_DYN;
	good();
	assert_true(out.relocatable);
	build(1);
	good();
	assert_false(out.relocatable);
	build(1);
	eh->e_type = ET_REL;
	bad("e_type 1");
	build(1);
	eh->e_machine = EM_386;
	check();
	assert_string_equal(msg, "not x86-64 (e_machine 3)");
	build(1);
	eh->e_machine = EM_AARCH64;
	bad("not x86-64 (e_machine 183)");
}

static void test_phdr_table(void **state)
{
	(void)state;
	build(1);
	eh->e_phentsize = 32;
	bad("bad program header size 32");
	build(1);
	eh->e_phoff = IMG_SIZE + 1;
	bad("program headers extend past end of file");
	build(1);
	eh->e_phoff = IMG_SIZE - sizeof(Elf64_Phdr) + 1;
	bad("program headers extend past end of file");
	build(1);
	eh->e_phoff = IMG_SIZE - sizeof(Elf64_Phdr); /* exactly fits */
	memcpy(img + eh->e_phoff, ph, sizeof(Elf64_Phdr));
	good();
	build(1);
	eh->e_phoff = UINT64_MAX - 8; /* wraps if added naively */
	bad("program headers extend past end of file");
	build(1);
	eh->e_phnum = 0xffff;
	bad("program headers extend past end of file");
}

static void test_no_load(void **state)
{
	(void)state;
	build(1);
	eh->e_phnum = 0;
	bad("no PT_LOAD segment");
	build(3);
	ph[0].p_type = PT_NOTE;
	ph[1].p_type = PT_GNU_STACK;
	bad("no PT_LOAD segment");
	/* An empty PT_LOAD is skipped: it overlaps nothing, counts for nothing. */
	build(3);
	set_phdr(2, PT_LOAD, PF_R, 0, 0x100080, 0, 0);
	good();
	assert_int_equal(out.nr_segs, 2);
	build(1);
	set_phdr(0, PT_LOAD, PF_R | PF_X, 0, 0x100000, 0, 0);
	bad("no PT_LOAD segment");
}

static void test_seg_count(void **state)
{
	(void)state;
	build(ELF64_SEGS_MAX);
	for (unsigned i = 2; i < ELF64_SEGS_MAX; i++)
		set_phdr(i, PT_LOAD, PF_R, 0x1000, 0x400000 + i * 0x1000, 0x10, 0x1000);
	good();
	assert_int_equal(out.nr_segs, ELF64_SEGS_MAX);
	assert_int_equal(out.segs[15].addr, 0x40f000);
	assert_int_equal(out.highest, 0x410000);
	build(ELF64_SEGS_MAX + 1);
	for (unsigned i = 2; i < ELF64_SEGS_MAX + 1; i++)
		set_phdr(i, PT_LOAD, PF_R, 0x1000, 0x400000 + i * 0x1000, 0x10, 0x1000);
	bad("more than 16 PT_LOAD segments");
	/* Non-load headers do not count towards the limit. */
	build(ELF64_SEGS_MAX + 4);
	for (unsigned i = 2; i < ELF64_SEGS_MAX; i++)
		set_phdr(i, PT_LOAD, PF_R, 0x1000, 0x400000 + i * 0x1000, 0x10, 0x1000);
	good();
}

static void test_seg_sizes(void **state)
{
	(void)state;
	build(2);
	ph[1].p_filesz = 0x2001;
	bad("segment 1: file size 0x2001 exceeds memory size 0x2000");
	build(2);
	ph[1].p_offset = IMG_SIZE - 0x7f;
	check();
	assert_string_equal(msg, "segment 1 extends past end of file");
	build(2);
	ph[1].p_offset = IMG_SIZE - 0x80; /* ends exactly at the end */
	good();
	build(2);
	ph[0].p_offset = IMG_SIZE + 1;
	ph[0].p_filesz = 0;
	bad("segment 0 extends past end of file");
	build(2);
	ph[1].p_offset = UINT64_MAX - 0x10; /* offset + size wraps */
	bad("segment 1 extends past end of file");
	build(2);
	ph[1].p_filesz = UINT64_MAX;
	ph[1].p_memsz = UINT64_MAX;
	bad("segment 1 extends past end of file");
}

static void test_wrap(void **state)
{
	(void)state;
	build(2);
	ph[1].p_paddr = 0xfffffffffffff000ULL;
	ph[1].p_memsz = 0x1000; /* ends at 2^64: not representable */
	bad("segment 1 wraps around the address space");
	build(2);
	ph[1].p_paddr = UINT64_MAX;
	ph[1].p_memsz = UINT64_MAX;
	ph[1].p_filesz = 0;
	bad("segment 1 wraps");
	build(2);
	ph[1].p_paddr = 0xffffffffffffe000ULL;
	ph[1].p_memsz = 0x1000;
	good();
	assert_int_equal(out.highest, 0xfffffffffffff000ULL);
}

static void test_overlap(void **state)
{
	static const struct {
		uint64_t addr, size;
		int ok;
	} cases[] = {
		{ 0x100000, 0x100, 0 },	 /* identical */
		{ 0x1000ff, 0x10, 0 },	 /* starts in the last byte */
		{ 0x0ffff0, 0x11, 0 },	 /* ends in the first byte */
		{ 0x0ff000, 0x10000, 0 }, /* covers it */
		{ 0x100040, 0x10, 0 },	 /* inside it */
		{ 0x100100, 0x10, 1 },	 /* adjacent above */
		{ 0x0fff00, 0x100, 1 },	 /* adjacent below */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build(3);
		set_phdr(2, PT_LOAD, PF_R, 0x1000, cases[i].addr, 0x10, cases[i].size);
		if (cases[i].ok)
			good();
		else
			bad("segments 0 and 2 overlap");
	}
	/* Indices in the message are program header numbers. */
	build(4);
	set_phdr(3, PT_LOAD, PF_R, 0x1000, 0x201fff, 0, 1);
	bad("segments 1 and 3 overlap");
}

static void test_entry(void **state)
{
	(void)state;
	build(2);
	eh->e_entry = 0x1234;
	check();
	assert_string_equal(msg, "entry 0x1234 is not in an executable segment");
	build(2);
	eh->e_entry = 0x200000; /* in the data segment */
	bad("entry 0x200000 is not in an executable segment");
	build(2);
	eh->e_entry = 0x100100; /* one past the code segment */
	bad("entry 0x100100 is not");
	build(2);
	eh->e_entry = 0x1000ff; /* last byte */
	good();
	build(2);
	eh->e_entry = 0x100000;
	good();
	/* In the zero-filled tail of an executable segment is still inside it. */
	build(2);
	ph[0].p_memsz = 0x1000;
	eh->e_entry = 0x100800;
	good();
	build(2);
	ph[0].p_flags = PF_R;
	eh->e_entry = 0x100000;
	bad("is not in an executable segment");
}

static void test_err_buffer(void **state)
{
	char small[8];

	(void)state;
	build(1);
	eh->e_machine = EM_386;
	assert_int_equal(elf64_check(img, img_len, &out, NULL, 0), -1);
	assert_int_equal(elf64_check(img, img_len, &out, small, 0), -1);
	memset(small, 'x', sizeof(small));
	assert_int_equal(elf64_check(img, img_len, &out, small, sizeof(small)), -1);
	assert_string_equal(small, "not x86");
	memset(small, 'x', sizeof(small));
	assert_int_equal(elf64_check(img, img_len, &out, small, 1), -1);
	assert_int_equal(small[0], '\0');
	assert_int_equal(small[1], 'x');
	build(1);
	assert_int_equal(elf64_check(img, img_len, &out, NULL, 0), 0);
}

/* A binary the host toolchain built: this very test program. */
static void test_real_file(void **state)
{
	static uint8_t file[64 << 20];
	FILE *f = fopen("/proc/self/exe", "rb");
	size_t n;
	int ret;

	(void)state;
	if (!f)
		skip();
	n = fread(file, 1, sizeof(file), f);
	fclose(f);
	assert_true(n > sizeof(Elf64_Ehdr) && n < sizeof(file));
	ret = elf64_check(file, n, &out, msg, sizeof(msg));
	/* Debian's gcc builds a PIE by default: ET_DYN, accepted as relocatable. */
	assert_int_equal(out.relocatable, ((Elf64_Ehdr *)file)->e_type == ET_DYN);
	if (ret)
		fail_msg("host executable rejected: %s", msg);
	assert_true(out.nr_segs >= 1);
	assert_true(out.entry >= out.lowest && out.entry < out.highest);
	/* Truncated, it must fail cleanly. */
	assert_int_equal(elf64_check(file, n / 2, &out, msg, sizeof(msg)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_paddr_and_order),
		cmocka_unit_test(test_phdrs_anywhere),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_ident),
		cmocka_unit_test(test_type_machine),
		cmocka_unit_test(test_phdr_table),
		cmocka_unit_test(test_no_load),
		cmocka_unit_test(test_seg_count),
		cmocka_unit_test(test_seg_sizes),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_entry),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test(test_real_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
