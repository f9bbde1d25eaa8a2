/* SPDX-License-Identifier: MIT */
/*
 * CPL 3 for a 64-bit test guest, set up once: a GDT that keeps Keel's
 * 0x08 code and 0x10 data and adds user data (0x18), user 64-bit code
 * (0x20) and a TSS (0x28) whose RSP0 takes the fault back to CPL 0; the
 * U/S bit on the first GiB of Keel's identity map (SDM 3A 4.6: user
 * accesses need it at every level); while ring3_xsetbv runs, a copy of
 * the guest's IDT with its own #GP gate.
 */
#include "lib/guest.h"
#include "ring3.h"
#include <idt_gate.h>

#define PTE_U (1ULL << 2)
#define ADDR  0x000ffffffffff000ULL

struct tss64 {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3, iomap;
} __attribute__((packed));

struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

uint64_t ring3_xsetbv(uint32_t xcr, uint64_t value);
extern char ring3_gp[], ring3_xsetbv_insn[], ring3_hlt_insn[];
extern uint64_t ring3_gp_error;

static struct tss64 tss __attribute__((aligned(16)));
static uint64_t gdt[7] __attribute__((aligned(16)));
static struct idt_gate idt[20] __attribute__((aligned(16)));
static uint8_t rsp0_stack[4096] __attribute__((aligned(16)));

static void user_pages(void)
{
	uint64_t cr3, *pml4, *pdpt, *pd;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	pml4 = (uint64_t *)(cr3 & ADDR);
	pml4[0] |= PTE_U;
	pdpt = (uint64_t *)(pml4[0] & ADDR);
	pdpt[0] |= PTE_U;
	pd = (uint64_t *)(pdpt[0] & ADDR);
	for (unsigned i = 0; i < 512; i++)
		pd[i] |= PTE_U;
	__asm__ volatile("mov %0, %%cr3" ::"r"(cr3) : "memory");
}

static void setup(void)
{
	uint64_t t = (uint64_t)&tss;
	struct dtr g = { sizeof(gdt) - 1, (uint64_t)gdt };

	tss.rsp[0] = (uint64_t)(rsp0_stack + sizeof(rsp0_stack));
	tss.iomap = sizeof(tss); /* no I/O bitmap */
	gdt[1] = 0x00209a0000000000ULL; /* 0x08: code, 64-bit, DPL 0 (as Keel's) */
	gdt[2] = 0x0000920000000000ULL; /* 0x10: data, DPL 0 (as Keel's) */
	gdt[3] = 0x0000f20000000000ULL; /* 0x18: data, DPL 3 */
	gdt[4] = 0x0020fa0000000000ULL; /* 0x20: code, 64-bit, DPL 3 */
	/* 0x28: available 64-bit TSS (SDM 3A 8.2.3), limit 103 */
	gdt[5] = (sizeof(tss) - 1) | (t & 0xffffff) << 16 | 0x89ULL << 40 | (t >> 24 & 0xff) << 56;
	gdt[6] = t >> 32;
	__asm__ volatile("lgdt %0" ::"m"(g));
	__asm__ volatile("ltr %w0" ::"r"(0x28));
	user_pages();
}

int ring3_xsetbv_gp0(uint32_t xcr, uint64_t value)
{
	static int done;
	struct dtr old, mine = { sizeof(idt) - 1, (uint64_t)idt };
	uint64_t rip;

	if (!done) {
		setup();
		done = 1;
	}
	__asm__ volatile("sidt %0" : "=m"(old));
	for (unsigned i = 0; i < 20 && i * sizeof(idt[0]) < (unsigned)old.limit + 1; i++)
		idt[i] = ((const struct idt_gate *)old.base)[i];
	idt[13] = idt_gate((uint64_t)ring3_gp, 0x08);
	__asm__ volatile("lidt %0" ::"m"(mine));
	rip = ring3_xsetbv(xcr, value);
	__asm__ volatile("lidt %0" ::"m"(old));
	if (rip == (uint64_t)ring3_xsetbv_insn && ring3_gp_error == 0)
		return 0;
	gprintf("ring3: XSETBV at CPL 3: #GP(0x%lx) at %s\n", ring3_gp_error,
		rip == (uint64_t)ring3_hlt_insn ? "the HLT after it (XSETBV completed)" : "XSETBV");
	return 1;
}
