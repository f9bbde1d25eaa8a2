/* SPDX-License-Identifier: MIT */
/*
 * Grants: a PV guest offers one of its pages to a named guest, which maps
 * it into its grant window (KEEL_GRANT_BASE, one page per slot). Pure
 * bookkeeping, host unit-tested (test/unit/test_grant.c); the mapping
 * itself (EPT, or the ring-3 page tables) is the caller's.
 */
#ifndef KEEL_GRANT_H
#define KEEL_GRANT_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/abi.h>

struct grant_entry {
	uint64_t gpa;    /* the offered page */
	uint16_t to_dom; /* the only domain that may map it */
	uint8_t used, readonly;
	uint32_t maps;   /* how many slots map it now */
};

struct grant_table {
	struct grant_entry e[KEEL_GRANTS_MAX];
};

/* What a domain's grant window holds. */
struct grant_maps {
	struct grant_slot {
		uint16_t dom, ref;
		uint8_t used;
	} slot[KEEL_GRANT_SLOTS];
};

/*
 * Offer the page at gva (the guest's RAM, [0, ram_size), page-aligned) to
 * to_dom: the grant reference, -EINVAL (bad page, flags, or domain; to_exists
 * says whether to_dom is a running domain other than self), -ENOSPC.
 */
int grant_offer(struct grant_table *t, unsigned self, uint64_t gva, uint64_t ram_size,
		uint64_t to_dom, bool to_exists, uint64_t flags);
/*
 * Map owner's grant ref at `at` in self's window: 0 with *gpa and
 * *readonly, -EINVAL (at not a free page of the window, or no such owner),
 * -EBUSY (slot in use), -EPERM (no such grant for self).
 */
int grant_map(struct grant_table *owner, unsigned owner_dom, uint64_t ref, unsigned self,
	      struct grant_maps *m, uint64_t at, uint64_t *gpa, bool *readonly);
/* One mapping of ref is gone (after grant_unmap, or a grant_map whose mapping failed). */
void grant_release(struct grant_table *t, unsigned ref);
/* Unmap the page at `at`: 0 with the owner's domid and ref, or -EINVAL if nothing is mapped. */
int grant_unmap(struct grant_maps *m, uint64_t at, unsigned *owner_dom, unsigned *ref);
/* The window slot of address at, or -EINVAL. */
int grant_slot_of(uint64_t at);

#endif
