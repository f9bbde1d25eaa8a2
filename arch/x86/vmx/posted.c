/* SPDX-License-Identifier: MIT */
/*
 * Posted interrupts (Intel SDM Vol. 3C 30.6 "Posted-Interrupt Processing";
 * 29.6 in editions before 2023) for hvm vCPUs with APIC virtualization,
 * where vmx_negotiate() found "process posted interrupts" and keel.cfg
 * says neither "vmx posted=off" nor "apicv=off". No CPU Keel is tested on
 * offers it: this code never ran on a CPU (docs/vcpus.md).
 *
 * Another CPU posts an interrupt for a running vCPU in its descriptor
 * (vmm/hvm_posted.c, vmm/dev/vlapic_pir.c) and sends the notification
 * vector to the vCPU's host CPU. If the vCPU is in the guest, the CPU
 * takes the notification without a VM exit: acknowledges it, clears ON,
 * ORs PIR into VIRR, writes the local APIC's EOI and delivers what VPPR
 * allows. Anywhere else the notification is an ordinary interrupt:
 * - in Keel with IF clear (an exit's handling) it waits in the host APIC
 *   and is taken right after the next VM entry, by whichever vCPU with
 *   posting enters: this one processes its descriptor, another its own;
 * - in Keel's idle halt (IF set) the gate below just EOIs it;
 * - in a guest that does not post, it is an external-interrupt exit
 *   (exit_misc.c EOIs it).
 * What a notification so missed left in PIR, Keel takes into the model
 * before the vCPU enters again (vlapic_apicv.c's pull and push).
 */
#include "vmx_priv.h"
#include <arch/desc.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/vmx.h>
#include <drivers/intc.h>
#include <keel/dev/vlapic_pir.h>
#include <keel/frames.h>
#include <keel/hvm.h>
#include <keel/hvm_posted.h>
#include <keel/string.h>

extern char host_posted_stub[];

void vmx_posted_init(void)
{
	arch_idt_set_gate(POSTED_NOTIFY_VECTOR, (uint64_t)host_posted_stub, 0);
}

/*
 * SDM 3C 26.2.1.1: with "process posted interrupts" VM entry checks that
 * virtual-interrupt delivery and "acknowledge interrupt on exit" are on
 * (vmx_negotiate), the notification vector fits 8 bits and the descriptor
 * is 64-byte aligned within the physical-address width (a page of Keel's).
 */
void vmx_posted_setup(struct vcpu *v)
{
	struct vlapic *a = hvm_lapic(v);
	struct vlapic_pir *d = a->pir;

	if (!d)
		d = frame_alloc(PAGE_SIZE, PAGE_SIZE);
	memset(d, 0, sizeof(*d)); /* a fresh VMCS (reset, INIT): nothing posted survives */
	v->arch.pin |= PIN_POSTED_INTR;
	vmcs_write(VMCS_PIN_CONTROLS, v->arch.pin);
	vmcs_write(VMCS_POSTED_INTR_NV, POSTED_NOTIFY_VECTOR);
	vmcs_write(VMCS_POSTED_INTR_DESC, (uint64_t)d);
	hvm_posted_attach(v, d);
}

void arch_vcpu_post_notify(unsigned cpu)
{
	lapic_send_ipi(smp_percpu(cpu)->apic_id, ICR_FIXED | POSTED_NOTIFY_VECTOR);
}
