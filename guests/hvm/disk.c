/* SPDX-License-Identifier: MIT */
/* Console and IDT of the hvm test disks written in C (disk.h). */
#include <idt_gate.h>
#include <keel/printk.h>
#include <stdarg.h>
#include "disk.h"

void print(const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (const char *s = buf; *s; s++) {
		while (!(inb(0x3fd) & 0x20))
			;
		outb(0x3f8, (uint8_t)*s);
	}
}

static struct idt_gate idt[256] __attribute__((aligned(16)));

void idt_set(unsigned vec, uint64_t a)
{
	/* 64-bit code selector 0x18 (boot64.S's GDT), present interrupt gate. */
	idt[vec] = idt_gate(a, 0x18);
}

void idt_init(void)
{
	extern char isr_stubs[];
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ip = { sizeof(idt) - 1, (uint64_t)idt };

	for (unsigned i = 0; i < 256; i++)
		idt_set(i, (uint64_t)isr_stubs + 16 * i);
	__asm__ volatile("lidt %0" ::"m"(ip));
}
