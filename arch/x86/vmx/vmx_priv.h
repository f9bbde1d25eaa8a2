/* SPDX-License-Identifier: MIT */
/* State and helpers shared inside arch/x86/vmx only. */
#ifndef ARCH_X86_VMX_PRIV_H
#define ARCH_X86_VMX_PRIV_H

#include <stdbool.h>
#include "vmcs.h"
#include "vmx_ctls.h"
#include "exit_reason.h"

struct vcpu;

struct vmx_state {
	bool on;
	/* No VMX-preemption timer: the host's LAPIC timer ends slices (vcpu_events.c). */
	bool lapic_timer;
	uint64_t vmxon_pa;
	struct vmx_caps caps;
	struct vmx_controls ctl;
};

extern struct vmx_state vmx;
extern const uint32_t vmx_switched_msrs[];

/* INVEPT of eptp on this CPU; on every CPU that may cache vm's EPT (ept_shootdown.c). */
struct vm;
void vmx_invept(uint64_t eptp);
void vmx_ept_shootdown(struct vm *vm);
/* This CPU took a wake-up IPI: its INVEPT, if a shootdown waits for it. */
void vmx_ept_shootdown_ack(unsigned cpu);
/* Write this CPU's host state (GS, TR, GDTR bases, CR4, exit stack) into v's current VMCS. */
void vmx_host_state_this_cpu(struct vcpu *v);

typedef struct vcpu *exit_handler_fn(struct vcpu *v);

struct vcpu *vmx_exit_dispatch(struct vcpu *v);
/* The host's LAPIC timer interrupted a guest: a slice or device deadline (vcpu_events.c). */
struct vcpu *vmx_lapic_timer_exit(struct vcpu *v);
struct vcpu *vmx_exit_dispatch_hvm(struct vcpu *v);
/* The same for a vCPU of a guest split over host CPUs: under the guest's lock. */
struct vcpu *vmx_exit_dispatch_hvm_split(struct vcpu *v);
__attribute__((noreturn)) void vmx_enter(struct vcpu *v);
__attribute__((noreturn)) void vmx_entry_failed(struct vcpu *v);

/* Advance the guest RIP past the instruction that exited. */
static inline void vmx_skip_instruction(void)
{
	vmcs_write(VMCS_GUEST_RIP, vmcs_read(VMCS_GUEST_RIP) + vmcs_read(VMCS_EXIT_INSTR_LEN));
}

/* An event whose delivery the exit cut short, injected again (SDM 3C 27.2.4); true if one. */
bool vmx_redeliver(struct vcpu *v);
/* Queue a hardware exception for the next entry (SDM 3C 26.6). */
void vmx_inject_exception(struct vcpu *v, unsigned vector, bool has_error, uint32_t error);
/* A PV guest's exception to its fault entry (or it stops); false for other guests. */
bool vmx_pv_exception(struct vcpu *v, unsigned vector, uint32_t error, uint64_t address);

/* Guest memory through the guest's page tables (guest_mem.c); each returns bytes copied. */
int vmx_guest_translate(struct vcpu *v, uint64_t la, uint64_t *gpa);
unsigned vmx_guest_read_linear(struct vcpu *v, uint64_t la, void *dst, unsigned len);
/* Stops where the guest could not write (ROM, read-only shadow RAM) or at unmapped memory. */
unsigned vmx_guest_write_linear(struct vcpu *v, uint64_t la, const void *src, unsigned len);
/* A store as the guest's own: bytes the guest could not write are dropped, and count as done. */
unsigned vmx_guest_store_linear(struct vcpu *v, uint64_t la, const void *src, unsigned len);

/* CPUID as guests see it (exit_cpuid.c), and the CR4 bits that makes valid for them. */
struct cpuid_regs;
void vmx_guest_cpuid(uint32_t leaf, uint32_t sub, struct cpuid_regs *c);
uint64_t vmx_guest_cr4_allowed(void);
struct vmsr_cpu;
const struct vmsr_cpu *vmx_guest_msr_cpu(void);
struct cpuid_model;
const struct cpuid_model *vmx_cpuid_model(void);
/* The vLAPIC's MSRs (exit_msr_lapic.c): 0 or -1 for #GP. */
int vmx_lapic_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
int vmx_lapic_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);
void vmx_lapic_tsc_moved(struct vcpu *v);

#define X86_UD 6
#define X86_GP 13
#define X86_PF 14

exit_handler_fn exit_exception_nmi, exit_external_interrupt, exit_triple_fault, exit_cpuid,
	exit_hlt, exit_pause, exit_vmcall, exit_vmx_instruction, exit_io, exit_rdmsr, exit_wrmsr,
	exit_ept_violation, exit_ept_misconfig, exit_xsetbv, exit_entry_failure_guest_state,
	exit_invalid_opcode, exit_cr_access, exit_skip_instruction, exit_io_string,
	exit_interrupt_window, exit_preemption_timer;
/* APIC virtualization (apicv.c). */
exit_handler_fn exit_apic_access, exit_apic_write, exit_eoi_induced, exit_tpr_below_threshold;
void vmx_apicv_setup(struct vcpu *v);
void vmx_apicv_mode(struct vcpu *v);
/* After an exit: what the CPU did to the virtual-APIC page, into the vLAPIC. */
void vmx_apicv_pull(struct vcpu *v);
/*
 * Posted interrupts (posted.c): the host vector of notifications, its IDT
 * gate (once, on the boot CPU, before the APs start), a vCPU's descriptor
 * and VMCS fields (from vmx_apicv_setup, where vmx.ctl.posted).
 */
#define POSTED_NOTIFY_VECTOR 0xf2
void vmx_posted_init(void);
void vmx_posted_setup(struct vcpu *v);
/* Emulate the instruction that accessed MMIO at gpa (exit_ept.c), and move RIP past it. */
struct vcpu *vmx_mmio_at(struct vcpu *v, uint64_t gpa);

#endif
