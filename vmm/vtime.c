/* SPDX-License-Identifier: MIT */
/* Guest time: nanoseconds since the VM was built, from the host TSC. */
#include <arch/cpu.h>
#include <drivers/tsc.h>
#include <keel/vm.h>
#include <keel/vtime.h>

_Static_assert(VTIME_NEVER == TSC_NEVER, "never in ns converts to never in ticks");

uint64_t vm_time_ns(struct vm *vm)
{
	uint64_t now = rdtsc();

	/* One CPU, so the TSC does not go back; still, a wrap here would fire every timer. */
	return tsc_to_ns(now > vm->tsc_base ? now - vm->tsc_base : 0);
}

uint64_t vm_ns_to_tsc(struct vm *vm, uint64_t ns)
{
	return tsc_after(vm->tsc_base, ns_to_tsc(ns));
}
