/* SPDX-License-Identifier: MIT */
/*
 * A byte FIFO over caller-provided storage whose size is a power of two.
 * head and tail run freely and wrap at 2^32, so full and empty need no
 * spare slot: count = tail - head. Header-only, so device models and the
 * host UART driver use it without a link dependency; one writer and one
 * reader on one CPU, no locking.
 */
#ifndef KEEL_RING_H
#define KEEL_RING_H

#include <stdbool.h>
#include <stdint.h>

struct ring {
	uint8_t *buf;
	uint32_t mask; /* size - 1 */
	uint32_t head; /* next byte to read */
	uint32_t tail; /* next byte to write */
};

/* A static initialiser; storage is an array whose size is a power of two. */
#define RING_INIT(storage) { (storage), sizeof(storage) - 1, 0, 0 }

static inline void ring_init(struct ring *r, uint8_t *buf, uint32_t size)
{
	*r = (struct ring){ buf, size - 1, 0, 0 };
}

static inline uint32_t ring_count(const struct ring *r)
{
	return r->tail - r->head;
}

static inline uint32_t ring_space(const struct ring *r)
{
	return r->mask + 1 - ring_count(r);
}

static inline bool ring_put(struct ring *r, uint8_t c)
{
	if (!ring_space(r))
		return false;
	r->buf[r->tail++ & r->mask] = c;
	return true;
}

/* Put c, dropping the oldest byte if full (a backlog keeps the newest); true if one was dropped. */
static inline bool ring_put_over(struct ring *r, uint8_t c)
{
	bool full = !ring_space(r);

	if (full)
		r->head++;
	r->buf[r->tail++ & r->mask] = c;
	return full;
}

/* The next byte, or -1 if empty. */
static inline int ring_get(struct ring *r)
{
	if (r->head == r->tail)
		return -1;
	return r->buf[r->head++ & r->mask];
}

/* The i-th byte from the head, i < ring_count(). */
static inline uint8_t ring_peek(const struct ring *r, uint32_t i)
{
	return r->buf[(r->head + i) & r->mask];
}

/* Drop the first n bytes, n <= ring_count() (after reading them with ring_peek). */
static inline void ring_drop(struct ring *r, uint32_t n)
{
	r->head += n;
}

static inline void ring_clear(struct ring *r)
{
	r->head = r->tail;
}

#endif
