/* SPDX-License-Identifier: MIT */
/* Host tests for vmm/vswitch.c: learning, flooding, filtering, queues, ageing, addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <keel/errno.h>
#include <keel/vswitch.h>

#define NPORTS 3

static struct vswitch sw;
static struct vsw_port port[VSW_PORTS_MAX + 1];
static unsigned notified[VSW_PORTS_MAX + 1];
static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void mac_of(unsigned i, uint8_t mac[6])
{
	const uint8_t m[6] = { 0x02, 0, 0, 0, 0, (uint8_t)(i + 1) };

	memcpy(mac, m, 6);
}

static void notify(struct vsw_port *p)
{
	notified[p - port]++;
}

static int setup(void **state)
{
	uint8_t mac[6];

	(void)state;
	memset(notified, 0, sizeof(notified));
	vsw_init(&sw, "sw0");
	for (unsigned i = 0; i < NPORTS; i++) {
		mac_of(i, mac);
		assert_int_equal(vsw_attach(&sw, &port[i], mac, notify, NULL), 0);
	}
	return 0;
}

/* A frame from port `from` to dst, its payload byte tag, len bytes. */
static int send(unsigned from, const uint8_t dst[6], uint8_t tag, size_t len, uint64_t now)
{
	uint8_t *f = port[from].tx_buf;

	memset(f, tag, len);
	memcpy(f, dst, 6);
	memcpy(f + 6, port[from].mac, 6);
	return vsw_input(&port[from], f, len, now);
}

static void test_flood_then_learn(void **state)
{
	uint8_t mac1[6], mac0[6];
	const struct vsw_frame *f;

	(void)state;
	mac_of(0, mac0);
	mac_of(1, mac1);
	/* Port 1 is unknown yet: flooded to 1 and 2, never back to 0. */
	assert_int_equal(send(0, mac1, 0xaa, 60, 0), 2);
	assert_int_equal(port[0].count, 0);
	assert_int_equal(port[1].count, 1);
	assert_int_equal(port[2].count, 1);
	assert_int_equal(sw.flooded, 1);
	assert_int_equal(notified[1], 1);
	/* The reply teaches the switch where 1 is, and 0 was learned: unicast only to 0. */
	assert_int_equal(send(1, mac0, 0xbb, 64, 1), 1);
	assert_int_equal(port[0].count, 1);
	assert_int_equal(port[2].count, 1);
	assert_int_equal(send(0, mac1, 0xcc, 100, 2), 1);
	assert_int_equal(port[1].count, 2);
	assert_int_equal(port[2].count, 1);
	f = vsw_peek(&port[1]);
	assert_non_null(f);
	assert_int_equal(f->len, 60);
	assert_int_equal(f->data[20], 0xaa);
	vsw_pop(&port[1]);
	f = vsw_peek(&port[1]);
	assert_int_equal(f->len, 100);
	assert_int_equal(f->data[99], 0xcc);
	vsw_pop(&port[1]);
	assert_null(vsw_peek(&port[1]));
	vsw_pop(&port[1]); /* popping an empty queue changes nothing */
	assert_int_equal(port[1].count, 0);
	assert_int_equal(port[0].st.tx, 2);
	assert_int_equal(port[1].st.rx, 2);
}

static void test_broadcast_and_multicast(void **state)
{
	const uint8_t mcast[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	uint8_t mac1[6];

	(void)state;
	mac_of(1, mac1);
	assert_int_equal(send(1, bcast, 0, 60, 0), 2); /* 1 learned on port 1 */
	assert_int_equal(vsw_lookup(&sw, mac1, 0), 1);
	/* Even a learned group address is never unicast: flooded to everyone else. */
	assert_int_equal(send(0, bcast, 1, 60, 1), 2);
	assert_int_equal(send(2, mcast, 2, 60, 2), 2);
	assert_int_equal(port[2].count, 2);
	assert_int_equal(port[0].count, 2);
	assert_int_equal(port[1].count, 2);
	assert_int_equal(sw.flooded, 3);
}

static void test_not_back_to_ingress(void **state)
{
	uint8_t mac0[6];

	(void)state;
	mac_of(0, mac0);
	/* A frame to its own sender's address: the station is on its ingress port. */
	assert_int_equal(send(0, mac0, 0, 60, 0), 0);
	assert_int_equal(sw.filtered, 1);
	for (unsigned i = 0; i < NPORTS; i++)
		assert_int_equal(port[i].count, 0);
}

static void test_bad_frames(void **state)
{
	uint8_t f[VSW_FRAME_MAX + 1] = { 0 };

	(void)state;
	memcpy(f, bcast, 6);
	memcpy(f + 6, port[0].mac, 6);
	assert_int_equal(vsw_input(&port[0], f, VSW_FRAME_MIN - 1, 0), -EINVAL);
	assert_int_equal(vsw_input(&port[0], f, VSW_FRAME_MAX + 1, 0), -EINVAL);
	assert_int_equal(vsw_input(&port[0], f, 0, 0), -EINVAL);
	assert_int_equal(vsw_input(&port[0], f, VSW_FRAME_MIN, 0), 2);
	assert_int_equal(vsw_input(&port[0], f, VSW_FRAME_MAX, 0), 2);
	/* Another port's source address: refused, and the table is not poisoned. */
	memcpy(f + 6, port[1].mac, 6);
	assert_int_equal(vsw_input(&port[0], f, 60, 0), -EINVAL);
	assert_int_equal(vsw_lookup(&sw, port[1].mac, 0), -1);
	assert_int_equal(port[0].st.drop_bad, 4);
	assert_int_equal(port[0].st.tx, 2);
}

static void test_queue_full_drops(void **state)
{
	(void)state;
	for (unsigned i = 0; i < VSW_QUEUE_LEN + 5; i++)
		send(0, bcast, (uint8_t)i, 60, i);
	assert_int_equal(port[1].count, VSW_QUEUE_LEN);
	assert_int_equal(port[1].st.drop_full, 5);
	assert_int_equal(port[1].st.rx, VSW_QUEUE_LEN);
	/* The oldest stays first; taking one makes room for one more. */
	assert_int_equal(vsw_peek(&port[1])->data[20], 0);
	vsw_pop(&port[1]);
	assert_int_equal(send(0, bcast, 0x77, 60, 99), 1); /* port 2 is still full */
	assert_int_equal(port[1].count, VSW_QUEUE_LEN);
	assert_int_equal(port[2].st.drop_full, 6);
}

static void test_ageing(void **state)
{
	uint8_t mac1[6];

	(void)state;
	mac_of(1, mac1);
	send(1, bcast, 0, 60, 1000);
	assert_int_equal(vsw_lookup(&sw, mac1, 1000 + VSW_AGE_NS), 1);
	/* Silent past the ageing time: forgotten, so frames for it are flooded again. */
	assert_int_equal(vsw_lookup(&sw, mac1, 1001 + VSW_AGE_NS), -1);
	assert_int_equal(send(0, mac1, 0, 60, 1001 + VSW_AGE_NS), 2);
}

static void test_table_bounded(void **state)
{
	uint8_t mac[6] = { 0x02, 0x10, 0, 0, 0, 0 };

	(void)state;
	/* Many stations behind port 2 (as behind a bridge): the oldest make room. */
	for (unsigned i = 0; i < VSW_MACS_MAX * 2; i++) {
		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		memcpy(port[2].mac, mac, 6); /* the port's address follows, as a bridge's would not */
		assert_true(send(2, bcast, 0, 60, 10 + i) >= 0);
	}
	assert_int_equal(vsw_lookup(&sw, mac, 10 + 2 * VSW_MACS_MAX), 2);
	mac[5] = 0;
	mac[4] = 0;
	assert_int_equal(vsw_lookup(&sw, mac, 10 + 2 * VSW_MACS_MAX), -1);
}

static void test_attach(void **state)
{
	uint8_t mac[6];

	(void)state;
	mac_of(0, mac);
	assert_int_equal(vsw_attach(&sw, &port[NPORTS], mac, NULL, NULL), -EEXIST);
	mac[0] = 0x03;
	assert_int_equal(vsw_attach(&sw, &port[NPORTS], mac, NULL, NULL), -EINVAL);
	memset(mac, 0, 6);
	assert_int_equal(vsw_attach(&sw, &port[NPORTS], mac, NULL, NULL), -EINVAL);
	for (unsigned i = NPORTS; i < VSW_PORTS_MAX; i++) {
		mac_of(i, mac);
		assert_int_equal(vsw_attach(&sw, &port[i], mac, NULL, NULL), 0);
	}
	mac_of(VSW_PORTS_MAX, mac);
	assert_int_equal(vsw_attach(&sw, &port[VSW_PORTS_MAX], mac, NULL, NULL), -ENOSPC);
	/* A port without a notifier still queues. */
	assert_int_equal(send(0, bcast, 0, 60, 0), VSW_PORTS_MAX - 1);
}

static void test_mac_from_name(void **state)
{
	uint8_t a[6], b[6], c[6];

	(void)state;
	vsw_mac_from_name("netsvc", a);
	vsw_mac_from_name("netsvc", b);
	vsw_mac_from_name("netcli", c);
	assert_memory_equal(a, b, 6);
	assert_memory_not_equal(a, c, 6);
	assert_int_equal(a[0], 0x02); /* locally administered, unicast */
	assert_int_equal(c[0], 0x02);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_flood_then_learn, setup),
		cmocka_unit_test_setup(test_broadcast_and_multicast, setup),
		cmocka_unit_test_setup(test_not_back_to_ingress, setup),
		cmocka_unit_test_setup(test_bad_frames, setup),
		cmocka_unit_test_setup(test_queue_full_drops, setup),
		cmocka_unit_test_setup(test_ageing, setup),
		cmocka_unit_test_setup(test_table_bounded, setup),
		cmocka_unit_test_setup(test_attach, setup),
		cmocka_unit_test_setup(test_mac_from_name, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
