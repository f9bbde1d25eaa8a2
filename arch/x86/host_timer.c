/* SPDX-License-Identifier: MIT */
/*
 * The host's LAPIC timer and the host's interrupt vectors. One timer, two
 * users who never need it at once: the idle CPU arms it for the earliest
 * deadline before it halts (arch/x86/idle.c), a ring-3 PV guest has it
 * armed for the end of its slice (arch/x86/pv/pv_timer.c). Whoever runs
 * next arms it again, so a deadline left over from the other is at worst
 * one early interrupt, and both check the TSC when it comes.
 *
 * Every vector has a gate: Keel owns no interrupt source but this timer,
 * yet the idle halt runs with IF set, and an interrupt some firmware left
 * routed must be acknowledged there, not reported as a fault in Keel.
 * Each CPU counts its own in its struct percpu (timer_wakes, stray_irqs).
 */
#include <arch/cpu.h>
#include <arch/desc.h>
#include <arch/host_timer.h>
#include <arch/io.h>
#include <arch/percpu.h>
#include <arch/smp.h>
#include <drivers/intc.h>
#include <drivers/lapic_timer.h>
#include <drivers/tsc.h>
#include <keel/printk.h>

#define FIRST_IRQ_VECTOR 32
#define TEST_AHEAD_US    100
#define TEST_WAIT_US     10000

extern char host_timer_stub[], host_stray_stub[], host_spurious_stub[];

static bool ready;

bool host_timer_ready(void)
{
	return ready;
}

/*
 * The interrupted CPU's counters, found by its APIC ID as smp_wake_irq does:
 * GS may be a ring-3 guest's in an idle halt, and a stray interrupt may
 * come from ring 3 itself.
 */
static struct percpu *irq_cpu(void)
{
	return smp_percpu(arch_cpu_number());
}

/* The timer interrupted Keel itself: only its idle halt (or the test below) runs with IF set. */
void host_timer_irq(void)
{
	irq_cpu()->timer_wakes++;
	lapic_eoi();
}

void host_stray_irq(void)
{
	irq_cpu()->stray_irqs++;
	lapic_eoi();
}

/*
 * Calibration proved the timer counts, not that its interrupt arrives:
 * arm it a little ahead and wait, interrupts on, for the handler to see it.
 */
static bool timer_interrupts(void)
{
	struct percpu *pc = irq_cpu();
	uint64_t before = pc->timer_wakes, t0 = rdtsc();

	lapic_timer_arm(t0 + ns_to_tsc(TEST_AHEAD_US * 1000));
	__asm__ volatile("sti" ::: "memory");
	while (pc->timer_wakes == before && rdtsc() - t0 < ns_to_tsc(TEST_WAIT_US * 1000))
		cpu_relax();
	__asm__ volatile("cli" ::: "memory");
	lapic_timer_arm(~0ULL);
	return pc->timer_wakes != before;
}

/* TSC-deadline mode where the CPU offers it and it interrupts, else one-shot if that does. */
static const char *pick_mode(void)
{
	if (!lapic_timer_set_mode(LAPIC_TIMER_TSC_DEADLINE)) {
		if (timer_interrupts())
			return "TSC-deadline";
		printk("lapic: TSC-deadline mode did not interrupt: one-shot mode instead\n");
		lapic_timer_set_mode(LAPIC_TIMER_ONE_SHOT);
	}
	if (timer_interrupts())
		return "one-shot";
	lapic_timer_set_mode(LAPIC_TIMER_OFF);
	return NULL;
}

void host_timer_init(void)
{
	static bool done;
	const char *mode;

	if (done)
		return;
	done = true;
	for (unsigned v = FIRST_IRQ_VECTOR; v < 256; v++)
		arch_idt_set_gate(v, (uint64_t)host_stray_stub, 0);
	arch_idt_set_gate(HOST_TIMER_VECTOR, (uint64_t)host_timer_stub, 0);
	arch_idt_set_gate(HOST_SPURIOUS_VECTOR, (uint64_t)host_spurious_stub, 0);
	if (lapic_present())
		lapic_enable(HOST_SPURIOUS_VECTOR);
	if (lapic_timer_init(HOST_TIMER_VECTOR)) {
		printk("idle: no usable LAPIC timer: an idle CPU spins on the TSC\n");
		return;
	}
	mode = pick_mode();
	if (!mode) {
		printk("idle: the LAPIC timer counts but does not interrupt: an idle CPU spins on the "
		       "TSC\n");
		return;
	}
	irq_cpu()->timer_wakes = 0;
	ready = true;
	printk("idle: HLT until the next deadline, woken by the LAPIC timer in %s mode\n", mode);
}
