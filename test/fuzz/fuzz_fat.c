/* SPDX-License-Identifier: MIT */
/*
 * A disk image as the PV boot loader reads it (guests/pv/loader/fat*.c):
 * mounted, then the paths pvboot opens (menu.lst, and each entry's kernel
 * and module, checked with elf_check as pvboot_load.c does) and others
 * that walk the tree, each opened and read.
 *
 * The input is the image itself, or, if it starts with SPARSE_MAGIC, a
 * sparse one: a 32-bit image size, then records of a 32-bit offset, a
 * 16-bit length and that many bytes, on an image of zeros. FAT16 and FAT32
 * need thousands of clusters, megabytes a raw seed could not hold. The
 * image always ends at the end of its buffer, so ASan sees a read past it.
 */
#include <stdlib.h>
#include <string.h>

#include "elf_check.h"
#include "fat.h"
#include "fuzz.h"
#include "menu_lst.h"

#define SPARSE_MAGIC "KFATSPRS"
#define SPARSE_MAX   (40u << 20) /* FAT32's 65525 clusters of 512 bytes, and room */
#define READ_CAP     (1u << 20)  /* the most one read gets here */
#define RECORDS_MAX  256

static uint8_t *sparse;
static struct { uint32_t off, len; } dirty[RECORDS_MAX];
static unsigned nr_dirty;

/* The image in the sparse buffer's last size bytes; records written in. */
static const uint8_t *unpack(const uint8_t *data, size_t n, size_t *size)
{
	struct fuzz_in in = { data, n, 8 };
	uint8_t *img;

	if (!sparse)
		sparse = calloc(1, SPARSE_MAX);
	*size = fuzz_le(&in, 4) % (SPARSE_MAX + 1);
	img = sparse + SPARSE_MAX - *size;
	while (fuzz_more(&in) && nr_dirty < RECORDS_MAX) {
		uint32_t off = (uint32_t)fuzz_le(&in, 4), len = fuzz_u16(&in);

		if (off >= *size)
			continue;
		if (len > *size - off)
			len = (uint32_t)(*size - off);
		if (!fuzz_more(&in))
			break;
		if (len > in.n - in.at)
			len = (uint32_t)(in.n - in.at);
		memcpy(img + off, in.p + in.at, len);
		in.at += len;
		dirty[nr_dirty].off = off;
		dirty[nr_dirty++].len = len;
	}
	return img;
}

static void repack(const uint8_t *img)
{
	while (nr_dirty--)
		memset((uint8_t *)img + dirty[nr_dirty].off, 0, dirty[nr_dirty].len);
	nr_dirty = 0;
}

static void check_status(int rc)
{
	const char *why = fat_strerror(rc);

	FUZZ_CHECK(rc <= FAT_OK && rc >= FAT_E_TOO_BIG, "a status of enum fat_status");
	FUZZ_CHECK(strcmp(why, "unknown FAT error"), "every status has a description");
}

/* Open and read path as pvboot does; the bytes read (malloc'd) or NULL. */
static uint8_t *read_path(const struct fat_volume *v, const char *path, size_t *len)
{
	struct fat_file f;
	uint8_t *buf;
	size_t cap;
	int rc = fat_open(v, path, &f);

	check_status(rc);
	if (rc)
		return NULL;
	FUZZ_CHECK(!f.is_dir || !f.size, "a directory has size 0");
	cap = f.size < READ_CAP ? f.size : READ_CAP;
	buf = malloc(cap ? cap : 1);
	*len = ~(size_t)0;
	rc = fat_read(v, &f, buf, cap, len);
	check_status(rc);
	FUZZ_CHECK(!f.is_dir || rc == FAT_E_IS_DIR, "reading a directory is refused");
	if (rc) {
		free(buf);
		return NULL;
	}
	FUZZ_CHECK(*len == f.size && *len <= cap, "a read returns the whole file, within the buffer");
	return buf;
}

/* What pvboot_boot() does with an entry: its kernel checked as an ELF, its module read. */
static void boot_entry(const struct fat_volume *v, const struct menu_entry *e)
{
	struct elf_image img;
	size_t len;
	uint8_t *kernel = read_path(v, e->kernel, &len), *mod;

	if (kernel) {
		elf_check(kernel, len, 0x100000, 0x4000000, &img);
		free(kernel);
	}
	mod = read_path(v, e->nr_modules ? e->modules[0].path : e->initrd, &len);
	free(mod);
}

static void walk(const struct fat_volume *v)
{
	static const char *const paths[] = {
		"/", "/boot", "/boot/", "//boot//menu.lst", "/BOOT/MENU.LST", "/boot/kernel.elf",
		"/boot/vmlinuz-6.1.0-keel-amd64", "/many/f59.txt", "/empty.txt", "/hello.elf",
		"/boot/.", "/boot/..", "/a/b/c/d/e/f/g/h", "relative", "", "/boot/menu.lst/x",
		"/many", "/many/", "/A~1", "/BOOT~1/MENU~1.LST",
	};
	static struct menu menu;
	struct menu_error err;
	char longname[300];
	size_t len;
	uint8_t *text;

	/* pvboot: /boot/menu.lst, else /menu.lst. */
	text = read_path(v, "/boot/menu.lst", &len);
	if (!text)
		text = read_path(v, "/menu.lst", &len);
	if (text && !menu_parse((const char *)text, len, &menu, &err))
		for (uint32_t i = 0; i < menu.nr_entries; i++)
			boot_entry(v, &menu.entries[i]);
	free(text);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		free(read_path(v, paths[i], &len));
	for (size_t n = FAT_NAME_MAX; n <= FAT_NAME_MAX + 1; n++) {
		longname[0] = '/';
		memset(longname + 1, 'a', n);
		longname[n + 1] = '\0';
		free(read_path(v, longname, &len));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool is_sparse = size >= 8 && !memcmp(data, SPARSE_MAGIC, 8);
	const uint8_t *img = is_sparse ? unpack(data, size, &size) : data;
	struct fat_volume v;
	int rc = fat_mount(&v, img, size);

	check_status(rc);
	if (!rc) {
		FUZZ_CHECK(v.data_offset <= size &&
			   (uint64_t)v.nr_clusters * v.cluster_size <= size - v.data_offset,
			   "the data area lies inside the image");
		FUZZ_CHECK(v.type == FAT32 || v.root_offset + (uint64_t)v.root_entries * 32 <=
			   v.data_offset, "the root directory lies before the data area");
		FUZZ_CHECK((v.type == FAT12) == (v.nr_clusters < 4085) &&
			   (v.type == FAT32) == (v.nr_clusters >= 65525),
			   "the FAT type follows the cluster count (fatgen103)");
		walk(&v);
	}
	if (is_sparse)
		repack(img);
	return 0;
}
