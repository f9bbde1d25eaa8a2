/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the PV loader's ELF check (guests/pv/loader/elf_check.c).
 * The files are built here field by field, so each test states exactly
 * what is wrong with the kernel it hands over.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <elf_check.h>

#define MiB       0x100000ULL
#define LOAD_END  (12 * MiB)
#define PHOFF     64
#define PT_LOAD   1
#define PT_NOTE   4
#define PF_X      1
#define PF_W      2
#define PF_R      4

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

/* One byte of slack in front lets a test misalign the file. */
static uint8_t file_buf[1 + 8192];
static uint8_t *file = file_buf;
static struct elf_image img;

static struct ehdr *eh(void)
{
	return (struct ehdr *)file;
}

static struct phdr *ph(unsigned i)
{
	return (struct phdr *)(file + PHOFF + i * sizeof(struct phdr));
}

/* A kernel as pv.lds links one: text at 1 MiB, data after it with BSS. */
static void make_kernel(void)
{
	memset(file_buf, 0, sizeof(file_buf));
	file = file_buf;
	memcpy(eh()->ident, "\177ELF\2\1\1", 7);
	eh()->type = 2;
	eh()->machine = 62;
	eh()->version = 1;
	eh()->entry = MiB + 0x10;
	eh()->phoff = PHOFF;
	eh()->ehsize = 64;
	eh()->phentsize = sizeof(struct phdr);
	eh()->phnum = 3;
	*ph(0) = (struct phdr){ PT_LOAD, PF_R | PF_X, 0x1000, MiB, MiB, 0x800, 0x800, 0x1000 };
	*ph(1) = (struct phdr){ PT_NOTE, PF_R, 0x200, 0, 0, 0x20, 0x20, 4 };
	*ph(2) = (struct phdr){ PT_LOAD, PF_R | PF_W, 0x1800, MiB + 0x1800, MiB + 0x1800, 0x100,
				0x5000, 0x1000 };
}

static int check(size_t size)
{
	return elf_check(file, size, MiB, LOAD_END, &img);
}

static void test_kernel_accepted(void **state)
{
	(void)state;
	make_kernel();
	assert_int_equal(check(0x2000), ELF_OK);
	assert_int_equal(img.entry, MiB + 0x10);
	assert_int_equal(img.nr_segments, 2); /* the PT_NOTE is not loaded */
	assert_int_equal(img.seg[0].offset, 0x1000);
	assert_int_equal(img.seg[0].vaddr, MiB);
	assert_int_equal(img.seg[0].filesz, 0x800);
	assert_int_equal(img.seg[0].memsz, 0x800);
	assert_int_equal(img.seg[1].offset, 0x1800);
	assert_int_equal(img.seg[1].vaddr, MiB + 0x1800);
	assert_int_equal(img.seg[1].filesz, 0x100);
	assert_int_equal(img.seg[1].memsz, 0x5000);
	assert_int_equal(img.end, MiB + 0x6800);

	/* At an odd address, as a file inside a disk image may be. */
	memmove(file_buf + 1, file_buf, sizeof(file_buf) - 1);
	file = file_buf + 1;
	assert_int_equal(check(0x2000), ELF_OK);
	assert_int_equal(img.end, MiB + 0x6800);
}

static void test_edges_accepted(void **state)
{
	(void)state;
	make_kernel();
	/* The last segment may end exactly at load_end and its data at the file's end. */
	ph(2)->vaddr = LOAD_END - 0x5000;
	assert_int_equal(check(0x1900), ELF_OK);
	assert_int_equal(img.end, LOAD_END);
	/* A PT_LOAD without memory is nothing to load. */
	ph(1)->type = PT_LOAD;
	ph(1)->filesz = ph(1)->memsz = 0;
	assert_int_equal(check(0x1900), ELF_OK);
	assert_int_equal(img.nr_segments, 2);
}

static void test_not_an_executable(void **state)
{
	static const struct { size_t off; uint8_t val; } bad[] = {
		{ 0, 0x7e },   /* magic */
		{ 3, 'G' },
		{ 4, 1 },      /* ELFCLASS32 */
		{ 5, 2 },      /* big-endian */
		{ 6, 0 },      /* version */
		{ 16, 3 },     /* ET_DYN: a PIE would need relocating */
		{ 16, 1 },     /* ET_REL */
		{ 18, 3 },     /* EM_386 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		make_kernel();
		file[bad[i].off] = bad[i].val;
		assert_int_equal(check(0x2000), ELF_E_NOT_EXEC);
	}
	make_kernel();
	assert_int_equal(check(63), ELF_E_NOT_EXEC);
	assert_int_equal(elf_check("menu.lst", 8, MiB, LOAD_END, &img), ELF_E_NOT_EXEC);
}

static void test_program_headers(void **state)
{
	(void)state;
	make_kernel();
	assert_int_equal(check(PHOFF + 3 * sizeof(struct phdr) - 1), ELF_E_PHDRS);
	make_kernel();
	eh()->phentsize = 32;
	assert_int_equal(check(0x2000), ELF_E_PHDRS);
	make_kernel();
	eh()->phoff = UINT64_MAX - 8; /* phoff + table wraps */
	assert_int_equal(check(0x2000), ELF_E_PHDRS);
	make_kernel();
	eh()->phnum = 0;
	assert_int_equal(check(0x2000), ELF_E_NO_LOAD);
	make_kernel();
	ph(0)->type = ph(2)->type = PT_NOTE;
	assert_int_equal(check(0x2000), ELF_E_NO_LOAD);
}

static void test_segment_file(void **state)
{
	(void)state;
	make_kernel();
	assert_int_equal(check(0x18ff), ELF_E_SEGMENT_FILE); /* data segment cut short */
	make_kernel();
	ph(0)->filesz = 0x801; /* more file than memory */
	assert_int_equal(check(0x2000), ELF_E_SEGMENT_FILE);
	make_kernel();
	ph(2)->offset = UINT64_MAX - 0x10; /* offset + filesz wraps */
	assert_int_equal(check(0x2000), ELF_E_SEGMENT_FILE);
}

static void test_segment_placement(void **state)
{
	(void)state;
	make_kernel();
	ph(0)->vaddr = 0x7c00;
	assert_int_equal(check(0x2000), ELF_E_SEGMENT_LOW);
	make_kernel();
	ph(2)->vaddr = LOAD_END - 0x4fff; /* one byte into the loader's buffers */
	assert_int_equal(check(0x2000), ELF_E_SEGMENT_HIGH);
	make_kernel();
	ph(2)->vaddr = UINT64_MAX - 0x100; /* vaddr + memsz wraps */
	assert_int_equal(check(0x2000), ELF_E_SEGMENT_HIGH);
	make_kernel();
	ph(2)->vaddr = MiB + 0x7ff; /* last byte of the text */
	assert_int_equal(check(0x2000), ELF_E_OVERLAP);
	make_kernel();
	ph(2)->vaddr = MiB - 0x5000 + 1; /* data's BSS reaches the text's first byte */
	assert_int_equal(elf_check(file, 0x2000, 0, LOAD_END, &img), ELF_E_OVERLAP);
}

static void test_too_many_segments(void **state)
{
	(void)state;
	make_kernel();
	eh()->phnum = ELF_SEGMENTS_MAX + 1;
	eh()->entry = MiB;
	for (unsigned i = 0; i < ELF_SEGMENTS_MAX + 1; i++)
		*ph(i) = (struct phdr){ PT_LOAD, PF_R | PF_X, 0x1000, MiB + i * 0x1000, 0, 0x10,
					0x10, 0x1000 };
	assert_int_equal(check(0x2000), ELF_E_TOO_MANY);
	eh()->phnum = ELF_SEGMENTS_MAX;
	assert_int_equal(check(0x2000), ELF_OK);
	assert_int_equal(img.nr_segments, ELF_SEGMENTS_MAX);
}

static void test_entry(void **state)
{
	(void)state;
	make_kernel();
	eh()->entry = MiB + 0x800; /* just past the text */
	assert_int_equal(check(0x2000), ELF_E_ENTRY);
	eh()->entry = MiB + 0x1800; /* in the data, which is not executable */
	assert_int_equal(check(0x2000), ELF_E_ENTRY);
	eh()->entry = MiB + 0x7ff;
	assert_int_equal(check(0x2000), ELF_OK);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(elf_strerror(ELF_E_NOT_EXEC), "not an ELF64 x86-64 executable");
	assert_string_equal(elf_strerror(ELF_E_PHDRS), "program headers outside the file");
	for (int s = ELF_E_ENTRY; s <= ELF_OK; s++)
		assert_string_not_equal(elf_strerror(s), "unknown ELF status");
	assert_string_equal(elf_strerror(-100), "unknown ELF status");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kernel_accepted),
		cmocka_unit_test(test_edges_accepted),
		cmocka_unit_test(test_not_an_executable),
		cmocka_unit_test(test_program_headers),
		cmocka_unit_test(test_segment_file),
		cmocka_unit_test(test_segment_placement),
		cmocka_unit_test(test_too_many_segments),
		cmocka_unit_test(test_entry),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
