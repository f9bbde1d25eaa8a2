/* SPDX-License-Identifier: MIT */
/*
 * Keel's own page tables: an identity map of all RAM and the 32-bit MMIO
 * hole with 2 MiB pages, hardened so a bug in Keel faults with a report
 * instead of corrupting memory (issue 8):
 *  - physical page 0 is not mapped: a NULL dereference faults;
 *  - Keel's image is mapped with 4 KiB pages: its text read-only and
 *    executable, its read-only data read-only, its data writable; only
 *    the text is executable, and nothing else in the map is (with NX);
 *  - CR0.WP makes read-only pages read-only for Keel too (SDM 3A 4.6.1);
 *  - SMEP and SMAP, where the CPU has them, keep Keel from running or
 *    touching a deprivileged PV guest's user pages by accident (SDM 3A
 *    4.6.1: a supervisor access to a user page faults, unless RFLAGS.AC).
 * Memory types come from the firmware's MTRRs, which already make the
 * MMIO hole uncacheable. The policy is arch/x86/page_map.c's (host-tested).
 */
#include <arch/cpu.h>
#include <arch/page_map.h>
#include <arch/paging.h>
#include <keel/bits.h>
#include <keel/frames.h>
#include <keel/printk.h>
#include <keel/string.h>

extern char __keel_start[], __keel_text_end[], __keel_rodata_end[], __keel_end[];

#define CPUID_EXT_NX     BIT(20) /* CPUID 0x80000001 EDX */
#define CPUID_7_SMEP     BIT(7)  /* CPUID 7.0 EBX */
#define CPUID_7_SMAP     BIT(20)

static uint64_t *zeroed_page(void)
{
	uint64_t *p = frame_alloc(PAGE_SIZE, PAGE_SIZE);

	memset(p, 0, PAGE_SIZE);
	return p;
}

/* The 2 MiB page at `base` as 512 page-table entries, each as the layout says. */
static uint64_t split_2m(const struct page_layout *l, uint64_t base)
{
	uint64_t *pt = zeroed_page();

	for (unsigned i = 0; i < 512; i++)
		pt[i] = page_pte(l, base + i * PAGE_SIZE, false);
	return (uint64_t)pt | PTE_P | PTE_W;
}

static bool cpu_has_nx(void)
{
	return cpuid(0x80000000, 0).eax >= 0x80000001 && (cpuid(0x80000001, 0).edx & CPUID_EXT_NX);
}

/* SMEP and SMAP where CPUID offers them; VMX's CR4 fixed bits may take them off again. */
static void protect_user_pages(void)
{
	uint32_t ebx = cpuid(0, 0).eax >= 7 ? cpuid(7, 0).ebx : 0;
	uint64_t cr4 = read_cr4();

	if (ebx & CPUID_7_SMEP)
		cr4 |= CR4_SMEP;
	if (ebx & CPUID_7_SMAP)
		cr4 |= CR4_SMAP;
	write_cr4(cr4);
}

void arch_paging_init(uint64_t top)
{
	uint64_t *pml4 = zeroed_page();
	uint64_t gib = ALIGN_UP(top < 4 * GiB ? 4 * GiB : top, GiB) / GiB;
	struct page_layout l = {
		.image_start = (uint64_t)__keel_start, .text_end = (uint64_t)__keel_text_end,
		.rodata_end = (uint64_t)__keel_rodata_end, .image_end = (uint64_t)__keel_end,
		.nx = cpu_has_nx() ? PTE_NX : 0,
	};

	if (gib > 512 * 512)
		panic("paging: %lu GiB of physical address space is more than Keel maps", gib);
	if (l.nx)
		wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_NXE);
	for (uint64_t g = 0; g < gib; g++) {
		uint64_t *pdpt, *pd;

		if (!(pml4[g / 512] & PTE_P))
			pml4[g / 512] = (uint64_t)zeroed_page() | PTE_P | PTE_W;
		pdpt = (uint64_t *)(pml4[g / 512] & PTE_ADDR);
		pd = frame_alloc(PAGE_SIZE, PAGE_SIZE);
		for (uint64_t i = 0; i < 512; i++) {
			uint64_t base = g * GiB + i * 2 * MiB;

			pd[i] = page_needs_split(&l, base) ? split_2m(&l, base) :
							     page_pte(&l, base, true);
		}
		pdpt[g % 512] = (uint64_t)pd | PTE_P | PTE_W;
	}
	write_cr3((uint64_t)pml4);
	write_cr0(read_cr0() | CR0_WP);
	protect_user_pages();
	printk("paging: page 0 unmapped, text 0x%lx-0x%lx read-only, %s, SMEP %s, SMAP %s\n",
	       l.image_start, l.text_end, l.nx ? "data not executable" : "no NX on this CPU",
	       read_cr4() & CR4_SMEP ? "on" : "off", read_cr4() & CR4_SMAP ? "on" : "off");
}
