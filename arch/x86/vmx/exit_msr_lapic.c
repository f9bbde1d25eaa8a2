/* SPDX-License-Identifier: MIT */
/*
 * RDMSR/WRMSR of the MSRs that are the hvm guest's local APIC: the x2APIC
 * registers (0x800-0x8ff) and IA32_TSC_DEADLINE. The rules are the
 * vLAPIC's (vmm/dev/vlapic_x2apic.c, vlapic_timer.c, host-tested); this
 * gives them guest time and turns a TSC deadline into guest time. A vCPU
 * without a vLAPIC has neither (its CPUID says so): the MSR model's #GP.
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <drivers/tsc.h>
#include <keel/hvm.h>
#include <keel/vm.h>
#include <keel/vtime.h>

/*
 * The guest time at which the guest's TSC passes tsc: the first ns whose
 * host TSC is beyond it, so the interrupt never comes before the TSC
 * reaches the deadline (SDM 3A 11.5.4.1: "equals or exceeds").
 */
static uint64_t deadline_ns(struct vcpu *v, uint64_t tsc, uint64_t now)
{
	uint64_t host_tsc = rdtsc(), host_dl = tsc - v->msr.tsc_offset;

	if (tsc <= host_tsc + v->msr.tsc_offset || host_dl <= v->vm->tsc_base)
		return now;
	return tsc_to_ns(host_dl - v->vm->tsc_base) + 1;
}

int vmx_lapic_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct vlapic *a = hvm_lapic(v);
	uint64_t now = vm_time_ns(v->vm);

	if (a->vapic) /* RDMSR takes the fast path, which does not pull (exit_dispatch.c) */
		vmx_apicv_pull(v);
	if (msr != MSR_IA32_TSC_DEADLINE)
		return vlapic_msr_read(a, msr, now, val);
	if (!v->msr.cpu.tsc_deadline)
		return -1;
	vlapic_update(a, now); /* a deadline that passed reads 0 */
	*val = vlapic_tsc_deadline_read(a);
	return 0;
}

int vmx_lapic_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vlapic *a = hvm_lapic(v);
	uint64_t now = vm_time_ns(v->vm);

	if (msr != MSR_IA32_TSC_DEADLINE)
		return vlapic_msr_write(a, msr, val, now);
	if (!v->msr.cpu.tsc_deadline)
		return -1;
	vlapic_update(a, now);
	a->stats.deadline++;
	vlapic_tsc_deadline_write(a, val, val ? deadline_ns(v, val, now) : 0);
	vlapic_update(a, now); /* a deadline that has passed raises its interrupt now */
	return 0;
}

/* The guest's TSC moved (IA32_TSC, TSC_ADJUST): an armed deadline moves with it. */
void vmx_lapic_tsc_moved(struct vcpu *v)
{
	struct vlapic *a = hvm_lapic(v);
	uint64_t dl = vlapic_tsc_deadline_read(a);

	if (dl)
		vlapic_tsc_deadline_write(a, dl, deadline_ns(v, dl, vm_time_ns(v->vm)));
}
