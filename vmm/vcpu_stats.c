/* SPDX-License-Identifier: MIT */
/* Per-exit-reason statistics, printed when a guest ends. */
#include <arch/vmx.h>
#include <keel/printk.h>
#include <keel/vcpu.h>
#include <keel/vm.h>

void vcpu_print_stats(const struct vcpu *v)
{
	uint64_t total = 0, ticks = 0;

	for (unsigned r = 0; r < EXIT_REASONS_MAX; r++) {
		total += v->exits[r];
		ticks += v->exit_ticks[r];
	}
	printk("keel: guest '%s': %lu exits", v->vm->name, total);
	if (ticks)
		printk(", %lu host ticks handling them", ticks);
	printk("\n");
	for (unsigned r = 0; r < EXIT_REASONS_MAX; r++) {
		if (!v->exits[r])
			continue;
		printk("keel:   %-22s %10lu", arch_exit_reason_name(r), v->exits[r]);
		if (v->exit_ticks[r])
			printk("  %12lu ticks  %6lu/exit", v->exit_ticks[r],
			       v->exit_ticks[r] / v->exits[r]);
		printk("\n");
	}
}
