/* SPDX-License-Identifier: MIT */
/* The global frame pool (Keel runs identity-mapped: physical = pointer). */
#include <keel/frames.h>
#include <keel/printk.h>
#include <keel/string.h>

struct frame_pool keel_frames;

uint64_t frame_try_alloc(uint64_t size, uint64_t align)
{
	uint64_t pa = frames_take(&keel_frames, size, align);

	if (pa)
		memset((void *)pa, 0, size);
	return pa;
}

void *frame_alloc(uint64_t size, uint64_t align)
{
	uint64_t pa = frame_try_alloc(size, align);

	if (!pa)
		panic("out of memory: %lu bytes for Keel itself", size);
	return (void *)pa;
}

void frame_free(uint64_t base, uint64_t size)
{
	frames_give(&keel_frames, base, size);
}
