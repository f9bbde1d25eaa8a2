/* SPDX-License-Identifier: MIT */
/*
 * Deprivileged PV guests, for CPUs without VT-x (as classic
 * paravirtualisation runs): the guest runs in ring 3 on page tables Keel
 * builds for it, makes hypercalls with SYSCALL through its hypercall page,
 * and its faults come back to Keel through the IDT.
 *
 * The guest's address space is Keel's own (every Keel page stays mapped,
 * supervisor-only) with the guest's RAM as user pages over [0, ram_size).
 * So Keel's image must not lie in that range; the first GiB holds it all.
 */
#include <arch/cpu.h>
#include <arch/desc.h>
#include <arch/fpu.h>
#include <arch/paging.h>
#include <arch/percpu.h>
#include <arch/pv.h>
#include <arch/pv_timer.h>
#include <arch/vmx.h>
#include <keel/abi.h>
#include <keel/bits.h>
#include <keel/errno.h>
#include <keel/frames.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vm.h>

#define MSR_STAR   0xc0000081
#define MSR_LSTAR  0xc0000082
#define MSR_FMASK  0xc0000084
#define PV_STACK_SIZE 16384
#define PV_RAM_MAX GiB

extern char __keel_start[], __keel_end[], pv_syscall_entry[];
extern uint64_t pv_keel_cr3;

/*
 * The boot CPU's ring-3 stack (an AP's is its own stack, arch/x86/smp.c):
 * TSS RSP0, the SYSCALL handler's C stack and pv_enter's IRETQ frame.
 */
static uint8_t pv_stack[PV_STACK_SIZE] __attribute__((aligned(16)));
static volatile bool pv_ready;

/*
 * This CPU for ring 3: SYSCALL/SYSRET (SDM 3A 5.8.8), SSE for ring-3 code,
 * the FPU hand-over, RSP0 of its own TSS, and a guest GS base of 0 to start
 * with (IA32_KERNEL_GS_BASE, which pv_enter's SWAPGS makes the guest's). A
 * guest can only load bases of 0 (SEL_UDATA's, or a null selector, which
 * keeps it; CR4.FSGSBASE is clear, so no WRGSBASE), so the value one guest
 * leaves in GS is no news to the next and is not switched per vCPU.
 */
static void pv_cpu_setup(struct percpu *pc)
{
	arch_tss_set_rsp0(pc, pc->pv_stack_top);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_STAR, (uint64_t)SEL_USER_BASE << 48 | (uint64_t)SEL_KCODE << 32);
	wrmsr(MSR_LSTAR, (uint64_t)pv_syscall_entry);
	/* Keel runs its handlers with interrupts off, forward string ops, no AC. */
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_NT | RFLAGS_AC);
	wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_SCE);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	write_cr0((read_cr0() & ~(uint64_t)(CR0_EM | CR0_TS)) | CR0_MP);
	arch_fpu_cpu_init();
}

/* On the boot CPU, once a ring-3 guest is built; the APs follow (arch_pv_cpu_init_ap). */
static void pv_cpu_init(void)
{
	struct percpu *pc = this_cpu();

	if (pv_ready)
		return;
	pv_keel_cr3 = read_cr3();
	pc->pv_stack_top = (uint64_t)pv_stack + sizeof(pv_stack);
	pv_cpu_setup(pc);
	pv_timer_init();
	pv_ready = true;
}

void arch_pv_cpu_init_ap(struct percpu *pc)
{
	if (pv_ready) {
		pc->pv_stack_top = pc->stack_top;
		pv_cpu_setup(pc);
	}
}

static uint64_t *table_copy(const uint64_t *from)
{
	uint64_t *t = frame_alloc(PAGE_SIZE, PAGE_SIZE);

	memcpy(t, from, PAGE_SIZE);
	return t;
}

/*
 * Keel's tables with the first GiB's directory replaced: the guest's RAM
 * (2 MiB user pages) over [0, ram_size), Keel's identity map elsewhere.
 */
int arch_pv_vm_init(struct vm *vm)
{
	const uint64_t *kpml4, *kpdpt, *kpd;
	uint64_t *pml4, *pdpt, *pd;

	pv_cpu_init();
	if (vm->ram_size > PV_RAM_MAX || (vm->ram_size & (2 * MiB - 1))) {
		printk("keel: guest '%s': without VT-x a pv guest's memory must be a multiple of 2M, "
		       "at most 1G\n", vm->name);
		return -EINVAL;
	}
	if ((uint64_t)__keel_start < vm->ram_size) {
		printk("keel: guest '%s': without VT-x its %lu KiB would cover Keel itself (at 0x%lx)"
		       "\n", vm->name, vm->ram_size / KiB, (uint64_t)__keel_start);
		return -EINVAL;
	}
	kpml4 = (const uint64_t *)(pv_keel_cr3 & PTE_ADDR);
	kpdpt = (const uint64_t *)(kpml4[0] & PTE_ADDR);
	kpd = (const uint64_t *)(kpdpt[0] & PTE_ADDR);
	pml4 = table_copy(kpml4);
	pdpt = table_copy(kpdpt);
	pd = table_copy(kpd);
	for (uint64_t off = 0; off < vm->ram_size; off += 2 * MiB)
		pd[off / (2 * MiB)] = (vm->ram_hpa + off) | PTE_P | PTE_W | PTE_U | PTE_PS;
	pdpt[0] = (uint64_t)pd | PTE_P | PTE_W | PTE_U;
	/* The grant window (KEEL_GRANT_BASE, at 1 GiB): 4 KiB pages, empty until a grant is mapped. */
	pd = table_copy((const uint64_t *)(kpdpt[1] & PTE_ADDR));
	vm->arch.pv_grant_pt = frame_alloc(PAGE_SIZE, PAGE_SIZE);
	memset(vm->arch.pv_grant_pt, 0, PAGE_SIZE);
	pd[0] = (uint64_t)vm->arch.pv_grant_pt | PTE_P | PTE_W | PTE_U;
	pdpt[1] = (uint64_t)pd | PTE_P | PTE_W | PTE_U;
	pml4[0] = (uint64_t)pdpt | PTE_P | PTE_W | PTE_U;
	vm->arch.depriv = true;
	vm->vcpus[0].arch.pv_cr3 = (uint64_t)pml4;
	return 0;
}

/* Ring 3 at rip with rsp, interrupts on so that the timer can preempt it (pv_timer.c). */
void arch_pv_vcpu_setup(struct vcpu *v, uint64_t rip, uint64_t rsp)
{
	v->arch.pv = (struct pv_frame){ .rip = rip, .cs = SEL_UCODE,
					.rflags = RFLAGS_RSVD | RFLAGS_IF,
					.rsp = rsp, .ss = SEL_UDATA };
	arch_fpu_reset(v);
}

/*
 * The guest's TLB entries go with the CR3 switch on its next entry (Keel
 * uses no global pages for it), so no INVLPG is needed here.
 */
int arch_pv_map_page(struct vm *vm, uint64_t gva, uint64_t hpa, bool writable)
{
	uint64_t slot = (gva - KEEL_GRANT_BASE) / PAGE_SIZE;

	if (gva < KEEL_GRANT_BASE || slot >= KEEL_GRANT_SLOTS || (gva & (PAGE_SIZE - 1)))
		return -EINVAL;
	vm->arch.pv_grant_pt[slot] = hpa ? hpa | PTE_P | PTE_U | (writable ? PTE_W : 0) : 0;
	return 0;
}

/* Guest memory is RAM at [0, ram_size): a copy needs no page walk. */
unsigned arch_pv_copy(struct vcpu *v, uint64_t gva, void *buf, unsigned len, bool to_guest)
{
	struct vm *vm = v->vm;
	uint8_t *p;

	if (gva >= vm->ram_size)
		return 0;
	if (len > vm->ram_size - gva)
		len = (unsigned)(vm->ram_size - gva);
	p = (uint8_t *)(vm->ram_hpa + gva);
	if (to_guest)
		memcpy(p, buf, len);
	else
		memcpy(buf, p, len);
	return len;
}
