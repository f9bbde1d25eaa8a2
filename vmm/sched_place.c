/* SPDX-License-Identifier: MIT */
/*
 * Placement: each vCPU gets one host CPU when the scheduler starts and
 * stays there (no migration yet), spread so that the CPUs a guest may use
 * carry as few vCPUs as possible, in keel.cfg order.
 */
#include <keel/sched_place.h>
#include <keel/printk.h>

/* The lowest CPU in mask (non-empty). */
static unsigned lowest(uint64_t mask)
{
	return (unsigned)__builtin_ctzll(mask);
}

uint64_t sched_affinity(uint64_t cfg_cpus, uint64_t usable, char *why, size_t len)
{
	uint64_t missing = cfg_cpus & ~usable;

	if (missing) {
		snprintf(why, len, "CPU %u does not exist or was not started (%u in use)",
			 lowest(missing), (unsigned)__builtin_popcountll(usable));
		return 0;
	}
	if (!cfg_cpus)
		cfg_cpus = usable;
	if (!cfg_cpus)
		snprintf(why, len, "no CPU is usable");
	return cfg_cpus;
}

unsigned sched_place(uint64_t allowed, unsigned *load)
{
	unsigned best = lowest(allowed);

	for (uint64_t m = allowed; m; m &= m - 1)
		if (load[lowest(m)] < load[best])
			best = lowest(m);
	load[best]++;
	return best;
}
