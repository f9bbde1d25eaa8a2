/* SPDX-License-Identifier: MIT */
/* Console, IDT and checks for 64-bit test guests. */
#include "guest.h"
#include <idt_gate.h>
#include <keel/printk.h>
#include <stdarg.h>

struct trap_regs {
	uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

static struct idt_gate idt[20] __attribute__((aligned(16)));
volatile int guest_fault_vector = -1;
volatile unsigned guest_fault_skip;
unsigned guest_failures, guest_checks;

void guest_puts(const char *s)
{
	for (; *s; s++) {
		while (!(inb(0x3fd) & 0x20))
			;
		outb(0x3f8, (uint8_t)*s);
	}
}

void gprintf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	guest_puts(buf);
}

void guest_trap(struct trap_regs *r);
void guest_trap(struct trap_regs *r)
{
	if (!guest_fault_skip) {
		gprintf("unexpected exception %lu at rip 0x%lx error 0x%lx\n", r->vector, r->rip,
			r->error);
		outl(KEEL_DEBUG_EXIT_PORT, 0x100 + (uint32_t)r->vector);
	}
	guest_fault_vector = (int)r->vector;
	r->rip += guest_fault_skip;
	guest_fault_skip = 0;
}

void guest_init(void);
void guest_init(void)
{
	extern char guest_vec0[], guest_vec1[], guest_vec2[], guest_vec3[], guest_vec4[],
		guest_vec5[], guest_vec6[], guest_vec7[], guest_vec8[], guest_vec9[],
		guest_vec10[], guest_vec11[], guest_vec12[], guest_vec13[], guest_vec14[],
		guest_vec15[], guest_vec16[], guest_vec17[], guest_vec18[], guest_vec19[];
	static char *const vec[20] = { guest_vec0, guest_vec1, guest_vec2, guest_vec3,
				       guest_vec4, guest_vec5, guest_vec6, guest_vec7,
				       guest_vec8, guest_vec9, guest_vec10, guest_vec11,
				       guest_vec12, guest_vec13, guest_vec14, guest_vec15,
				       guest_vec16, guest_vec17, guest_vec18, guest_vec19 };
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ip = { sizeof(idt) - 1, (uint64_t)idt };

	for (unsigned i = 0; i < 20; i++) {
		uint64_t a = (uint64_t)vec[i];

		idt[i] = idt_gate(a, 0x08);
	}
	__asm__ volatile("lidt %0" ::"m"(ip));
	/* 8N1 before printing: an emulated UART may start with 5-bit characters. */
	outb(0x3fb, 0x03);
}

void check(bool ok, const char *what, uint64_t got, uint64_t want)
{
	guest_checks++;
	if (ok) {
		gprintf("PASS %s\n", what);
		return;
	}
	guest_failures++;
	gprintf("FAIL %s: got 0x%lx, want 0x%lx\n", what, got, want);
}
