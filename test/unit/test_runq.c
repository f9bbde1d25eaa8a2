/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the scheduling policy (vmm/runq.c): a simulated CPU runs
 * whoever runq_pick chooses until the deadline the queue asks for, the way
 * vmm/sched.c does with the VMX-preemption timer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <keel/errno.h>
#include <keel/runq.h>

#define SLICE 1000u

static struct runq q;
static struct runq_entity ent[4];
static uint64_t ran[4]; /* ticks each entity got in the simulation */
static uint64_t now;

static unsigned id(const struct runq_entity *e)
{
	return (unsigned)(e - ent);
}

static void setup(unsigned n)
{
	runq_init(&q, SLICE);
	now = 100000; /* not 0: nothing should depend on time starting there */
	for (unsigned i = 0; i < n; i++) {
		ran[i] = 0;
		assert_int_equal(runq_add(&q, &ent[i], now), 0);
	}
}

/* Run whoever is picked until the queue's deadline; returns who ran, -1 if idle. */
static int run_one(uint64_t max)
{
	struct runq_entity *e = runq_pick(&q, now, false);
	uint64_t until;

	if (!e) {
		until = runq_next_wake(&q);
		assert_true(until != RUNQ_NEVER);
		now = until; /* Keel idles on the TSC until then */
		return -1;
	}
	until = q.deadline == RUNQ_NEVER || q.deadline - now > max ? now + max : q.deadline;
	ran[id(e)] += until - now;
	now = until;
	return (int)id(e);
}

static void test_cpu_bound_share_equally(void **state)
{
	int order[9];

	(void)state;
	setup(3);
	for (unsigned s = 0; s < 9; s++)
		order[s] = run_one(~0ULL);
	/* Round robin, one whole slice each: the preemption timer ends each. */
	for (unsigned s = 0; s < 9; s++)
		assert_int_equal(order[s], (int)(s % 3));
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(ran[i], 3 * SLICE);
}

static void test_alone_runs_undisturbed(void **state)
{
	(void)state;
	setup(1);
	assert_ptr_equal(runq_pick(&q, now, false), &ent[0]);
	/* No timer at all: the hot path of a lone guest pays nothing. */
	assert_true(q.deadline == RUNQ_NEVER);
	assert_true(runq_deadline(&q) == RUNQ_NEVER);
}

/*
 * An entity that keeps blocking briefly (an hvm guest waiting for its timer
 * interrupt) still gets half the CPU: turns would give it a tenth of a
 * slice against the other's whole slice.
 */
static void test_fair_by_time_not_by_turns(void **state)
{
	struct runq_entity *e;

	(void)state;
	setup(2);
	e = runq_pick(&q, now, false);
	for (unsigned s = 0; s < 400; s++) {
		uint64_t run = id(e) == 0 ? SLICE / 10 : q.deadline - now;

		assert_true(q.deadline > now);
		ran[id(e)] += run;
		now += run;
		if (id(e) == 0)
			runq_block(&q, e, now + SLICE / 10, now);
		e = runq_pick(&q, now, false);
	}
	/* Each got half the CPU, within one slice. */
	assert_true(ran[0] > 10 * SLICE);
	assert_true(ran[0] + SLICE >= ran[1] && ran[1] + SLICE >= ran[0]);
}

static void test_yield_lets_the_other_run(void **state)
{
	(void)state;
	setup(2);
	assert_ptr_equal(runq_pick(&q, now, false), &ent[0]);
	now += 10;
	assert_ptr_equal(runq_pick(&q, now, true), &ent[1]);
	/* Alone, a yield keeps the CPU. */
	runq_remove(&q, &ent[0], now);
	assert_ptr_equal(runq_pick(&q, now, true), &ent[1]);
}

static void test_block_until_deadline(void **state)
{
	(void)state;
	setup(2);
	assert_ptr_equal(runq_pick(&q, now, false), &ent[0]);
	now += 100;
	runq_block(&q, &ent[0], now + 5 * SLICE, now);
	/* The other runs; its deadline is the sleeper's wake-up, as it is alone until then. */
	assert_ptr_equal(runq_pick(&q, now, false), &ent[1]);
	assert_int_equal(q.deadline, now + 5 * SLICE);
	now += 2 * SLICE;
	/* Not yet due: the runner goes on (a timer exit for another reason). */
	assert_ptr_equal(runq_pick(&q, now, false), &ent[1]);
	now += 3 * SLICE;
	/* Due: the sleeper is awake, has run least and goes first. */
	assert_ptr_equal(runq_pick(&q, now, false), &ent[0]);
	assert_int_equal(ent[0].state, RUNQ_RUNNABLE);
	/* Now both are runnable: the slice ends the sleeper's turn. */
	assert_int_equal(q.deadline, now + SLICE);
}

static void test_wake_early_and_sleeper_credit(void **state)
{
	(void)state;
	setup(2);
	runq_pick(&q, now, false);
	runq_block(&q, &ent[0], RUNQ_NEVER, now);
	/* Blocked with no deadline: nothing to wake for while ent 1 runs alone. */
	assert_ptr_equal(runq_pick(&q, now, false), &ent[1]);
	assert_true(q.deadline == RUNQ_NEVER);
	now += 100 * SLICE;
	runq_wake(&q, &ent[0], now);
	/* Woken: ent 1 now has a slice end again ... */
	assert_int_equal(runq_deadline(&q), q.slice_end);
	/* ... and the sleeper is at most one slice behind, not 100. */
	assert_int_equal(ent[1].used - ent[0].used, SLICE);
	assert_ptr_equal(runq_pick(&q, now, false), &ent[0]);
	/* Waking one that is not blocked changes nothing. */
	runq_wake(&q, &ent[1], now);
	assert_int_equal(ent[1].state, RUNQ_RUNNABLE);
}

static void test_all_blocked_idle_choice(void **state)
{
	(void)state;
	setup(3);
	runq_pick(&q, now, false);
	runq_block(&q, &ent[0], now + 700, now);
	runq_block(&q, &ent[1], now + 300, now);
	runq_block(&q, &ent[2], RUNQ_NEVER, now);
	assert_null(runq_pick(&q, now, false));
	/* Idle until the earliest deadline, then that one runs. */
	assert_int_equal(runq_next_wake(&q), now + 300);
	assert_int_equal(run_one(~0ULL), -1);
	assert_int_equal(run_one(~0ULL), 1);
	assert_true(runq_alive(&q));
}

static void test_remove_and_empty(void **state)
{
	(void)state;
	setup(2);
	assert_ptr_equal(runq_pick(&q, now, false), &ent[0]);
	now += 50;
	runq_remove(&q, &ent[0], now);
	assert_int_equal(ent[0].used, 50);
	assert_ptr_equal(runq_pick(&q, now, false), &ent[1]);
	runq_remove(&q, &ent[1], now);
	assert_null(runq_pick(&q, now, false));
	assert_false(runq_alive(&q));
	assert_true(runq_next_wake(&q) == RUNQ_NEVER);
}

static void test_full_queue_and_latecomer(void **state)
{
	static struct runq_entity many[RUNQ_MAX + 1];

	(void)state;
	runq_init(&q, SLICE);
	for (unsigned i = 0; i < RUNQ_MAX; i++)
		assert_int_equal(runq_add(&q, &many[i], 0), 0);
	assert_int_equal(runq_add(&q, &many[RUNQ_MAX], 0), -ENOSPC);

	setup(2);
	for (unsigned s = 0; s < 10; s++)
		run_one(~0ULL);
	/* A latecomer starts level with the least-run one: it does not get 5 slices in a row. */
	ran[2] = 0;
	assert_int_equal(runq_add(&q, &ent[2], now), 0);
	for (unsigned s = 0; s < 6; s++)
		run_one(~0ULL);
	assert_int_equal(ran[2], 2 * SLICE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_bound_share_equally),
		cmocka_unit_test(test_alone_runs_undisturbed),
		cmocka_unit_test(test_fair_by_time_not_by_turns),
		cmocka_unit_test(test_yield_lets_the_other_run),
		cmocka_unit_test(test_block_until_deadline),
		cmocka_unit_test(test_wake_early_and_sleeper_credit),
		cmocka_unit_test(test_all_blocked_idle_choice),
		cmocka_unit_test(test_remove_and_empty),
		cmocka_unit_test(test_full_queue_and_latecomer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
