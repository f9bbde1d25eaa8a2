/* SPDX-License-Identifier: MIT */
/*
 * Sharing the CPU between vCPUs (vmm/sched.c, policy in keel/runq.h).
 * Every call that may switch to another vCPU is made on an exit path or
 * before the first entry, and does not return when it switches: the next
 * exit starts afresh on Keel's exit stack.
 */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include <stdint.h>
#include <keel/runq.h>

/* How long a vCPU runs while others wait (host TSC time, guest and Keel). */
#define SCHED_SLICE_NS 10000000ULL
#define SCHED_NEVER    RUNQ_NEVER

struct vcpu;

/*
 * Place every READY guest's vCPU on a host CPU (keel.cfg cpus=), start the
 * APs on their run queues and run CPU 0's; power off when none is left on
 * any CPU.
 */
__attribute__((noreturn)) void sched_start(void);
/* The VMX-preemption timer fired: switch if the slice is over or a sleeper is due. */
struct vcpu *sched_tick(struct vcpu *v);
/* The host TSC by which the running vCPU must exit to the scheduler (SCHED_NEVER: none). */
uint64_t sched_deadline(void);
/* v gives up the CPU until host TSC tsc_deadline, or sched_wake (SCHED_NEVER: only that). */
__attribute__((noreturn)) void sched_block(struct vcpu *v, uint64_t tsc_deadline);
/* Make a blocked vCPU runnable; it runs when its CPU's scheduler next picks (any CPU may call). */
void sched_wake(struct vcpu *v);
/* The running PV vCPU set its timer: its preemption timer must fire by then too. */
void sched_timer_changed(struct vcpu *v);
/* Let another vCPU run first; returns at once if there is none. */
void sched_yield(struct vcpu *v);
/* This host CPU's number, from where Keel may run with a ring-3 guest's GS (docs/smp.md). */
unsigned sched_cpu(void);
/* Another vCPU of a stopping guest leaves the run queue (the caller then exits its own). */
void sched_remove(struct vcpu *v);
/* v's guest has stopped: it leaves the run queue for good. */
__attribute__((noreturn)) void sched_exit(struct vcpu *v);

#endif
