/* SPDX-License-Identifier: MIT */
/*
 * Time and interrupts of an hvm guest, run before every VM entry: device
 * timers that are due fire, and the highest-priority interrupt (local APIC,
 * else the 8259s) is injected when the guest can take it, or an interrupt
 * window is requested. The earlier of the next device deadline and the
 * scheduler's becomes the VMX-preemption timer. Deadlines are recomputed
 * only when one is due or a device with one was accessed (PIT, RTC, HPET,
 * the vLAPIC's timer registers mark themselves), or the caller says so.
 * HLT blocks the vCPU until a device deadline. The device timers are the
 * guest's, shared by its vCPUs, and so are the deadlines: every local
 * APIC's timer counts, and whichever vCPU runs (or wakes) fires what is
 * due and wakes the others it reached (vmm/hvm_smp.c).
 */
#include <arch/cpu.h>
#include <arch/vmx.h>
#include <keel/console.h>
#include <keel/hvm.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/vnet.h>
#include <keel/vm.h>
#include <keel/vm_lock.h>
#include <keel/vtime.h>

/* Keel's console is polled for input this often (a port read costs on hardware). */
#define CONSOLE_POLL_NS 10000000ULL
/*
 * Device deadlines closer than this are pushed back to it. A guest can
 * program a timer faster than an exit round trip (the PIT at count 2 is a
 * 600 kHz interrupt): without a floor the VMX-preemption timer would fire
 * on every entry and the guest would make no progress at all.
 */
#define TIMER_FLOOR_NS 50000ULL

/*
 * Keel's console from this guest's timers (vmm/console_input.c: typed
 * input, Ctrl-A keys, prompts; queued output out). What waits for the
 * guest then enters its UART's FIFO, or hvc0's receive buffers
 * (vmm/hvm_console.c), and raises the interrupt: a guest
 * asleep until that interrupt does not look at its receiver by itself.
 */
static void poll_console(struct vm *vm, struct hvm_platform *h, uint64_t now)
{
	if (now < h->console_poll_ns)
		return;
	h->console_poll_ns = now + CONSOLE_POLL_NS;
	console_service();
	hvm_console_refill(vm);
}

static uint64_t earlier(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/*
 * Devices whose deadline passed fire, and the next deadline is recomputed
 * (the caller runs this after exits that may have reprogrammed a timer).
 */
static void run_timers(struct vm *vm, struct hvm_platform *h)
{
	uint64_t now = vm_time_ns(vm), next;
	bool due = now >= h->next_event_ns;

	if (due) {
		poll_console(vm, h, now);
		vpit_update(&h->pit, now);
		rtc_update(&h->rtc, now);
		for (unsigned i = 0; i < vm->nr_vcpus; i++)
			vlapic_update(&h->cpu[i].lapic, now);
		hpet_update(&h->hpet, now);
	}
	next = earlier(h->console_poll_ns, vpit_next_event_ns(&h->pit, now));
	next = earlier(next, rtc_next_event_ns(&h->rtc, now));
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		next = earlier(next, vlapic_next_event_ns(&h->cpu[i].lapic, now));
	next = earlier(next, hpet_next_event_ns(&h->hpet, now));
	/*
	 * The floor counts from when the timers last ran: an exit sooner than
	 * that (a guest polling a counter) must not push back a deadline that
	 * has come, or a guest that keeps exiting would never see it.
	 */
	if (next < now + TIMER_FLOOR_NS)
		next = due || h->next_event_ns > now + TIMER_FLOOR_NS ? now + TIMER_FLOOR_NS :
									h->next_event_ns;
	h->next_event_ns = next;
	h->next_event_tsc = vm_ns_to_tsc(vm, next); /* never stays never (saturating) */
}

/*
 * Whether an access reached a device with a deadline since the last look
 * (each marks itself); the marks are cleared, as the caller recomputes.
 */
static bool timers_touched(struct vm *vm, struct hvm_platform *h)
{
	bool t = h->pit.touched | h->rtc.touched | h->hpet.touched | h->cpu[0].lapic.touched;

	h->pit.touched = h->rtc.touched = h->hpet.touched = h->cpu[0].lapic.touched = false;
	for (unsigned i = 1; i < vm->nr_vcpus; i++) {
		t |= h->cpu[i].lapic.touched;
		h->cpu[i].lapic.touched = false;
	}
	return t;
}

/*
 * The vector to deliver next: the local APIC's, else the 8259's when the
 * APIC passes it through (disabled, or LINT0 in ExtINT mode). -1 if none.
 */
static inline __attribute__((always_inline)) int pending_vector(struct vcpu *v, bool inject)
{
	struct hvm_platform *h = v->vm->hvm;
	struct vlapic *a = hvm_lapic(v);
	/* With virtual-interrupt delivery the CPU delivers the vLAPIC's itself (RVI). */
	int vec = inject && a->vapic ? -1 : vlapic_pending(a);

	if (vec >= 0)
		return vec;
	/* The 8259's INTR reaches the BSP alone (hvm_cpu_pending). */
	if (v->index == 0 && vlapic_accepts_pic(a) && vpic_has_interrupt(&h->pic))
		return 256; /* the PIC's, acknowledged only when injected */
	return -1;
}

void vcpu_before_entry(struct vcpu *v, bool devices_touched)
{
	struct vm *vm = v->vm;
	struct hvm_platform *h = vm->hvm;
	struct hvm_cpu *c;
	bool reset = h->reset_why != NULL;
	int vec;

	if (reset) {
		hvm_reset_now(vm);
		arch_vcpu_load(v); /* every vCPU here got a fresh VMCS: this one enters */
	}
	hvm_net_take(vm); /* frames another CPU queued for its NIC (its interrupt, below) */
	/*
	 * Only an access to a device with a deadline (PIT, RTC, vLAPIC, HPET:
	 * each marks itself), or what the caller names (an MSR write, HLT, a
	 * switch) can have moved one; an 8259 or UART access cannot.
	 */
	if (timers_touched(vm, h) | devices_touched | reset || rdtsc() >= h->next_event_tsc)
		run_timers(vm, h);
	c = hvm_cpu(v);
	if (__builtin_expect(vm->nr_vcpus > 1, 0))
		reset |= hvm_smp_before_entry(v); /* true: it renewed v's VMCS (a reset elsewhere) */
	vec = pending_vector(v, true);
	if (vec >= 0) {
		if (arch_vcpu_can_inject_irq(v)) {
			if (vec == 256) {
				vec = vpic_ack(&h->pic);
			} else {
				vlapic_ack(&c->lapic, (uint8_t)vec);
			}
			arch_vcpu_inject_irq(v, (uint8_t)vec);
			h->irqs_injected++;
		} else {
			arch_vcpu_irq_window(v, true);
		}
	}
	arch_vcpu_set_timer(v, earlier(h->next_event_tsc, sched_deadline()));
	if (c->lapic.vapic)
		arch_vcpu_apicv_entry(v);
	c->idle = vec < 0 && !h->reset_why && !c->nmi;
	/* A fresh VMCS is launched, not resumed: the exit stub cannot enter it. */
	if (reset) {
		vm_unlock_cpu();
		arch_vcpu_run(v);
	}
}

/*
 * The TSC deadline until which a halted guest sleeps: 0 if an interrupt
 * can be delivered now. No deadline at all: nothing will ever wake it.
 */
static uint64_t halt_until(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct hvm_platform *h = vm->hvm;

	run_timers(vm, h);
	if (vm->nr_vcpus > 1)
		hvm_smp_wake_others(v);
	if (pending_vector(v, false) >= 0 || hvm_cpu(v)->nmi)
		return 0;
	if (h->next_event_ns == VTIME_NEVER)
		vm_stop(vm, "halted waiting for an interrupt that no device can raise");
	return h->next_event_tsc;
}

/*
 * HLT with interrupts enabled: the vCPU blocks until its next device
 * deadline, and the other guests run meanwhile.
 */
struct vcpu *hvm_halt(struct vcpu *v)
{
	uint64_t until = halt_until(v);

	if (!until)
		return v; /* the before-entry hook injects the interrupt */
	hvm_cpu(v)->halted = true;
	sched_block(v, until);
}

/*
 * HLT with interrupts off on a guest with several vCPUs: how firmware
 * parks an AP (SeaBIOS: cli; hlt). Only INIT or an NMI gets it out.
 */
struct vcpu *hvm_halt_cli(struct vcpu *v)
{
	if (hvm_cpu(v)->nmi)
		return v;
	hvm_cpu(v)->halted_cli = true;
	sched_block(v, SCHED_NEVER);
}

uint64_t hvm_halted_until(struct vcpu *v)
{
	struct hvm_cpu *c = hvm_cpu(v);
	uint64_t until;

	/* The scheduler's look at a split guest's vCPU is under its lock too. */
	vm_lock(v->vm);
	if (v->vm->state == VM_STOPPED)
		sched_exit(v); /* stopped by a vCPU on another CPU after this one was picked */

	if (c->wait_sipi)
		return hvm_smp_start(v) ? 0 : SCHED_NEVER;
	if (c->halted_cli) {
		if (!c->nmi)
			return SCHED_NEVER;
		c->halted_cli = false;
		return 0;
	}
	if (!c->halted)
		return 0;
	hvm_net_take(v->vm);
	until = halt_until(v);
	if (!until)
		c->halted = false;
	return until;
}
