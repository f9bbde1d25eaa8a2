/* SPDX-License-Identifier: MIT */
/*
 * The vCPUs of an hvm guest as a PC's processors: a local APIC each (APIC
 * ID = the vCPU's index), on one APIC bus with the IOAPIC and the MSIs of
 * the PCI devices (vmm/dev/apic_bus.c), and the start-up protocol.
 *
 * Power-on: vCPU 0 is the BSP and runs the firmware; the others wait for
 * INIT and a SIPI (SDM 3A 8.4, 10.1). An INIT puts a vCPU (back) into that
 * wait with its local APIC in power-up state (keeping its ID); a SIPI to a
 * waiting vCPU starts it in real mode at vector:0000 (SDM 3A 8.4.4.1,
 * 10.4.7.3); a SIPI to any other is ignored. VMX has an activity state
 * for this (wait-for-SIPI, SDM 3C 24.4.2, offered where IA32_VMX_MISC
 * bit 8 is set), but a CPU in it leaves only on a physical SIPI (26.4):
 * Keel's SIPIs are messages between its own models, so it keeps a waiting
 * vCPU out of the run queue instead (blocked until woken) and builds the
 * started state itself, a fresh VMCS as at reset but at the vector.
 *
 * All vCPUs of a guest may share one host CPU: each is a scheduler entity,
 * HLT blocks it, and whatever makes a blocked vCPU ready (an interrupt in
 * its APIC, an NMI, a SIPI) wakes it (hvm_smp_wake_others, after every
 * exit that may have sent it something and after device timers fired).
 */
#include <arch/smp.h>
#include <arch/vmx.h>
#include <keel/hvm.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/vm.h>
#include <keel/vmsr.h>

_Static_assert(APIC_BUS_MAX >= CFG_VCPUS_MAX, "every vCPU needs a local APIC");

/* The LAPIC's EOI of a level-triggered vector goes to the IOAPIC (ctx: the vCPU). */
static void lapic_eoi_level(void *ctx, uint8_t vector)
{
	struct vcpu *v = ctx;

	vioapic_eoi(&v->vm->hvm->ioapic, vector);
}

/* The ICR of vCPU ctx sent an IPI. */
static void lapic_ipi(void *ctx, uint32_t lo, uint32_t dest)
{
	struct vcpu *v = ctx;
	struct apic_msg m;

	if (apic_icr_msg(lo, dest, &m))
		apic_bus_send(&v->vm->hvm->bus, &m, v->index);
}

/* INIT: back to wait-for-SIPI, the local APIC in power-up state but for its ID. */
static void cpu_init(struct hvm_cpu *c)
{
	vlapic_set_hw_enabled(&c->lapic, false);
	vlapic_set_hw_enabled(&c->lapic, true);
	c->wait_sipi = true;
	c->sipi = c->halted = c->halted_cli = c->nmi = false;
}

/* NMI, INIT and SIPI reach the processor behind local APIC `cpu` (ctx: the platform). */
static void cpu_signal(void *ctx, unsigned cpu, const struct apic_msg *m)
{
	struct hvm_cpu *c = &((struct hvm_platform *)ctx)->cpu[cpu];

	switch (m->mode) {
	case APIC_DM_NMI:
		c->nmi = true;
		break;
	case APIC_DM_INIT:
		cpu_init(c);
		break;
	case APIC_DM_SIPI:
		if (c->wait_sipi && !c->sipi) {
			c->sipi = true;
			c->sipi_vector = m->vector;
		}
		break;
	}
}

/* The IOAPIC's fixed and lowest-priority messages (an 8-bit destination, as an MSI's). */
static void ioapic_deliver(void *ctx, const struct apic_msg *m)
{
	struct apic_msg b = *m;

	if (b.dest == 0xff)
		b.dest = APIC_BROADCAST_X2APIC; /* a broadcast in x2APIC mode too (SDM 11.12.9) */
	apic_bus_send(&((struct hvm_platform *)ctx)->bus, &b, APIC_BUS_NO_SENDER);
}

/* The xAPIC page at 0xfee00000 is each vCPU's own local APIC. */
static int lapic_mmio(struct vm *vm, void *dev, struct io_access *a)
{
	struct hvm_platform *h = dev;
	struct vcpu *v = arch_vcpu_current();
	unsigned i = v && v->vm == vm ? v->index : 0;

	return vlapic_mmio(vm, &h->cpu[i].lapic, a);
}

int hvm_smp_build(struct vm *vm, struct hvm_platform *h)
{
	h->bus = (struct apic_bus){ .n = vm->nr_vcpus, .signal = cpu_signal, .ctx = h };
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct hvm_cpu *c = &h->cpu[i];

		vlapic_init(&c->lapic, (uint8_t)i);
		c->lapic.eoi_level = lapic_eoi_level;
		c->lapic.ctx = &vm->vcpus[i];
		if (vm->nr_vcpus > 1) /* one vCPU: self-IPIs only, as before */
			c->lapic.ipi = lapic_ipi;
		c->wait_sipi = i > 0;
		h->bus.apic[i] = &c->lapic;
		vm->vcpus[i].hvm_cpu = c;
	}
	h->ioapic.deliver = ioapic_deliver;
	h->ioapic.ctx = h;
	if (vm->nr_vcpus == 1) /* its one APIC: no need to ask whose exit it is */
		return vlapic_register(vm, &h->cpu[0].lapic, VLAPIC_BASE_DEFAULT);
	return io_register_mmio(vm, VLAPIC_BASE_DEFAULT, VLAPIC_MMIO_LEN, lapic_mmio, h);
}

/*
 * Only the BSP takes the 8259's INTR: the APs' LINT0 is masked once their
 * APIC is set up, and before that (software-disabled, as at power-on) they
 * run firmware or start-up code with interrupts off.
 */
static bool pic_pending(const struct vcpu *v)
{
	return v->index == 0 && vlapic_accepts_pic(hvm_lapic(v)) && vpic_has_interrupt(&v->vm->hvm->pic);
}

bool hvm_cpu_pending(const struct vcpu *v)
{
	struct hvm_cpu *c = hvm_cpu(v);

	return c->nmi || vlapic_pending(&c->lapic) >= 0 || pic_pending(v);
}

/* Whether a blocked vCPU now has something to do. */
static bool ready(const struct vcpu *v)
{
	const struct hvm_cpu *c = hvm_cpu(v);

	if (c->wait_sipi)
		return c->sipi;
	if (c->halted_cli)
		return c->nmi;
	return !c->halted || hvm_cpu_pending(v);
}

/*
 * A split guest's vCPU o on another host CPU, maybe in the guest now: a
 * host IPI (smp_wake) takes it out (an external-interrupt exit), and its
 * exit, under the guest's lock, finds what was sent (a new IRR bit, NMI,
 * INIT, a reset) before it enters again. One IPI until o's next exit
 * takes the kick back (vmx_exit_dispatch_hvm_split); its idle flag is
 * cleared so that exit does not take the fast path past it.
 */
static void kick(struct vcpu *o)
{
	struct hvm_cpu *c = hvm_cpu(o);

	c->idle = false;
	if (!__atomic_exchange_n(&c->kicked, true, __ATOMIC_SEQ_CST)) {
		c->kicks++;
		smp_wake(o->cpu);
	}
}

/*
 * Whether o, not blocked, has something new to look at: an interrupt,
 * NMI or INIT that came since its last entry found nothing (idle), or a
 * reset. What came while it still had something pending waits for its
 * next exit (an interrupt window, or the timer's), as on one CPU. With
 * APIC virtualization the CPU delivers what the last push put in the page
 * as soon as the guest can take it: only a vector raised since is news
 * (vapic_vec_dirty), deliverable or not by the model's PPR, which may be
 * older than the guest's; one the guest does not take yet (interrupts
 * off) is no reason to kick it out again at every exit of the others.
 */
static bool news_for(const struct vcpu *o)
{
	const struct hvm_cpu *c = hvm_cpu(o);

	if (c->reset_pending)
		return true;
	if (!c->idle)
		return false;
	if (c->wait_sipi || c->nmi)
		return true;
	if (c->lapic.vapic)
		return c->lapic.vapic_vec_dirty || pic_pending(o);
	return hvm_cpu_pending(o);
}

void hvm_smp_wake_others(struct vcpu *v)
{
	struct vm *vm = v->vm;

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *o = &vm->vcpus[i];

		if (o == v)
			continue;
		if (o->sched.state == RUNQ_BLOCKED) {
			if (ready(o))
				sched_wake(o);
		} else if (vm->split && o->cpu != v->cpu && o->sched.state != RUNQ_GONE &&
			   news_for(o)) {
			kick(o);
		}
	}
}

void hvm_smp_reset_remote(struct vm *vm)
{
	unsigned me = sched_cpu();

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *o = &vm->vcpus[i];

		if (o->cpu == me)
			continue;
		hvm_cpu(o)->reset_pending = i == 0; /* an AP waits for SIPI (rebuilt so): no VMCS */
		if (o->sched.state == RUNQ_BLOCKED)
			sched_wake(o);
		else if (o->sched.state != RUNQ_GONE)
			kick(o);
	}
}

bool hvm_smp_start(struct vcpu *v)
{
	struct hvm_cpu *c = hvm_cpu(v);

	if (!c->sipi)
		return false;
	arch_vcpu_setup_sipi(v, c->sipi_vector);
	if (v->index)
		v->msr.apic_base &= ~(uint64_t)APIC_BASE_BSP; /* IA32_APIC_BASE[8]: an AP */
	c->wait_sipi = c->sipi = false;
	c->starts++;
	return true;
}

bool hvm_smp_before_entry(struct vcpu *v)
{
	struct hvm_cpu *c = hvm_cpu(v);
	bool fresh = c->reset_pending;

	/* A vCPU on another CPU reset the PC: this BSP's VMCS is this CPU's to renew. */
	if (fresh) {
		c->reset_pending = false;
		arch_vcpu_setup_reset(v);
	}
	hvm_smp_wake_others(v); /* what this exit sent them, or the timers did */
	if (c->wait_sipi) /* INIT to itself, or an AP after a reset */
		sched_block(v, SCHED_NEVER);
	if (c->nmi && arch_vcpu_inject_nmi(v))
		c->nmi = false;
	return fresh;
}

/* " 0x31 0xec": the vectors set in a 256-bit map, or " -". */
static void print_vectors(const char *name, const uint32_t *map)
{
	bool any = false;

	printk(" %s", name);
	for (unsigned v = 0; v < 256; v++)
		if (map[v / 32] & 1u << (v % 32)) {
			printk(" 0x%x", v);
			any = true;
		}
	if (!any)
		printk(" -");
}

/*
 * Ctrl-A s: what a vCPU waits for, read without its guest's lock (a
 * snapshot that may be torn, for a person looking at a guest that hangs).
 * With APIC virtualization the page's IRR and ISR are what the CPU had at
 * the vCPU's last exit; the model's, what Keel will push at its next entry.
 */
void hvm_cpu_print_state(const struct vcpu *v)
{
	static const char *const state[] = { "runnable", "blocked", "gone" };
	const struct hvm_cpu *c = hvm_cpu(v);
	const struct vlapic *a = &c->lapic;
	uint32_t page_irr[8], page_isr[8];
	uint8_t page_tpr, page_ppr;

	printk("keel:   host CPU %u, %s%s%s%s%s%s, %lu kicks%s\n", v->cpu,
	       state[v->sched.state % 3], c->halted ? ", halted" : "",
	       c->halted_cli ? ", halted with interrupts off" : "",
	       c->wait_sipi ? ", waiting for SIPI" : "", c->nmi ? ", NMI pending" : "",
	       c->idle ? ", entered with nothing to inject" : "", c->kicks,
	       c->kicked ? ", kicked" : "");
	printk("keel:   local APIC: TPR 0x%x PPR 0x%x", a->tpr & 0xff, vlapic_ppr(a));
	print_vectors("IRR", a->irr);
	print_vectors("ISR", a->isr);
	printk("\n");
	if (!a->vapic)
		return;
	vlapic_apicv_page(a, &page_tpr, &page_ppr, page_irr, page_isr);
	printk("keel:   virtual-APIC page: TPR 0x%x PPR 0x%x", page_tpr, page_ppr);
	print_vectors("IRR", page_irr);
	print_vectors("ISR", page_isr);
	printk(", status 0x%x\n", a->vapic_intr_status);
}
