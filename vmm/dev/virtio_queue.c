/* SPDX-License-Identifier: MIT */
/* The split virtqueue walker; see keel/dev/virtq.h. Section numbers: virtio 1.1. */
#include <keel/dev/virtq.h>
#include <keel/errno.h>
#include <keel/string.h>

#define DESC_SIZE 16
#define AVAIL_RING 4 /* flags, idx, then ring[size], then used_event */
#define USED_RING  4 /* flags, idx, then ring[size] of {id, len}, then avail_event */
#define USED_ELEM  8

/* The compiler must not move guest-memory accesses across this; x86 keeps stores in order. */
#define ring_barrier() __asm__ volatile("" ::: "memory")

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* One read of the guest's index: volatile, so a check and its use see the same value. */
static uint16_t read_idx(const uint8_t *p)
{
	return *(const volatile uint16_t *)p;
}

void virtq_reset(struct virtq *q, uint16_t max_size)
{
	struct virtq_mem mem = q->mem;

	memset(q, 0, sizeof(*q));
	q->mem = mem;
	q->size = max_size;
}

static void *map(const struct virtq *q, uint64_t gpa, uint64_t len, bool write)
{
	return q->mem.map(q->mem.ctx, gpa, len, write);
}

int virtq_enable(struct virtq *q, const struct virtq_mem *mem, bool indirect, bool event_idx)
{
	uint64_t n = q->size;

	q->mem = *mem;
	q->indirect = indirect;
	q->event_idx = event_idx;
	q->last_avail = q->used_idx = q->signalled = 0;
	q->signalled_valid = false;
	q->ready = true;
	q->broken = true;
	if (!n || n > VIRTQ_SIZE_MAX || (n & (n - 1)))
		return -EINVAL;
	if ((q->desc_gpa & 15) || (q->avail_gpa & 1) || (q->used_gpa & 3))
		return -EINVAL;
	q->desc = map(q, q->desc_gpa, n * DESC_SIZE, false);
	q->avail = map(q, q->avail_gpa, AVAIL_RING + 2 * n + 2, false);
	q->used = map(q, q->used_gpa, USED_RING + USED_ELEM * n + 2, true);
	if (!q->desc || !q->avail || !q->used)
		return -EINVAL;
	q->broken = false;
	return 0;
}

static void read_desc(const uint8_t *table, unsigned i, struct desc *d)
{
	const volatile uint8_t *p = table + (size_t)i * DESC_SIZE;
	uint8_t b[DESC_SIZE];

	for (unsigned k = 0; k < DESC_SIZE; k++)
		b[k] = p[k]; /* one copy: the checks below and the use see the same bytes */
	memcpy(&d->addr, b, 8);
	memcpy(&d->len, b + 8, 4);
	d->flags = get16(b + 12);
	d->next = get16(b + 14);
}

/* One data buffer onto the chain: readable ones must all come first (2.6.4.2). */
static int add_buf(const struct virtq *q, struct virtq_chain *c, const struct desc *d)
{
	bool write = d->flags & VIRTQ_DESC_F_WRITE;
	struct virtq_buf *b;

	if (c->nr == VIRTQ_SEGS_MAX || (!write && c->nr > c->nr_out))
		return -EINVAL;
	b = &c->buf[c->nr];
	b->len = d->len;
	b->write = write;
	b->p = NULL;
	if (d->len) {
		b->p = map(q, d->addr, d->len, write);
		if (!b->p)
			return -EINVAL;
	}
	c->nr++;
	if (write) {
		c->in_len += d->len;
	} else {
		c->nr_out++;
		c->out_len += d->len;
	}
	return 0;
}

/*
 * An indirect table (2.6.5.3): its own descriptors, next indices within
 * it, no further table inside, at most as many steps as it has entries.
 */
static int walk_indirect(const struct virtq *q, struct virtq_chain *c, const struct desc *t)
{
	unsigned n = t->len / DESC_SIZE, i = 0;
	const uint8_t *table;
	struct desc d;

	if (!q->indirect || !n || t->len % DESC_SIZE || (t->flags & VIRTQ_DESC_F_NEXT))
		return -EINVAL;
	table = map(q, t->addr, t->len, false);
	if (!table)
		return -EINVAL;
	for (unsigned steps = 0; steps < n; steps++) {
		read_desc(table, i, &d);
		if ((d.flags & VIRTQ_DESC_F_INDIRECT) || add_buf(q, c, &d))
			return -EINVAL;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = d.next;
		if (i >= n)
			return -EINVAL;
	}
	return -EINVAL; /* more steps than entries: the chain loops */
}

static int walk(const struct virtq *q, struct virtq_chain *c, unsigned head)
{
	unsigned i = head;
	struct desc d;

	for (unsigned steps = 0; steps < q->size; steps++) {
		if (i >= q->size)
			return -EINVAL;
		read_desc(q->desc, i, &d);
		/* A table ends the chain: it may not also have NEXT (2.6.5.3.1). */
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (walk_indirect(q, c, &d))
				return -EINVAL;
		} else if (add_buf(q, c, &d)) {
			return -EINVAL;
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = d.next;
	}
	return -EINVAL; /* longer than the queue: it loops (2.6.5.2) */
}

bool virtq_has_work(const struct virtq *q)
{
	return q->ready && !q->broken && read_idx(q->avail + 2) != q->last_avail;
}

int virtq_pop(struct virtq *q, struct virtq_chain *c)
{
	uint16_t avail_idx, head;

	if (!q->ready || q->broken)
		return q->broken ? -EINVAL : 0;
	avail_idx = read_idx(q->avail + 2);
	if (avail_idx == q->last_avail)
		return 0;
	/* The driver cannot have more chains out than the queue holds (2.6.6). */
	if ((uint16_t)(avail_idx - q->last_avail) > q->size)
		goto bad;
	ring_barrier(); /* the index before the entries it covers (2.6.13.3) */
	head = read_idx(q->avail + AVAIL_RING + 2 * (q->last_avail & (q->size - 1)));
	c->head = head;
	c->nr = c->nr_out = 0;
	c->out_len = c->in_len = 0;
	if (walk(q, c, head))
		goto bad;
	q->last_avail++;
	q->chains++;
	return 1;
bad:
	q->broken = true;
	q->bad++;
	return -EINVAL;
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	uint8_t *e = q->used + USED_RING + USED_ELEM * (q->used_idx & (q->size - 1));

	put32(e, head);
	put32(e + 4, len);
	ring_barrier(); /* the entry before the index that publishes it (2.6.8.2) */
	q->used_idx++;
	put16(q->used + 2, q->used_idx);
}

bool virtq_need_interrupt(struct virtq *q)
{
	uint16_t old = q->signalled, used_event;
	bool valid = q->signalled_valid;

	if (!q->ready || q->broken)
		return false;
	if (!q->event_idx)
		return !(read_idx(q->avail) & VIRTQ_AVAIL_F_NO_INTERRUPT);
	put16(q->used + USED_RING + USED_ELEM * q->size, q->last_avail);
	q->signalled = q->used_idx;
	q->signalled_valid = true;
	used_event = read_idx(q->avail + AVAIL_RING + 2 * q->size);
	return !valid || virtq_need_event(used_event, q->used_idx, old);
}

static size_t copy(const struct virtq_chain *c, bool write, uint64_t off, uint8_t *p, size_t len)
{
	size_t done = 0;

	for (unsigned i = 0; i < c->nr && done < len; i++) {
		const struct virtq_buf *b = &c->buf[i];
		size_t n;

		if (b->write != write)
			continue;
		if (off >= b->len) {
			off -= b->len;
			continue;
		}
		n = b->len - off < len - done ? b->len - off : len - done;
		if (write)
			memcpy(b->p + off, p + done, n);
		else
			memcpy(p + done, b->p + off, n);
		done += n;
		off = 0;
	}
	return done;
}

size_t virtq_chain_read(const struct virtq_chain *c, uint64_t off, void *dst, size_t len)
{
	return copy(c, false, off, dst, len);
}

size_t virtq_chain_write(const struct virtq_chain *c, uint64_t off, const void *src, size_t len)
{
	return copy(c, true, off, (uint8_t *)src, len);
}
