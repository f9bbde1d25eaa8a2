/* SPDX-License-Identifier: MIT */
/*
 * EPT tables (SDM Vol. 3C 29.3). Pure logic over an allocator callback, so
 * the host unit tests build and walk real tables. Tables are addressed by
 * their physical address, which Keel (identity-mapped) can dereference.
 */
#ifndef ARCH_X86_VMX_EPT_H
#define ARCH_X86_VMX_EPT_H

#include <stdbool.h>
#include <stdint.h>

#define EPT_R       (1ULL << 0)
#define EPT_W       (1ULL << 1)
#define EPT_X       (1ULL << 2)
#define EPT_RWX     (EPT_R | EPT_W | EPT_X)
#define EPT_MT_UC   (0ULL << 3)
#define EPT_MT_WB   (6ULL << 3)
#define EPT_IGN_PAT (1ULL << 6)
#define EPT_LARGE   (1ULL << 7)
#define EPT_ADDR    0x000ffffffffff000ULL

/* EPTP: WB paging structures, 4-level walk (SDM 3C 25.6.11). */
#define EPTP_WB_WALK4 ((6ULL << 0) | (3ULL << 3))

struct ept {
	uint64_t root; /* physical address of the PML4 */
	bool large_ok; /* 2 MiB leaves allowed */
	/* Returns a zeroed, 4 KiB-aligned table's physical address, or 0. */
	uint64_t (*alloc_table)(void *ctx);
	void *ctx;
};

int ept_init(struct ept *e);
/*
 * Map [gpa, gpa+size) to [hpa, hpa+size) with leaf flags (permissions and
 * memory type). Uses 2 MiB leaves where both addresses and the remaining
 * size allow. Returns 0, -EINVAL for unaligned input, -ENOMEM, or -EEXIST
 * if part of the range is already mapped.
 */
int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t flags);
/*
 * Set the permissions (a subset of EPT_RWX) of the mapped range [gpa,
 * gpa+size), 4 KiB aligned; the memory type stays. A 2 MiB leaf the range
 * covers only in part is split into 4 KiB leaves first. Returns 0,
 * -EINVAL, -ENOENT if part of the range is unmapped (nothing changed then
 * only if the first page was), or -ENOMEM. perms 0 unmaps the range. The
 * caller invalidates (INVEPT).
 */
int ept_protect(struct ept *e, uint64_t gpa, uint64_t size, uint64_t perms);
/* Translate: 0 with *hpa and *flags, or -ENOENT. */
int ept_lookup(const struct ept *e, uint64_t gpa, uint64_t *hpa, uint64_t *flags);

#endif
