/* SPDX-License-Identifier: MIT */
/*
 * FAT boot sector (BPB) validation and the volume geometry derived from it,
 * with the computations of fatgen103 section 3: the FAT type follows from the
 * count of data clusters alone, never from the type string.
 */
#include <stddef.h>
#include <stdint.h>

#include "fat.h"
#include "fat_priv.h"

/* BPB field offsets (fatgen103 section 3.1-3.3). */
#define BPB_BYTS_PER_SEC 11
#define BPB_SEC_PER_CLUS 13
#define BPB_RSVD_SEC_CNT 14
#define BPB_NUM_FATS     16
#define BPB_ROOT_ENT_CNT 17
#define BPB_TOT_SEC16    19
#define BPB_FAT_SZ16     22
#define BPB_TOT_SEC32    32
#define BPB_FAT_SZ32     36
#define BPB_EXT_FLAGS    40
#define BPB_FS_VER       42
#define BPB_ROOT_CLUS    44
#define EXT_NO_MIRRORING 0x80 /* only FAT number ExtFlags[3:0] is used */

/* fatgen103: fewer than 4085 clusters is FAT12, fewer than 65525 FAT16. */
#define FAT12_CLUSTERS_MAX 4084
#define FAT16_CLUSTERS_MAX 65524

static int is_pow2(uint32_t x)
{
	return x && !(x & (x - 1));
}

/* FAT bytes needed for entries 0..nr_clusters+1. */
static uint64_t fat_bytes_needed(enum fat_type t, uint32_t nr_clusters)
{
	uint64_t entries = (uint64_t)nr_clusters + 2;

	if (t == FAT12)
		return (entries * 3 + 1) / 2;
	return entries * (t == FAT16 ? 2 : 4);
}

static int fat32_fields(struct fat_volume *v, const uint8_t *b, uint32_t fat_size,
			uint32_t nr_fats)
{
	uint32_t ext = fat_le16(b + BPB_EXT_FLAGS);

	if (fat_le16(b + BPB_ROOT_ENT_CNT) || fat_le16(b + BPB_FAT_SZ16) ||
	    fat_le16(b + BPB_FS_VER))
		return FAT_E_BPB;
	v->root_cluster = fat_le32(b + BPB_ROOT_CLUS);
	if (!fat_cluster_valid(v, v->root_cluster))
		return FAT_E_BPB;
	if (ext & EXT_NO_MIRRORING) {
		if ((ext & 0xf) >= nr_fats)
			return FAT_E_BPB;
		v->fat_offset += (uint64_t)(ext & 0xf) * fat_size * v->sector_size;
	}
	return FAT_OK;
}

int fat_mount(struct fat_volume *v, const void *img, size_t size)
{
	const uint8_t *b = img;
	uint32_t bps, spc, rsvd, nr_fats, root_ents, fat_size, total, root_secs;
	uint64_t meta;

	*v = (struct fat_volume){ .img = img, .img_size = size };
	if (!img || size < 512)
		return FAT_E_IMAGE_SMALL;
	if (b[510] != 0x55 || b[511] != 0xaa)
		return FAT_E_SIGNATURE;
	bps = fat_le16(b + BPB_BYTS_PER_SEC);
	if (bps < 512 || bps > 4096 || !is_pow2(bps))
		return FAT_E_SECTOR_SIZE;
	spc = b[BPB_SEC_PER_CLUS];
	if (!is_pow2(spc))
		return FAT_E_CLUSTER_SIZE;
	rsvd = fat_le16(b + BPB_RSVD_SEC_CNT);
	nr_fats = b[BPB_NUM_FATS];
	root_ents = fat_le16(b + BPB_ROOT_ENT_CNT);
	fat_size = fat_le16(b + BPB_FAT_SZ16);
	if (!fat_size)
		fat_size = fat_le32(b + BPB_FAT_SZ32);
	total = fat_le16(b + BPB_TOT_SEC16);
	if (!total)
		total = fat_le32(b + BPB_TOT_SEC32);
	root_secs = (root_ents * DIR_ENTRY_SIZE + bps - 1) / bps;
	meta = rsvd + (uint64_t)nr_fats * fat_size + root_secs;
	if (!rsvd || !nr_fats || !fat_size || meta >= total)
		return FAT_E_BPB;
	if ((uint64_t)total * bps > size)
		return FAT_E_VOLUME_SIZE;

	v->sector_size = bps;
	v->cluster_size = bps * spc;
	v->nr_clusters = (uint32_t)((total - meta) / spc);
	v->type = v->nr_clusters <= FAT12_CLUSTERS_MAX ? FAT12 :
		  v->nr_clusters <= FAT16_CLUSTERS_MAX ? FAT16 : FAT32;
	v->fat_offset = (uint64_t)rsvd * bps;
	v->root_offset = (rsvd + (uint64_t)nr_fats * fat_size) * bps;
	v->root_entries = root_ents;
	v->data_offset = meta * bps;
	if (!v->nr_clusters ||
	    fat_bytes_needed(v->type, v->nr_clusters) > (uint64_t)fat_size * bps)
		return FAT_E_BPB;
	if (v->type == FAT32)
		return fat32_fields(v, b, fat_size, nr_fats);
	return root_ents ? FAT_OK : FAT_E_BPB;
}

const char *fat_strerror(int status)
{
	switch (status) {
	case FAT_OK: return "ok";
	case FAT_E_IMAGE_SMALL: return "image smaller than a boot sector";
	case FAT_E_SIGNATURE: return "bad boot sector signature";
	case FAT_E_SECTOR_SIZE: return "sector size is not 512..4096 and a power of two";
	case FAT_E_CLUSTER_SIZE: return "sectors per cluster is not a power of two";
	case FAT_E_BPB: return "inconsistent BPB geometry";
	case FAT_E_VOLUME_SIZE: return "volume larger than the image";
	case FAT_E_NOT_FOUND: return "no such file or directory";
	case FAT_E_NOT_DIR: return "not a directory";
	case FAT_E_IS_DIR: return "is a directory";
	case FAT_E_PATH: return "bad path";
	case FAT_E_BAD_CLUSTER: return "cluster chain reaches a free, bad or out-of-range cluster";
	case FAT_E_CHAIN_LOOP: return "cluster chain loops";
	case FAT_E_CHAIN_LENGTH: return "cluster chain length does not match the file size";
	case FAT_E_FILE_SIZE: return "file larger than the volume";
	case FAT_E_TOO_BIG: return "file larger than the buffer";
	}
	return "unknown FAT error";
}
