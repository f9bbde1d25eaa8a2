/* SPDX-License-Identifier: MIT */
/* Host tests for keel/ring.h: the byte FIFO behind Keel's console queues and the UART ring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <keel/ring.h>

static void test_fifo_order_full_and_empty(void **state)
{
	uint8_t buf[8];
	struct ring r;

	(void)state;
	ring_init(&r, buf, sizeof(buf));
	assert_int_equal(ring_get(&r), -1);
	assert_int_equal(ring_space(&r), 8);
	for (int i = 0; i < 8; i++)
		assert_true(ring_put(&r, (uint8_t)(0xf0 + i)));
	assert_false(ring_put(&r, 0)); /* full: every slot is used, none kept spare */
	assert_int_equal(ring_count(&r), 8);
	assert_int_equal(ring_peek(&r, 7), 0xf7);
	for (int i = 0; i < 8; i++)
		assert_int_equal(ring_get(&r), 0xf0 + i); /* bytes above 0x7f are not -1 */
	assert_int_equal(ring_get(&r), -1);
}

/* The indices run freely: across 2^32 count, space and order stay right. */
static void test_indices_wrap(void **state)
{
	uint8_t buf[4];
	struct ring r;

	(void)state;
	ring_init(&r, buf, sizeof(buf));
	r.head = r.tail = UINT32_MAX - 1;
	for (int i = 0; i < 4; i++)
		assert_true(ring_put(&r, (uint8_t)i));
	assert_false(ring_put(&r, 9));
	assert_int_equal(ring_count(&r), 4);
	assert_int_equal(ring_get(&r), 0);
	assert_int_equal(ring_get(&r), 1);
	assert_int_equal(ring_get(&r), 2);
	assert_int_equal(ring_space(&r), 3);
	ring_drop(&r, 1);
	assert_int_equal(ring_count(&r), 0);
}

/* A backlog keeps the newest bytes: a put into a full ring drops the oldest. */
static void test_put_over_keeps_the_newest(void **state)
{
	uint8_t buf[4];
	struct ring r;
	int dropped = 0;

	(void)state;
	ring_init(&r, buf, sizeof(buf));
	for (int i = 0; i < 10; i++)
		dropped += ring_put_over(&r, (uint8_t)i);
	assert_int_equal(dropped, 6);
	for (int i = 6; i < 10; i++)
		assert_int_equal(ring_get(&r), i);
	ring_put(&r, 1);
	ring_clear(&r);
	assert_int_equal(ring_count(&r), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_order_full_and_empty),
		cmocka_unit_test(test_indices_wrap),
		cmocka_unit_test(test_put_over_keeps_the_newest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
