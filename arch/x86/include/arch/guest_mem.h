/* SPDX-License-Identifier: MIT */
/* Guest memory access by linear address, through the guest's page tables. */
#ifndef ARCH_GUEST_MEM_H
#define ARCH_GUEST_MEM_H

#include <stdbool.h>

struct vcpu;

/* Copy len bytes from guest linear address la; returns bytes copied (what is there). */
unsigned arch_guest_read(struct vcpu *v, unsigned long la, void *dst, unsigned len);
/* Whether all of [la, la+len) can be read, before acting on any of it. */
bool arch_guest_readable(struct vcpu *v, unsigned long la, unsigned len);
/* Copy len bytes to guest linear address la: len, or 0 with nothing written. */
unsigned arch_guest_write(struct vcpu *v, unsigned long la, const void *src, unsigned len);

#endif
