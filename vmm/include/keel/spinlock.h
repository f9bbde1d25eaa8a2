/* SPDX-License-Identifier: MIT */
/*
 * A test-and-test-and-set spin lock. Keel runs with interrupts masked
 * (its only handlers, the idle wake-ups, take no locks), so a lock is
 * never wanted by an interrupt on the CPU that holds it. Plain C atomics:
 * the same code builds into the host unit tests. Which lock guards what:
 * docs/smp.md.
 */
#ifndef KEEL_SPINLOCK_H
#define KEEL_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct spinlock {
	volatile uint32_t held;
};

static inline bool spin_trylock(struct spinlock *l)
{
	return !__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE);
}

static inline void spin_lock(struct spinlock *l)
{
	while (!spin_trylock(l))
		while (__atomic_load_n(&l->held, __ATOMIC_RELAXED))
			__asm__ volatile("pause" ::: "memory");
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->held, 0, __ATOMIC_RELEASE);
}

#endif
