/* SPDX-License-Identifier: MIT */
/* FAT cluster chains (fatgen103 section 4) and reading a file's data. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fat.h"
#include "fat_priv.h"

/* Entries at or above these end a chain; 0xff7-style "bad" is just below. */
#define FAT12_EOC 0xff8u
#define FAT16_EOC 0xfff8u
#define FAT32_EOC 0x0ffffff8u

/* fat_mount checked that the FAT holds entries 0..nr_clusters+1. */
int fat_next(const struct fat_volume *v, uint32_t c, uint32_t *next)
{
	const uint8_t *fat = v->img + v->fat_offset;
	uint32_t val, eoc;

	switch (v->type) {
	case FAT12:
		/* 12-bit entries packed in pairs into three bytes. */
		val = fat_le16(fat + c + c / 2);
		val = c & 1 ? val >> 4 : val & 0xfff;
		eoc = FAT12_EOC;
		break;
	case FAT16:
		val = fat_le16(fat + (size_t)c * 2);
		eoc = FAT16_EOC;
		break;
	default:
		/* The top four bits are reserved. */
		val = fat_le32(fat + (size_t)c * 4) & 0x0fffffff;
		eoc = FAT32_EOC;
		break;
	}
	if (val >= eoc) {
		*next = 0;
		return FAT_OK;
	}
	if (!fat_cluster_valid(v, val))
		return FAT_E_BAD_CLUSTER;
	*next = val;
	return FAT_OK;
}

/*
 * A chain visiting more clusters than the volume has must revisit one, so
 * counting is enough to catch a loop; no visited-set is needed.
 */
int fat_chain_length(const struct fat_volume *v, uint32_t first, uint32_t *len)
{
	uint32_t c = first, n = 0;

	if (!fat_cluster_valid(v, first))
		return FAT_E_BAD_CLUSTER;
	while (c) {
		int rc;

		if (n == v->nr_clusters)
			return FAT_E_CHAIN_LOOP;
		n++;
		rc = fat_next(v, c, &c);
		if (rc)
			return rc;
	}
	*len = n;
	return FAT_OK;
}

int fat_read(const struct fat_volume *v, const struct fat_file *f, void *buf, size_t cap,
	     size_t *len)
{
	uint8_t *out = buf;
	uint32_t c = f->first_cluster, want, have = 0, done = 0;
	int rc;

	if (f->is_dir)
		return FAT_E_IS_DIR;
	if (f->size > cap)
		return FAT_E_TOO_BIG;
	/* Checked first so a bad chain leaves buf untouched. */
	want = (uint32_t)(((uint64_t)f->size + v->cluster_size - 1) / v->cluster_size);
	if (c) {
		rc = fat_chain_length(v, c, &have);
		if (rc)
			return rc;
	}
	if (have != want)
		return FAT_E_CHAIN_LENGTH;
	while (done < f->size) {
		uint32_t n = f->size - done < v->cluster_size ? f->size - done : v->cluster_size;

		memcpy(out + done, v->img + fat_cluster_offset(v, c), n);
		done += n;
		rc = fat_next(v, c, &c);
		if (rc)
			return rc;
	}
	*len = f->size;
	return FAT_OK;
}

int fat_read_file(const struct fat_volume *v, const char *path, void *buf, size_t cap,
		  size_t *len)
{
	struct fat_file f;
	int rc = fat_open(v, path, &f);

	return rc ? rc : fat_read(v, &f, buf, cap, len);
}
