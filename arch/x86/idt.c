/* SPDX-License-Identifier: MIT */
/*
 * The IDT and the exception report. Keel runs with interrupts disabled
 * (external interrupts arrive as VM exits) but in its idle halt, whose
 * interrupts have gates of their own (arch/x86/host_timer.c), so any
 * exception that reaches this handler from ring 0 is a bug in Keel: print
 * everything that helps, then halt. From ring 3 it is a deprivileged PV
 * guest's fault, or the timer that preempts it (arch/x86/pv/pv_timer.c).
 */
#include <arch/desc.h>
#include <arch/cpu.h>
#include <arch/host_timer.h>
#include <arch/pv_timer.h>
#include <arch/smp.h>
#include <keel/printk.h>

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, rsvd;
} __attribute__((packed));

extern const uint64_t trap_stubs[32];
/* Every vector: an interrupt without a present gate raises #NP, not a #GP past the limit. */
static struct idt_gate idt[256] __attribute__((aligned(16)));

static const char *const trap_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound", "#UD invalid opcode", "#NM no FPU", "#DF double fault", "coprocessor overrun",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
};

/* An interrupt gate (type 0x8e: present, DPL 0), so IF is clear in every handler. */
void arch_idt_set_gate(unsigned vector, uint64_t handler, unsigned ist)
{
	idt[vector] = (struct idt_gate){
		.off_lo = handler & 0xffff, .sel = SEL_KCODE, .type = 0x8e,
		.off_mid = handler >> 16 & 0xffff, .off_hi = handler >> 32, .ist = (uint8_t)ist,
	};
}

void arch_idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) ip = { sizeof(idt) - 1, (uint64_t)idt };

	__asm__ volatile("lidt %0" ::"m"(ip));
}

void idt_init(void)
{
	for (unsigned v = 0; v < 32; v++)
		arch_idt_set_gate(v, trap_stubs[v],
				  v == 8 ? IST_DF : v == 2 ? IST_NMI : v == 18 ? IST_MC : 0);
	arch_idt_load();
}

void pv_trap(struct trap_frame *f);

void trap_handler(struct trap_frame *f)
{
	const char *name = f->vector < 32 && trap_names[f->vector] ? trap_names[f->vector] : "?";

	/* From ring 3: a deprivileged PV guest faulted, not Keel (arch/x86/pv/pv_trap.c). */
	if ((f->cs & 3) == 3) {
		if (f->vector == HOST_TIMER_VECTOR || f->vector == SMP_WAKE_VECTOR)
			pv_timer_interrupt(f);
		pv_trap(f);
	}
	/*
	 * Fatal, and maybe an NMI or #MC that came between a SWAPGS and the
	 * ring change (arch/x86/pv/pv_entry.S), with a ring-3 guest's GS: the
	 * report (console lock, CPU number) needs Keel's, found by APIC ID.
	 */
	wrmsr(MSR_GS_BASE, arch_percpu_base());
	printk("\nKEEL PANIC: exception %lu (%s) error 0x%lx in Keel\n", f->vector, name, f->error);
	printk("  rip %016lx cs %04lx rflags %016lx rsp %016lx ss %04lx\n", f->rip, f->cs,
	       f->rflags, f->rsp, f->ss);
	printk("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	printk("  rsi %016lx rdi %016lx rbp %016lx\n", f->rsi, f->rdi, f->rbp);
	printk("  r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n", f->r8, f->r9, f->r10, f->r11);
	printk("  r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n", f->r12, f->r13, f->r14, f->r15);
	printk("  cr0 %016lx cr2 %016lx cr3 %016lx cr4 %016lx\n", read_cr0(), read_cr2(),
	       read_cr3(), read_cr4());
	panic("unhandled exception %lu", f->vector);
}

uint64_t arch_idt_base(void) { return (uint64_t)idt; }
