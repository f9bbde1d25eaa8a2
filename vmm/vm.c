/* SPDX-License-Identifier: MIT */
/* VM lifetime: guest memory regions, stopping a guest. */
#include <arch/smp.h>
#include <arch/vmx.h>
#include <keel/console.h>
#include <keel/hvm.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/string.h>
#include <keel/vm.h>
#include <stdarg.h>

int vm_add_memory(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size, bool writable)
{
	int err;

	if (vm->nr_mem == VM_MEM_REGIONS_MAX)
		return -ENOSPC;
	err = arch_vm_map(vm, gpa, hpa, size, writable);
	if (err)
		return err;
	vm->mem[vm->nr_mem++] = (struct vm_mem_region){ gpa, size, hpa, writable };
	return 0;
}

/* The vCPU of vm whose VMCS is current (the one that exited), else its BSP. */
static struct vcpu *stopping_vcpu(struct vm *vm)
{
	struct vcpu *v = vm->nr_vcpus > 1 ? arch_vcpu_current() : NULL;

	return v && v->vm == vm ? v : &vm->vcpus[0];
}

/* A guest on several host CPUs: what crossing them took. */
static void print_split_stats(struct vm *vm)
{
	uint64_t kicks = 0, cpus = 0;

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		kicks += hvm_cpu(&vm->vcpus[i])->kicks;
		cpus |= 1ULL << vm->vcpus[i].cpu;
	}
	printk("keel: guest '%s' on %u host CPUs: %lu kicks (host IPIs to a vCPU in the guest), "
	       "%lu EPT shootdowns answered by another CPU\n", vm->name,
	       (unsigned)__builtin_popcountll(cpus), kicks,
	       arch_vm_ept_shootdowns_remote(vm));
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	struct vcpu *cur = stopping_vcpu(vm);
	va_list ap;

	console_lock(); /* its report in one piece, whatever other CPUs print */
	console_vm_stopping(vm);
	va_start(ap, fmt);
	vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	vm->state = VM_STOPPED;
	printk("keel: guest '%s' stopped: %s\n", vm->name, vm->stop_reason);
	/* A debug-exit is the guest's own orderly end: no register dump or trace needed. */
	if (vm->exit_status < 0 && !vm->orderly_stop) {
		arch_vcpu_dump(cur);
		vcpu_print_trace(cur);
	}
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vcpu_print_stats(&vm->vcpus[i]);
	if (vm->split)
		print_split_stats(vm);
	console_vm_stopped(vm);
	console_unlock();
	/* Its other vCPUs leave the run queue with it (an AP may wait for a SIPI forever). */
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *o = &vm->vcpus[i];

		if (o == cur)
			continue;
		sched_remove(o);
		/* One running on another CPU leaves the guest at its next exit (the IPI's). */
		if (vm->split && o->cpu != cur->cpu)
			smp_wake(o->cpu);
	}
	sched_exit(cur);
}
