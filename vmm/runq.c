/* SPDX-License-Identifier: MIT */
/*
 * The scheduling policy (keel/runq.h). Fair by run time: the runnable
 * entity that has run least goes next, so CPU-bound guests share the CPU
 * equally whatever their exit rate. A sleeper's run time is raised on
 * wake-up to at most one slice behind the least-run runnable entity: it
 * runs soon (an interrupt waits for it) but cannot hoard the time it slept.
 * A handful of entities at most: linear scans are cheaper than any tree.
 */
#include <keel/errno.h>
#include <keel/runq.h>
#include <stddef.h>

void runq_init(struct runq *q, uint64_t slice)
{
	*q = (struct runq){ .cur = -1, .slice = slice, .deadline = RUNQ_NEVER };
}

/* The least run time among runnable entities other than skip; RUNQ_NEVER if none. */
static uint64_t least_used(const struct runq *q, const struct runq_entity *skip)
{
	uint64_t least = RUNQ_NEVER;

	for (unsigned i = 0; i < q->n; i++)
		if (q->e[i] != skip && q->e[i]->state == RUNQ_RUNNABLE && q->e[i]->used < least)
			least = q->e[i]->used;
	return least;
}

/* now + slice; a sum past 2^64 - 1 is never, not a deadline already passed. */
static uint64_t slice_end(uint64_t now, uint64_t slice)
{
	uint64_t end;

	return __builtin_add_overflow(now, slice, &end) ? RUNQ_NEVER : end;
}

static void charge(struct runq *q, uint64_t now)
{
	if (q->cur >= 0 && now > q->started)
		q->e[q->cur]->used += now - q->started;
	q->started = now;
}

int runq_add(struct runq *q, struct runq_entity *e, uint64_t now)
{
	uint64_t least;

	if (q->n == RUNQ_MAX)
		return -ENOSPC;
	charge(q, now);
	least = least_used(q, e);
	/* A latecomer starts level with the others, not with their whole past to catch up. */
	e->used = least == RUNQ_NEVER ? 0 : least;
	e->state = RUNQ_RUNNABLE;
	e->wake_at = RUNQ_NEVER;
	q->e[q->n++] = e;
	runq_deadline(q);
	return 0;
}

void runq_wake(struct runq *q, struct runq_entity *e, uint64_t now)
{
	uint64_t least;

	if (e->state != RUNQ_BLOCKED)
		return;
	charge(q, now);
	least = least_used(q, e);
	/* used + slice < least, without the sum wrapping for a huge slice. */
	if (least != RUNQ_NEVER && least > q->slice && e->used < least - q->slice)
		e->used = least - q->slice;
	e->state = RUNQ_RUNNABLE;
	e->wake_at = RUNQ_NEVER;
	runq_deadline(q);
}

/* The entity leaves the CPU (blocked or gone): its time so far is charged. */
static void leave_cpu(struct runq *q, struct runq_entity *e, uint64_t now)
{
	if (q->cur >= 0 && q->e[q->cur] == e) {
		charge(q, now);
		q->cur = -1;
	}
}

void runq_block(struct runq *q, struct runq_entity *e, uint64_t wake_at, uint64_t now)
{
	leave_cpu(q, e, now);
	e->state = RUNQ_BLOCKED;
	e->wake_at = wake_at;
	runq_deadline(q);
}

void runq_remove(struct runq *q, struct runq_entity *e, uint64_t now)
{
	leave_cpu(q, e, now);
	e->state = RUNQ_GONE;
	runq_deadline(q);
}

struct runq_entity *runq_pick(struct runq *q, uint64_t now, bool yield)
{
	int prev = q->cur, best = -1;
	unsigned start = prev >= 0 ? (unsigned)prev + 1 : 0;

	charge(q, now);
	for (unsigned i = 0; i < q->n; i++)
		if (q->e[i]->state == RUNQ_BLOCKED && q->e[i]->wake_at <= now)
			runq_wake(q, q->e[i], now);
	/* From the one after the current, so ties go round-robin and the current comes last. */
	for (unsigned k = 0; k < q->n; k++) {
		int i = (int)((start + k) % q->n);

		if (q->e[i]->state != RUNQ_RUNNABLE || (yield && i == prev))
			continue;
		if (best < 0 || q->e[i]->used < q->e[best]->used)
			best = i;
	}
	if (best < 0 && yield && prev >= 0 && q->e[prev]->state == RUNQ_RUNNABLE)
		best = prev; /* nobody else can run */
	/* The current entity keeps what is left of its slice; anyone else starts a new one. */
	if (best != prev || now >= q->slice_end || yield)
		q->slice_end = slice_end(now, q->slice);
	q->cur = best;
	runq_deadline(q);
	return best >= 0 ? q->e[best] : NULL;
}

bool runq_alive(const struct runq *q)
{
	for (unsigned i = 0; i < q->n; i++)
		if (q->e[i]->state != RUNQ_GONE)
			return true;
	return false;
}

uint64_t runq_next_wake(const struct runq *q)
{
	uint64_t next = RUNQ_NEVER;

	for (unsigned i = 0; i < q->n; i++)
		if (q->e[i]->state == RUNQ_BLOCKED && q->e[i]->wake_at < next)
			next = q->e[i]->wake_at;
	return next;
}

uint64_t runq_deadline(struct runq *q)
{
	uint64_t d = runq_next_wake(q);

	if (q->cur >= 0 && least_used(q, q->e[q->cur]) != RUNQ_NEVER && q->slice_end < d)
		d = q->slice_end;
	q->deadline = d;
	return d;
}
