/* SPDX-License-Identifier: MIT */
/*
 * Path lookup: directory entries, 8.3 names and long file names (fatgen103
 * sections 6-7). Names compare case-insensitively in ASCII; a long name with
 * other characters can still be reached by its 8.3 alias.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fat.h"
#include "fat_priv.h"

#define LFN_LAST       0x40 /* ORed into the order of the last (first stored) part */
#define LFN_PARTS_MAX  20   /* 20 x 13 characters >= 255 */
#define LFN_PART_CHARS 13
#define LFN_CHECKSUM   13
#define NAME_FREE      0xe5
#define NAME_END       0x00
#define NAME_KANJI_E5  0x05 /* stored for a real leading 0xe5 */

/* A long name being assembled from the LFN entries before a short entry. */
struct lfn {
	char     name[LFN_PARTS_MAX * LFN_PART_CHARS];
	size_t   len;
	uint32_t next_ord; /* 0 once every part has been seen */
	uint8_t  checksum; /* of the 8.3 name the parts belong to */
	bool     valid;
	bool     ascii;
};

struct wanted {
	const char *name;
	size_t      len;
	uint8_t     sfn[11];
	bool        sfn_ok; /* name has an 8.3 form */
};

enum visit { VISIT_NEXT, VISIT_FOUND, VISIT_END };

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* The 11-byte space-padded form of name, if it is a valid 8.3 name. */
static bool to_sfn(const char *name, size_t len, uint8_t sfn[11])
{
	const char *dot = memchr(name, '.', len);
	size_t base = dot ? (size_t)(dot - name) : len, ext = dot ? len - base - 1 : 0;

	if (!base || base > 8 || ext > 3 || (dot && !ext))
		return false;
	memset(sfn, ' ', 11);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (i == base)
			continue;
		if (c <= ' ' || c >= 0x7f || strchr("\"*+,./:;<=>?[\\]|", c))
			return false;
		sfn[i < base ? i : 8 + i - base - 1] = (uint8_t)upper((char)c);
	}
	return true;
}

static uint8_t sfn_checksum(const uint8_t *sfn)
{
	uint8_t sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + sfn[i]);
	return sum;
}

/* Adds one LFN entry; parts come last-first, each with order one lower. */
static void lfn_add(struct lfn *l, const uint8_t *e)
{
	static const uint8_t at[LFN_PART_CHARS] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
	uint32_t ord = e[0] & (LFN_LAST - 1);

	if (e[0] & LFN_LAST) {
		*l = (struct lfn){ .len = ord * LFN_PART_CHARS, .next_ord = ord,
				   .checksum = e[LFN_CHECKSUM], .valid = true, .ascii = true };
	}
	if (!l->valid || !ord || ord > LFN_PARTS_MAX || ord != l->next_ord ||
	    e[LFN_CHECKSUM] != l->checksum) {
		l->valid = false;
		return;
	}
	for (size_t i = 0; i < LFN_PART_CHARS; i++) {
		uint32_t u = fat_le16(e + at[i]);
		size_t pos = (ord - 1) * LFN_PART_CHARS + i;

		if (pos >= l->len) /* 0xffff padding after the terminator */
			continue;
		if (u == 0)
			l->len = pos;
		else if (u > 0x7f)
			l->ascii = false;
		else
			l->name[pos] = (char)u;
	}
	l->next_ord--;
}

static bool names_match(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (upper(a[i]) != upper(b[i]))
			return false;
	return true;
}

static bool short_matches(const struct wanted *w, const uint8_t *e)
{
	for (int i = 0; i < 11; i++) {
		uint8_t c = i == 0 && e[0] == NAME_KANJI_E5 ? NAME_FREE : e[i];

		if ((uint8_t)upper((char)c) != w->sfn[i])
			return false;
	}
	return true;
}

static int to_file(const struct fat_volume *v, const uint8_t *e, struct fat_file *f)
{
	f->first_cluster = fat_le16(e + DIR_CLUS_LO);
	if (v->type == FAT32)
		f->first_cluster |= fat_le16(e + DIR_CLUS_HI) << 16;
	f->is_dir = e[DIR_ATTR] & ATTR_DIRECTORY;
	f->size = f->is_dir ? 0 : fat_le32(e + DIR_SIZE);
	if (f->is_dir && !fat_cluster_valid(v, f->first_cluster))
		return FAT_E_BAD_CLUSTER;
	if (f->size > (uint64_t)v->nr_clusters * v->cluster_size)
		return FAT_E_FILE_SIZE;
	return FAT_OK;
}

static enum visit visit(const struct wanted *w, struct lfn *l, const uint8_t *e)
{
	bool hit;

	if (e[DIR_NAME] == NAME_END)
		return VISIT_END;
	if (e[DIR_NAME] == NAME_FREE) {
		l->valid = false;
		return VISIT_NEXT;
	}
	if ((e[DIR_ATTR] & ATTR_LONG_MASK) == ATTR_LONG_NAME) {
		lfn_add(l, e);
		return VISIT_NEXT;
	}
	hit = !(e[DIR_ATTR] & ATTR_VOLUME_ID) &&
	      ((w->sfn_ok && short_matches(w, e)) ||
	       (l->valid && !l->next_ord && l->ascii && l->len == w->len &&
		l->checksum == sfn_checksum(e) && names_match(l->name, w->name, w->len)));
	l->valid = false;
	return hit ? VISIT_FOUND : VISIT_NEXT;
}

static int lookup(const struct fat_volume *v, const struct fat_file *dir,
		  const struct wanted *w, struct fat_file *out)
{
	struct lfn l = { .valid = false };
	uint32_t per_cluster = v->cluster_size / DIR_ENTRY_SIZE, c = dir->first_cluster, n;
	const uint8_t *e;
	int rc;

	if (!c) { /* the FAT12/16 root: a fixed run of entries after the FATs */
		for (uint32_t i = 0; i < v->root_entries; i++) {
			e = v->img + v->root_offset + (uint64_t)i * DIR_ENTRY_SIZE;
			switch (visit(w, &l, e)) {
			case VISIT_FOUND: return to_file(v, e, out);
			case VISIT_END: return FAT_E_NOT_FOUND;
			case VISIT_NEXT: break;
			}
		}
		return FAT_E_NOT_FOUND;
	}
	rc = fat_chain_length(v, c, &n);
	for (; !rc && c; rc = fat_next(v, c, &c)) {
		for (uint32_t i = 0; i < per_cluster; i++) {
			e = v->img + fat_cluster_offset(v, c) + (uint64_t)i * DIR_ENTRY_SIZE;
			switch (visit(w, &l, e)) {
			case VISIT_FOUND: return to_file(v, e, out);
			case VISIT_END: return FAT_E_NOT_FOUND;
			case VISIT_NEXT: break;
			}
		}
	}
	return rc ? rc : FAT_E_NOT_FOUND;
}

int fat_open(const struct fat_volume *v, const char *path, struct fat_file *f)
{
	struct fat_file cur = { .first_cluster = v->type == FAT32 ? v->root_cluster : 0,
				.is_dir = true };
	const char *p = path;

	if (!p || *p++ != '/')
		return FAT_E_PATH;
	while (*p) { /* nothing after the first '/': the root directory */
		struct wanted w = { .name = p };
		int rc;

		while (p[w.len] && p[w.len] != '/')
			w.len++;
		/* "." and ".." would need the root's cluster-0 special case: refused. */
		if (!w.len || w.len > FAT_NAME_MAX || (w.len <= 2 && names_match(p, "..", w.len)))
			return FAT_E_PATH;
		if (!cur.is_dir)
			return FAT_E_NOT_DIR;
		w.sfn_ok = to_sfn(p, w.len, w.sfn);
		rc = lookup(v, &cur, &w, &cur);
		if (rc)
			return rc;
		p += w.len;
		if (*p == '/' && !*++p)
			return FAT_E_PATH; /* a trailing '/' */
	}
	*f = cur;
	return FAT_OK;
}
