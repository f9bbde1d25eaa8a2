/* SPDX-License-Identifier: MIT */
#ifndef KEEL_HYPERCALL_H
#define KEEL_HYPERCALL_H

#include <stdint.h>

struct vcpu;

/* Returns the value for RAX: a result, or -errno. */
uint64_t hcall_dispatch(struct vcpu *v, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2);

#endif
