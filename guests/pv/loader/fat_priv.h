/* SPDX-License-Identifier: MIT */
/* Helpers shared by fat.c, fat_chain.c and fat_dir.c; not part of the API. */
#ifndef PV_LOADER_FAT_PRIV_H
#define PV_LOADER_FAT_PRIV_H

#include <stdint.h>

#include "fat.h"

/* Directory entry layout (fatgen103 section 6). */
#define DIR_ENTRY_SIZE 32
#define DIR_NAME       0
#define DIR_ATTR       11
#define DIR_CLUS_HI    20
#define DIR_CLUS_LO    26
#define DIR_SIZE       28
#define ATTR_VOLUME_ID 0x08
#define ATTR_DIRECTORY 0x10
#define ATTR_LONG_NAME 0x0f /* read-only|hidden|system|volume-id together */
#define ATTR_LONG_MASK 0x3f

static inline uint32_t fat_le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static inline uint32_t fat_le32(const uint8_t *p)
{
	return fat_le16(p) | fat_le16(p + 2) << 16;
}

static inline uint64_t fat_cluster_offset(const struct fat_volume *v, uint32_t c)
{
	return v->data_offset + (uint64_t)(c - 2) * v->cluster_size;
}

static inline int fat_cluster_valid(const struct fat_volume *v, uint32_t c)
{
	return c >= 2 && c - 2 < v->nr_clusters;
}

/* The cluster after c (valid), or 0 at the end of the chain. */
int fat_next(const struct fat_volume *v, uint32_t c, uint32_t *next);

/* Walks the whole chain from first: its length, or the error in it. */
int fat_chain_length(const struct fat_volume *v, uint32_t first, uint32_t *len);

#endif
