/* SPDX-License-Identifier: MIT */
/*
 * The hypercall page of a PV guest: entry nr is `mov $nr, %eax; vmcall;
 * ret` in a VM, `mov $nr, %eax; syscall; ret` in ring 3 (no VT-x), padded
 * with INT3. Guests call the entry
 * and never encode the instruction themselves, so the same binary runs
 * where the page holds a different way into Keel. Every slot of the page
 * gets an entry, so a number Keel does not know reaches Keel and gets
 * -ENOSYS instead of sending the guest into the padding.
 */
#include "vmx_priv.h"
#include <arch/vmx.h>
#include <keel/abi.h>
#include <keel/string.h>
#include <keel/vm.h>

void arch_hypercall_page_fill(struct vm *vm, uint8_t *page)
{
	static const uint8_t vmcall[] = { 0x0f, 0x01, 0xc1 }, syscall[] = { 0x0f, 0x05 };
	const uint8_t *trap = vm->arch.depriv ? syscall : vmcall;
	unsigned trap_len = vm->arch.depriv ? sizeof(syscall) : sizeof(vmcall);

	memset(page, 0xcc, PAGE_SIZE);
	for (unsigned nr = 0; nr < PAGE_SIZE / KEEL_HYPERCALL_STRIDE; nr++) {
		uint8_t *e = page + nr * KEEL_HYPERCALL_STRIDE;

		e[0] = 0xb8; /* mov $nr, %eax (zero-extends into RAX) */
		e[1] = (uint8_t)nr;
		e[2] = e[3] = e[4] = 0;
		memcpy(e + 5, trap, trap_len);
		e[5 + trap_len] = 0xc3; /* ret */
	}
}

/* With TSC offsetting the guest's TSC is 0 when its VM was built. */
uint64_t arch_guest_tsc(struct vm *vm, uint64_t host_tsc)
{
	if (vm->arch.depriv)
		return host_tsc; /* ring 3 reads the host's TSC */
	return (vmx.ctl.proc & CPU_TSC_OFFSETTING) ? host_tsc - vm->tsc_base : host_tsc;
}
