/* SPDX-License-Identifier: MIT */
#ifndef KEEL_VCPU_H
#define KEEL_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <arch/vcpu_arch.h>
#include <keel/exit_trace.h>
#include <keel/runq.h>
#include <keel/vmsr.h>

/* SDM register numbers (Vol. 2 Table 2-1): exit qualifications index this. */
enum gpr {
	REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
	REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
	NR_GPRS
};

struct gpr_regs {
	uint64_t r[NR_GPRS]; /* r[REG_RSP] is unused: the VMCS holds guest RSP */
};

#define EXIT_REASONS_MAX 80

struct vm;
struct hvm_cpu;
struct cpu_sched;

struct vcpu {
	struct gpr_regs gpr;  /* first: the exit stub stores straight into it */
	uint64_t host_stack;  /* top of the stack the C exit handlers run on */
	struct vm *vm;
	unsigned index; /* its place in vm->vcpus[]: an hvm vCPU's APIC ID (0: the BSP) */
	struct hvm_cpu *hvm_cpu; /* an hvm vCPU's part of the PC (vm->hvm->cpu[index]), else NULL */
	struct vcpu_arch arch;
	struct vmsr msr; /* the MSRs Keel emulates (vmm/vmsr.c) */
	struct runq_entity sched; /* its place in the scheduler (vmm/sched.c) */
	uint64_t affinity; /* host CPUs it may run on (keel.cfg cpus=), bit n = CPU n */
	unsigned cpu;      /* the host CPU whose run queue holds it (vmm/sched_place.c) */
	struct cpu_sched *rq; /* that CPU's run queue (vmm/sched.c), set when it is placed */
	uint64_t exits[EXIT_REASONS_MAX]; /* per basic exit reason */
	uint64_t exit_ticks[EXIT_REASONS_MAX]; /* host TSC ticks handling them (hvm guests) */
	uint64_t exits_timed[EXIT_REASONS_MAX]; /* those of them the ticks are for */
	uint64_t redelivered; /* events an exit cut short in their delivery, injected again */
	struct exit_trace trace; /* its last exits, for reports */
};

_Static_assert(offsetof(struct vcpu, gpr) == 0, "exit stub expects gpr first");
_Static_assert(sizeof(struct gpr_regs) == 16 * 8, "exit stub saves 16 registers");

/*
 * Run an hvm guest's device timers and inject what is pending (vmm/hvm_events.c).
 * devices_touched: the exit reached a device, which may have moved a deadline.
 */
void vcpu_before_entry(struct vcpu *v, bool devices_touched);
/* Exits by reason (and ticks spent, where measured) on Keel's console. */
void vcpu_print_stats(const struct vcpu *v);
/* Its last exits, oldest first, on Keel's console. */
void vcpu_print_trace(const struct vcpu *v);

#endif
