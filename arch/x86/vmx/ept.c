/* SPDX-License-Identifier: MIT */
/* EPT building and lookup; see ept.h. */
#include "ept.h"
#include <keel/errno.h>
#include <stddef.h>

#define SZ_4K 0x1000ULL
#define SZ_2M 0x200000ULL

static inline uint64_t *table(uint64_t pa) { return (uint64_t *)(uintptr_t)pa; }

static unsigned index_of(uint64_t gpa, int level) { return (gpa >> (12 + 9 * level)) & 511; }

int ept_init(struct ept *e)
{
	e->root = e->alloc_table(e->ctx);
	return e->root ? 0 : -ENOMEM;
}

/*
 * The table that holds the level-`level` entry for gpa, allocating on the
 * way; NULL with *err set when out of memory or a large leaf covers gpa.
 */
static uint64_t *walk_create(struct ept *e, uint64_t gpa, int level, int *err)
{
	uint64_t *t = table(e->root);

	for (int l = 3; l > level; l--) {
		uint64_t *ent = &t[index_of(gpa, l)];

		if (*ent & EPT_LARGE) {
			*err = -EEXIST;
			return NULL;
		}
		if (!(*ent & EPT_RWX)) {
			uint64_t pa = e->alloc_table(e->ctx);

			if (!pa) {
				*err = -ENOMEM;
				return NULL;
			}
			/* Non-leaf entries grant everything; leaves restrict. */
			*ent = pa | EPT_RWX;
		}
		t = table(*ent & EPT_ADDR);
	}
	return t;
}

static bool table_empty(const uint64_t *t)
{
	for (unsigned i = 0; i < 512; i++)
		if (t[i])
			return false;
	return true;
}

int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t flags)
{
	if ((gpa | hpa | size) & (SZ_4K - 1) || gpa + size < gpa || gpa + size > (1ULL << 48) ||
	    hpa + size > (1ULL << 52) || (flags & EPT_ADDR))
		return -EINVAL;
	while (size) {
		bool large = e->large_ok && !((gpa | hpa) & (SZ_2M - 1)) && size >= SZ_2M;
		int level = large ? 1 : 0;
		uint64_t step = large ? SZ_2M : SZ_4K;
		int err = 0;
		uint64_t *t = walk_create(e, gpa, level, &err);
		uint64_t *ent;

		if (!t)
			return err;
		ent = &t[index_of(gpa, level)];
		/* A 2 MiB leaf may not replace a table that holds 4 KiB leaves. */
		if (*ent && !(large && !(*ent & EPT_LARGE) && table_empty(table(*ent & EPT_ADDR))))
			return -EEXIST;
		*ent = hpa | flags | (large ? EPT_LARGE : 0);
		gpa += step;
		hpa += step;
		size -= step;
	}
	return 0;
}

/* The level-0 (4 KiB) or level-1 (2 MiB) leaf for gpa, or NULL if unmapped. */
static uint64_t *find_leaf(const struct ept *e, uint64_t gpa, int *level)
{
	uint64_t *t = table(e->root);

	for (int l = 3; l >= 0; l--) {
		uint64_t *ent = &t[index_of(gpa, l)];

		if (!(*ent & EPT_RWX))
			return NULL;
		if (l == 0 || (*ent & EPT_LARGE)) {
			*level = l;
			return l <= 1 ? ent : NULL; /* Keel never maps 1 GiB leaves */
		}
		t = table(*ent & EPT_ADDR);
	}
	return NULL;
}

/* Replace a 2 MiB leaf by a table of 512 4 KiB leaves with the same flags. */
static int split_large(struct ept *e, uint64_t *ent)
{
	uint64_t pa = e->alloc_table(e->ctx), base = *ent & EPT_ADDR & ~(SZ_2M - 1);
	uint64_t flags = *ent & ~EPT_ADDR & ~EPT_LARGE;
	uint64_t *t = table(pa);

	if (!pa)
		return -ENOMEM;
	for (unsigned i = 0; i < 512; i++)
		t[i] = (base + i * SZ_4K) | flags;
	*ent = pa | EPT_RWX;
	return 0;
}

int ept_protect(struct ept *e, uint64_t gpa, uint64_t size, uint64_t perms)
{
	if ((gpa | size) & (SZ_4K - 1) || gpa + size < gpa || (perms & ~EPT_RWX))
		return -EINVAL;
	while (size) {
		int level, err;
		uint64_t *ent = find_leaf(e, gpa, &level);

		if (!ent)
			return -ENOENT;
		if (level == 1 && ((gpa & (SZ_2M - 1)) || size < SZ_2M)) {
			err = split_large(e, ent);
			if (err)
				return err;
			continue; /* walk again, now down to the 4 KiB leaf */
		}
		/* No rights at all: the entry goes, so ept_map() may use the slot again. */
		*ent = perms ? (*ent & ~EPT_RWX) | perms : 0;
		gpa += level ? SZ_2M : SZ_4K;
		size -= level ? SZ_2M : SZ_4K;
	}
	return 0;
}

int ept_lookup(const struct ept *e, uint64_t gpa, uint64_t *hpa, uint64_t *flags)
{
	const uint64_t *t = table(e->root);

	if (gpa >> 48)
		return -ENOENT;
	for (int l = 3; l >= 0; l--) {
		uint64_t ent = t[index_of(gpa, l)];

		if (!(ent & EPT_RWX))
			return -ENOENT;
		if (l == 0 || (l <= 2 && (ent & EPT_LARGE))) {
			uint64_t mask = (1ULL << (12 + 9 * l)) - 1;

			*hpa = (ent & EPT_ADDR & ~mask) | (gpa & mask);
			*flags = ent & ~EPT_ADDR;
			return 0;
		}
		t = table(ent & EPT_ADDR);
	}
	return -ENOENT;
}
