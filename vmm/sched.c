/* SPDX-License-Identifier: MIT */
/*
 * The foundation's scheduler: guests run one after another, each until it
 * stops. When none is left, Keel reports and powers the machine off.
 */
#include <arch/vmx.h>
#include <keel/printk.h>
#include <keel/vm.h>

struct vm keel_vms[CFG_GUESTS_MAX];
unsigned keel_nr_vms;

__attribute__((noreturn)) void keel_shutdown(void);

void sched_run_next(void)
{
	for (unsigned i = 0; i < keel_nr_vms; i++) {
		struct vm *vm = &keel_vms[i];

		if (vm->state == VM_READY) {
			vm->state = VM_RUNNING;
			printk("keel: running guest '%s'\n", vm->name);
			arch_vcpu_run(&vm->vcpu);
		}
	}
	keel_shutdown();
}
