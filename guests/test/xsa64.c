/* SPDX-License-Identifier: MIT */
/*
 * xsa64: a hostile 64-bit guest (issue 8, XSA-style isolation tests). With
 * args "full" it tries every hypercall with hostile arguments, every MSR in
 * the architectural and Keel ranges, every VMX instruction and a few more
 * that exit, and prints one summary line per class; its debug-exit status
 * is the number of unexpected outcomes. With "gpa=ADDR" ("gpaw=": write,
 * "gpax=": execute) it touches that guest-physical address, which Keel must
 * stop it for. ADDR is hex, "ram" (its RAM size), "maxphys" (the highest
 * physical-address bit) or "beyond" (one past it), each optionally +hex.
 */
#include "lib/guest.h"
#include <probe.h>
#include "xsa64.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)
#define PTE_P  1ULL
#define PTE_W  2ULL
#define PTE_PS 0x80ULL
#define VA_GPA  (1ULL << 39) /* PML4 slot 1: xsa64_map_gpa */
#define VA_EDGE (2ULL << 39) /* PML4 slot 2: xsa64_scratch_edge */

uint8_t xsa64_scratch[4096] __attribute__((aligned(4096)));
static uint64_t pdpt_gpa[512], pd_gpa[512], pdpt_edge[512], pd_edge[512], pt_edge[512]
	__attribute__((aligned(4096)));

static uint64_t *pml4(void)
{
	uint64_t cr3;

	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	return (uint64_t *)(cr3 & ~0xfffULL); /* Keel's tables lie in RAM, identity-mapped */
}

volatile uint8_t *xsa64_map_gpa(uint64_t gpa)
{
	pml4()[1] = (uint64_t)pdpt_gpa | PTE_P | PTE_W;
	pdpt_gpa[0] = (uint64_t)pd_gpa | PTE_P | PTE_W;
	pd_gpa[0] = (gpa & ~(2 * MiB - 1)) | PTE_P | PTE_W | PTE_PS;
	__asm__ volatile("invlpg (%0)" ::"r"(VA_GPA) : "memory");
	return (volatile uint8_t *)(VA_GPA + (gpa & (2 * MiB - 1)));
}

uint64_t xsa64_scratch_edge(void)
{
	pml4()[2] = (uint64_t)pdpt_edge | PTE_P | PTE_W;
	pdpt_edge[0] = (uint64_t)pd_edge | PTE_P | PTE_W;
	pd_edge[0] = (uint64_t)pt_edge | PTE_P | PTE_W;
	pt_edge[0] = (uint64_t)xsa64_scratch | PTE_P | PTE_W; /* pt_edge[1]: not present */
	__asm__ volatile("invlpg (%0)" ::"r"(VA_EDGE) : "memory");
	return VA_EDGE;
}

static unsigned maxphys(void)
{
	uint32_t r[4];

	cpuid(0x80000008, 0, r);
	return r[0] & 0xff;
}

static uint64_t hex(const char *s, const char **end)
{
	uint64_t v = 0;

	if (s[0] == '0' && s[1] == 'x')
		s += 2;
	for (;; s++) {
		unsigned d = *s >= '0' && *s <= '9' ? (unsigned)(*s - '0') :
			     *s >= 'a' && *s <= 'f' ? (unsigned)(*s - 'a' + 10) : 16;
		if (d == 16)
			break;
		v = v << 4 | d;
	}
	*end = s;
	return v;
}

static bool word(const char **s, const char *w)
{
	const char *p = *s;

	while (*w && *p == *w)
		p++, w++;
	if (*w)
		return false;
	*s = p;
	return true;
}

static uint64_t parse_addr(const char *s, uint64_t ram)
{
	uint64_t a;

	if (word(&s, "ram"))
		a = ram;
	else if (word(&s, "maxphys"))
		a = 1ULL << (maxphys() - 1);
	else if (word(&s, "beyond"))
		a = 1ULL << maxphys();
	else
		a = hex(s, &s);
	if (*s == '+')
		a += hex(s + 1, &s);
	return a;
}

/*
 * Touch gpa. Keel must stop the guest with a report (EPT violation); the
 * lines after the access only print if it did not. Past MAXPHYADDR the
 * guest's own page walk faults first (#PF, reserved bit): Keel never sees it.
 */
static int touch(char how, uint64_t gpa, uint64_t ram)
{
	volatile uint8_t *p = gpa < 4 * GiB ? (volatile uint8_t *)gpa : xsa64_map_gpa(gpa);
	uint64_t v = 0;
	int vec;

	gprintf("xsa64: %s guest-physical 0x%lx (my RAM ends at 0x%lx, MAXPHYADDR %u)\n",
		how == 'r' ? "reading" : how == 'w' ? "writing" : "executing at", gpa, ram,
		maxphys());
	probe_vector = PROBE_NONE;
	if (how == 'r')
		__asm__ volatile(PROBE_BEGIN "mov (%1), %0" PROBE_END : "+r"(v) : "r"(p)
				 : PROBE_CLOBBERS);
	else if (how == 'w')
		__asm__ volatile(PROBE_BEGIN "movq $0x5a, (%0)" PROBE_END : : "r"(p)
				 : PROBE_CLOBBERS);
	else
		__asm__ volatile(PROBE_BEGIN "call *%0" PROBE_END : : "r"(p) : PROBE_CLOBBERS);
	vec = probe_vector;
	if (vec == 14) {
		gprintf("xsa64: gpa 0x%lx: #PF error 0x%lx in my own page walk (reserved bit: "
			"past MAXPHYADDR), Keel not involved\n", gpa, probe_error);
		return (probe_error & 8) ? 0 : 1;
	}
	gprintf("xsa64: gpa 0x%lx: access completed (vector %d, value 0x%lx): NOT STOPPED\n", gpa,
		vec, v);
	return 1;
}

static unsigned full(uint64_t ram)
{
	unsigned bad = 0;

	bad += xsa64_msr_switch(); /* first: pvxsa does the same at its start */
	bad += xsa64_hypercalls(ram);
	bad += xsa64_partial();
	bad += xsa64_vmx();
	bad += xsa64_cpu();
	bad += xsa64_msrs();
	gprintf("xsa64: done, %u unexpected\n", bad);
	return bad;
}

int main(const char *args, uint64_t ram);
int main(const char *args, uint64_t ram)
{
	const char *a = args;

	probe_init();
	gprintf("xsa64: started with %lu KiB RAM, args '%s'\n", ram / 1024, args);
	if (word(&a, "gpa="))
		return touch('r', parse_addr(a, ram), ram);
	if (word(&a, "gpaw="))
		return touch('w', parse_addr(a, ram), ram);
	if (word(&a, "gpax="))
		return touch('x', parse_addr(a, ram), ram);
	if (word(&a, "cr0pg")) {
		xsa64_cr0_pg();
		return 0;
	}
	return (int)full(ram);
}
