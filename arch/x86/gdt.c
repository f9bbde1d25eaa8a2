/* SPDX-License-Identifier: MIT */
/*
 * Keel's GDT and TSS. The TSS carries IST stacks so that #DF, NMI and #MC
 * always run on a known-good stack, whatever state the fault left.
 */
#include <arch/desc.h>
#include <arch/percpu.h>
#include <keel/bits.h>
#include <keel/string.h>

static struct cpu_tables boot_tables;
static uint8_t ist_stacks[3][IST_STACK_SIZE] __attribute__((aligned(16)));

static const uint64_t gdt_template[8] = {
	0,
	0x00209a0000000000ULL, /* 0x08 kernel code: L, P, DPL0, execute/read */
	0x0000920000000000ULL, /* 0x10 kernel data: P, DPL0, read/write */
	0, 0,                  /* 0x18 TSS, 16 bytes, filled at run time */
	0,                     /* 0x28 SYSRET's 32-bit code: never used */
	0x0000f20000000000ULL, /* 0x30 user data: P, DPL3, read/write */
	0x0020fa0000000000ULL, /* 0x38 user code: L, P, DPL3, execute/read */
};

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

void idt_init(void);

static void tss_init(struct cpu_tables *t, const uint64_t ist_top[3])
{
	uint64_t base = (uint64_t)&t->tss, limit = sizeof(t->tss) - 1;

	memset(&t->tss, 0, sizeof(t->tss));
	t->tss.ist[IST_DF - 1] = ist_top[0];
	t->tss.ist[IST_NMI - 1] = ist_top[1];
	t->tss.ist[IST_MC - 1] = ist_top[2];
	t->tss.iomap_base = sizeof(t->tss); /* no I/O bitmap */
	/* 64-bit available TSS (type 9), present. SDM 3A 7.2.3. */
	t->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
		    ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	t->gdt[4] = base >> 32;
}

void arch_cpu_tables_load(struct cpu_tables *t, const uint64_t ist_top[3])
{
	struct desc_ptr gp = { sizeof(t->gdt) - 1, (uint64_t)t->gdt };

	memcpy(t->gdt, gdt_template, sizeof(t->gdt));
	tss_init(t, ist_top);
	__asm__ volatile("lgdt %0" ::"m"(gp));
	/* Reload CS with a far return, then the data segments and TR. */
	__asm__ volatile("pushq %[cs]\n\t"
			 "lea 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %[ds], %%ax\n\t"
			 "mov %%ax, %%ds\n\t"
			 "mov %%ax, %%es\n\t"
			 "mov %%ax, %%ss\n\t"
			 "xor %%eax, %%eax\n\t"
			 "mov %%ax, %%fs\n\t"
			 "mov %%ax, %%gs\n\t"
			 "mov %[tr], %%ax\n\t"
			 "ltr %%ax" ::[cs] "i"(SEL_KCODE),
			 [ds] "i"(SEL_KDATA), [tr] "i"(SEL_TSS)
			 : "rax", "memory");
}

void arch_cpu_tables_init(void)
{
	const uint64_t ist_top[3] = { (uint64_t)ist_stacks[0] + IST_STACK_SIZE,
				      (uint64_t)ist_stacks[1] + IST_STACK_SIZE,
				      (uint64_t)ist_stacks[2] + IST_STACK_SIZE };

	arch_cpu_tables_load(&boot_tables, ist_top);
	idt_init();
}

void arch_tss_set_rsp0(struct percpu *pc, uint64_t rsp0)
{
	(pc->cpu ? &pc->tables : &boot_tables)->tss.rsp[0] = rsp0;
}

uint64_t arch_gdt_base(void) { return (uint64_t)boot_tables.gdt; }
uint64_t arch_tss_base(void) { return (uint64_t)&boot_tables.tss; }
