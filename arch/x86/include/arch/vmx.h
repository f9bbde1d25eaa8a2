/* SPDX-License-Identifier: MIT */
/* What vmm/ may ask of VT-x (STYLE.md 2): arch hooks only, no VMCS here. */
#ifndef ARCH_VMX_H
#define ARCH_VMX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct vcpu;

/* Probe and enable VMX. Returns 0, or -errno after printing why not. */
int arch_vmx_init(void);
/* keel.cfg's "vmx preemption-timer=off", before arch_vmx_init: do without it even if offered. */
void arch_vmx_no_preemption_timer(void);
/* keel.cfg's "vmx apicv=off", before arch_vmx_init: emulate the local APIC even if the CPU could virtualize it. */
void arch_vmx_no_apicv(void);
/* keel.cfg's "vmx posted=off", before arch_vmx_init: no posted interrupts even if offered. */
void arch_vmx_no_posted(void);
/* A posted-interrupt notification to host CPU cpu (arch/x86/vmx/posted.c). */
void arch_vcpu_post_notify(unsigned cpu);
/* Before entering v, whose vLAPIC has a virtual-APIC page: the page, RVI/SVI, EOI-exit bitmap. */
void arch_vcpu_apicv_entry(struct vcpu *v);
bool arch_vmx_ready(void);
/*
 * On an AP, after arch_vmx_init on the boot CPU: VMX on with the VMXON
 * region at vmxon_pa if this CPU's capabilities equal the boot CPU's.
 * Returns 0, or -errno with the reason in why (nothing printed).
 */
int arch_vmx_init_ap(uint64_t vmxon_pa, char *why, size_t len);
/* Whether this CPU can run real-mode / HVM guests (EPT + unrestricted guest). */
bool arch_vmx_can_run_real_mode(void);
/* Whether guests can get their memory through EPT (every Keel guest needs it). */
bool arch_vmx_has_ept(void);

int arch_vm_init(struct vm *vm);
/* Map guest-physical [gpa, gpa+size) to host [hpa, hpa+size), write-back. */
int arch_vm_map(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size, bool writable);
/* Map one 4 KiB page of another guest (a grant) at gpa, and unmap it. */
int arch_vm_map_page(struct vm *vm, uint64_t gpa, uint64_t hpa, bool writable);
int arch_vm_unmap_page(struct vm *vm, uint64_t gpa);
/* Make mapped guest memory writable or read-only; -ENODEV if the CPU has no INVEPT. */
int arch_vm_protect(struct vm *vm, uint64_t gpa, uint64_t size, bool writable);
/* Exceptions exit to Keel (a PV guest in a VM, which has no IDT of its own). */
void arch_vcpu_trap_exceptions(struct vcpu *v);
/* RIP, RSP and RFLAGS of a vCPU that is not running (its VMCS current, if it has one). */
void arch_vcpu_get_frame(struct vcpu *v, uint64_t *rip, uint64_t *rsp, uint64_t *rflags);
void arch_vcpu_set_frame(struct vcpu *v, uint64_t rip, uint64_t rsp, uint64_t rflags);
/* Fill a PV guest's hypercall page: one entry per call, KEEL_HYPERCALL_STRIDE apart. */
void arch_hypercall_page_fill(struct vm *vm, uint8_t *page);
/* The TSC value the guest reads when the host's TSC reads host_tsc. */
uint64_t arch_guest_tsc(struct vm *vm, uint64_t host_tsc);
/* Make the vCPU start like a PC after reset: real mode at F000:FFF0. */
void arch_vcpu_setup_reset(struct vcpu *v);
/* Make the vCPU start in 64-bit mode at rip/rsp with the guest's own cr3. */
void arch_vcpu_setup_long(struct vcpu *v, uint64_t rip, uint64_t rsp, uint64_t cr3, uint64_t gdt);
/* SIPI (vector v): real mode at v*256:0000 in INIT's state, a fresh VMCS (SDM 3A 8.4.4.1). */
void arch_vcpu_setup_sipi(struct vcpu *v, uint8_t vector);
/* Inject an NMI if the guest can take one now (no NMI, STI or MOV SS blocking); false if not. */
bool arch_vcpu_inject_nmi(struct vcpu *v);
/* Make the vCPU start in real mode at cs:ip = 0:ip. */
void arch_vcpu_setup_real(struct vcpu *v, uint16_t ip);
/* Make v's VMCS the current one (the VMCS accessors and hooks below act on it). */
void arch_vcpu_load(struct vcpu *v);
/* A wake-up IPI reached this CPU in its idle halt: its part of an EPT shootdown, if any. */
void arch_ept_shootdown_ack(unsigned cpu);
/* How many of vm's INVEPT shootdowns had to reach another CPU (and were answered). */
uint64_t arch_vm_ept_shootdowns_remote(const struct vm *vm);
/* v runs on host CPU cpu from now on: released (VMCLEAR) by the CPU calling this. */
void arch_vcpu_move(struct vcpu *v, unsigned cpu);
/* Choose v's exit path again: its guest's vm->split changed (before it first runs). */
void arch_vcpu_exit_path(struct vcpu *v);
/* The vCPU whose VMCS is current on this CPU, NULL if none yet. */
struct vcpu *arch_vcpu_current(void);
/* Enter the guest; never returns (exits come back through the dispatcher). */
__attribute__((noreturn)) void arch_vcpu_run(struct vcpu *v);
/* Interrupt delivery (the VMCS of v must be current). */
bool arch_vcpu_can_inject_irq(struct vcpu *v);
void arch_vcpu_inject_irq(struct vcpu *v, uint8_t vector);
/* Exit as soon as the guest can take an interrupt. */
void arch_vcpu_irq_window(struct vcpu *v, bool on);
/* Exit no later than host TSC tsc_deadline (~0: no deadline). */
void arch_vcpu_set_timer(struct vcpu *v, uint64_t tsc_deadline);
/* The name of a basic exit reason, for statistics and reports. */
const char *arch_exit_reason_name(unsigned reason);
/* Print the guest's registers and the VMCS exit fields. */
void arch_vcpu_dump(struct vcpu *v);
#endif
