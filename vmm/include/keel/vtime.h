/* SPDX-License-Identifier: MIT */
/*
 * Guest time for device models: nanoseconds since the VM was created,
 * monotonic, derived from the TSC. Models take `now` from vm_time_ns() and
 * report their next deadline so Keel can wake the guest in time; host unit
 * tests provide their own vm_time_ns().
 */
#ifndef KEEL_VTIME_H
#define KEEL_VTIME_H

#include <stdint.h>

struct vm;

#define VTIME_NEVER UINT64_MAX

uint64_t vm_time_ns(struct vm *vm);
/*
 * The first host TSC value at which vm_time_ns() reaches ns; VTIME_NEVER
 * (never) for VTIME_NEVER and for any ns past the TSC's 64 bits.
 */
uint64_t vm_ns_to_tsc(struct vm *vm, uint64_t ns);

#endif
