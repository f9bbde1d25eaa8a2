/* SPDX-License-Identifier: MIT */
/* What a vCPU's exits were: statistics per reason, and its last exits (the trace). */
#include <arch/vmx.h>
#include <keel/hvm.h>
#include <keel/printk.h>
#include <keel/vcpu.h>
#include <keel/vm.h>
#include <keel/vnet.h>

/*
 * The local APIC's accesses that exited, by the way they reached the model
 * (docs/msrs.md, "APIC virtualization"), and the TSC-deadline writes.
 */
static void print_lapic_stats(const struct vlapic *a)
{
	const struct vlapic_stats *s = &a->stats;

	printk("keel:   local APIC: %lu accesses exited (%lu MMIO, %lu x2APIC MSR, %lu APIC-write, "
	       "%lu EOI-induced), %lu TSC-deadline writes; %s\n",
	       s->mmio + s->msr + s->apic_write + s->eoi, s->mmio, s->msr, s->apic_write, s->eoi,
	       s->deadline, a->vapic ? "APIC virtualization" : "emulated");
}

void vcpu_print_stats(const struct vcpu *v)
{
	uint64_t total = 0, ticks = 0;

	for (unsigned r = 0; r < EXIT_REASONS_MAX; r++) {
		total += v->exits[r];
		ticks += v->exit_ticks[r];
	}
	if (v->vm->nr_vcpus > 1)
		printk("keel: guest '%s' vcpu %u: %lu exits", v->vm->name, v->index, total);
	else
		printk("keel: guest '%s': %lu exits", v->vm->name, total);
	if (ticks)
		printk(", %lu host ticks handling them", ticks);
	printk("\n");
	for (unsigned r = 0; r < EXIT_REASONS_MAX; r++) {
		if (!v->exits[r])
			continue;
		printk("keel:   %-22s %10lu", arch_exit_reason_name(r), v->exits[r]);
		if (v->exits_timed[r])
			printk("  %12lu ticks  %6lu/exit", v->exit_ticks[r],
			       v->exit_ticks[r] / v->exits_timed[r]);
		/* hvm exits on the fast path (vmx_exit_dispatch_hvm) are not timed */
		if (v->exits_timed[r] && v->exits_timed[r] < v->exits[r])
			printk("  (%lu fast, untimed)", v->exits[r] - v->exits_timed[r]);
		printk("\n");
	}
	if (v->redelivered)
		printk("keel:   %lu events cut short in their delivery by an exit, delivered again\n",
		       v->redelivered);
	if (v->vm->hvm)
		print_lapic_stats(hvm_lapic(v));
	if (v->index)
		return; /* the guest's devices: once, with its first vCPU's */
	vnet_print_stats(v->vm);
	if (v->vm->hvm)
		hvm_console_print_stats(v->vm);
}

/*
 * One line per exit, oldest first: its number among the vCPU's exits, the
 * host TSC ticks since the exit before it (blank when that one is not kept),
 * reason, qualification and guest RIP as they were at the exit.
 */
void vcpu_print_trace(const struct vcpu *v)
{
	struct exit_trace_entry e[EXIT_TRACE_N];
	unsigned n = exit_trace_read(&v->trace, e);
	char ticks[24];

	printk("keel: guest '%s': last %u of %lu exits, oldest first (+ticks since the one before):\n",
	       v->vm->name, n, v->trace.count);
	for (unsigned k = 0; k < n; k++) {
		ticks[0] = 0;
		if (k)
			snprintf(ticks, sizeof(ticks), "+%lu", e[k].tsc - e[k - 1].tsc);
		printk("keel:   #%-7lu %11s  %-22s qual 0x%-10lx rip 0x%lx\n", e[k].seq, ticks,
		       arch_exit_reason_name(e[k].reason), e[k].qual, e[k].rip);
	}
}
