/* SPDX-License-Identifier: MIT */
/* Keel's GDT, IDT and TSS. */
#ifndef ARCH_DESC_H
#define ARCH_DESC_H

#include <stdint.h>

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_TSS   0x18

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

void arch_cpu_tables_init(void);
void trap_handler(struct trap_frame *f);

#endif
