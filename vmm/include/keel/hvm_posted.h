/* SPDX-License-Identifier: MIT */
/* Posted interrupts to a split hvm guest's vCPUs (vmm/hvm_posted.c). */
#ifndef KEEL_HVM_POSTED_H
#define KEEL_HVM_POSTED_H

struct vcpu;
struct vlapic_pir;

/* Arch code made d v's posted-interrupt descriptor: the APIC bus may post to v now. */
void hvm_posted_attach(struct vcpu *v, struct vlapic_pir *d);

#endif
