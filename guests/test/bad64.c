/* SPDX-License-Identifier: MIT */
/*
 * bad64: misbehaves as its args say, so tests can check that Keel stops it
 * with a report and carries on: "oob" reads memory outside its RAM,
 * "vmxon" executes VMXON with no IDT (the #UD Keel injects escalates to a
 * triple fault), "triple" faults with an empty IDT, "mmio" uses an
 * instruction Keel does not emulate (XADD) on its MMIO test device.
 */
#include "lib/guest.h"

static bool is(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int main(const char *args, uint64_t ram);
int main(const char *args, uint64_t ram)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = { 0, 0 };

	gprintf("bad64: doing '%s'\n", args);
	if (is(args, "oob")) {
		volatile uint64_t *p = (volatile uint64_t *)(ram + 0x10000000);

		gprintf("bad64: reading 0x%lx, beyond my %lu KiB of RAM\n", (uint64_t)p, ram / 1024);
		return (int)*p;
	}
	if (is(args, "vmxon")) {
		static uint64_t region __attribute__((aligned(4096)));

		__asm__ volatile("lidt %0" ::"m"(no_idt));
		__asm__ volatile("vmxon (%0)" ::"a"(&region) : "memory");
	}
	if (is(args, "mmio")) {
		volatile uint64_t *p = (volatile uint64_t *)(KEEL_TESTDEV_MMIO + KEEL_TESTDEV_SCRATCH);

		uint64_t add = 1;

		gprintf("bad64: xadd on MMIO 0x%lx\n", (uint64_t)p);
		__asm__ volatile("xaddq %1, %0" : "+m"(*p), "+r"(add) : : "cc");
	}
	if (is(args, "triple")) {
		__asm__ volatile("lidt %0; ud2" ::"m"(no_idt));
	}
	gprintf("bad64: still running, which is wrong\n");
	return 1;
}
