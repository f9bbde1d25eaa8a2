/* SPDX-License-Identifier: MIT */
/* Host tests for vmm/evtchn.c: event channel ports between three domains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <keel/errno.h>
#include <keel/evtchn.h>

static struct evtchn_table dom[3];
static int alive[3];

static struct evtchn_table *lookup(void *ctx, uint64_t domid)
{
	(void)ctx;
	return domid < 3 && alive[domid] ? &dom[domid] : NULL;
}

static int setup(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		evtchn_init(&dom[i]);
		alive[i] = 1;
	}
	return 0;
}

static void test_alloc_bind_send(void **state)
{
	unsigned to, rport;
	int a, b;

	(void)state;
	a = evtchn_alloc(&dom[0], 0, 1, lookup, NULL);
	assert_int_equal(a, 1); /* port 0 is the timer */
	b = evtchn_bind(&dom[1], 1, 0, (uint64_t)a, lookup, NULL);
	assert_int_equal(b, 1);
	assert_int_equal(evtchn_send(&dom[0], (uint64_t)a, &to, &rport), 0);
	assert_int_equal(to, 1);
	assert_int_equal(rport, (unsigned)b);
	assert_int_equal(evtchn_send(&dom[1], (uint64_t)b, &to, &rport), 0);
	assert_int_equal(to, 0);
	assert_int_equal(rport, (unsigned)a);
}

static void test_bad_arguments(void **state)
{
	unsigned to, rport;
	int a;

	(void)state;
	assert_int_equal(evtchn_alloc(&dom[0], 0, 0, lookup, NULL), -EINVAL); /* self */
	assert_int_equal(evtchn_alloc(&dom[0], 0, 7, lookup, NULL), -EINVAL); /* no such domain */
	alive[2] = 0;
	assert_int_equal(evtchn_alloc(&dom[0], 0, 2, lookup, NULL), -EINVAL); /* stopped */
	a = evtchn_alloc(&dom[0], 0, 1, lookup, NULL);
	/* Only the named domain may bind; a port that is not unbound cannot be bound. */
	alive[2] = 1;
	assert_int_equal(evtchn_bind(&dom[2], 2, 0, (uint64_t)a, lookup, NULL), -EPERM);
	assert_int_equal(evtchn_bind(&dom[1], 1, 0, 5, lookup, NULL), -EINVAL);
	assert_int_equal(evtchn_bind(&dom[1], 1, 0, 64, lookup, NULL), -EINVAL);
	assert_int_equal(evtchn_bind(&dom[1], 1, 0, 0, lookup, NULL), -EINVAL); /* a timer */
	assert_int_equal(evtchn_bind(&dom[1], 1, 1, 1, lookup, NULL), -EINVAL); /* self */
	assert_int_equal(evtchn_bind(&dom[1], 1, 0, (uint64_t)a, lookup, NULL), 1);
	assert_int_equal(evtchn_bind(&dom[1], 1, 0, (uint64_t)a, lookup, NULL), -EBUSY);
	/* Sending on the timer, a free, an unbound or an out-of-range port. */
	assert_int_equal(evtchn_send(&dom[0], 0, &to, &rport), -EINVAL);
	assert_int_equal(evtchn_send(&dom[0], 9, &to, &rport), -EINVAL);
	assert_int_equal(evtchn_send(&dom[0], UINT64_MAX, &to, &rport), -EINVAL);
	assert_int_equal(evtchn_alloc(&dom[0], 0, 2, lookup, NULL), 2);
	assert_int_equal(evtchn_send(&dom[0], 2, &to, &rport), -EINVAL);
	assert_int_equal(evtchn_close(&dom[0], 0, 0, lookup, NULL), -EINVAL);
	assert_int_equal(evtchn_close(&dom[0], 0, 30, lookup, NULL), -EINVAL);
}

/* A closed end: sending to it fails; the peer's end may be bound again. */
static void test_close(void **state)
{
	unsigned to, rport;
	int a, b;

	(void)state;
	a = evtchn_alloc(&dom[0], 0, 1, lookup, NULL);
	b = evtchn_bind(&dom[1], 1, 0, (uint64_t)a, lookup, NULL);
	assert_int_equal(evtchn_close(&dom[1], 1, (uint64_t)b, lookup, NULL), 0);
	assert_int_equal(evtchn_send(&dom[1], (uint64_t)b, &to, &rport), -EINVAL);
	assert_int_equal(evtchn_send(&dom[0], (uint64_t)a, &to, &rport), -EINVAL);
	assert_int_equal(dom[0].port[a].state, EVT_UNBOUND);
	assert_int_equal(evtchn_bind(&dom[1], 1, 0, (uint64_t)a, lookup, NULL), b);
	assert_int_equal(evtchn_send(&dom[0], (uint64_t)a, &to, &rport), 0);
}

static void test_ports_run_out(void **state)
{
	(void)state;
	for (unsigned p = 1; p < KEEL_EVTCHN_PORTS; p++)
		assert_int_equal(evtchn_alloc(&dom[0], 0, 1, lookup, NULL), (int)p);
	assert_int_equal(evtchn_alloc(&dom[0], 0, 1, lookup, NULL), -ENOSPC);
	assert_int_equal(evtchn_close(&dom[0], 0, 17, lookup, NULL), 0);
	assert_int_equal(evtchn_alloc(&dom[0], 0, 1, lookup, NULL), 17);
}

/* A port Keel raises (the network interface's): nobody sends on it, closes it or binds to it. */
static void test_keel_port(void **state)
{
	unsigned to, rport;
	int k;

	(void)state;
	k = evtchn_alloc_keel(&dom[0]);
	assert_int_equal(k, 1);
	assert_int_equal(evtchn_send(&dom[0], (uint64_t)k, &to, &rport), -EINVAL);
	assert_int_equal(evtchn_close(&dom[0], 0, (uint64_t)k, lookup, NULL), -EINVAL);
	assert_int_equal(evtchn_bind(&dom[1], 1, 0, (uint64_t)k, lookup, NULL), -EINVAL);
	assert_int_equal(evtchn_alloc(&dom[0], 0, 1, lookup, NULL), 2); /* it stays taken */
	while (evtchn_alloc_keel(&dom[2]) > 0)
		;
	assert_int_equal(evtchn_alloc_keel(&dom[2]), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_alloc_bind_send, setup),
		cmocka_unit_test_setup(test_bad_arguments, setup),
		cmocka_unit_test_setup(test_close, setup),
		cmocka_unit_test_setup(test_keel_port, setup),
		cmocka_unit_test_setup(test_ports_run_out, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
