/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the PV loader's FAT reader (guests/pv/loader/fat*.c) on real
 * FAT12/16/32 images that test/unit/mkfatimg.sh builds with mtools and
 * mkfs.fat into build/unit/fat/, next to this program: every file must come
 * back byte for byte, and corrupted copies must be refused with the right
 * status. The corruptions are made with this file's own FAT accessors, not
 * the reader's.
 */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fat.h>
#include <menu_lst.h>

#define NR_IMGS 3

struct blob {
	uint8_t *p;
	size_t n;
};

static char dir[4096];
static struct blob imgs[NR_IMGS];
static const enum fat_type types[NR_IMGS] = { FAT12, FAT16, FAT32 };
static uint8_t buf[256 * 1024];

static struct blob load(const char *name)
{
	char path[4200];
	struct blob b = { 0 };
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (made by test/unit/mkfatimg.sh)", path);
	fseek(f, 0, SEEK_END);
	b.n = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	b.p = malloc(b.n + 1);
	assert_non_null(b.p);
	assert_int_equal(fread(b.p, 1, b.n, f), b.n);
	fclose(f);
	return b;
}

static struct blob copy_of(int i)
{
	struct blob b = { malloc(imgs[i].n), imgs[i].n };

	assert_non_null(b.p);
	memcpy(b.p, imgs[i].p, b.n);
	return b;
}

static uint32_t le(const uint8_t *p, int bytes)
{
	uint32_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static void put_le(uint8_t *p, int bytes, uint32_t v)
{
	for (int i = 0; i < bytes; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* FAT number `which` of the image, from the BPB (fatgen103 section 3). */
static uint8_t *fat_table(uint8_t *im, unsigned which)
{
	uint32_t bps = le(im + 11, 2), fatsz = le(im + 22, 2);

	if (!fatsz)
		fatsz = le(im + 36, 4);
	return im + (le(im + 14, 2) + which * fatsz) * bps;
}

static uint32_t fat_get(uint8_t *im, enum fat_type t, uint32_t c)
{
	uint8_t *fat = fat_table(im, 0);

	if (t == FAT12)
		return c & 1 ? le(fat + c * 3 / 2, 2) >> 4 : le(fat + c * 3 / 2, 2) & 0xfff;
	return t == FAT16 ? le(fat + c * 2, 2) : le(fat + c * 4, 4) & 0x0fffffff;
}

static int is_eoc(enum fat_type t, uint32_t val)
{
	return val >= (t == FAT12 ? 0xff8u : t == FAT16 ? 0xfff8u : 0x0ffffff8u);
}

static void fat_set(uint8_t *im, enum fat_type t, unsigned which, uint32_t c, uint32_t val)
{
	uint8_t *fat = fat_table(im, which);
	uint32_t w;

	if (t == FAT12) {
		w = le(fat + c * 3 / 2, 2);
		w = c & 1 ? (w & 0x000f) | val << 4 : (w & 0xf000) | val;
		put_le(fat + c * 3 / 2, 2, w);
	} else if (t == FAT16) {
		put_le(fat + c * 2, 2, val);
	} else {
		put_le(fat + c * 4, 4, (le(fat + c * 4, 4) & 0xf0000000) | val);
	}
}

static int mount(struct fat_volume *v, const struct blob *b)
{
	return fat_mount(v, b->p, b->n);
}

/* Reads path and checks it is exactly src/<name>. */
static void same_as_src(const struct fat_volume *v, const char *path, const char *name)
{
	char srcname[64];
	struct blob want;
	size_t len = 1;
	int rc;

	snprintf(srcname, sizeof(srcname), "src/%s", name);
	want = load(srcname);
	memset(buf, 0xee, sizeof(buf));
	rc = fat_read_file(v, path, buf, sizeof(buf), &len);
	if (rc)
		fail_msg("FAT%d %s: %s", v->type, path, fat_strerror(rc));
	assert_int_equal(len, want.n);
	assert_memory_equal(buf, want.p, want.n);
	assert_int_equal(buf[want.n], 0xee); /* nothing written past the file */
	free(want.p);
}

static void test_mount_finds_type(void **state)
{
	struct fat_volume v;

	(void)state;
	for (int i = 0; i < NR_IMGS; i++) {
		assert_int_equal(mount(&v, &imgs[i]), FAT_OK);
		assert_int_equal(v.type, types[i]);
		assert_int_equal(v.sector_size, 512);
	}
	assert_int_equal(v.cluster_size, 512); /* FAT32 made with -s 1 */
	assert_true(v.nr_clusters >= 65525);
}

static void test_reads_exact_bytes(void **state)
{
	struct fat_volume v;
	struct fat_file f;
	size_t len = 99;

	(void)state;
	for (int i = 0; i < NR_IMGS; i++) {
		assert_int_equal(mount(&v, &imgs[i]), FAT_OK);
		same_as_src(&v, "/boot/menu.lst", "menu.lst");
		same_as_src(&v, "/boot/kernel.elf", "kernel.elf");
		same_as_src(&v, "/boot/module.bin", "module.bin");
		/* A long name, case-insensitively, and its 8.3 alias. */
		same_as_src(&v, "/boot/vmlinuz-6.1.0-keel-amd64", "vmlinuz");
		same_as_src(&v, "/BOOT/VMLinuz-6.1.0-KEEL-amd64", "vmlinuz");
		same_as_src(&v, "/boot/vmlinu~1.0-k", "vmlinuz");
		same_as_src(&v, "/Boot/MENU.LST", "menu.lst");
		/* A directory of several clusters on FAT12/32 (512-byte clusters). */
		same_as_src(&v, "/many/f00.txt", "many/f00.txt");
		same_as_src(&v, "/many/f59.txt", "many/f59.txt");
		assert_int_equal(fat_read_file(&v, "/empty.txt", buf, 0, &len), FAT_OK);
		assert_int_equal(len, 0);
		assert_int_equal(fat_open(&v, "/", &f), FAT_OK);
		assert_true(f.is_dir);
		assert_int_equal(fat_open(&v, "/boot", &f), FAT_OK);
		assert_true(f.is_dir);
	}
}

static void test_lookup_errors(void **state)
{
	struct fat_volume v;
	struct fat_file f;
	char longname[300];
	size_t len;

	(void)state;
	memset(longname, 'a', sizeof(longname));
	longname[0] = '/';
	longname[257] = '\0'; /* a 256-character component */
	for (int i = 0; i < NR_IMGS; i++) {
		assert_int_equal(mount(&v, &imgs[i]), FAT_OK);
		assert_int_equal(fat_open(&v, "/boot/menu.ls", &f), FAT_E_NOT_FOUND);
		assert_int_equal(fat_open(&v, "/many/f60.txt", &f), FAT_E_NOT_FOUND);
		assert_int_equal(fat_open(&v, "/boot/vmlinuz-6.1.0-keel", &f), FAT_E_NOT_FOUND);
		assert_int_equal(fat_open(&v, "/boot/menu.lst/x", &f), FAT_E_NOT_DIR);
		assert_int_equal(fat_read_file(&v, "/boot", buf, sizeof(buf), &len), FAT_E_IS_DIR);
		assert_int_equal(fat_open(&v, "boot/menu.lst", &f), FAT_E_PATH);
		assert_int_equal(fat_open(&v, "", &f), FAT_E_PATH);
		assert_int_equal(fat_open(&v, "//boot", &f), FAT_E_PATH);
		assert_int_equal(fat_open(&v, "/boot/", &f), FAT_E_PATH);
		assert_int_equal(fat_open(&v, "/boot/../boot/menu.lst", &f), FAT_E_PATH);
		assert_int_equal(fat_open(&v, "/./boot", &f), FAT_E_PATH);
		assert_int_equal(fat_open(&v, longname, &f), FAT_E_PATH);
		/* One byte short: refused, and the buffer is not touched. */
		memset(buf, 0xee, sizeof(buf));
		len = 7;
		assert_int_equal(fat_read_file(&v, "/boot/module.bin", buf, 1536, &len),
				 FAT_E_TOO_BIG);
		assert_int_equal(buf[0], 0xee);
		assert_int_equal(len, 7);
		assert_int_equal(fat_read_file(&v, "/boot/module.bin", buf, 1537, &len), FAT_OK);
	}
	assert_string_equal(fat_strerror(FAT_E_NOT_FOUND), "no such file or directory");
	assert_string_equal(fat_strerror(FAT_E_TOO_BIG), "file larger than the buffer");
}

/* Mounts a copy of image i after poke(), expecting status want. */
static void bpb_case(int i, size_t off, int bytes, uint32_t val, int want)
{
	struct blob b = copy_of(i);
	struct fat_volume v;
	int rc;

	put_le(b.p + off, bytes, val);
	rc = mount(&v, &b);
	if (rc != want)
		fail_msg("FAT%d: byte %zu := %#x gave '%s', expected '%s'", types[i], off, val,
			 fat_strerror(rc), fat_strerror(want));
	free(b.p);
}

static void test_bad_bpb_refused(void **state)
{
	struct fat_volume v;

	(void)state;
	for (int i = 0; i < NR_IMGS; i++) {
		bpb_case(i, 510, 2, 0, FAT_E_SIGNATURE);
		bpb_case(i, 511, 1, 0x55, FAT_E_SIGNATURE);
		bpb_case(i, 11, 2, 0, FAT_E_SECTOR_SIZE);
		bpb_case(i, 11, 2, 256, FAT_E_SECTOR_SIZE);
		bpb_case(i, 11, 2, 1000, FAT_E_SECTOR_SIZE);
		bpb_case(i, 11, 2, 8192, FAT_E_SECTOR_SIZE);
		bpb_case(i, 13, 1, 0, FAT_E_CLUSTER_SIZE);
		bpb_case(i, 13, 1, 3, FAT_E_CLUSTER_SIZE);
		bpb_case(i, 14, 2, 0, FAT_E_BPB);   /* no reserved sectors */
		bpb_case(i, 16, 1, 0, FAT_E_BPB);   /* no FATs */
		/* FATs past the volume's end; more sectors than the image has. */
		if (le(imgs[i].p + 22, 2))
			bpb_case(i, 22, 2, 0xffff, FAT_E_BPB);
		else
			bpb_case(i, 36, 4, 0xffffff, FAT_E_BPB);
		if (le(imgs[i].p + 19, 2))
			bpb_case(i, 19, 2, 0xffff, FAT_E_VOLUME_SIZE);
		else
			bpb_case(i, 32, 4, 0xffffffff, FAT_E_VOLUME_SIZE);
	}
	/* The whole BPB clobbered; a FAT too small for its clusters. */
	bpb_case(0, 11, 4, 0, FAT_E_SECTOR_SIZE);
	bpb_case(0, 22, 2, 1, FAT_E_BPB);
	bpb_case(1, 22, 2, 2, FAT_E_BPB);
	bpb_case(2, 36, 4, 10, FAT_E_BPB);
	bpb_case(0, 17, 2, 0, FAT_E_BPB);       /* FAT12 without a root directory */
	bpb_case(2, 17, 2, 512, FAT_E_BPB);     /* FAT32 with a FAT16 root */
	bpb_case(2, 44, 4, 0, FAT_E_BPB);       /* FAT32 root cluster */
	bpb_case(2, 44, 4, 0x0fffffff, FAT_E_BPB);
	bpb_case(2, 40, 2, 0x80 | 5, FAT_E_BPB); /* active FAT 5 of 2 */

	assert_int_equal(fat_mount(&v, imgs[0].p, 511), FAT_E_IMAGE_SMALL);
	assert_int_equal(fat_mount(&v, NULL, 0), FAT_E_IMAGE_SMALL);
	for (int i = 0; i < NR_IMGS; i++)
		assert_int_equal(fat_mount(&v, imgs[i].p, imgs[i].n - 512), FAT_E_VOLUME_SIZE);
	assert_string_equal(fat_strerror(FAT_E_SIGNATURE), "bad boot sector signature");
	assert_string_equal(fat_strerror(FAT_E_SECTOR_SIZE),
			    "sector size is not 512..4096 and a power of two");
	assert_string_equal(fat_strerror(-99), "unknown FAT error");
}

/* The first three clusters of a file, from this file's own FAT reading. */
static void chain3(struct blob *b, enum fat_type t, const char *path, uint32_t c[3])
{
	struct fat_volume v;
	struct fat_file f;

	assert_int_equal(mount(&v, b), FAT_OK);
	assert_int_equal(fat_open(&v, path, &f), FAT_OK);
	c[0] = f.first_cluster;
	c[1] = fat_get(b->p, t, c[0]);
	c[2] = fat_get(b->p, t, c[1]);
}

/* Reads the kernel from a copy of image i whose FAT entry for its cluster k is val. */
static void chain_case(int i, int k, uint32_t val, int want)
{
	struct blob b = copy_of(i);
	struct fat_volume v;
	uint32_t c[3];
	size_t len = 5;
	int rc;

	chain3(&b, types[i], "/boot/kernel.elf", c);
	fat_set(b.p, types[i], 0, c[k], val == UINT32_MAX ? c[0] : val);
	assert_int_equal(mount(&v, &b), FAT_OK);
	memset(buf, 0xee, sizeof(buf));
	rc = fat_read_file(&v, "/boot/kernel.elf", buf, sizeof(buf), &len);
	if (rc != want)
		fail_msg("FAT%d: entry %u := %#x gave '%s', expected '%s'", types[i], c[k], val,
			 fat_strerror(rc), fat_strerror(want));
	assert_int_equal(buf[0], 0xee); /* checked before any copying */
	assert_int_equal(len, 5);
	free(b.p);
}

static void test_bad_chains_refused(void **state)
{
	static const uint32_t out_of_range[NR_IMGS] = { 0xff0, 0xfff0, 0x0ffffff0 };
	static const uint32_t bad_mark[NR_IMGS] = { 0xff7, 0xfff7, 0x0ffffff7 };
	static const uint32_t eoc[NR_IMGS] = { 0xfff, 0xffff, 0x0fffffff };

	(void)state;
	for (int i = 0; i < NR_IMGS; i++) {
		chain_case(i, 2, UINT32_MAX, FAT_E_CHAIN_LOOP); /* third -> first */
		chain_case(i, 1, 0, FAT_E_BAD_CLUSTER);          /* a free cluster */
		chain_case(i, 1, 1, FAT_E_BAD_CLUSTER);          /* reserved */
		chain_case(i, 1, out_of_range[i], FAT_E_BAD_CLUSTER);
		chain_case(i, 0, bad_mark[i], FAT_E_BAD_CLUSTER);
		chain_case(i, 1, eoc[i], FAT_E_CHAIN_LENGTH);    /* ends early */
	}
	assert_string_equal(fat_strerror(FAT_E_CHAIN_LOOP), "cluster chain loops");
}

/* Directory entry sizes that disagree with the chain or the volume. */
static void test_bad_sizes_refused(void **state)
{
	(void)state;
	for (int i = 0; i < NR_IMGS; i++) {
		struct blob b = copy_of(i);
		uint8_t *e = memmem(b.p, b.n, "KERNEL  ELF", 11);
		struct fat_volume v;
		struct fat_file f;
		size_t len;

		assert_non_null(e);
		assert_int_equal(le(e + 28, 4), 100001);
		assert_int_equal(mount(&v, &b), FAT_OK);
		put_le(e + 28, 4, 0xfffffff0);
		assert_int_equal(fat_open(&v, "/boot/kernel.elf", &f), FAT_E_FILE_SIZE);
		put_le(e + 28, 4, 1000);
		assert_int_equal(fat_read_file(&v, "/boot/kernel.elf", buf, sizeof(buf), &len),
				 FAT_E_CHAIN_LENGTH);
		free(b.p);
	}
}

static void test_directory_loop_refused(void **state)
{
	(void)state;
	for (int i = 0; i < NR_IMGS; i++) {
		struct blob b = copy_of(i);
		struct fat_volume v;
		struct fat_file f;
		uint32_t c, n = 1;

		assert_int_equal(mount(&v, &b), FAT_OK);
		assert_int_equal(fat_open(&v, "/many", &f), FAT_OK);
		for (c = f.first_cluster; !is_eoc(types[i], fat_get(b.p, types[i], c)); n++)
			c = fat_get(b.p, types[i], c);
		assert_int_equal(n, types[i] == FAT16 ? 1 : 4); /* 62 entries */
		fat_set(b.p, types[i], 0, c, f.first_cluster);
		assert_int_equal(fat_open(&v, "/many/nothere", &f), FAT_E_CHAIN_LOOP);
		free(b.p);
	}
}

/* FAT32 with mirroring off reads the FAT that ExtFlags names. */
static void test_fat32_active_fat(void **state)
{
	struct blob b = copy_of(2);
	struct fat_volume v;
	uint32_t c[3];
	size_t len;

	(void)state;
	chain3(&b, FAT32, "/boot/kernel.elf", c);
	fat_set(b.p, FAT32, 0, c[1], c[0]); /* FAT 0 loops, FAT 1 is intact */
	put_le(b.p + 40, 2, 0x81);
	assert_int_equal(mount(&v, &b), FAT_OK);
	same_as_src(&v, "/boot/kernel.elf", "kernel.elf");
	put_le(b.p + 40, 2, 0x80);
	assert_int_equal(mount(&v, &b), FAT_OK);
	assert_int_equal(fat_read_file(&v, "/boot/kernel.elf", buf, sizeof(buf), &len),
			 FAT_E_CHAIN_LOOP);
	free(b.p);
}

/* What the PV loader does: menu.lst from the image, then its default entry's files. */
static void test_boot_flow(void **state)
{
	static struct menu m;
	struct menu_error err;
	struct fat_volume v;
	size_t len;

	(void)state;
	for (int i = 0; i < NR_IMGS; i++) {
		const struct menu_entry *e;

		assert_int_equal(mount(&v, &imgs[i]), FAT_OK);
		assert_int_equal(fat_read_file(&v, "/boot/menu.lst", buf, sizeof(buf), &len), FAT_OK);
		if (menu_parse((const char *)buf, len, &m, &err))
			fail_msg("%s", err.msg);
		assert_int_equal(m.nr_entries, 2);
		assert_int_equal(m.timeout, 3);
		e = &m.entries[m.default_entry];
		assert_string_equal(e->title, "Keel test kernel");
		assert_string_equal(e->cmdline, "console=hvc0 loglevel=7");
		same_as_src(&v, e->kernel, "kernel.elf");
		assert_int_equal(e->nr_modules, 1);
		assert_string_equal(e->modules[0].args, "one two");
		same_as_src(&v, e->modules[0].path, "module.bin");
		same_as_src(&v, m.entries[0].kernel, "vmlinuz");
	}
}

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < NR_IMGS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "fat%d.img", types[i]);
		imgs[i] = load(name);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NR_IMGS; i++)
		free(imgs[i].p);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_finds_type),
		cmocka_unit_test(test_reads_exact_bytes),
		cmocka_unit_test(test_lookup_errors),
		cmocka_unit_test(test_bad_bpb_refused),
		cmocka_unit_test(test_bad_chains_refused),
		cmocka_unit_test(test_bad_sizes_refused),
		cmocka_unit_test(test_directory_loop_refused),
		cmocka_unit_test(test_fat32_active_fat),
		cmocka_unit_test(test_boot_flow),
	};
	const char *slash = strrchr(argv[0], '/');

	(void)argc;
	/* The images live in fat/ beside this program (build/unit/fat). */
	snprintf(dir, sizeof(dir), "%.*s/fat", slash ? (int)(slash - argv[0]) : 1,
		 slash ? argv[0] : ".");
	return cmocka_run_group_tests(tests, setup, teardown);
}
