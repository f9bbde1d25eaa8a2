/* SPDX-License-Identifier: MIT */
/*
 * The scheduler: a run queue per host CPU. Each vCPU is placed on one CPU
 * of its affinity (keel.cfg cpus=) when scheduling starts and stays there
 * (vmm/sched_place.c). On each CPU, every READY vCPU shares the CPU, fair
 * by run time (vmm/runq.c), preempted by the VMX-preemption timer at the
 * end of its slice. A vCPU that blocks (an hvm guest's HLT, a PV guest's
 * block) leaves the CPU to the others until its deadline; when every vCPU
 * of a CPU is blocked the CPU halts until the earliest deadline, woken by
 * its LAPIC timer (arch/x86/idle.c) or by another CPU's wake-up IPI.
 *
 * Switching is one-way: arch_vcpu_run(next) makes next's VMCS current and
 * enters it, abandoning the exit path's stack. The timer is armed on entry
 * with the scheduler's deadline (hvm guests: the earlier of it and their
 * next device deadline), so a vCPU running alone has no timer at all and
 * its exits pay nothing for the scheduler.
 *
 * Across CPUs: a run queue is its CPU's, but any CPU may wake a vCPU of
 * another (an event channel send, a frame for its NIC): under the queue's
 * lock, then an IPI (smp_wake) so the CPU looks again, from its idle halt
 * or from the guest it runs (an external-interrupt exit, sched_tick).
 */
#include <arch/cpu.h>
#include <arch/host_timer.h>
#include <arch/io.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/vmx.h>
#include <drivers/tsc.h>
#include <drivers/uart.h>
#include <keel/console.h>
#include <keel/hvm.h>
#include <keel/hypercall.h>
#include <keel/printk.h>
#include <keel/pv.h>
#include <keel/sched.h>
#include <keel/sched_place.h>
#include <keel/spinlock.h>
#include <keel/vm.h>
#include <keel/vm_lock.h>
#include <keel/vtime.h>

struct vm keel_vms[CFG_GUESTS_MAX];
unsigned keel_nr_vms;

__attribute__((noreturn)) void keel_shutdown(void);

/* One CPU's share of the scheduler; the lock guards runq (its CPU and wakers elsewhere). */
struct cpu_sched {
	struct spinlock lock;
	struct runq runq;
	unsigned nr;         /* vCPUs placed here */
	volatile bool quiet; /* idle with nothing due: only a wake from elsewhere makes work */
	volatile bool done;  /* every vCPU placed here has ended */
} __attribute__((aligned(64)));

static struct cpu_sched cpu_scheds[CPUS_MAX];
static uint64_t cpus_used; /* CPUs with vCPUs, bit n = CPU n */
static bool smp;           /* vCPUs on more than CPU 0: GS is Keel's wherever Keel runs */

_Static_assert(RUNQ_MAX >= CFG_VCPUS_TOTAL_MAX, "every vCPU needs a place in the run queue");

static struct vcpu *vcpu_of(struct runq_entity *e)
{
	return (struct vcpu *)((char *)e - offsetof(struct vcpu, sched));
}

/*
 * This CPU's number: GS is Keel's wherever Keel runs (a VM exit loads it,
 * the ways in from ring 3 SWAPGS); with every vCPU on CPU 0 it is 0 without
 * a load.
 */
unsigned sched_cpu(void)
{
	return smp ? this_cpu_id() : 0;
}

static struct cpu_sched *sched_of(const struct vcpu *v)
{
	return v->rq;
}

/* Only with vCPUs on several CPUs can another CPU reach this run queue. */
static void rq_lock(struct cpu_sched *cs)
{
	if (smp)
		spin_lock(&cs->lock);
}

static void rq_unlock(struct cpu_sched *cs)
{
	if (smp)
		spin_unlock(&cs->lock);
}

/*
 * For an hvm vCPU (armed before every entry anyway, on its own CPU, where
 * GS is Keel's): the slice end, or sooner when console output waits for
 * the UART (uart_tx_due).
 */
uint64_t sched_deadline(void)
{
	uint64_t d = cpu_scheds[sched_cpu()].runq.deadline;

	return uart_tx_due < d ? uart_tx_due : d;
}

/* timer_on for a PV guest: enter(), which knows it is one, calls it without the test. */
static uint64_t pv_timer_on(const struct cpu_sched *cs, struct vm *vm)
{
	uint64_t pv = pv_timer_tsc(vm), d = cs->runq.deadline;

	return pv < d ? pv : d;
}

/*
 * The timer for a non-hvm vCPU: its slice end, or a PV guest's own timer if
 * that is sooner. Not uart_tx_due: a finite deadline costs every switch a
 * timer write (ping-pong's event round trip +120 ticks in ring 3 while other
 * guests' output drained). Their output goes out as they write more, look
 * for input, block or stop, and at slice ends (sched_tick).
 */
static uint64_t timer_on(const struct cpu_sched *cs, struct vcpu *v)
{
	return v->vm->pv ? pv_timer_on(cs, v->vm) : cs->runq.deadline;
}

static uint64_t timer_for(struct vcpu *v)
{
	return timer_on(sched_of(v), v);
}

/* A PV guest's timer event, and the upcall for what is pending, before it resumes. */
static void pv_resume(struct vcpu *v)
{
	pv_timer_check(v->vm, vm_time_ns(v->vm));
	pv_deliver_upcall(v);
}

/* cs: v's run queue (the caller has it in a register: no load of v->rq). */
static __attribute__((noreturn)) void enter(struct cpu_sched *cs, struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (vm->state == VM_READY) {
		vm->state = VM_RUNNING;
		if (smp)
			printk("keel: running guest '%s' on CPU %u\n", vm->name, v->cpu);
		else
			printk("keel: running guest '%s'\n", vm->name);
	}
	if (vm->hvm) {
		vcpu_before_entry(v, true); /* arms the timer with its device deadlines too */
		vm_unlock_cpu(); /* a split guest's, taken by hvm_halted_until */
	} else if (vm->pv) {
		pv_resume(v);
		arch_vcpu_set_timer(v, pv_timer_on(cs, vm));
	} else {
		arch_vcpu_set_timer(v, cs->runq.deadline);
	}
	arch_vcpu_run(v);
}

/*
 * The hot calls test smp once each: with every vCPU on CPU 0 they are the
 * single-CPU scheduler's, no lock and no re-check (the event round trip
 * of make bench goes through them four times).
 */
static __attribute__((noinline)) struct runq_entity *pick_locked(struct cpu_sched *cs, bool yield)
{
	struct runq_entity *e;

	spin_lock(&cs->lock);
	e = runq_pick(&cs->runq, rdtsc(), yield);
	spin_unlock(&cs->lock);
	return e;
}

static struct runq_entity *pick(struct cpu_sched *cs, bool yield)
{
	if (smp)
		return pick_locked(cs, yield);
	return runq_pick(&cs->runq, rdtsc(), yield);
}

/*
 * Every vCPU of this CPU has ended. An AP says so to the boot CPU and
 * halts for good; the boot CPU powers off once every CPU has said so (its
 * idle loop comes back here until then).
 */
static void cpu_done(struct cpu_sched *cs, unsigned cpu)
{
	cs->done = true;
	if (cpu) {
		smp_wake(0);
		arch_cpu_idle_ap();
	}
	for (unsigned c = 1; c < CPUS_MAX; c++)
		if (cpus_used & 1ULL << c && !cpu_scheds[c].done)
			return;
	arch_cpu_idle_report();
	keel_shutdown();
}

/* A vCPU of q woken since this CPU found nobody to run (by another CPU). */
static bool any_runnable(const struct runq *q)
{
	for (unsigned i = 0; i < q->n; i++)
		if (q->e[i]->state == RUNQ_RUNNABLE)
			return true;
	return false;
}

/* Every other CPU in use is idle with nothing due, or done: nobody can wake our sleepers. */
static bool others_quiet(unsigned cpu)
{
	for (unsigned c = 0; c < CPUS_MAX; c++)
		if (c != cpu && cpus_used & 1ULL << c && !cpu_scheds[c].done && !cpu_scheds[c].quiet)
			return false;
	return true;
}

/*
 * Nobody is runnable here: halt until the earliest deadline or a wake-up
 * from another CPU. Guests blocked with no deadline and nobody left to wake
 * them (no CPU running anything) can never run again. Typed
 * input needs no deadline of its own: an hvm guest polls Keel's UART as
 * one of its device deadlines (every 10 ms, halted or not), so a halted
 * one is among those waited for; a PV guest polls it with CONSOLE_READ,
 * runnable (Keel does not idle then) or between sleeps on its own timer.
 * Queued console output wakes it when the UART has room for more. With
 * other CPUs at work, a CPU looks again every slice at least: their
 * sleepers and the boot CPU's power-off depend on what each CPU sees.
 * Out of line: inlined, its CPU number and registers cost every pass of
 * schedule() (the event round trip's switches) a longer prologue.
 */
static __attribute__((noinline)) void idle(struct cpu_sched *cs)
{
	unsigned cpu = (unsigned)(cs - cpu_scheds);
	uint64_t until;
	bool alive;

	vm_unlock_cpu();
	console_service();
	rq_lock(cs);
	alive = runq_alive(&cs->runq);
	until = runq_next_wake(&cs->runq);
	/*
	 * Not quiet if another CPU woke one of ours after pick() found none
	 * (its wake cleared quiet before this): that CPU may be about to
	 * block, and must not take this one for idle (QEMU TCG -smp 2, ring 3).
	 */
	cs->quiet = alive && until == RUNQ_NEVER && !any_runnable(&cs->runq);
	rq_unlock(cs);
	if (!alive)
		cpu_done(cs, cpu); /* returns on the boot CPU while others run */
	if (until == RUNQ_NEVER && alive && others_quiet(cpu)) {
		for (unsigned i = 0; i < keel_nr_vms; i++) {
			for (unsigned j = 0; j < keel_vms[i].nr_vcpus; j++) {
				struct vcpu *v = &keel_vms[i].vcpus[j];

				if (v->cpu != cpu || v->sched.state != RUNQ_BLOCKED)
					continue;
				vm_lock(v->vm); /* a split guest: its state may change until then */
				if (v->sched.state == RUNQ_BLOCKED && v->vm->state != VM_STOPPED) {
					arch_vcpu_load(v);
					vm_stop(v->vm, "blocked with nothing left to wake it");
				}
			}
		}
		vm_unlock_cpu(); /* not to halt holding it */
	}
	if (smp && until > rdtsc() + cs->runq.slice)
		until = rdtsc() + cs->runq.slice;
	arch_cpu_idle(cpu, uart_tx_due < until ? uart_tx_due : until);
	cs->quiet = false;
}

/*
 * A vCPU that blocked may have been sent its wake-up by another CPU just
 * before it blocked, when there was nothing to wake yet (sched_wake finds
 * it runnable): look at its condition again now that it is blocked. Only
 * with vCPUs on several CPUs (block_locked): on one, nobody runs between.
 */
static bool woken_meanwhile(struct vcpu *v)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return v->vm->hvm ? !hvm_halted_until(v) : v->vm->pv ? !pv_blocked_until(v->vm) : false;
}

/* Enter e (NULL: idle first), or pick again while the one picked cannot run yet. */
static __attribute__((noreturn)) void schedule(struct cpu_sched *cs, struct runq_entity *e)
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
				enter(cs, v);
			/*
			 * Woken with no interrupt to take: back to sleep, until a
			 * later deadline. Guest deadlines round up to the TSC and
			 * elapsed time rounds down (keel/vtime.h), so a vCPU woken
			 * at its deadline finds it passed and is not put back here.
			 */
			rq_lock(cs);
			runq_block(&cs->runq, e, halted_until, rdtsc());
			rq_unlock(cs);
			vm_unlock_cpu(); /* hvm_halted_until's, before another guest runs */
		} else {
			idle(cs);
		}
		e = pick(cs, false);
	}
}

/*
 * From an exit path, which may hold a split guest's lock (keel/vm_lock.h):
 * released before another vCPU is looked at. Not on the one-CPU block
 * (sched_block's last lines): a split guest makes smp true.
 */
static __attribute__((noreturn)) void switch_to(struct cpu_sched *cs, struct runq_entity *e)
{
	vm_unlock_cpu();
	schedule(cs, e);
}

static __attribute__((noreturn)) void sched_run(unsigned cpu)
{
	schedule(&cpu_scheds[cpu], pick(&cpu_scheds[cpu], false));
}

/* An AP, handed its run queue by smp_release. */
static void sched_ap_run(unsigned cpu)
{
	if (!(cpus_used & 1ULL << cpu))
		arch_cpu_idle_ap();
	sched_run(cpu);
}

/*
 * The CPUs vm may run on, or 0 after saying why not: keel.cfg's cpus=
 * against the CPUs started (VMX guests and ring-3 PV guests alike).
 */
static uint64_t affinity(struct vm *vm)
{
	uint64_t mask;
	char why[96];

	mask = sched_affinity(vm->cfg ? vm->cfg->cpus : 0, smp_online_mask(), why, sizeof(why));
	if (mask)
		return mask;
	printk("keel.cfg:%u: guest '%s' cpus=: %s: not started\n", vm->cfg->cpus_line, vm->name,
	       why);
	snprintf(vm->stop_reason, sizeof(vm->stop_reason), "not started: cpus= %s", why);
	vm->state = VM_STOPPED;
	return 0;
}

/*
 * Whether a guest's vCPUs may be spread over host CPUs: only where its
 * keel.cfg line names several with cpus=. Without it they share one CPU,
 * as before split guests: a Linux guest spread over two CPUs hung now
 * and then, for a reason not found (docs/vcpus.md, "Not done yet").
 */
static bool spread_asked(const struct vm *vm)
{
	return vm->cfg && (vm->cfg->cpus & (vm->cfg->cpus - 1));
}

/* Where a guest's vCPUs run: "on CPU 1", or for a split guest "vCPUs on CPUs 0 1 0 1". */
static void say_placed(const struct vm *vm)
{
	char cpus[4 * CFG_VCPUS_MAX] = "";
	unsigned n = 0;

	if (!vm->split) {
		printk("sched: guest '%s' on CPU %u (cpus= allows 0x%lx)\n", vm->name,
		       vm->vcpus[0].cpu, vm->vcpus[0].affinity);
		return;
	}
	for (unsigned j = 0; j < vm->nr_vcpus; j++)
		n += (unsigned)snprintf(cpus + n, sizeof(cpus) - n, " %u", vm->vcpus[j].cpu);
	printk("sched: guest '%s' vCPUs on CPUs%s (cpus= allows 0x%lx)\n", vm->name, cpus,
	       vm->vcpus[0].affinity);
}

/* v on host CPU cpu's run queue. */
static void place_on(struct vcpu *v, unsigned cpu, uint64_t now)
{
	if (cpu != v->cpu)
		arch_vcpu_move(v, cpu);
	v->rq = &cpu_scheds[cpu];
	cpu_scheds[cpu].nr++;
	cpus_used |= 1ULL << cpu;
	runq_add(&cpu_scheds[cpu].runq, &v->sched, now);
}

/*
 * Each vCPU of a READY guest on the CPU of its affinity with the fewest so
 * far, in keel.cfg order. An hvm guest whose vCPUs land on several CPUs is
 * split: its exits and device models go under its lock (keel/vm_lock.h).
 */
static void place(uint64_t now)
{
	unsigned load[CPUS_MAX] = { 0 }, cpu[CFG_VCPUS_MAX];

	for (unsigned i = 0; i < keel_nr_vms; i++) {
		struct vm *vm = &keel_vms[i];
		uint64_t allowed;

		for (unsigned j = 0; j < vm->nr_vcpus; j++)
			vm->vcpus[j].rq = &cpu_scheds[vm->vcpus[j].cpu];
		if (vm->state != VM_READY || !(allowed = affinity(vm)))
			continue;
		vm->cpu_each = true;
		for (unsigned j = 0; j < vm->nr_vcpus; j++) {
			/* Spread only where keel.cfg's cpus= names several CPUs (docs/vcpus.md). */
			cpu[j] = j && !spread_asked(vm) ? cpu[0] : sched_place(allowed, load);
			vm->split |= cpu[j] != cpu[0];
			for (unsigned k = 0; k < j; k++)
				vm->cpu_each &= cpu[k] != cpu[j];
		}
		vm->cpu_each &= vm->split;
		vm_split_any |= vm->split;
		for (unsigned j = 0; j < vm->nr_vcpus; j++) {
			vm->vcpus[j].affinity = allowed;
			place_on(&vm->vcpus[j], cpu[j], now);
			arch_vcpu_exit_path(&vm->vcpus[j]);
		}
	}
	smp = cpus_used & ~1ULL;
	if (smp)
		hcall_lock_domains();
	for (unsigned i = 0; smp && i < keel_nr_vms; i++)
		if (keel_vms[i].state == VM_READY)
			say_placed(&keel_vms[i]);
}

void sched_start(void)
{
	uint64_t now = rdtsc();

	/* From here console output waits in a ring, not in a guest's exit. */
	uart_set_buffered(true);
	for (unsigned c = 0; c < CPUS_MAX; c++)
		runq_init(&cpu_scheds[c].runq, ns_to_tsc(SCHED_SLICE_NS));
	place(now);
	if (smp_online_mask() > 1)
		smp_release(sched_ap_run);
	sched_run(0);
}

void sched_timer_changed(struct vcpu *v)
{
	arch_vcpu_set_timer(v, timer_for(v));
}

struct vcpu *sched_tick(struct vcpu *v)
{
	struct cpu_sched *cs = sched_of(v);
	uint64_t now = rdtsc();
	struct runq_entity *e;

	console_service();
	if (v->vm->pv)
		pv_resume(v);
	if (now < cs->runq.deadline) {
		/* The guest's own deadline: a device's (re-armed before entry) or its PV timer. */
		if (!v->vm->hvm)
			arch_vcpu_set_timer(v, timer_for(v));
		return v;
	}
	e = pick(cs, false);
	if (e != &v->sched)
		switch_to(cs, e);
	arch_vcpu_set_timer(v, timer_for(v));
	return v;
}

void sched_yield(struct vcpu *v)
{
	struct cpu_sched *cs = sched_of(v);
	struct runq_entity *e = pick(cs, true);

	if (e != &v->sched)
		switch_to(cs, e);
	arch_vcpu_set_timer(v, timer_for(v));
}

static __attribute__((noinline)) void block_locked(struct cpu_sched *cs, struct vcpu *v,
						     uint64_t tsc_deadline)
{
	spin_lock(&cs->lock);
	runq_block(&cs->runq, &v->sched, tsc_deadline, rdtsc());
	spin_unlock(&cs->lock);
	if (woken_meanwhile(v)) {
		spin_lock(&cs->lock);
		runq_wake(&cs->runq, &v->sched, rdtsc());
		spin_unlock(&cs->lock);
	}
}

void sched_block(struct vcpu *v, uint64_t tsc_deadline)
{
	struct cpu_sched *cs = &cpu_scheds[0];
	uint64_t now;

	if (smp) {
		cs = sched_of(v);
		block_locked(cs, v, tsc_deadline); /* under v's VM lock, if split: the re-check */
		switch_to(cs, pick_locked(cs, false));
	}
	/*
	 * One smp test for both (a call of pick() tested it again: the event
	 * round trip +12); without smp every vCPU is CPU 0's, whose run queue
	 * is at a fixed address, and one TSC read serves both calls.
	 */
	now = rdtsc();
	runq_block(&cs->runq, &v->sched, tsc_deadline, now);
	schedule(cs, runq_pick(&cs->runq, now, false));
}

/*
 * On any CPU's exit path. On v's own CPU the running vCPU's VMCS is
 * current: its timer gets the new slice end at once. On another, an IPI
 * makes that CPU look again (sched_tick from the guest it runs, or its
 * idle loop), which re-arms the timer there.
 */
/* v first, where sched_wake has it: the other order cost its single-CPU path a register copy. */
static __attribute__((noinline)) void wake_locked(struct vcpu *v, struct cpu_sched *cs)
{
	struct vcpu *cur;

	spin_lock(&cs->lock);
	runq_wake(&cs->runq, &v->sched, rdtsc());
	cur = cs->runq.cur >= 0 ? vcpu_of(cs->runq.e[cs->runq.cur]) : NULL;
	cs->quiet = false;
	spin_unlock(&cs->lock);
	if (v->cpu != this_cpu_id())
		smp_wake(v->cpu);
	else if (cur)
		arch_vcpu_set_timer(cur, timer_on(cs, cur));
}

/*
 * Without smp every vCPU is CPU 0's: its run queue at a fixed address, no
 * load of v->rq and no register kept for it.
 */
void sched_wake(struct vcpu *v)
{
	struct cpu_sched *cs = &cpu_scheds[0];

	if (smp) {
		wake_locked(v, sched_of(v));
		return;
	}
	runq_wake(&cs->runq, &v->sched, rdtsc());
	/* The running vCPU may have been alone: now it has a slice end. */
	if (cs->runq.cur >= 0) {
		struct vcpu *cur = vcpu_of(cs->runq.e[cs->runq.cur]);

		arch_vcpu_set_timer(cur, timer_on(cs, cur));
	}
}

void sched_remove(struct vcpu *v)
{
	struct cpu_sched *cs = sched_of(v);

	rq_lock(cs);
	runq_remove(&cs->runq, &v->sched, rdtsc());
	rq_unlock(cs);
}

void sched_exit(struct vcpu *v)
{
	struct cpu_sched *cs = sched_of(v);

	rq_lock(cs);
	runq_remove(&cs->runq, &v->sched, rdtsc());
	rq_unlock(cs);
	switch_to(cs, pick(cs, false));
}
