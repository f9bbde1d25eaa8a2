/* SPDX-License-Identifier: MIT */
/*
 * The scheduler: every READY guest's vCPU shares the one CPU, fair by run
 * time (vmm/runq.c), preempted by the VMX-preemption timer at the end of
 * its slice. A vCPU that blocks (an hvm guest's HLT) leaves the CPU to the
 * others until its deadline; when every vCPU is blocked Keel halts until
 * the earliest deadline, woken by its LAPIC timer (arch/x86/idle.c).
 *
 * Switching is one-way: arch_vcpu_run(next) makes next's VMCS current and
 * enters it, abandoning the exit path's stack. The timer is armed on entry
 * with the scheduler's deadline (hvm guests: the earlier of it and their
 * next device deadline), so a vCPU running alone has no timer at all and
 * its exits pay nothing for the scheduler.
 */
#include <arch/cpu.h>
#include <arch/host_timer.h>
#include <arch/io.h>
#include <arch/vmx.h>
#include <drivers/tsc.h>
#include <drivers/uart.h>
#include <keel/console.h>
#include <keel/hvm.h>
#include <keel/printk.h>
#include <keel/pv.h>
#include <keel/sched.h>
#include <keel/vm.h>
#include <keel/vtime.h>

struct vm keel_vms[CFG_GUESTS_MAX];
unsigned keel_nr_vms;

__attribute__((noreturn)) void keel_shutdown(void);

static struct runq runq;

_Static_assert(RUNQ_MAX >= CFG_GUESTS_MAX, "every guest needs a place in the run queue");

static struct vcpu *vcpu_of(struct runq_entity *e)
{
	return (struct vcpu *)((char *)e - offsetof(struct vcpu, sched));
}

/*
 * For an hvm vCPU (armed before every entry anyway): the slice end, or
 * sooner when console output waits for the UART (uart_tx_due).
 */
uint64_t sched_deadline(void)
{
	return uart_tx_due < runq.deadline ? uart_tx_due : runq.deadline;
}

/*
 * The timer for a non-hvm vCPU: its slice end, or a PV guest's own timer if
 * that is sooner. Not uart_tx_due: a finite deadline costs every switch a
 * timer write (ping-pong's event round trip +120 ticks in ring 3 while other
 * guests' output drained). Their output goes out as they write more, look
 * for input, block or stop, and at slice ends (sched_tick).
 */
static uint64_t timer_for(struct vcpu *v)
{
	uint64_t pv = v->vm->pv ? pv_timer_tsc(v->vm) : UINT64_MAX;

	return pv < runq.deadline ? pv : runq.deadline;
}

/* A PV guest's timer event, and the upcall for what is pending, before it resumes. */
static void pv_resume(struct vcpu *v)
{
	pv_timer_check(v->vm, vm_time_ns(v->vm));
	pv_deliver_upcall(v);
}

static __attribute__((noreturn)) void enter(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (vm->state == VM_READY) {
		vm->state = VM_RUNNING;
		printk("keel: running guest '%s'\n", vm->name);
	}
	if (vm->hvm) {
		vcpu_before_entry(v, true); /* arms the timer with its device deadlines too */
	} else {
		if (vm->pv)
			pv_resume(v);
		arch_vcpu_set_timer(v, timer_for(v));
	}
	arch_vcpu_run(v);
}

/*
 * Nobody is runnable: halt until the earliest deadline. Guests blocked with
 * no deadline and nobody left to wake them can never run again. Typed
 * input needs no deadline of its own: an hvm guest polls Keel's UART as
 * one of its device deadlines (every 10 ms, halted or not), so a halted
 * one is among those waited for; a PV guest polls it with CONSOLE_READ,
 * runnable (Keel does not idle then) or between sleeps on its own timer.
 * Queued console output wakes it when the UART has room for more.
 */
static void idle(void)
{
	uint64_t until = runq_next_wake(&runq);

	console_service();
	if (!runq_alive(&runq)) {
		arch_cpu_idle_report();
		keel_shutdown();
	}
	if (until == RUNQ_NEVER) {
		for (unsigned i = 0; i < keel_nr_vms; i++) {
			struct vcpu *v = &keel_vms[i].vcpu;

			if (v->sched.state == RUNQ_BLOCKED) {
				arch_vcpu_load(v);
				vm_stop(v->vm, "blocked with nothing left to wake it");
			}
		}
	}
	arch_cpu_idle(uart_tx_due < until ? uart_tx_due : until);
}

/* Enter e (NULL: idle first), or pick again while the one picked cannot run yet. */
static __attribute__((noreturn)) void schedule(struct runq_entity *e)
{
	for (;;) {
		if (e) {
			struct vcpu *v = vcpu_of(e);
			uint64_t halted_until;

			/* Its VMCS must be current for the hvm check and the entry. */
			arch_vcpu_load(v);
			halted_until = v->vm->hvm ? hvm_halted_until(v) :
				       v->vm->pv ? pv_blocked_until(v->vm) : 0;
			if (!halted_until)
				enter(v);
			/*
			 * Woken with no interrupt to take: back to sleep, until a
			 * later deadline. Guest deadlines round up to the TSC and
			 * elapsed time rounds down (keel/vtime.h), so a vCPU woken
			 * at its deadline finds it passed and is not put back here.
			 */
			runq_block(&runq, e, halted_until, rdtsc());
		} else {
			idle();
		}
		e = runq_pick(&runq, rdtsc(), false);
	}
}

void sched_start(void)
{
	uint64_t now = rdtsc();

	/* From here console output waits in a ring, not in a guest's exit. */
	uart_set_buffered(true);
	runq_init(&runq, ns_to_tsc(SCHED_SLICE_NS));
	for (unsigned i = 0; i < keel_nr_vms; i++)
		if (keel_vms[i].state == VM_READY)
			runq_add(&runq, &keel_vms[i].vcpu.sched, now);
	schedule(runq_pick(&runq, now, false));
}

void sched_timer_changed(struct vcpu *v)
{
	arch_vcpu_set_timer(v, timer_for(v));
}

struct vcpu *sched_tick(struct vcpu *v)
{
	uint64_t now = rdtsc();
	struct runq_entity *e;

	console_service();
	if (v->vm->pv)
		pv_resume(v);
	if (now < runq.deadline) {
		/* The guest's own deadline: a device's (re-armed before entry) or its PV timer. */
		if (!v->vm->hvm)
			arch_vcpu_set_timer(v, timer_for(v));
		return v;
	}
	e = runq_pick(&runq, now, false);
	if (e != &v->sched)
		schedule(e);
	arch_vcpu_set_timer(v, timer_for(v));
	return v;
}

void sched_yield(struct vcpu *v)
{
	struct runq_entity *e = runq_pick(&runq, rdtsc(), true);

	if (e != &v->sched)
		schedule(e);
	arch_vcpu_set_timer(v, timer_for(v));
}

void sched_block(struct vcpu *v, uint64_t tsc_deadline)
{
	uint64_t now = rdtsc();

	runq_block(&runq, &v->sched, tsc_deadline, now);
	schedule(runq_pick(&runq, now, false));
}

/* On the running vCPU's exit path (its VMCS is current). */
void sched_wake(struct vcpu *v)
{
	runq_wake(&runq, &v->sched, rdtsc());
	/* The running vCPU may have been alone: now it has a slice end. */
	if (runq.cur >= 0)
		arch_vcpu_set_timer(vcpu_of(runq.e[runq.cur]), timer_for(vcpu_of(runq.e[runq.cur])));
}

void sched_exit(struct vcpu *v)
{
	uint64_t now = rdtsc();

	runq_remove(&runq, &v->sched, now);
	schedule(runq_pick(&runq, now, false));
}
