/* SPDX-License-Identifier: MIT */
/*
 * The console lock: Keel's one serial line, its screen and every guest's
 * console state (vmm/console.c, vmm/console_input.c, lib/printk.c, the
 * UART's output ring, the framebuffer console) are written from every CPU
 * that runs guests. Recursive on one CPU, because the console prints
 * through printk (a guest's tagged line) and printk may run inside the
 * console (a focus message). A panic takes it over after a while: the CPU
 * that holds it may be the one that is stuck.
 */
#include <keel/console.h>
#include <keel/sched.h>
#include <keel/spinlock.h>

#define PANIC_SPINS 10000000u

static struct spinlock lock;
static volatile int owner = -1;
static unsigned depth;

void console_lock(void)
{
	int me = (int)sched_cpu();

	if (owner == me) {
		depth++;
		return;
	}
	spin_lock(&lock);
	owner = me;
	depth = 1;
}

void console_unlock(void)
{
	if (--depth)
		return;
	owner = -1;
	spin_unlock(&lock);
}

void console_lock_panic(void)
{
	int me = (int)sched_cpu();

	for (unsigned i = 0; owner != me && i < PANIC_SPINS; i++)
		if (spin_trylock(&lock))
			break;
	owner = me;
	depth = 1;
}
