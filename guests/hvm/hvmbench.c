/* SPDX-License-Identifier: MIT */
/*
 * hvmbench: exit latency inside an hvm guest (SeaBIOS boots it, boot64.S
 * enters long mode). For each exit, RDTSC ticks per round trip (the loop
 * included), min and median, printed as bench64's BENCH lines for `make
 * bench` (tools/bench.sh). In Bochs one tick is one emulated instruction
 * and VM transitions are free: these are Keel's instructions per exit,
 * deterministic. Interrupts stay off (boot64.S's CLI), so no handler runs
 * inside a sample; an exit that finds a device deadline due shows in the
 * maximum, not in min or median.
 */
#include <bench_stats.h>
#include <keel/printk.h>
#include <stdarg.h>
#include <stdint.h>
#include "disk.h"

#define ITERS 301
#define LAPIC 0xfee00000UL
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_CCR 0x390 /* timer current count */

static uint64_t samples[ITERS];

#define BENCH(name, ...)                                                                      \
	do {                                                                                  \
		uint64_t min;                                                                 \
		BENCH_SAMPLE(samples, ITERS, min, __VA_ARGS__);                               \
		print("BENCH %-8s min %6lu median %6lu\n", name, min,                       \
		      bench_median(samples, ITERS));                                          \
	} while (0)

static volatile uint32_t *lapic(unsigned off)
{
	return (volatile uint32_t *)(LAPIC + off);
}

/* Exceptions end the run with the vector as the status; nothing else is enabled. */
void isr(uint64_t vec)
{
	print("hvmbench: exception %lu\n", vec);
	outl(0xf4, 0x80 + (uint32_t)vec);
	for (;;)
		__asm__ volatile("cli; hlt");
}

int main(void);
int main(void)
{
	idt_init();
	*lapic(LAPIC_SVR) = 0x1ff; /* software-enabled, spurious vector 0xff */
	print("hvmbench: %u iterations per exit type, ticks per round trip "
	      "(ticks are TSC cycles; in Bochs they are instructions)\n", ITERS);
	BENCH("none", __asm__ volatile("" ::: "memory"));
	BENCH("cpuid", {
		uint32_t a = 0, b, c = 0, d;
		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	});
	/* The master 8259's interrupt mask register: an in-Keel device (vmm/dev/vpic.c). */
	BENCH("pio", (void)inb(0x21));
	/* Not among the registers APIC-register virtualization reads (SDM 3C 30.4.1): exits. */
	BENCH("apic-ccr", (void)*lapic(LAPIC_CCR));
	BENCH("eoi", *lapic(LAPIC_EOI) = 0);
	BENCH("tpr-mmio", *lapic(LAPIC_TPR) = 0);
	BENCH("cr8", __asm__ volatile("mov %0, %%cr8" ::"r"(0UL)));
	print("hvmbench: done\n");
	return 0;
}
