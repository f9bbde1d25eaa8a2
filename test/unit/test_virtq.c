/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the split virtqueue walker (vmm/dev/virtio_queue.c),
 * driven with rings a hostile driver could write (virtio 1.1, 2.6): loops,
 * addresses outside RAM, wrapping lengths, avail indices that jump, sizes
 * that are not powers of two, nested indirect tables, writable buffers
 * before readable ones. The "guest RAM" is one buffer at GPA RAM_BASE.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/dev/virtq.h>
#include <keel/errno.h>

#include "test_virtio_ram.h"

#define QSIZE    8
#define DESC     (RAM_BASE + 0x0)
#define AVAIL    (RAM_BASE + 0x1000)
#define USED     (RAM_BASE + 0x2000)
#define DATA     (RAM_BASE + 0x4000)

static struct virtq q;
static struct virtq_chain chain;

static void *ram_map(void *ctx, uint64_t gpa, uint64_t len, bool write)
{
	(void)ctx, (void)write;
	return ram_lookup(gpa, len);
}

static const struct virtq_mem mem = { ram_map, NULL };

static void offer(uint16_t head)
{
	uint16_t idx;

	memcpy(&idx, at(AVAIL + 2), 2);
	memcpy(at(AVAIL + 4 + 2 * (idx % QSIZE)), &head, 2);
	idx++;
	memcpy(at(AVAIL + 2), &idx, 2);
}

static uint16_t used16(uint64_t off)
{
	uint16_t v;

	memcpy(&v, at(USED + off), 2);
	return v;
}

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	maps_outside = 0;
	memset(&q, 0, sizeof(q));
	virtq_reset(&q, QSIZE);
	q.desc_gpa = DESC;
	q.avail_gpa = AVAIL;
	q.used_gpa = USED;
	assert_int_equal(virtq_enable(&q, &mem, true, false), 0);
	return 0;
}

static void test_empty_ring(void **state)
{
	(void)state;
	assert_false(virtq_has_work(&q));
	assert_int_equal(virtq_pop(&q, &chain), 0);
}

/* A request as virtio-blk sends it: header, two data buffers, status byte. */
static void test_chain_and_used_ring(void **state)
{
	uint8_t buf[8];

	(void)state;
	set_desc(DESC, 3, DATA, 16, VIRTQ_DESC_F_NEXT, 5);
	set_desc(DESC, 5, DATA + 0x100, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 0);
	set_desc(DESC, 0, DATA + 0x400, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	set_desc(DESC, 1, DATA + 0x800, 1, VIRTQ_DESC_F_WRITE, 0);
	memcpy(at(DATA), "headerbytes.....", 16);
	offer(3);
	assert_true(virtq_has_work(&q));
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.head, 3);
	assert_int_equal(chain.nr, 4);
	assert_int_equal(chain.nr_out, 1);
	assert_int_equal(chain.out_len, 16);
	assert_int_equal(chain.in_len, 1025);
	assert_int_equal(virtq_chain_read(&chain, 6, buf, 5), 5);
	assert_memory_equal(buf, "bytes", 5);
	/* Writes run across buffer boundaries and stop where the chain does. */
	assert_int_equal(virtq_chain_write(&chain, 510, "abcd", 4), 4);
	assert_memory_equal(at(DATA + 0x100 + 510), "ab", 2);
	assert_memory_equal(at(DATA + 0x400), "cd", 2);
	assert_int_equal(virtq_chain_write(&chain, 1024, "xyz", 3), 1);
	assert_int_equal(*at(DATA + 0x800), 'x');
	virtq_push(&q, chain.head, 1025);
	assert_int_equal(used16(2), 1);
	assert_int_equal(used16(4), 3);
	assert_int_equal(used16(8), 1025);
	assert_int_equal(virtq_pop(&q, &chain), 0);
	/* No EVENT_IDX: interrupts unless the driver set NO_INTERRUPT. */
	assert_true(virtq_need_interrupt(&q));
	*at(AVAIL) = VIRTQ_AVAIL_F_NO_INTERRUPT;
	assert_false(virtq_need_interrupt(&q));
}

static void expect_broken(void)
{
	assert_int_equal(virtq_pop(&q, &chain), -EINVAL);
	assert_true(q.broken);
	/* Broken stays broken: nothing more is taken from the ring. */
	assert_int_equal(virtq_pop(&q, &chain), -EINVAL);
	assert_false(virtq_has_work(&q));
}

static void test_loop(void **state)
{
	(void)state;
	set_desc(DESC, 0, DATA, 4, VIRTQ_DESC_F_NEXT, 1);
	set_desc(DESC, 1, DATA, 4, VIRTQ_DESC_F_NEXT, 0);
	offer(0);
	expect_broken();
}

static void test_self_loop(void **state)
{
	(void)state;
	set_desc(DESC, 2, DATA, 4, VIRTQ_DESC_F_NEXT, 2);
	offer(2);
	expect_broken();
}

static void test_address_outside_ram(void **state)
{
	(void)state;
	set_desc(DESC, 0, RAM_BASE + RAM_SIZE - 8, 16, 0, 0); /* runs past the end */
	offer(0);
	expect_broken();
	assert_int_equal(maps_outside, 1);
}

static void test_length_wraps(void **state)
{
	(void)state;
	set_desc(DESC, 0, DATA, 4, VIRTQ_DESC_F_NEXT, 1);
	set_desc(DESC, 1, ~0ULL - 0x10, 0x100, VIRTQ_DESC_F_WRITE, 0);
	offer(0);
	expect_broken();
}

static void test_avail_jumps(void **state)
{
	uint16_t idx = QSIZE + 1;

	(void)state;
	set_desc(DESC, 0, DATA, 4, 0, 0);
	memcpy(at(AVAIL + 2), &idx, 2);
	expect_broken();
}

static void test_avail_full_ring_ok(void **state)
{
	uint16_t idx = QSIZE;

	(void)state;
	set_desc(DESC, 0, DATA, 4, 0, 0);
	memcpy(at(AVAIL + 2), &idx, 2); /* every entry is head 0: allowed, the ring is full */
	for (unsigned i = 0; i < QSIZE; i++)
		assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(virtq_pop(&q, &chain), 0);
}

static void test_head_out_of_range(void **state)
{
	(void)state;
	offer(QSIZE);
	expect_broken();
}

static void test_next_out_of_range(void **state)
{
	(void)state;
	set_desc(DESC, 0, DATA, 4, VIRTQ_DESC_F_NEXT, 200);
	offer(0);
	expect_broken();
}

static void test_size_not_power_of_two(void **state)
{
	(void)state;
	virtq_reset(&q, QSIZE);
	q.size = 6;
	q.desc_gpa = DESC;
	q.avail_gpa = AVAIL;
	q.used_gpa = USED;
	assert_int_equal(virtq_enable(&q, &mem, true, false), -EINVAL);
	offer(0);
	assert_int_equal(virtq_pop(&q, &chain), -EINVAL);
	q.size = 0;
	assert_int_equal(virtq_enable(&q, &mem, true, false), -EINVAL);
	q.size = 512;
	assert_int_equal(virtq_enable(&q, &mem, true, false), -EINVAL);
}

static void test_rings_outside_ram_or_misaligned(void **state)
{
	(void)state;
	q.used_gpa = RAM_BASE + RAM_SIZE - 8;
	assert_int_equal(virtq_enable(&q, &mem, true, false), -EINVAL);
	q.used_gpa = USED + 2;
	assert_int_equal(virtq_enable(&q, &mem, true, false), -EINVAL);
	q.used_gpa = USED;
	q.desc_gpa = DESC + 8;
	assert_int_equal(virtq_enable(&q, &mem, true, false), -EINVAL);
	q.desc_gpa = DESC;
	assert_int_equal(virtq_enable(&q, &mem, true, false), 0);
}

static void test_indirect(void **state)
{
	uint64_t table = DATA + 0x1000;

	(void)state;
	set_desc(table, 0, DATA, 16, VIRTQ_DESC_F_NEXT, 2);
	set_desc(table, 2, DATA + 0x100, 100, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	set_desc(table, 1, DATA + 0x200, 1, VIRTQ_DESC_F_WRITE, 0);
	set_desc(DESC, 4, table, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(4);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.head, 4);
	assert_int_equal(chain.nr, 3);
	assert_int_equal(chain.in_len, 101);
}

static void test_indirect_not_negotiated(void **state)
{
	(void)state;
	q.desc_gpa = DESC;
	assert_int_equal(virtq_enable(&q, &mem, false, false), 0);
	set_desc(DATA + 0x1000, 0, DATA, 16, 0, 0);
	set_desc(DESC, 0, DATA + 0x1000, 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken();
}

static void test_nested_indirect(void **state)
{
	uint64_t t1 = DATA + 0x1000, t2 = DATA + 0x2000;

	(void)state;
	set_desc(t2, 0, DATA, 16, 0, 0);
	set_desc(t1, 0, t2, 16, VIRTQ_DESC_F_INDIRECT, 0);
	set_desc(DESC, 0, t1, 16, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken();
}

static void test_indirect_loop_and_bad_len(void **state)
{
	uint64_t t = DATA + 0x1000;

	(void)state;
	set_desc(t, 0, DATA, 4, VIRTQ_DESC_F_NEXT, 1);
	set_desc(t, 1, DATA, 4, VIRTQ_DESC_F_NEXT, 0);
	set_desc(DESC, 0, t, 32, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken();
	setup(NULL);
	set_desc(DESC, 0, t, 20, VIRTQ_DESC_F_INDIRECT, 0); /* not whole descriptors */
	offer(0);
	expect_broken();
	setup(NULL);
	set_desc(DESC, 0, t, 0, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken();
	setup(NULL);
	set_desc(t, 0, DATA, 4, 0, 0);
	set_desc(DESC, 0, t, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	offer(0);
	expect_broken();
}

/* An indirect table bigger than a chain may be: bounded by VIRTQ_SEGS_MAX. */
static void test_too_many_segments(void **state)
{
	uint64_t t = DATA + 0x1000;
	unsigned n = VIRTQ_SEGS_MAX + 1;

	(void)state;
	for (unsigned i = 0; i < n; i++)
		set_desc(t, i, DATA, 1, i + 1 < n ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	set_desc(DESC, 0, t, 16 * n, VIRTQ_DESC_F_INDIRECT, 0);
	offer(0);
	expect_broken();
}

static void test_readable_after_writable(void **state)
{
	(void)state;
	set_desc(DESC, 0, DATA, 4, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	set_desc(DESC, 1, DATA, 4, 0, 0);
	offer(0);
	expect_broken();
}

/* EVENT_IDX (2.6.7.2, 2.6.10.2): used_event decides, avail_event is published. */
static void test_event_idx(void **state)
{
	uint16_t used_event;

	(void)state;
	assert_int_equal(virtq_enable(&q, &mem, true, true), 0);
	set_desc(DESC, 0, DATA, 4, 0, 0);
	for (unsigned i = 0; i < 3; i++)
		offer(0);
	used_event = 1; /* interrupt once the used index passes 1 */
	memcpy(at(AVAIL + 4 + 2 * QSIZE), &used_event, 2);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	virtq_push(&q, 0, 0);
	assert_true(virtq_need_interrupt(&q)); /* the first decision always interrupts */
	assert_int_equal(used16(4 + 8 * QSIZE), 1); /* avail_event: notify me for entry 1 on */
	assert_int_equal(virtq_pop(&q, &chain), 1);
	virtq_push(&q, 0, 0);
	assert_true(virtq_need_interrupt(&q)); /* 1 -> 2 passes used_event 1 */
	assert_int_equal(virtq_pop(&q, &chain), 1);
	virtq_push(&q, 0, 0);
	assert_false(virtq_need_interrupt(&q)); /* 2 -> 3 does not */
	assert_int_equal(used16(4 + 8 * QSIZE), 3);
	*at(AVAIL) = VIRTQ_AVAIL_F_NO_INTERRUPT; /* ignored with EVENT_IDX */
	used_event = 3;
	memcpy(at(AVAIL + 4 + 2 * QSIZE), &used_event, 2);
	offer(0);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	virtq_push(&q, 0, 0);
	assert_true(virtq_need_interrupt(&q));
}

static void test_need_event(void **state)
{
	(void)state;
	assert_true(virtq_need_event(0, 1, 0));
	assert_false(virtq_need_event(1, 1, 0));
	assert_true(virtq_need_event(0xffff, 2, 0xfffe)); /* across the wrap */
	assert_false(virtq_need_event(5, 3, 1));
}

/* A zero-length buffer is allowed and maps nothing. */
static void test_zero_length(void **state)
{
	(void)state;
	set_desc(DESC, 0, 0xdead0000ULL, 0, 0, 0);
	offer(0);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.nr, 1);
	assert_null(chain.buf[0].p);
	assert_int_equal(maps_outside, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_empty_ring, setup),
		cmocka_unit_test_setup(test_chain_and_used_ring, setup),
		cmocka_unit_test_setup(test_loop, setup),
		cmocka_unit_test_setup(test_self_loop, setup),
		cmocka_unit_test_setup(test_address_outside_ram, setup),
		cmocka_unit_test_setup(test_length_wraps, setup),
		cmocka_unit_test_setup(test_avail_jumps, setup),
		cmocka_unit_test_setup(test_avail_full_ring_ok, setup),
		cmocka_unit_test_setup(test_head_out_of_range, setup),
		cmocka_unit_test_setup(test_next_out_of_range, setup),
		cmocka_unit_test_setup(test_size_not_power_of_two, setup),
		cmocka_unit_test_setup(test_rings_outside_ram_or_misaligned, setup),
		cmocka_unit_test_setup(test_indirect, setup),
		cmocka_unit_test_setup(test_indirect_not_negotiated, setup),
		cmocka_unit_test_setup(test_nested_indirect, setup),
		cmocka_unit_test_setup(test_indirect_loop_and_bad_len, setup),
		cmocka_unit_test_setup(test_too_many_segments, setup),
		cmocka_unit_test_setup(test_readable_after_writable, setup),
		cmocka_unit_test_setup(test_event_idx, setup),
		cmocka_unit_test_setup(test_need_event, setup),
		cmocka_unit_test_setup(test_zero_length, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
