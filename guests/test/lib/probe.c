/* SPDX-License-Identifier: MIT */
/* The probe IDT: a fault during a probe resumes at its resume point; see probe.h. */
#include "guest.h"
#include <idt_gate.h>
#include <probe.h>

struct probe_frame {
	uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

static struct idt_gate idt[32] __attribute__((aligned(16)));
volatile uint64_t probe_resume, probe_error, probe_cr2, probe_rip;
volatile int probe_vector = PROBE_NONE;

void probe_trap(struct probe_frame *f);
void probe_trap(struct probe_frame *f)
{
	if (!probe_resume) {
		gprintf("unexpected exception %lu at rip 0x%lx error 0x%lx\n", f->vector, f->rip,
			f->error);
		outl(KEEL_DEBUG_EXIT_PORT, 0x100 + (uint32_t)f->vector);
	}
	probe_vector = (int)f->vector;
	probe_error = f->error;
	probe_rip = f->rip;
	if (f->vector == 14)
		__asm__ volatile("mov %%cr2, %0" : "=r"(probe_cr2));
	f->rip = probe_resume;
	probe_resume = 0;
}

void probe_init(void)
{
	extern const uint64_t probe_stubs[32];
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ip = { sizeof(idt) - 1, (uint64_t)idt };

	for (unsigned i = 0; i < 32; i++) {
		uint64_t a = probe_stubs[i];

		idt[i] = idt_gate(a, 0x08);
	}
	__asm__ volatile("lidt %0" ::"m"(ip));
}
