/* SPDX-License-Identifier: MIT */
/* The free-range list behind frame allocation; see keel/frames.h. */
#include <keel/frames.h>
#include <keel/bits.h>

static void remove_at(struct frame_pool *p, unsigned i)
{
	for (; i + 1 < p->nr; i++)
		p->r[i] = p->r[i + 1];
	p->nr--;
}

/* Insert keeping ranges sorted and merged with their neighbours. */
static void insert(struct frame_pool *p, uint64_t base, uint64_t end)
{
	unsigned i = 0;

	while (i < p->nr && p->r[i].end < base)
		i++;
	if (i < p->nr && p->r[i].base <= end) {
		/* Touches or overlaps range i: grow it, then absorb followers. */
		if (base < p->r[i].base)
			p->r[i].base = base;
		if (end > p->r[i].end)
			p->r[i].end = end;
		while (i + 1 < p->nr && p->r[i + 1].base <= p->r[i].end) {
			if (p->r[i + 1].end > p->r[i].end)
				p->r[i].end = p->r[i + 1].end;
			remove_at(p, i + 1);
		}
		return;
	}
	if (p->nr == FRAME_RANGES_MAX)
		return; /* dropping a fragment loses memory, never corrupts */
	for (unsigned j = p->nr; j > i; j--)
		p->r[j] = p->r[j - 1];
	p->r[i] = (struct frame_range){ base, end };
	p->nr++;
}

static uint64_t pool_bytes(const struct frame_pool *p)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < p->nr; i++)
		n += p->r[i].end - p->r[i].base;
	return n;
}

uint64_t frames_add(struct frame_pool *p, uint64_t base, uint64_t size)
{
	uint64_t end = base + size, before = pool_bytes(p);

	if (end < base)
		end = ~0ULL;
	if (ALIGN_UP(base, PAGE_SIZE) < base)
		return 0; /* the last partial page of the address space */
	base = ALIGN_UP(base, PAGE_SIZE);
	end = ALIGN_DOWN(end, PAGE_SIZE);
	if (base == 0)
		base = PAGE_SIZE; /* 0 means "no memory" to callers */
	if (end <= base)
		return 0;
	insert(p, base, end);
	p->free_bytes = pool_bytes(p);
	return p->free_bytes - before;
}

uint64_t frames_take(struct frame_pool *p, uint64_t size, uint64_t align)
{
	size = ALIGN_UP(size, PAGE_SIZE);
	if (align < PAGE_SIZE)
		align = PAGE_SIZE;
	if (!size || (align & (align - 1)))
		return 0;
	for (unsigned i = 0; i < p->nr; i++) {
		struct frame_range *r = &p->r[i];
		uint64_t start = ALIGN_UP(r->base, align);

		if (start < r->base || start >= r->end || r->end - start < size)
			continue;
		if (start == r->base) {
			r->base += size;
			if (r->base == r->end)
				remove_at(p, i);
		} else if (start + size == r->end) {
			r->end = start;
		} else {
			uint64_t tail = start + size, end = r->end;

			/* A split needs a free slot, or the tail would be lost. */
			if (p->nr == FRAME_RANGES_MAX)
				continue;

			r->end = start;
			insert(p, tail, end);
		}
		p->free_bytes -= size;
		return start;
	}
	return 0;
}

/* Rounds like frames_take, so what was taken comes back whole. */
void frames_give(struct frame_pool *p, uint64_t base, uint64_t size)
{
	frames_add(p, base, ALIGN_UP(size, PAGE_SIZE));
}
