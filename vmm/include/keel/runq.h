/* SPDX-License-Identifier: MIT */
/*
 * The scheduling policy, free of VMX and of Keel's clock so host unit tests
 * can drive it: a run queue of entities, fair by the time each has run,
 * with a time slice and blocking until a deadline. Times are host TSC
 * ticks passed in by the caller (vmm/sched.c).
 */
#ifndef KEEL_RUNQ_H
#define KEEL_RUNQ_H

#include <stdbool.h>
#include <stdint.h>

#define RUNQ_MAX   16
#define RUNQ_NEVER UINT64_MAX

enum runq_state { RUNQ_RUNNABLE, RUNQ_BLOCKED, RUNQ_GONE };

struct runq_entity {
	enum runq_state state;
	uint64_t used;    /* ticks run so far (with a sleeper's catch-up cut): the fairness key */
	uint64_t wake_at; /* blocked: when it becomes runnable again, RUNQ_NEVER for a wake only */
};

struct runq {
	struct runq_entity *e[RUNQ_MAX];
	unsigned n;
	int cur;            /* index of the entity on the CPU, -1 if none */
	uint64_t slice;     /* ticks one entity may run while others wait */
	uint64_t started;   /* when cur was last charged */
	uint64_t slice_end; /* when cur gives way if another is runnable */
	uint64_t deadline;  /* when the scheduler must look again (runq_deadline) */
};

void runq_init(struct runq *q, uint64_t slice);
/* Add a runnable entity; -ENOSPC when the queue is full. */
int runq_add(struct runq *q, struct runq_entity *e, uint64_t now);
/*
 * Charge the running entity, wake the blocked ones whose deadline passed,
 * and choose who runs from now for one slice: the runnable entity that has
 * run least, the next one after the current on a tie. yield: anyone but
 * the current if possible. NULL if none is runnable.
 */
struct runq_entity *runq_pick(struct runq *q, uint64_t now, bool yield);
/* Take the CPU from the current entity until wake_at (RUNQ_NEVER: until runq_wake). */
void runq_block(struct runq *q, struct runq_entity *e, uint64_t wake_at, uint64_t now);
/* Make a blocked entity runnable (a no-op for one that is not blocked). */
void runq_wake(struct runq *q, struct runq_entity *e, uint64_t now);
/* The entity has ended: it never runs again. */
void runq_remove(struct runq *q, struct runq_entity *e, uint64_t now);
/* Whether anyone is left (runnable or blocked). */
bool runq_alive(const struct runq *q);
/* With nobody runnable: the earliest wake-up, RUNQ_NEVER if none is due. */
uint64_t runq_next_wake(const struct runq *q);
/*
 * When the current entity must be interrupted: the earlier of its slice end
 * (only if another entity is runnable) and the earliest wake-up of a blocked
 * one; RUNQ_NEVER if it may run undisturbed. Also kept in q->deadline.
 */
uint64_t runq_deadline(struct runq *q);

#endif
