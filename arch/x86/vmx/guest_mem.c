/* SPDX-License-Identifier: MIT */
/*
 * Reading guest memory through the guest's own page tables: used to fetch
 * the instruction behind an MMIO exit. 32-bit, PAE and 4-level paging
 * (SDM Vol. 3A 4.3-4.5); accessed/dirty bits are left alone.
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <arch/paging.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <arch/guest_mem.h>
#include <arch/pv.h>
#include <keel/vm.h>

#define CR4_PSE BIT(4)

static int read_pte(struct vm *vm, uint64_t gpa, unsigned size, uint64_t *pte)
{
	void *p = vm_gpa_to_hva(vm, gpa, size);

	if (!p)
		return -EFAULT;
	*pte = size == 8 ? *(uint64_t *)p : *(uint32_t *)p;
	return 0;
}

int vmx_guest_translate(struct vcpu *v, uint64_t la, uint64_t *gpa)
{
	uint64_t cr0 = vmcs_read(VMCS_GUEST_CR0), cr4 = vmcs_read(VMCS_GUEST_CR4);
	uint64_t table = vmcs_read(VMCS_GUEST_CR3), pte;
	int levels, shift;
	bool pae;

	if (!(cr0 & CR0_PG)) {
		*gpa = la & 0xffffffff;
		return 0;
	}
	pae = cr4 & CR4_PAE;
	levels = !pae ? 2 : (vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA) ? 4 : 3;
	table &= pae ? (levels == 4 ? PTE_ADDR : 0xffffffe0) : 0xfffff000;
	for (int l = levels; l >= 1; l--) {
		unsigned esize = pae ? 8 : 4, bits = pae ? 9 : 10;
		uint64_t idx;

		shift = 12 + bits * (l - 1);
		/* PAE's top level (PDPT) has 4 entries indexed by bits 31:30. */
		idx = (la >> shift) & ((levels == 3 && l == 3) ? 3 : (1u << bits) - 1);
		if (read_pte(v->vm, table + idx * esize, esize, &pte) || !(pte & PTE_P))
			return -EFAULT;
		if (l > 1 && (pte & PTE_PS) && (l < 3 || levels == 4) && (pae || (cr4 & CR4_PSE))) {
			uint64_t mask = (1ULL << shift) - 1;
			uint64_t base = pae ? pte & PTE_ADDR & ~mask :
					(pte & 0xffc00000) | ((pte >> 13 & 0xff) << 32);

			*gpa = base | (la & mask);
			return 0;
		}
		table = pae ? pte & PTE_ADDR : pte & 0xfffff000;
	}
	*gpa = table | (la & 0xfff);
	return 0;
}

/*
 * How Keel's own accesses to guest memory behave where the guest could not
 * write: a plain write stops there (a hypercall then fails with -EFAULT); a
 * store drops those bytes and goes on, as a PC drops a write to its ROM.
 */
enum copy_mode { COPY_READ, COPY_WRITE, COPY_STORE, PROBE_READ, PROBE_WRITE };

/* Copy between guest linear memory and buf, page by page; returns bytes copied. */
static unsigned copy_linear(struct vcpu *v, uint64_t la, uint8_t *buf, unsigned len,
			    enum copy_mode mode)
{
	unsigned done = 0;

	while (done < len) {
		uint64_t gpa, chunk = PAGE_SIZE - ((la + done) & (PAGE_SIZE - 1));
		uint8_t *p;

		if (chunk > len - done)
			chunk = len - done;
		if (vmx_guest_translate(v, la + done, &gpa))
			break;
		/* Regions and PAM segments are page-aligned: a chunk is all one kind. */
		if (mode == COPY_READ || mode == PROBE_READ) {
			if (!(p = vm_gpa_to_hva(v->vm, gpa, chunk)))
				break;
			if (mode == COPY_READ)
				memcpy(buf + done, p, chunk);
		} else if ((p = vm_gpa_to_hva_write(v->vm, gpa, chunk))) {
			if (mode != PROBE_WRITE)
				memcpy(p, buf + done, chunk);
		} else if (mode != COPY_STORE || !vm_gpa_to_hva(v->vm, gpa, chunk)) {
			break;
		}
		done += chunk;
	}
	return done;
}

unsigned vmx_guest_read_linear(struct vcpu *v, uint64_t la, void *dst, unsigned len)
{
	return copy_linear(v, la, dst, len, COPY_READ);
}

unsigned vmx_guest_write_linear(struct vcpu *v, uint64_t la, const void *src, unsigned len)
{
	return copy_linear(v, la, (uint8_t *)src, len, COPY_WRITE);
}

unsigned vmx_guest_store_linear(struct vcpu *v, uint64_t la, const void *src, unsigned len)
{
	return copy_linear(v, la, (uint8_t *)src, len, COPY_STORE);
}

unsigned arch_guest_read(struct vcpu *v, unsigned long la, void *dst, unsigned len)
{
	if (v->vm->arch.depriv)
		return arch_pv_copy(v, la, dst, len, false);
	return vmx_guest_read_linear(v, la, dst, len);
}

bool arch_guest_readable(struct vcpu *v, unsigned long la, unsigned len)
{
	if (v->vm->arch.depriv)
		return !len || (la < v->vm->ram_size && len <= v->vm->ram_size - la);
	return copy_linear(v, la, NULL, len, PROBE_READ) == len;
}

/* All or nothing: a hypercall that fails with -EFAULT has changed nothing (docs/abi.md). */
unsigned arch_guest_write(struct vcpu *v, unsigned long la, const void *src, unsigned len)
{
	if (v->vm->arch.depriv) {
		if (la >= v->vm->ram_size || len > v->vm->ram_size - la)
			return 0;
		return arch_pv_copy(v, la, (void *)src, len, true);
	}
	if (copy_linear(v, la, NULL, len, PROBE_WRITE) != len)
		return 0;
	return vmx_guest_write_linear(v, la, src, len);
}
