/* SPDX-License-Identifier: MIT */
/*
 * The lock of an hvm guest whose vCPUs run on several host CPUs ("split"):
 * its device models, local APICs and their bus, its timers and its
 * vCPUs' start-up state are touched only under it (docs/vcpus.md). A CPU
 * takes it for the vCPU it works for (an exit, the scheduler looking at a
 * halted vCPU, an entry's before-entry work) and holds it until it enters
 * a guest or idles: the exit path's switches (schedule() from a handler)
 * never return to release it, so the release is where every path ends
 * (vm_unlock_cpu: before any entry, in idle, after the exit handler).
 * A guest whose vCPUs share one CPU needs none of it: vm_lock() is one
 * test, vm_unlock_cpu() one test of a flag set only if such a guest exists.
 */
#ifndef KEEL_VM_LOCK_H
#define KEEL_VM_LOCK_H

#include <stdbool.h>
#include <keel/vm.h>

/* Some guest is split: CPUs may hold a VM lock. Set once, at placement. */
extern bool vm_split_any;

void vm_lock_slow(struct vm *vm);
void vm_unlock_cpu_slow(void);

/* This CPU works for vm: its lock, if split (another VM's this CPU held is released first). */
static inline void vm_lock(struct vm *vm)
{
	if (__builtin_expect(vm->split, 0))
		vm_lock_slow(vm);
}

/* This CPU is about to enter a guest or idle: the VM lock it holds, if any, goes. */
static inline void vm_unlock_cpu(void)
{
	if (__builtin_expect(vm_split_any, 0))
		vm_unlock_cpu_slow();
}

#endif
