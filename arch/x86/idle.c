/* SPDX-License-Identifier: MIT */
/*
 * The idle CPU: every vCPU is blocked, so Keel halts until the earliest
 * deadline, with the LAPIC timer armed for it (arch/x86/host_timer.c).
 *
 * STI;HLT is atomic: STI lets interrupts in only after the next
 * instruction (SDM 2B STI), so an interrupt that came due while the timer
 * was armed is taken at the HLT and wakes it; none is lost between the
 * check of the TSC and the halt. The handler only EOIs; the loop, not the
 * interrupt, decides whether the deadline has come (an early interrupt, a
 * stray one or an NMI just halts again).
 *
 * A timer interrupt that comes after idle has ended (a one-shot count a
 * little long, a deadline raced by a disarm) is harmless either way: in a
 * VM it is an external-interrupt exit, acknowledged and resumed
 * (arch/x86/vmx/exit_misc.c); in ring 3 it is a slice end before the
 * deadline, which sched_tick answers by resuming the guest.
 */
#include <arch/cpu.h>
#include <arch/host_timer.h>
#include <arch/io.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <drivers/tsc.h>
#include <keel/printk.h>

void arch_cpu_idle_init(void)
{
	host_timer_init();
}

/*
 * A wake-up IPI from another CPU (smp_wake: a vCPU of this CPU's became
 * runnable) ends the wait early. Its count is read before the first STI,
 * so one that came earlier is taken at that HLT and still ends the wait.
 */
void arch_cpu_idle(unsigned cpu, uint64_t tsc_until)
{
	struct percpu *pc = smp_percpu(cpu);
	uint64_t t0 = rdtsc(), wakes = pc->wakes;

	if (!host_timer_ready()) {
		while (rdtsc() < tsc_until && pc->wakes == wakes)
			cpu_relax();
	}
	while (rdtsc() < tsc_until && pc->wakes == wakes) {
		host_timer_arm(tsc_until);
		pc->idle_halts++;
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	pc->idle_ticks += rdtsc() - t0;
}

/* An AP whose guests have all ended: halted for good, still answering wake-up IPIs. */
__attribute__((noreturn)) void arch_cpu_idle_ap(void)
{
	struct percpu *pc = this_cpu();

	for (;;) {
		pc->halts++;
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
}

void arch_cpu_idle_report(void)
{
	struct percpu *pc = smp_percpu(0);
	uint64_t ms = tsc_to_ns(pc->idle_ticks) / 1000000, halts = pc->idle_halts, strays = 0;

	smp_idle_report();
	if (!host_timer_ready()) {
		printk("keel: idle %lu ms, spinning on the TSC (no timer)\n", ms);
		return;
	}
	/* Idle time, halts and timer wakes are the boot CPU's; stray interrupts every CPU's. */
	for (unsigned i = 0; i < smp_nr_online(); i++)
		strays += smp_percpu(i)->stray_irqs;
	printk("keel: idle %lu ms: %lu halts, %lu timer wakes, %lu stray interrupts\n", ms, halts,
	       pc->timer_wakes, strays);
}
