/* SPDX-License-Identifier: MIT */
/*
 * Turning VMX on: detect it, take IA32_FEATURE_CONTROL as the firmware left
 * it (OVMF and KVM leave it unlocked, real boards usually lock it with VMX
 * on, some lock it with VMX off), read the capability MSRs, negotiate the
 * controls, and VMXON. SDM Vol. 3C 24.7 and 24.8.
 */
#include "vmx_priv.h"
#include "vmx_root.h"
#include <arch/cpu.h>
#include <arch/host_timer.h>
#include <keel/errno.h>
#include <keel/frames.h>
#include <keel/printk.h>

struct vmx_state vmx;
static bool no_preemption_timer, no_apicv, no_posted;

void vmx_read_caps(struct vmx_caps *c)
{
	bool true_ctls;

	c->basic = rdmsr(MSR_IA32_VMX_BASIC);
	true_ctls = c->basic & VMX_BASIC_TRUE_CTLS;
	c->pin = rdmsr(true_ctls ? 0x48d : 0x481);
	c->proc = rdmsr(true_ctls ? 0x48e : 0x482);
	c->exit = rdmsr(true_ctls ? 0x48f : 0x483);
	c->entry = rdmsr(true_ctls ? 0x490 : 0x484);
	c->misc = rdmsr(0x485);
	c->cr0_fixed0 = rdmsr(0x486);
	c->cr0_fixed1 = rdmsr(0x487);
	c->cr4_fixed0 = rdmsr(0x488);
	c->cr4_fixed1 = rdmsr(0x489);
	/* Secondary controls and EPT/VPID caps exist only if allowed-1 says so. */
	c->proc2 = (c->proc >> 32) & CPU_SECONDARY ? rdmsr(0x48b) : 0;
	c->ept_vpid = (c->proc2 >> 32) & (CPU2_EPT | CPU2_VPID) ? rdmsr(0x48c) : 0;
}

int vmx_feature_control(bool quiet)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (fc & FEATURE_CONTROL_LOCK) {
		if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE)) {
			printk("vmx: VT-x is disabled by the firmware (IA32_FEATURE_CONTROL "
			       "locked with VMX off): enable VT-x in the firmware setup\n");
			return -EPERM;
		}
		return 0;
	}
	if (!quiet)
		printk("vmx: IA32_FEATURE_CONTROL unlocked (0x%lx): enabling VMX and locking it\n",
		       fc);
	wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FEATURE_CONTROL_VMX_OUTSIDE | FEATURE_CONTROL_LOCK);
	return 0;
}

static void print_caps(const struct vmx_caps *c, const struct vmx_controls *k)
{
	printk("vmx: basic %016lx pin %016lx proc %016lx proc2 %016lx\n", c->basic, c->pin,
	       c->proc, c->proc2);
	printk("vmx: exit %016lx entry %016lx misc %016lx ept/vpid %016lx\n", c->exit, c->entry,
	       c->misc, c->ept_vpid);
	printk("vmx: cr0 fixed %lx/%lx cr4 fixed %lx/%lx\n", c->cr0_fixed0, c->cr0_fixed1,
	       c->cr4_fixed0, c->cr4_fixed1);
	printk("vmx: using pin %08x proc %08x proc2 %08x exit %08x entry %08x\n", k->pin,
	       k->proc, k->proc2, k->exit, k->entry);
	printk("vmx: EPT %s, unrestricted guest %s, VPID %s, 2M EPT pages %s, PAT switching %s\n",
	       k->ept ? "yes" : "no", k->unrestricted ? "yes" : "no", k->vpid ? "yes" : "no",
	       k->ept_2m ? "yes" : "no", k->pat ? "yes" : "no");
	printk("vmx: APIC virtualization %s\n",
	       k->apicv ? (k->apicv_x2apic ? "yes (xAPIC and x2APIC mode)" : "yes (xAPIC mode)") :
			  "no: the local APIC is emulated");
	printk("vmx: posted interrupts %s\n",
	       k->posted ? "yes: to a vCPU on another CPU without a VM exit" : "no");
	/* How the scheduler takes the CPU from a guest (vmm/sched.c). */
	printk("vmx: preemption timer %s\n",
	       k->preempt_timer ? (k->save_timer ? "yes, count saved on exit" :
						   "yes, re-armed on every entry") :
	       vmx.lapic_timer  ? "no: the LAPIC timer ends slices (external-interrupt exits)" :
				  "no: a guest keeps the CPU until it halts or ends");
}

/*
 * Outer hypervisors differ: some offer nested guests no VMX-preemption
 * timer. keel.cfg's "vmx preemption-timer=off" makes Keel do without it
 * where it is offered, so that path is tested: the host's LAPIC timer
 * (arch/x86/host_timer.c) ends slices and wakes for device deadlines.
 */
static void drop_preemption_timer(struct vmx_controls *k)
{
	if (k->pin & PIN_PREEMPT_TIMER) {
		printk("vmx: the CPU forces the preemption timer on: it stays\n");
		return;
	}
	printk("vmx: preemption timer offered, not used (keel.cfg: vmx preemption-timer=off)\n");
	k->preempt_timer = false;
	k->save_timer = false;
}

void arch_vmx_no_preemption_timer(void)
{
	no_preemption_timer = true;
}

/* keel.cfg "vmx apicv=off": the emulated vLAPIC, so that path is tested where the CPU has both. */
void arch_vmx_no_apicv(void)
{
	no_apicv = true;
}

/* keel.cfg "vmx posted=off": every interrupt through the model and a kick (docs/vcpus.md). */
void arch_vmx_no_posted(void)
{
	no_posted = true;
}

int vmx_root_on(uint64_t vmxon_pa)
{
	uint8_t fail;

	/* CR0/CR4 must honour the fixed bits in VMX operation (SDM 3C 24.8). */
	write_cr4((read_cr4() | CR4_VMXE | vmx.caps.cr4_fixed0) & vmx.caps.cr4_fixed1);
	write_cr0((read_cr0() | vmx.caps.cr0_fixed0) & vmx.caps.cr0_fixed1);
	*(uint32_t *)vmxon_pa = (uint32_t)vmx.caps.basic & 0x7fffffff; /* revision id */
	__asm__ volatile("vmxon %1; setbe %0" : "=qm"(fail) : "m"(vmxon_pa) : "cc", "memory");
	return fail ? -1 : 0;
}

int arch_vmx_init(void)
{
	char why[96];

	if (!(cpuid(1, 0).ecx & BIT(5))) {
		printk("vmx: this CPU has no VT-x (CPUID.1:ECX.VMX = 0): HVM guests cannot run\n");
		return -ENODEV;
	}
	if (vmx_feature_control(false))
		return -EPERM;
	vmx_read_caps(&vmx.caps);
	if (vmx_negotiate(&vmx.caps, &vmx.ctl, why, sizeof(why))) {
		print_caps(&vmx.caps, &vmx.ctl);
		printk("vmx: cannot use VT-x: %s\n", why);
		return -ENODEV;
	}
	if (no_preemption_timer && vmx.ctl.preempt_timer)
		drop_preemption_timer(&vmx.ctl);
	if (no_apicv && vmx.ctl.apicv) {
		printk("vmx: APIC virtualization offered, not used (keel.cfg: vmx apicv=off)\n");
		vmx_ctl_no_apicv(&vmx.ctl);
	}
	if (no_posted && vmx.ctl.posted) {
		printk("vmx: posted interrupts offered, not used (keel.cfg: vmx posted=off)\n");
		vmx.ctl.posted = false;
	}
	if (vmx.ctl.posted)
		vmx_posted_init();
	vmx.lapic_timer = !vmx.ctl.preempt_timer && host_timer_ready();
	print_caps(&vmx.caps, &vmx.ctl);

	vmx.vmxon_pa = (uint64_t)frame_alloc(PAGE_SIZE, PAGE_SIZE);
	if (vmx_root_on(vmx.vmxon_pa)) {
		printk("vmx: VMXON failed\n");
		return -EIO;
	}
	vmx.on = true;
	printk("vmx: VMX on\n");
	return 0;
}

bool arch_vmx_ready(void) { return vmx.on; }
bool arch_vmx_can_run_real_mode(void) { return vmx.on && vmx.ctl.unrestricted; }
bool arch_vmx_has_ept(void) { return vmx.on && vmx.ctl.ept; }
