/* SPDX-License-Identifier: MIT */
/* Keel's GDT, IDT and TSS. */
#ifndef ARCH_DESC_H
#define ARCH_DESC_H

#include <stdint.h>

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_TSS   0x18 /* 16 bytes: 0x18 and 0x20 */
/* Ring 3 (deprivileged PV guests), in the order SYSRET needs (SDM 2B SYSRET): */
#define SEL_USER_BASE 0x28 /* STAR[63:48]; 0x28 itself would be 32-bit code (unused) */
#define SEL_UDATA     (0x30 | 3)
#define SEL_UCODE     (0x38 | 3)

/* IST slots (1-based, as the IDT gate field counts them). */
#define IST_DF  1
#define IST_NMI 2
#define IST_MC  3

/* What the trap stubs push; the layout is pinned in traps.S. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct tss64 {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3;
	uint16_t iomap_base;
} __attribute__((packed));

/* One CPU's GDT and TSS (arch/x86/gdt.c): the boot CPU's are static, an AP's per-CPU. */
struct cpu_tables {
	uint64_t     gdt[8] __attribute__((aligned(16)));
	struct tss64 tss;
};

#define IST_STACK_SIZE 8192

/* The boot CPU's GDT, TSS and IDT. */
void arch_cpu_tables_init(void);
/* Fill t (IST stacks ending at ist_top[0..2]) and load it on this CPU: GDT, segments, TR. */
void arch_cpu_tables_load(struct cpu_tables *t, const uint64_t ist_top[3]);
/* Load the IDT arch_cpu_tables_init built (an AP shares the boot CPU's). */
void arch_idt_load(void);
struct percpu;
/* The stack CPU pc switches to on a trap or interrupt from ring 3 (its TSS's RSP0). */
void arch_tss_set_rsp0(struct percpu *pc, uint64_t rsp0);
void trap_handler(struct trap_frame *f);
/* Point an IDT vector at handler (an interrupt gate; ist 0 or an IST slot). */
void arch_idt_set_gate(unsigned vector, uint64_t handler, unsigned ist);

#endif
