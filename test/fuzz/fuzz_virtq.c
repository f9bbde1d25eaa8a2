/* SPDX-License-Identifier: MIT */
/*
 * The split virtqueue walker (vmm/dev/virtio_queue.c) fed random rings.
 * Input: a header (queue size, where the three areas are, the negotiated
 * features, how many rounds), then the guest's RAM, a RAM_SIZE buffer of
 * its own allocation so ASan catches any byte touched outside it. Each
 * round pops what the ring offers, copies through each chain as a device
 * would, pushes it back and asks whether to interrupt; between rounds the
 * guest rewrites a few RAM bytes from the input (a driver racing the device).
 *
 * Invariants: every buffer lies in RAM (the map callback is the only way
 * in), a chain has at most VIRTQ_SEGS_MAX buffers with the readable ones
 * first and its lengths add up, a round takes at most the queue size of
 * chains, and a broken queue gives nothing more.
 */
#include <string.h>

#include <keel/dev/virtq.h>
#include <keel/errno.h>

#include "fuzz.h"

#define RAM_BASE 0x10000ULL
#define RAM_SIZE 0x3000u /* small: random addresses land inside often */
#define HDR      12

static uint8_t *ram;
static struct virtq q;
static struct virtq_chain chain;

static void *ram_map(void *ctx, uint64_t gpa, uint64_t len, bool write)
{
	(void)ctx, (void)write;
	if (gpa < RAM_BASE || gpa - RAM_BASE >= RAM_SIZE || len > RAM_SIZE - (gpa - RAM_BASE))
		return NULL;
	return ram + (gpa - RAM_BASE);
}

static void check_chain(const struct virtq_chain *c)
{
	uint64_t in = 0, out = 0;
	static uint8_t scratch[RAM_SIZE];

	FUZZ_CHECK(c->nr <= VIRTQ_SEGS_MAX && c->nr_out <= c->nr, "chain within its bounds");
	for (unsigned i = 0; i < c->nr; i++) {
		const struct virtq_buf *b = &c->buf[i];

		FUZZ_CHECK(b->write == (i >= c->nr_out), "readable buffers first");
		FUZZ_CHECK(!b->len || (b->p >= ram && b->p + b->len <= ram + RAM_SIZE),
			   "every buffer inside guest RAM");
		*(b->write ? &in : &out) += b->len;
	}
	FUZZ_CHECK(in == c->in_len && out == c->out_len, "lengths add up");
	/* A device reads the header, writes a status: both stay inside the chain. */
	FUZZ_CHECK(virtq_chain_read(c, 0, scratch, sizeof(scratch)) == (out < RAM_SIZE ? out : RAM_SIZE),
		   "read copies what is there");
	virtq_chain_write(c, in > 1 ? in - 1 : 0, "s", 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };
	const struct virtq_mem mem = { ram_map, NULL };
	unsigned features, rounds;
	int rc;

	ram = calloc(1, RAM_SIZE);
	memset(&q, 0, sizeof(q));
	virtq_reset(&q, (uint16_t)fuzz_le(&in, 2));
	q.desc_gpa = RAM_BASE + fuzz_le(&in, 2);
	q.avail_gpa = RAM_BASE + fuzz_le(&in, 2);
	q.used_gpa = RAM_BASE + fuzz_le(&in, 2);
	features = (unsigned)fuzz_le(&in, 1);
	rounds = 1 + (unsigned)fuzz_le(&in, 1) % 8;
	in.at = HDR;
	for (unsigned i = 0; i < RAM_SIZE && fuzz_more(&in); i++)
		ram[i] = (uint8_t)fuzz_le(&in, 1);
	rc = virtq_enable(&q, &mem, features & 1, features & 2);
	FUZZ_CHECK(rc == 0 || q.broken, "a refused queue is broken");
	for (unsigned r = 0; r < rounds; r++) {
		unsigned taken = 0;

		while ((rc = virtq_pop(&q, &chain)) == 1) {
			FUZZ_CHECK(++taken <= q.size, "a round takes at most a ring's worth");
			check_chain(&chain);
			virtq_push(&q, chain.head, (uint32_t)chain.in_len);
		}
		FUZZ_CHECK(rc == 0 || (rc == -EINVAL && q.broken), "pop: 0, 1 or broken");
		if (q.broken)
			FUZZ_CHECK(!virtq_has_work(&q) && virtq_pop(&q, &chain) == -EINVAL &&
					   !virtq_need_interrupt(&q),
				   "a broken queue gives nothing");
		else
			virtq_need_interrupt(&q);
		/* The driver's next move: a few bytes of RAM rewritten. */
		for (unsigned k = 0; k < 4 && fuzz_more(&in); k++) {
			unsigned at = (unsigned)fuzz_le(&in, 2) % RAM_SIZE;

			ram[at] = (uint8_t)fuzz_le(&in, 1);
		}
	}
	free(ram);
	return 0;
}
