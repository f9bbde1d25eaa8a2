/* SPDX-License-Identifier: MIT */
/*
 * Posted interrupts to the vCPUs of a split hvm guest (keel/vm_lock.h,
 * docs/vcpus.md "Posted interrupts"; SDM 3C 30.6), where the CPU offers
 * them (arch/x86/vmx/posted.c attaches a descriptor to each vCPU).
 *
 * A fixed or lowest-priority edge interrupt for a vCPU that runs on
 * another host CPU goes to its descriptor and, if that set ON, a
 * notification IPI: in the guest the CPU delivers it without a VM exit,
 * where today it takes a kick (hvm_smp.c) and an exit. Everything else
 * keeps the model path (vlapic_set_irq, then hvm_smp_wake_others wakes or
 * kicks): level-triggered vectors (TMR and the EOI-exit bitmap are the
 * model's), vectors 0-15 (an error), NMI, INIT, SIPI, a disabled APIC, a
 * vCPU on this CPU (it is not in the guest: its entry pushes the model),
 * a blocked one (it needs a wake-up, which the model path gives: ready()
 * sees its IRR). So a vCPU whose descriptor is not empty is never blocked,
 * and every exit's pull and every entry's push take PIR into the model
 * first (vlapic_apicv.c): whatever asks under the VM lock what a vCPU has
 * pending (the halt check, ready(), news_for()) sees what was posted but
 * for what the CPU may be delivering in the guest right now, which needs
 * no kick.
 */
#include <arch/vmx.h>
#include <keel/dev/vlapic_pir.h>
#include <keel/hvm.h>
#include <keel/hvm_posted.h>
#include <keel/sched.h>
#include <keel/vm.h>

/* The apic_bus hook (ctx: the platform), under the VM lock. */
static bool post(void *ctx, unsigned i, const struct apic_msg *m)
{
	struct hvm_platform *h = ctx;
	struct vcpu *o = h->cpu[i].lapic.ctx;

	if (!o->vm->split || o->cpu == sched_cpu() || o->sched.state != RUNQ_RUNNABLE)
		return false;
	switch (vlapic_post(&h->cpu[i].lapic, m->vector, m->level)) {
	case VLAPIC_POST_NOTIFY:
		arch_vcpu_post_notify(o->cpu);
		return true;
	case VLAPIC_POST_QUEUED: /* a notification is on its way, or o enters after a take */
		return true;
	default:
		return false;
	}
}

void hvm_posted_attach(struct vcpu *v, struct vlapic_pir *d)
{
	struct hvm_platform *h = v->vm->hvm;

	hvm_lapic(v)->pir = d;
	h->bus.post = post;
}
