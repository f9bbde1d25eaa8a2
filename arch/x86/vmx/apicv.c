/* SPDX-License-Identifier: MIT */
/*
 * APIC virtualization for hvm vCPUs (Intel SDM Vol. 3C chapter 30, "APIC
 * Virtualization and Virtual Interrupts"; 29 in editions before 2023),
 * where vmx_negotiate() found the CPU offers it whole and keel.cfg does not
 * say "vmx apicv=off". The model stays vmm/dev/vlapic*.c; its registers
 * are mirrored in a virtual-APIC page per vLAPIC (vlapic_apicv.c), which
 * the CPU reads and partly writes:
 * - TPR writes (MMIO, MOV CR8, WRMSR 0x808) and EOI (MMIO, WRMSR 0x80b)
 *   stay in the guest; so do reads of every register but the timer's
 *   current count (30.4.2, 30.5).
 * - Writes Keel must act on (ID, LDR, DFR, SVR, ESR, ICR, LVT, timer
 *   counts) land in the page and then exit trap-like: APIC-write exits
 *   (30.4.3.3), handed to the emulation. In x2APIC mode they are WRMSR
 *   exits as before: the MSR bitmap traps every write but TPR, EOI and
 *   SELF IPI.
 * - An interrupt the vLAPIC accepts is requested, not injected: its IRR
 *   bit and RVI, which the CPU delivers when VPPR allows (30.2).
 * - EOI of a level-triggered vector exits (EOI-exit bitmap, 30.1.4) so
 *   the IOAPIC clears Remote IRR.
 * - Other accesses to the APIC page (the current count, odd sizes) are
 *   APIC-access exits (fault-like), emulated as MMIO.
 * The APIC-access page is mapped through EPT at the guest's APIC base only
 * while the guest's APIC is enabled in xAPIC mode: disabled, the address
 * reads as nothing (EPT violation to the model, as before); in x2APIC mode
 * "virtualize x2APIC mode" takes its place (26.2.1.1 forbids both). The
 * base itself cannot move (vmm/vmsr.c refuses a new base).
 */
#include "vmx_priv.h"
#include <arch/vmx.h>
#include <keel/frames.h>
#include <keel/hvm.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vm.h>
#include <keel/vtime.h>

#define APIC_ACCESS_GPA VLAPIC_BASE_DEFAULT

/* The vLAPIC of this vCPU (vmm/hvm_smp.c: one per vCPU). */
static struct vlapic *lapic_of(struct vcpu *v)
{
	return hvm_lapic(v);
}

/* SDM 3C 25.6.9: read bitmap for MSRs 0-0x1fff at byte 0, write bitmap at 2048. */
static void msr_let_through(uint8_t *bm, uint32_t msr, bool write)
{
	bm[(write ? 2048 : 0) + msr / 8] &= (uint8_t)~(1u << (msr % 8));
}

/*
 * The x2APIC registers whose RDMSR the CPU serves from the page with
 * APIC-register virtualization (30.5): all but the ICR (its 64-bit MSR
 * and the page's 32-bit layout differ) and the current count (computed).
 */
static const uint16_t x2apic_reads[] = {
	0x802, 0x803, 0x808, 0x80a, 0x80d, 0x80f, 0x828, 0x82f,
	0x832, 0x833, 0x834, 0x835, 0x836, 0x837, 0x838, 0x83e,
};

/* The VM's MSR bitmap for vCPUs in virtualized x2APIC mode, made on first use. */
static uint8_t *x2apic_bitmap(struct vm *vm)
{
	uint8_t *bm = vm->arch.msr_bitmap_x2apic;

	if (bm)
		return bm;
	bm = frame_alloc(PAGE_SIZE, PAGE_SIZE);
	memcpy(bm, vm->arch.msr_bitmap, PAGE_SIZE);
	for (unsigned i = 0; i < ARRAY_SIZE(x2apic_reads); i++)
		msr_let_through(bm, x2apic_reads[i], false);
	for (uint32_t msr = 0x810; msr < 0x828; msr++) /* ISR, TMR, IRR */
		msr_let_through(bm, msr, false);
	/* TPR, EOI and SELF IPI virtualization (30.5); every other write exits. */
	msr_let_through(bm, 0x808, true);
	msr_let_through(bm, 0x80b, true);
	msr_let_through(bm, 0x83f, true);
	vm->arch.msr_bitmap_x2apic = bm;
	return bm;
}

/*
 * The APIC-access page at the guest's APIC base: accesses to it are APIC
 * accesses (30.4) only while "virtualize APIC accesses" is on; with it off
 * the page would be plain memory, so it is unmapped then (INVEPT).
 */
static void map_access_page(struct vm *vm, bool on)
{
	int err;

	if (on == vm->arch.apic_access_mapped)
		return;
	err = on ? arch_vm_map_page(vm, APIC_ACCESS_GPA, vm->arch.apic_access_pa, true) :
		   arch_vm_unmap_page(vm, APIC_ACCESS_GPA);
	if (err)
		panic("vmx: guest '%s': APIC-access page %s failed (%d)", vm->name,
		      on ? "mapping" : "unmapping", err);
	vm->arch.apic_access_mapped = on;
}

void vmx_apicv_mode(struct vcpu *v)
{
	struct vlapic *a = lapic_of(v);
	bool xapic = a->hw_enabled && !a->x2apic;
	bool x2apic = a->hw_enabled && a->x2apic && vmx.ctl.apicv_x2apic;
	uint32_t proc2 = v->arch.proc2 & ~(uint32_t)(CPU2_VIRT_APIC_ACCESS | CPU2_VIRT_X2APIC);

	proc2 |= (xapic ? CPU2_VIRT_APIC_ACCESS : 0) | (x2apic ? CPU2_VIRT_X2APIC : 0);
	map_access_page(v->vm, xapic);
	/* Without "virtualize x2APIC mode" a let-through RDMSR would read the host's APIC. */
	vmcs_write(VMCS_MSR_BITMAP,
		   (uint64_t)(x2apic ? x2apic_bitmap(v->vm) : v->vm->arch.msr_bitmap));
	if (proc2 != v->arch.proc2) {
		v->arch.proc2 = proc2;
		vmcs_write(VMCS_PROC2_CONTROLS, proc2);
	}
}

void vmx_apicv_setup(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct vlapic *a = lapic_of(v);

	if (!v->arch.vapic)
		v->arch.vapic = frame_alloc(PAGE_SIZE, PAGE_SIZE);
	memset(v->arch.vapic, 0, PAGE_SIZE);
	if (!vm->arch.apic_access_pa) {
		/* Its contents are never read or written: only its address counts (30.4). */
		vm->arch.apic_access_pa = (uint64_t)frame_alloc(PAGE_SIZE, PAGE_SIZE);
		memset((void *)vm->arch.apic_access_pa, 0, PAGE_SIZE);
	}
	a->vapic = v->arch.vapic;
	a->vapic_dirty = true;
	v->arch.proc = vmx.ctl.apicv_proc;
	v->arch.proc2 = vmx.ctl.apicv_proc2;
	vmcs_write(VMCS_PROC_CONTROLS, v->arch.proc);
	vmcs_write(VMCS_PROC2_CONTROLS, v->arch.proc2);
	vmcs_write(VMCS_VIRTUAL_APIC_PAGE, (uint64_t)v->arch.vapic);
	vmcs_write(VMCS_APIC_ACCESS_ADDR, vm->arch.apic_access_pa);
	vmcs_write(VMCS_TPR_THRESHOLD, 0); /* with VID the CPU evaluates TPR itself (30.1.2) */
	vmcs_write(VMCS_GUEST_INTR_STATUS, 0);
	for (unsigned i = 0; i < 4; i++)
		vmcs_write(VMCS_EOI_EXIT_BITMAP0 + 2 * i, 0);
	vmx_apicv_mode(v);
	if (vmx.ctl.posted)
		vmx_posted_setup(v);
}

void vmx_apicv_pull(struct vcpu *v)
{
	vlapic_apicv_pull(lapic_of(v), vmcs_read16(VMCS_GUEST_INTR_STATUS));
}

void arch_vcpu_apicv_entry(struct vcpu *v)
{
	struct vlapic_apicv_entry e;

	vlapic_apicv_push(lapic_of(v), &e);
	if (e.intr_status_changed)
		vmcs_write(VMCS_GUEST_INTR_STATUS, e.intr_status);
	if (e.eoi_exit_changed)
		for (unsigned i = 0; i < 4; i++)
			vmcs_write(VMCS_EOI_EXIT_BITMAP0 + 2 * i, e.eoi_exit[i]);
}

/* APIC-write exit (30.4.3.3): trap-like, RIP is past the write; the qualification is its offset. */
struct vcpu *exit_apic_write(struct vcpu *v)
{
	vlapic_apicv_write(lapic_of(v), vmcs_read(VMCS_EXIT_QUALIFICATION) & 0xfff,
			   vm_time_ns(v->vm));
	return v;
}

/* EOI-induced exit (30.1.4): trap-like; the CPU already retired the vector in VISR. */
struct vcpu *exit_eoi_induced(struct vcpu *v)
{
	vlapic_apicv_eoi(lapic_of(v), (uint8_t)vmcs_read(VMCS_EXIT_QUALIFICATION));
	return v;
}

/*
 * APIC-access exit (SDM 3C 28.2.1 Table 28-6): fault-like. Bits 11:0 the
 * offset, 15:12 the access type. Linear reads and writes (types 0 and 1)
 * are the instruction's own access and are emulated as MMIO; fetches and
 * accesses during event delivery have no instruction to emulate.
 */
struct vcpu *exit_apic_access(struct vcpu *v)
{
	uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	unsigned type = (q >> 12) & 0xf;

	if (type > 1)
		vm_stop(v->vm, "APIC access of type %u at offset 0x%lx (instruction fetch or "
			"event delivery through the local APIC page)", type, q & 0xfff);
	return vmx_mmio_at(v, APIC_ACCESS_GPA + (q & 0xfff));
}

/* Without VID Keel does not use APIC virtualization, so the threshold stays 0: never. */
struct vcpu *exit_tpr_below_threshold(struct vcpu *v)
{
	return v;
}
