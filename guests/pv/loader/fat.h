/* SPDX-License-Identifier: MIT */
/*
 * Read-only FAT12/16/32 over a disk image held in memory (the PV loader's
 * boot module), after Microsoft's FAT specification (fatgen103). Nothing is
 * allocated and every offset is checked against the image before use, so a
 * corrupt or hostile image gets an error, never a wild read.
 *
 * Paths are absolute, '/'-separated; each component matches a long file name
 * or the 8.3 name, case-insensitively (ASCII).
 */
#ifndef PV_LOADER_FAT_H
#define PV_LOADER_FAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAT_NAME_MAX 255 /* longest path component (an LFN) */

enum fat_status {
	FAT_OK = 0,
	FAT_E_IMAGE_SMALL = -1,  /* image shorter than the boot sector */
	FAT_E_SIGNATURE = -2,    /* no 0x55 0xAA at offset 510 */
	FAT_E_SECTOR_SIZE = -3,  /* bytes per sector not 512..4096, power of two */
	FAT_E_CLUSTER_SIZE = -4, /* sectors per cluster 0 or not a power of two */
	FAT_E_BPB = -5,          /* inconsistent geometry (counts, sizes) */
	FAT_E_VOLUME_SIZE = -6,  /* volume larger than the image */
	FAT_E_NOT_FOUND = -7,
	FAT_E_NOT_DIR = -8,      /* a path component before the last is a file */
	FAT_E_IS_DIR = -9,       /* read of a directory */
	FAT_E_PATH = -10,        /* not absolute, empty or over-long component */
	FAT_E_BAD_CLUSTER = -11, /* chain reaches a free, bad or out-of-range cluster */
	FAT_E_CHAIN_LOOP = -12,  /* chain never ends */
	FAT_E_CHAIN_LENGTH = -13, /* chain length disagrees with the file size */
	FAT_E_FILE_SIZE = -14,   /* file larger than the volume's data area */
	FAT_E_TOO_BIG = -15,     /* file larger than the caller's buffer */
};

enum fat_type { FAT12 = 12, FAT16 = 16, FAT32 = 32 };

/* Geometry from the BPB, in bytes and clusters; filled by fat_mount. */
struct fat_volume {
	const uint8_t *img;
	size_t   img_size;
	enum fat_type type;
	uint32_t sector_size;
	uint32_t cluster_size;
	uint32_t nr_clusters;  /* data clusters: valid numbers are 2..nr_clusters+1 */
	uint64_t fat_offset;   /* the FAT in use (FAT32 may disable mirroring) */
	uint64_t root_offset;  /* FAT12/16 fixed root directory */
	uint32_t root_entries; /* FAT12/16 */
	uint32_t root_cluster; /* FAT32 */
	uint64_t data_offset;  /* cluster 2 */
};

struct fat_file {
	uint32_t first_cluster; /* 0: empty file, or the FAT12/16 root */
	uint32_t size;          /* bytes; 0 for directories */
	bool     is_dir;
};

/* Validates the BPB of img[0..size) and fills v. */
int fat_mount(struct fat_volume *v, const void *img, size_t size);

/* Finds path ("/boot/menu.lst"); "/" is the root directory. */
int fat_open(const struct fat_volume *v, const char *path, struct fat_file *f);

/* Copies the whole file to buf (cap bytes); *len = its size. */
int fat_read(const struct fat_volume *v, const struct fat_file *f, void *buf, size_t cap,
	     size_t *len);

/* fat_open + fat_read. */
int fat_read_file(const struct fat_volume *v, const char *path, void *buf, size_t cap,
		  size_t *len);

/* A short English description of a status, e.g. "bad boot sector signature". */
const char *fat_strerror(int status);

#endif
