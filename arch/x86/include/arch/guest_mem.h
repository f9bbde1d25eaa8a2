/* SPDX-License-Identifier: MIT */
/* Guest memory access by linear address, through the guest's page tables. */
#ifndef ARCH_GUEST_MEM_H
#define ARCH_GUEST_MEM_H

struct vcpu;

/* Copy len bytes from guest linear address la; returns bytes copied. */
unsigned arch_guest_read(struct vcpu *v, unsigned long la, void *dst, unsigned len);
/* Copy len bytes to guest linear address la; returns bytes copied. */
unsigned arch_guest_write(struct vcpu *v, unsigned long la, const void *src, unsigned len);

#endif
