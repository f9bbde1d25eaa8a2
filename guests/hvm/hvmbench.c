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
#include "hvmbench_io.h"

#define ITERS 301
#define LAPIC 0xfee00000UL
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_CCR 0x390 /* timer current count */

/* The disk comparison: IO_MIB MiB from sector 0, in requests of IO_REQ bytes. */
#define IO_MIB 2
#define IO_REQ (128 * 1024) /* what one IDE READ SECTORS of 256 sectors moves */
#define IDE_BUF  0x1000000UL /* 16 MiB and 20 MiB: RAM above the image (memory=32M) */
#define VBLK_BUF 0x1400000UL

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

static uint64_t sum(const uint64_t *p, uint64_t n)
{
	uint64_t s = 0;

	for (uint64_t i = 0; i < n; i++)
		s = s * 31 + p[i];
	return s;
}

/*
 * The same IO_MIB MiB through the IDE ports and through virtio-blk (both
 * disks are hvmbench.img: keel-bench.cfg's image= and disk=): exits per
 * MiB as the drivers count them (each port or BAR access is one exit) and
 * ticks per MiB by the TSC (Keel's and the guest's instructions in Bochs).
 * The bytes must agree, or the figures mean nothing.
 */
static int disk_compare(void)
{
	struct io_count ide = { 0 }, vblk = { 0 };
	uint64_t t0, t_ide, t_vblk, sectors = IO_MIB * 2048;

	t0 = bench_rdtsc();
	if (ide_read(0, (uint32_t)sectors, (void *)IDE_BUF, &ide))
		return print("hvmbench: IDE read failed\n"), -1;
	t_ide = bench_rdtsc() - t0;
	t0 = bench_rdtsc();
	if (vblk_read(0, (uint32_t)sectors, (void *)VBLK_BUF, IO_REQ, &vblk))
		return print("hvmbench: virtio-blk read failed\n"), -1;
	t_vblk = bench_rdtsc() - t0;
	if (sum((uint64_t *)IDE_BUF, sectors * 64) != sum((uint64_t *)VBLK_BUF, sectors * 64))
		return print("hvmbench: IDE and virtio-blk read different bytes\n"), -1;
	print("DISK %-10s MiB %u exits/MiB %7lu ticks/MiB %9lu\n", "ide-pio", IO_MIB,
	      ide.exits / IO_MIB, t_ide / IO_MIB);
	print("DISK %-10s MiB %u exits/MiB %7lu ticks/MiB %9lu\n", "virtio-blk", IO_MIB,
	      vblk.exits / IO_MIB, t_vblk / IO_MIB);
	print("DISK virtio-blk/ide-pio: %lux fewer exits, %lux fewer ticks per MiB\n",
	      ide.exits / (vblk.exits ? vblk.exits : 1), t_ide / (t_vblk ? t_vblk : 1));
	return 0;
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
	/* Doorbell to used-ring update: Keel serves the queue on the doorbell's exit. */
	if (vblk_init())
		return 1;
	BENCH("notify", vblk_read1((void *)VBLK_BUF));
	if (disk_compare())
		return 1;
	print("hvmbench: done\n");
	return 0;
}
