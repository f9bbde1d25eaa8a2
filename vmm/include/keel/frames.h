/* SPDX-License-Identifier: MIT */
/*
 * Physical memory: a short list of free ranges, first-fit with alignment.
 * Pure logic (host unit-tested); frame_alloc() wraps the global pool.
 */
#ifndef KEEL_FRAMES_H
#define KEEL_FRAMES_H

#include <stdint.h>

#define FRAME_RANGES_MAX 128

struct frame_range {
	uint64_t base, end; /* [base, end), page-aligned */
};

struct frame_pool {
	unsigned nr;
	uint64_t free_bytes;
	struct frame_range r[FRAME_RANGES_MAX];
};

/* Add [base, base+size) shrunk inward to whole pages. Returns bytes added. */
uint64_t frames_add(struct frame_pool *p, uint64_t base, uint64_t size);
/* size and align are rounded up to pages; returns 0 when nothing fits. */
uint64_t frames_take(struct frame_pool *p, uint64_t size, uint64_t align);
void frames_give(struct frame_pool *p, uint64_t base, uint64_t size);

extern struct frame_pool keel_frames;
/* Zeroed memory from the global pool; panics if there is none (host bug). */
void *frame_alloc(uint64_t size, uint64_t align);
/* Same, but returns 0 when memory runs out (guest-sized requests). */
uint64_t frame_try_alloc(uint64_t size, uint64_t align);
void frame_free(uint64_t base, uint64_t size);

#endif
