/* SPDX-License-Identifier: MIT */
/* Deprivileged PV guests (arch/x86/pv/): ring 3, no VT-x. */
#ifndef ARCH_PV_H
#define ARCH_PV_H

#include <stdbool.h>
#include <stdint.h>

struct vm;
struct vcpu;

/* The guest's page tables and the CPU's SYSCALL set-up; -EINVAL (reported) if it cannot run. */
int arch_pv_vm_init(struct vm *vm);
/* The vCPU starts in ring 3 at rip with rsp. */
void arch_pv_vcpu_setup(struct vcpu *v, uint64_t rip, uint64_t rsp);
/* Copy to or from guest RAM at gva; returns bytes copied (fewer past the end of RAM). */
unsigned arch_pv_copy(struct vcpu *v, uint64_t gva, void *buf, unsigned len, bool to_guest);
/* Map hpa at the grant window address gva (hpa 0 unmaps). */
int arch_pv_map_page(struct vm *vm, uint64_t gva, uint64_t hpa, bool writable);
__attribute__((noreturn)) void pv_enter(struct vcpu *v);
struct percpu;
/*
 * An AP, before it runs its first vCPU: its SYSCALL MSRs, TSS RSP0 (its own
 * stack) and FPU for ring 3, if the boot CPU set ring 3 up (a guest needs it).
 */
void arch_pv_cpu_init_ap(struct percpu *pc);

#endif
