/* SPDX-License-Identifier: MIT */
/* Grant bookkeeping; see keel/grant.h. */
#include <keel/errno.h>
#include <keel/grant.h>

#define PAGE 4096ULL

int grant_offer(struct grant_table *t, unsigned self, uint64_t gva, uint64_t ram_size,
		uint64_t to_dom, bool to_exists, uint64_t flags)
{
	if ((gva & (PAGE - 1)) || gva >= ram_size || (flags & ~(uint64_t)KEEL_GRANT_READONLY) ||
	    to_dom == self || !to_exists)
		return -EINVAL;
	for (unsigned r = 0; r < KEEL_GRANTS_MAX; r++) {
		if (t->e[r].used)
			continue;
		t->e[r] = (struct grant_entry){ .gpa = gva, .to_dom = (uint16_t)to_dom, .used = 1,
						.readonly = (flags & KEEL_GRANT_READONLY) != 0 };
		return (int)r;
	}
	return -ENOSPC;
}

int grant_slot_of(uint64_t at)
{
	if (at < KEEL_GRANT_BASE || (at & (PAGE - 1)) || at - KEEL_GRANT_BASE >= KEEL_GRANT_SLOTS * PAGE)
		return -EINVAL;
	return (int)((at - KEEL_GRANT_BASE) / PAGE);
}

int grant_map(struct grant_table *owner, unsigned owner_dom, uint64_t ref, unsigned self,
	      struct grant_maps *m, uint64_t at, uint64_t *gpa, bool *readonly)
{
	int s = grant_slot_of(at);
	struct grant_entry *e;

	if (s < 0 || !owner)
		return -EINVAL;
	if (m->slot[s].used)
		return -EBUSY;
	if (ref >= KEEL_GRANTS_MAX || !owner->e[ref].used || owner->e[ref].to_dom != self ||
	    owner_dom == self)
		return -EPERM;
	e = &owner->e[ref];
	e->maps++;
	m->slot[s] = (struct grant_slot){ .dom = (uint16_t)owner_dom, .ref = (uint16_t)ref, .used = 1 };
	*gpa = e->gpa;
	*readonly = e->readonly;
	return 0;
}

void grant_release(struct grant_table *t, unsigned ref)
{
	/* ref comes back from a slot Keel filled, but is checked like any index. */
	if (ref < KEEL_GRANTS_MAX && t->e[ref].used && t->e[ref].maps)
		t->e[ref].maps--;
}

int grant_unmap(struct grant_maps *m, uint64_t at, unsigned *owner_dom, unsigned *ref)
{
	int s = grant_slot_of(at);

	if (s < 0 || !m->slot[s].used)
		return -EINVAL;
	*owner_dom = m->slot[s].dom;
	*ref = m->slot[s].ref;
	m->slot[s].used = 0;
	return 0;
}
