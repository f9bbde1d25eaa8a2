/* SPDX-License-Identifier: MIT */
/*
 * Building a vCPU's VMCS: negotiated controls, Keel's host state, and the
 * guest's initial state for the two ways Keel starts a guest (64-bit mode
 * or real mode). Guest-state rules: SDM Vol. 3C 27.3.1; host: 27.2.
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <arch/desc.h>
#include <arch/fpu.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/vmx.h>
#include <keel/frames.h>
#include <keel/printk.h>
#include <keel/vm.h>

#define HOST_STACK_SIZE 16384
static uint8_t exit_stack[HOST_STACK_SIZE] __attribute__((aligned(16)));

extern char vmx_exit_entry[];
uint64_t arch_gdt_base(void);
uint64_t arch_tss_base(void);
uint64_t arch_idt_base(void);

/* Access rights (SDM 3C 25.4.1): type, S, DPL, P, L, D/B, G; bit 16 = unusable. */
#define AR_CODE64 0xa09b
#define AR_DATA   0xc093
#define AR_TSS64  0x008b
#define AR_UNUSABLE 0x10000
#define AR_CODE16 0x009b
#define AR_DATA16 0x0093

static void vmcs_load_fresh(struct vcpu *v)
{
	uint8_t fail;

	if (!v->arch.vmcs_pa) {
		v->arch.vmcs_pa = (uint64_t)frame_alloc(PAGE_SIZE, PAGE_SIZE);
		*(uint32_t *)v->arch.vmcs_pa = (uint32_t)vmx.caps.basic & 0x7fffffff;
	}
	__asm__ volatile("vmclear %1; setbe %0" : "=qm"(fail) : "m"(v->arch.vmcs_pa) : "cc", "memory");
	if (!fail)
		__asm__ volatile("vmptrld %1; setbe %0" : "=qm"(fail) : "m"(v->arch.vmcs_pa) : "cc", "memory");
	if (fail)
		panic("vmx: VMCLEAR/VMPTRLD failed for guest '%s'", v->vm->name);
	vcpu_cpu_init(v)->vmx_current = v;
	v->arch.launched = 0;
	arch_fpu_reset(v);
	arch_vcpu_exit_path(v);
}

void arch_vcpu_exit_path(struct vcpu *v)
{
	v->arch.exit_fn = !v->vm->hvm	 ? vmx_exit_dispatch :
			  v->vm->split ? vmx_exit_dispatch_hvm_split :
					 vmx_exit_dispatch_hvm;
}

static void setup_controls(struct vcpu *v, bool long_mode)
{
	struct vm *vm = v->vm;

	v->arch.pin = vmx.ctl.pin;
	v->arch.proc = vmx.ctl.proc;
	vmcs_write(VMCS_PIN_CONTROLS, vmx.ctl.pin);
	vmcs_write(VMCS_PROC_CONTROLS, vmx.ctl.proc);
	if (vmx.ctl.proc & CPU_SECONDARY)
		vmcs_write(VMCS_PROC2_CONTROLS, vmx.ctl.proc2);
	vmcs_write(VMCS_EXIT_CONTROLS, vmx.ctl.exit);
	vmcs_write(VMCS_ENTRY_CONTROLS, vmx.ctl.entry | (long_mode ? ENTRY_IA32E_GUEST : 0));
	vmcs_write(VMCS_EXCEPTION_BITMAP, 0);
	vmcs_write(VMCS_IO_BITMAP_A, (uint64_t)vm->arch.io_bitmap);
	vmcs_write(VMCS_IO_BITMAP_B, (uint64_t)vm->arch.io_bitmap + PAGE_SIZE);
	if (vmx.ctl.proc & CPU_MSR_BITMAPS)
		vmcs_write(VMCS_MSR_BITMAP, (uint64_t)vm->arch.msr_bitmap);
	if (vmx.ctl.proc2 & CPU2_EPT)
		vmcs_write(VMCS_EPT_POINTER, vm->arch.eptp);
	if (vmx.ctl.vpid)
		vmcs_write(VMCS_VPID, v->arch.vpid);
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	/* Guest TSC starts near 0 when the VM is built and only moves forward. */
	if (vmx.ctl.proc & CPU_TSC_OFFSETTING)
		vmcs_write(VMCS_TSC_OFFSET, -vm->tsc_base);
	/*
	 * Keel owns CR0.NE (VMX forces it on), CR0.CD/NW (kept clear so guest
	 * memory stays cached) and CR4.VMXE: the guest sees the read shadows,
	 * and changing one of these bits exits (exit_cr.c).
	 */
	vmcs_write(VMCS_CR0_GUEST_HOST_MASK, CR0_NE | CR0_CD | CR0_NW);
	vmcs_write(VMCS_CR4_GUEST_HOST_MASK, CR4_VMXE | vmx.caps.cr4_fixed0);
	v->arch.proc2 = vmx.ctl.proc2;
	if (vm->hvm && vmx.ctl.apicv)
		vmx_apicv_setup(v);
	/*
	 * A guest with several vCPUs spins with PAUSE (SeaBIOS waiting for its
	 * APs, Linux on a lock or an IPI's answer) while the vCPU it waits for
	 * may be queued on the same host CPU: PAUSE exits and yields to it.
	 */
	if (vm->nr_vcpus > 1 && ((vmx.caps.proc >> 32) & CPU_PAUSE_EXITING)) {
		v->arch.proc |= CPU_PAUSE_EXITING;
		vmcs_write(VMCS_PROC_CONTROLS, v->arch.proc);
	}
}

static void setup_host(struct vcpu *v)
{
	vmcs_write(VMCS_HOST_CR0, read_cr0());
	vmcs_write(VMCS_HOST_CR3, read_cr3());
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_CS_SEL, SEL_KCODE);
	vmcs_write(VMCS_HOST_SS_SEL, SEL_KDATA);
	vmcs_write(VMCS_HOST_DS_SEL, SEL_KDATA);
	vmcs_write(VMCS_HOST_ES_SEL, SEL_KDATA);
	vmcs_write(VMCS_HOST_FS_SEL, 0);
	vmcs_write(VMCS_HOST_GS_SEL, 0);
	vmcs_write(VMCS_HOST_TR_SEL, SEL_TSS);
	vmcs_write(VMCS_HOST_FS_BASE, 0);
	vmcs_write(VMCS_HOST_IDTR_BASE, arch_idt_base());
	vmcs_write(VMCS_HOST_SYSENTER_CS, 0);
	vmcs_write(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_HOST_IA32_EFER, rdmsr(MSR_IA32_EFER));
	if (vmx.ctl.exit & EXIT_LOAD_PAT)
		vmcs_write(VMCS_HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_write(VMCS_HOST_RIP, (uint64_t)vmx_exit_entry);
	vmx_host_state_this_cpu(v);
}

/*
 * The host state that differs between CPUs (SDM 3C 27.5: the CPU loads it
 * on every exit): its struct percpu as GS base, its TSS and GDT, its CR4
 * (CR4.OSXSAVE is set per CPU, by its first vCPU's FPU set-up), and the
 * stack its exits start on: the boot CPU's static one, an AP's boot stack
 * (abandoned once it enters its first guest, as the boot CPU's is).
 */
void vmx_host_state_this_cpu(struct vcpu *v)
{
	struct percpu *pc = this_cpu();

	arch_fpu_cpu_init();
	vmcs_write(VMCS_HOST_CR4, read_cr4());
	vmcs_write(VMCS_HOST_GS_BASE, (uint64_t)pc);
	vmcs_write(VMCS_HOST_TR_BASE, pc->cpu ? (uint64_t)&pc->tables.tss : arch_tss_base());
	vmcs_write(VMCS_HOST_GDTR_BASE, pc->cpu ? (uint64_t)pc->tables.gdt : arch_gdt_base());
	v->host_stack = pc->cpu ? pc->stack_top : (uint64_t)exit_stack + HOST_STACK_SIZE;
	v->arch.host_cpu = pc->cpu;
}

static void set_segment(unsigned i, uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
	/* ES CS SS DS FS GS LDTR TR: consecutive encodings, 2 apart. */
	vmcs_write(VMCS_GUEST_ES_SEL + 2 * i, sel);
	vmcs_write(VMCS_GUEST_ES_BASE + 2 * i, base);
	vmcs_write(VMCS_GUEST_ES_LIMIT + 2 * i, limit);
	vmcs_write(VMCS_GUEST_ES_AR + 2 * i, ar);
}

enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR, SEG_TR };

static void setup_guest_common(struct vcpu *v)
{
	vmcs_write(VMCS_GUEST_DR7, 0x400);
	vmcs_write(VMCS_GUEST_RFLAGS, RFLAGS_RSVD);
	vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(VMCS_GUEST_ACTIVITY_STATE, 0);
	vmcs_write(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write(VMCS_GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_write(VMCS_GUEST_SYSENTER_EIP, 0);
	vmcs_write(VMCS_GUEST_FS_BASE, 0);
	vmcs_write(VMCS_GUEST_GS_BASE, 0);
	/* The MSRs at power-on (vmm/vmsr.c); the TSC as setup_controls() offset it. */
	vmsr_reset(&v->msr, vmx_guest_msr_cpu(),
		   (vmx.ctl.proc & CPU_TSC_OFFSETTING) ? -v->vm->tsc_base : 0);
	if (!v->vm->hvm) /* no vLAPIC: no x2APIC mode, no TSC-deadline timer (CPUID agrees) */
		v->msr.cpu.x2apic = v->msr.cpu.tsc_deadline = false;
	if (vmx.ctl.pat)
		vmcs_write(VMCS_GUEST_IA32_PAT, v->msr.pat);
	set_segment(SEG_LDTR, 0, 0, 0, AR_UNUSABLE);
	for (unsigned i = 0; i < VMX_SWITCHED_MSRS; i++)
		v->arch.msrs[i] = 0;
}

static uint64_t fixed_cr(uint64_t want, uint64_t fixed0, uint64_t fixed1)
{
	return (want | fixed0) & fixed1;
}

void arch_vcpu_setup_long(struct vcpu *v, uint64_t rip, uint64_t rsp, uint64_t cr3, uint64_t gdt)
{
	uint64_t cr0 = fixed_cr(CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG,
				vmx.caps.cr0_fixed0, vmx.caps.cr0_fixed1);
	/* SSE usable from the first instruction: PV guests' C library (newlib) uses it. */
	uint64_t cr4 = fixed_cr(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_VMXE, vmx.caps.cr4_fixed0,
				vmx.caps.cr4_fixed1);

	vmcs_load_fresh(v);
	v->arch.long_mode = 1;
	setup_controls(v, true);
	setup_host(v);
	setup_guest_common(v);
	vmcs_write(VMCS_GUEST_CR0, cr0);
	vmcs_write(VMCS_CR0_READ_SHADOW, cr0);
	vmcs_write(VMCS_GUEST_CR3, cr3);
	vmcs_write(VMCS_GUEST_CR4, cr4);
	vmcs_write(VMCS_CR4_READ_SHADOW, cr4 & ~CR4_VMXE);
	vmcs_write(VMCS_GUEST_IA32_EFER, EFER_LME | EFER_LMA);
	set_segment(SEG_CS, 0x08, 0, 0xffffffff, AR_CODE64);
	for (unsigned s = SEG_ES; s <= SEG_GS; s++)
		if (s != SEG_CS)
			set_segment(s, 0x10, 0, 0xffffffff, AR_DATA);
	set_segment(SEG_TR, 0, 0, 0x67, AR_TSS64);
	vmcs_write(VMCS_GUEST_GDTR_BASE, gdt);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, 3 * 8 - 1);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0);
	vmcs_write(VMCS_GUEST_RSP, rsp);
	vmcs_write(VMCS_GUEST_RIP, rip);
}

/*
 * Real mode needs "unrestricted guest" (SDM 3C 25.6.2): CR0.PE and PG may
 * then be 0 although the fixed-0 MSR says 1. Segments are 64 KiB at
 * selector * 16; TR must still look like a busy TSS (27.3.1.2).
 */
static void setup_real_mode(struct vcpu *v, uint16_t cs, uint64_t cs_base, uint16_t ip,
			    uint16_t sp, uint64_t cr0_shadow)
{
	uint64_t cr0_fixed0 = vmx.caps.cr0_fixed0 & ~(uint64_t)(CR0_PE | CR0_PG);
	uint64_t cr0 = fixed_cr(cr0_shadow & ~(uint64_t)(CR0_CD | CR0_NW), cr0_fixed0,
				vmx.caps.cr0_fixed1);
	uint64_t cr4 = fixed_cr(CR4_VMXE, vmx.caps.cr4_fixed0, vmx.caps.cr4_fixed1);

	vmcs_load_fresh(v);
	v->arch.long_mode = 0;
	setup_controls(v, false);
	setup_host(v);
	setup_guest_common(v);
	vmcs_write(VMCS_GUEST_CR0, cr0);
	vmcs_write(VMCS_CR0_READ_SHADOW, cr0_shadow);
	vmcs_write(VMCS_GUEST_CR3, 0);
	vmcs_write(VMCS_GUEST_CR4, cr4);
	vmcs_write(VMCS_CR4_READ_SHADOW, cr4 & ~CR4_VMXE);
	vmcs_write(VMCS_GUEST_IA32_EFER, 0);
	set_segment(SEG_CS, cs, cs_base, 0xffff, AR_CODE16);
	for (unsigned s = SEG_ES; s <= SEG_GS; s++)
		if (s != SEG_CS)
			set_segment(s, 0, 0, 0xffff, AR_DATA16);
	set_segment(SEG_TR, 0, 0, 0xffff, AR_TSS64);
	vmcs_write(VMCS_GUEST_GDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write(VMCS_GUEST_IDTR_LIMIT, 0x3ff);
	vmcs_write(VMCS_GUEST_RSP, sp);
	vmcs_write(VMCS_GUEST_RIP, ip);
}

void arch_vcpu_setup_real(struct vcpu *v, uint16_t ip)
{
	setup_real_mode(v, 0, 0, ip, 0x7000, CR0_ET | CR0_NE);
}

/*
 * The state after RESET (SDM 3A 10.1.1, Table 10-1): CS F000 with base
 * FFFF0000 so the first fetch is at FFFFFFF0, CR0 60000010 (caches off, as
 * the guest sees it), EDX = the CPU signature.
 */
void arch_vcpu_setup_reset(struct vcpu *v)
{
	setup_real_mode(v, 0xf000, 0xffff0000, 0xfff0, 0, CR0_CD | CR0_NW | CR0_ET);
	for (unsigned i = 0; i < NR_GPRS; i++)
		v->gpr.r[i] = 0;
	v->gpr.r[REG_RDX] = cpuid(1, 0).eax;
}

/*
 * An AP's start (SDM 3A 8.4.4.1, 10.4.7.3): the state INIT leaves, but CS
 * selector vector << 8 with base vector << 12 and IP 0. A fresh VMCS, as
 * at reset: the vCPU's registers and XSAVE state start anew too.
 */
void arch_vcpu_setup_sipi(struct vcpu *v, uint8_t vector)
{
	setup_real_mode(v, (uint16_t)(vector << 8), (uint64_t)vector << 12, 0, 0,
			CR0_CD | CR0_NW | CR0_ET);
	for (unsigned i = 0; i < NR_GPRS; i++)
		v->gpr.r[i] = 0;
	v->gpr.r[REG_RDX] = cpuid(1, 0).eax;
}

/*
 * A PV guest in a VM has no IDT: its exceptions exit to Keel, which sends
 * them to its fault entry (every vector but NMI and #MC, which stay Keel's).
 */
void arch_vcpu_trap_exceptions(struct vcpu *v)
{
	if (!v->vm->arch.depriv)
		vmcs_write(VMCS_EXCEPTION_BITMAP, ~(uint32_t)(BIT(2) | BIT(18)));
}
