/* SPDX-License-Identifier: MIT */
/* Guest time: nanoseconds since the VM was built, from the host TSC. */
#include <arch/cpu.h>
#include <drivers/tsc.h>
#include <keel/vm.h>
#include <keel/vtime.h>

uint64_t vm_time_ns(struct vm *vm)
{
	return tsc_to_ns(rdtsc() - vm->tsc_base);
}

uint64_t vm_ns_to_tsc(struct vm *vm, uint64_t ns)
{
	return vm->tsc_base + ns_to_tsc(ns);
}
