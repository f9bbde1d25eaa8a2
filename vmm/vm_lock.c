/* SPDX-License-Identifier: MIT */
/* The lock of a split hvm guest (keel/vm_lock.h); which lock guards what: docs/smp.md. */
#include <arch/percpu.h>
#include <arch/vmx.h>
#include <keel/spinlock.h>
#include <keel/vm.h>
#include <keel/vm_lock.h>

bool vm_split_any;

/* The VM whose lock each CPU holds, NULL if none (only its own CPU writes an entry). */
static struct vm *held[CPUS_MAX];

/*
 * Only split guests' vCPUs come here, always in a VM exit or the
 * scheduler, where GS is Keel's. While it waits, the CPU answers INVEPT
 * shootdowns: the holder may be changing this guest's EPT (PAM, grant
 * unmap) and waiting for this CPU, which takes no interrupt while here.
 */
void vm_lock_slow(struct vm *vm)
{
	unsigned cpu = this_cpu_id();

	if (held[cpu] == vm)
		return;
	if (held[cpu])
		spin_unlock(&held[cpu]->lock);
	while (!spin_trylock(&vm->lock))
		while (__atomic_load_n(&vm->lock.held, __ATOMIC_RELAXED)) {
			arch_ept_shootdown_ack(cpu);
			__asm__ volatile("pause" ::: "memory");
		}
	held[cpu] = vm;
}

void vm_unlock_cpu_slow(void)
{
	unsigned cpu = this_cpu_id();

	if (held[cpu]) {
		spin_unlock(&held[cpu]->lock);
		held[cpu] = NULL;
	}
}
