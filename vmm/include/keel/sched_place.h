/* SPDX-License-Identifier: MIT */
/*
 * Which host CPU a vCPU runs on (vmm/sched_place.c), pure so host unit
 * tests drive it: keel.cfg's cpus= against the CPUs Keel started.
 */
#ifndef KEEL_SCHED_PLACE_H
#define KEEL_SCHED_PLACE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The CPUs a guest may use: cfg_cpus (keel.cfg cpus=, 0: any) within
 * usable. 0 with why[] filled if cfg_cpus names a CPU outside usable, or
 * none is left.
 */
uint64_t sched_affinity(uint64_t cfg_cpus, uint64_t usable, char *why, size_t len);
/*
 * The CPU of allowed (non-empty) with the fewest vCPUs so far (load[cpu]),
 * the lowest number on a tie; its load goes up by one.
 */
unsigned sched_place(uint64_t allowed, unsigned *load);

#endif
